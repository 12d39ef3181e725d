using Microsoft.Extensions.Primitives;
using RjConferences.Features.Agreements;

namespace RjConferences.Features.Reports;

public enum ExportStatus { Ok, UnknownTable, Invalid, Unavailable }

public sealed record ExportResult(ExportStatus Status, string? FileName = null, byte[]? Content = null, string? Message = null);

/// <summary>
/// The downloads of a selection — one table of the report as a CSV file, or the board report as a PDF — each made the same
/// way: the selection checked as the page checks it (a borough or school outside the user's scope refused and audited as
/// access_denied), the report computed, small counts suppressed (ReportTables.BuildAll), and the download audited as
/// <c>disclose</c> with what was made and the selection's ids and codes.
/// </summary>
public sealed class ReportExports(ReportSelectionValidator validator, ReportQueries queries, AuditLog audit, IOptions<ReportOptions> options,
    DocumentFonts fonts, TimeProvider clock)
{
    public const string BoardReportId = "board-report";

    private int SuppressBelow => options.Value.SuppressBelow;

    public async Task<ExportResult> ExportAsync(string table, IEnumerable<KeyValuePair<string, StringValues>> query,
        Guid userId, CancellationToken cancellationToken = default)
    {
        if (!ReportTables.Titles.ContainsKey(table))
        {
            return new ExportResult(ExportStatus.UnknownTable);
        }
        return await DiscloseAsync(query, userId, table, "csv export", run => (FileName(table, run.Result.Selection),
            ReportCsv.Write(ReportTables.BuildAll(run.Result, SuppressBelow).Single(t => t.Key == table), SuppressBelow)), cancellationToken);
    }

    /// <summary>The board report of a selection (<see cref="BoardReportPdf"/>); unavailable, with the reason, when no font was found.</summary>
    public async Task<ExportResult> BoardReportAsync(IEnumerable<KeyValuePair<string, StringValues>> query, Guid userId,
        CancellationToken cancellationToken = default)
    {
        if (fonts.Fonts is not { } set)
        {
            return new ExportResult(ExportStatus.Unavailable, Message: fonts.Problem);
        }
        return await DiscloseAsync(query, userId, BoardReportId, "board report pdf", run => (BoardReport.FileName(run.Result.Selection),
            new BoardReportPdf(set).Render(new BoardReport(run.Result, run.Filters, run.AsAt, SuppressBelow))), cancellationToken);
    }

    /// <summary>A selection's report, its filters in words, and when it was worked out.</summary>
    private sealed record ReportRun(ReportResult Result, string Filters, DateTimeOffset AsAt);

    /// <summary>Check the selection, run the report, make the file, audit the disclosure: one place for every download.</summary>
    private async Task<ExportResult> DiscloseAsync(IEnumerable<KeyValuePair<string, StringValues>> query, Guid userId, string made, string recipient,
        Func<ReportRun, (string FileName, byte[] Content)> write, CancellationToken cancellationToken)
    {
        var form = ReportSelectionForm.FromQuery(query);
        var choices = await validator.ChoicesAsync(userId, cancellationToken);
        var check = await validator.ValidateAsync(form, userId, choices, cancellationToken);
        if (check.Selection is not { } selection)
        {
            return new ExportResult(ExportStatus.Invalid, Message: "The report cannot be made for this selection: "
                + string.Join("; ", check.Errors.SelectMany(e => e.Value)) + ".");
        }
        var asAt = clock.GetUtcNow();
        var result = await queries.RunAsync(userId, selection, cancellationToken);
        var (fileName, content) = write(new ReportRun(result, choices.Describe(selection), asAt));
        await audit.RecordAsync(new AuditEvent(AuditAction.Disclose, EntityType: "report", EntityId: made, UserId: userId,
            Recipient: recipient, Justification: form.ToQueryString()), cancellationToken);
        return new ExportResult(ExportStatus.Ok, fileName, content);
    }

    /// <summary>"report-funnel-2025-09-01-to-2026-08-31.csv": the table and the period, nothing about a person.</summary>
    public static string FileName(string table, ReportSelection selection) =>
        string.Create(CultureInfo.InvariantCulture, $"report-{table}-{selection.From:yyyy-MM-dd}-to-{selection.To:yyyy-MM-dd}.csv");
}

public static class ReportEndpoints
{
    /// <summary>The download address of one table for a selection (its query string: ids and codes only).</summary>
    public static string ExportUrl(string table, string query) => $"reports/export/{table}.csv?{query}";

    /// <summary>The download address of the board report (PDF) for a selection.</summary>
    public static string BoardReportUrl(string query) => $"reports/board.pdf?{query}";

    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReportOptions>().Bind(configuration.GetSection("Reports"))
            .Validate(o => o.SuppressBelow >= 2, "Reports:SuppressBelow must be 2 or more: small counts in exports must be suppressed.")
            .ValidateOnStart();
        services.AddSingleton<ReportQueries>();
        services.AddSingleton<ReportSelectionValidator>();
        services.AddSingleton<ReportExports>();
        return services;
    }

    /// <summary>
    /// GET /reports/export/{table}.csv?period=…&amp;… — a table of the report as CSV, for youth justice reviewers
    /// and administrators (anyone else signed in gets 403, audited); never cached (the app's default no-store).
    /// </summary>
    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/reports/export/{table}.csv", async (string table, HttpRequest request, ClaimsPrincipal user,
                ReportExports exports, AuditLog audit, CancellationToken cancellationToken) =>
                await RefusedAsync(request, user, audit, cancellationToken)
                ?? Download(await exports.ExportAsync(table, request.Query, user.UserId(), cancellationToken), "text/csv; charset=utf-8"))
            .RequireAuthorization();
        // GET /reports/board.pdf?period=…&… — the board report of the same selection, under the same rules.
        endpoints.MapGet("/reports/board.pdf", async (HttpRequest request, ClaimsPrincipal user, ReportExports exports, AuditLog audit,
                CancellationToken cancellationToken) =>
                await RefusedAsync(request, user, audit, cancellationToken)
                ?? Download(await exports.BoardReportAsync(request.Query, user.UserId(), cancellationToken), "application/pdf"))
            .RequireAuthorization();
        return endpoints;
    }

    /// <summary>Anyone signed in but not a reviewer or an administrator: 403 (a file, not a page), audited.</summary>
    private static async Task<IResult?> RefusedAsync(HttpRequest request, ClaimsPrincipal user, AuditLog audit, CancellationToken cancellationToken)
    {
        if (user.Allows(Policies.Reports))
        {
            return null;
        }
        // A file, not a page: refused with 403 rather than sent to the "cannot open this page" page.
        await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "page", EntityId: request.Path.Value,
            UserId: user.UserIdOrNull()), cancellationToken);
        return Results.Text("Reports are for youth justice reviewers and administrators.", "text/plain; charset=utf-8",
            statusCode: StatusCodes.Status403Forbidden);
    }

    private static IResult Download(ExportResult export, string contentType) => export switch
    {
        { Status: ExportStatus.Ok } ok => Results.File(ok.Content!, contentType, ok.FileName),
        { Status: ExportStatus.Invalid } bad => Results.Text(bad.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest),
        { Status: ExportStatus.Unavailable } unavailable => Results.Text(unavailable.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable),
        _ => Results.NotFound(),
    };
}
