using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Primitives;
using RjConferences.Features.Agreements;

namespace RjConferences.Features.Reports;

public enum ExportStatus { Ok, UnknownTable, Invalid, Unavailable }

public sealed record ExportResult(ExportStatus Status, string? FileName = null, byte[]? Content = null, string? Message = null);

/// <summary>
/// The report's downloads — one table as a CSV file, every table as one workbook, or the board report as a PDF — made in one place: the selection
/// checked as the page checks it (a borough or school outside the user's scope refused and audited as access_denied), the
/// report computed, its tables suppressed together (<see cref="ReportTables.BuildAll"/>), formulas neutralised, and the
/// download audited as <c>disclose</c> with what was sent and the selection's ids and codes.
/// </summary>
public sealed class ReportExports(ReportSelectionValidator validator, ReportQueries queries, AuditLog audit, IOptions<ReportOptions> options,
    DocumentFonts fonts, TimeProvider clock)
{
    /// <summary>The audit's entity id for the workbook (a CSV's is its table).</summary>
    public const string Workbook = "all";

    /// <summary>The audit's entity id for the board report.</summary>
    public const string BoardReportId = "board-report";

    public async Task<ExportResult> ExportAsync(string table, IEnumerable<KeyValuePair<string, StringValues>> query,
        Guid userId, CancellationToken cancellationToken = default)
    {
        if (!ReportTables.Titles.ContainsKey(table))
        {
            return new ExportResult(ExportStatus.UnknownTable);
        }
        var suppressBelow = options.Value.SuppressBelow;
        return await ExportAsync(query, userId, table, "csv export", (result, _, _) =>
            (FileName(table, result.Selection), ReportCsv.Write(ReportTables.BuildAll(result, suppressBelow).Single(t => t.Key == table), suppressBelow)),
            cancellationToken);
    }

    /// <summary>Every table of the selection in one .xlsx (<see cref="ReportWorkbook"/>), with the selection and the definitions.</summary>
    public Task<ExportResult> WorkbookAsync(IEnumerable<KeyValuePair<string, StringValues>> query, Guid userId,
        CancellationToken cancellationToken = default) =>
        ExportAsync(query, userId, Workbook, "xlsx workbook", (result, choices, asAt) =>
            (ReportWorkbook.FileName(result.Selection),
             ReportWorkbook.Write(result, new WorkbookCover(choices.Describe(result.Selection), asAt, options.Value.SuppressBelow))),
            cancellationToken);

    /// <summary>The board report of a selection (<see cref="BoardReportPdf"/>); unavailable, with the reason, when no font was found.</summary>
    public async Task<ExportResult> BoardReportAsync(IEnumerable<KeyValuePair<string, StringValues>> query, Guid userId,
        CancellationToken cancellationToken = default)
    {
        if (fonts.Fonts is not { } set)
        {
            return new ExportResult(ExportStatus.Unavailable, Message: fonts.Problem);
        }
        return await ExportAsync(query, userId, BoardReportId, "board report pdf", (result, choices, asAt) =>
            (BoardReport.FileName(result.Selection),
             new BoardReportPdf(set).Render(new BoardReport(result, choices.Describe(result.Selection), asAt, options.Value.SuppressBelow))),
            cancellationToken);
    }

    /// <summary>Validate, run, write, audit: the one path of every download.</summary>
    private async Task<ExportResult> ExportAsync(IEnumerable<KeyValuePair<string, StringValues>> query, Guid userId, string entityId,
        string recipient, Func<ReportResult, ReportChoices, DateTimeOffset, (string FileName, byte[] Content)> write,
        CancellationToken cancellationToken)
    {
        var form = ReportSelectionForm.FromQuery(query);
        var choices = await validator.ChoicesAsync(userId, cancellationToken);
        var check = await validator.ValidateAsync(form, userId, choices, cancellationToken);
        if (check.Selection is not { } selection)
        {
            return new ExportResult(ExportStatus.Invalid, Message: "The report cannot be made for this selection: "
                + string.Join("; ", check.Errors.SelectMany(e => e.Value)) + ".");
        }
        // As the page: the time the figures were worked out, said as "Data as at".
        var asAt = clock.GetUtcNow();
        var result = await queries.RunAsync(userId, selection, cancellationToken);
        var (fileName, content) = write(result, choices, asAt);
        await audit.RecordAsync(new AuditEvent(AuditAction.Disclose, EntityType: "report", EntityId: entityId, UserId: userId,
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

    /// <summary>The download address of the whole selection as one workbook.</summary>
    public static string WorkbookUrl(string query) => $"reports/export/all.xlsx?{query}";

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
    /// GET /reports/export/{table}.csv?period=…&amp;… — a table of the report as CSV — and GET /reports/export/all.xlsx?… — every
    /// table as one workbook (the literal ".xlsx" keeps it apart from the tables' route), for youth justice reviewers and
    /// administrators (anyone else signed in gets 403, audited); never cached (the app's default no-store).
    /// </summary>
    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/reports/export/{table}.csv", (string table, HttpRequest request, ClaimsPrincipal user,
                ReportExports exports, AuditLog audit, CancellationToken cancellationToken) =>
                DownloadAsync(request, user, audit, "text/csv; charset=utf-8",
                    () => exports.ExportAsync(table, request.Query, user.UserId(), cancellationToken), cancellationToken))
            .RequireAuthorization().RequireRateLimiting(RequestLimits.Exports);
        endpoints.MapGet("/reports/export/all.xlsx", (HttpRequest request, ClaimsPrincipal user,
                ReportExports exports, AuditLog audit, CancellationToken cancellationToken) =>
                DownloadAsync(request, user, audit, ReportWorkbook.ContentType,
                    () => exports.WorkbookAsync(request.Query, user.UserId(), cancellationToken), cancellationToken))
            .RequireAuthorization().RequireRateLimiting(RequestLimits.Exports);
        // GET /reports/board.pdf?period=…&… — the board report of the same selection, under the same rules.
        endpoints.MapGet("/reports/board.pdf", (HttpRequest request, ClaimsPrincipal user, ReportExports exports, AuditLog audit,
                CancellationToken cancellationToken) =>
                DownloadAsync(request, user, audit, "application/pdf",
                    () => exports.BoardReportAsync(request.Query, user.UserId(), cancellationToken), cancellationToken))
            .RequireAuthorization().RequireRateLimiting(RequestLimits.Exports);
        return endpoints;
    }

    private static async Task<IResult> DownloadAsync(HttpRequest request, ClaimsPrincipal user, AuditLog audit, string contentType,
        Func<Task<ExportResult>> export, CancellationToken cancellationToken)
    {
        if (!user.Allows(Policies.Reports))
        {
            // A file, not a page: refused with 403 rather than sent to the "cannot open this page" page.
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "page", EntityId: request.Path.Value,
                UserId: user.UserIdOrNull()), cancellationToken);
            return Results.Text("Reports are for youth justice reviewers and administrators.", "text/plain; charset=utf-8",
                statusCode: StatusCodes.Status403Forbidden);
        }
        return await export() switch
        {
            { Status: ExportStatus.Ok } ok => Results.File(ok.Content!, contentType, ok.FileName),
            { Status: ExportStatus.Invalid } bad => Results.Text(bad.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest),
            { Status: ExportStatus.Unavailable } unavailable => Results.Text(unavailable.Message, "text/plain; charset=utf-8",
                statusCode: StatusCodes.Status503ServiceUnavailable),
            _ => Results.NotFound(),
        };
    }
}
