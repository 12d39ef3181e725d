using Microsoft.Extensions.Primitives;

namespace RjConferences.Features.Reports;

public enum ExportStatus { Ok, UnknownTable, Invalid }

public sealed record ExportResult(ExportStatus Status, string? FileName = null, byte[]? Content = null, string? Message = null);

/// <summary>
/// One table of the report as a CSV file: the selection checked as the page checks it (a borough or school
/// outside the user's scope refused and audited as access_denied), the report computed, small counts
/// suppressed, formulas neutralised, and the download audited as <c>disclose</c> with the table and the
/// selection's ids and codes.
/// </summary>
public sealed class ReportExports(ReportSelectionValidator validator, ReportQueries queries, AuditLog audit, IOptions<ReportOptions> options)
{
    public async Task<ExportResult> ExportAsync(string table, IEnumerable<KeyValuePair<string, StringValues>> query,
        Guid userId, CancellationToken cancellationToken = default)
    {
        if (!ReportTables.Titles.ContainsKey(table))
        {
            return new ExportResult(ExportStatus.UnknownTable);
        }
        var form = ReportSelectionForm.FromQuery(query);
        var check = await validator.ValidateAsync(form, userId, cancellationToken: cancellationToken);
        if (check.Selection is not { } selection)
        {
            return new ExportResult(ExportStatus.Invalid, Message: "The report cannot be made for this selection: "
                + string.Join("; ", check.Errors.SelectMany(e => e.Value)) + ".");
        }
        var result = await queries.RunAsync(userId, selection, cancellationToken);
        var content = ReportCsv.Write(ReportTables.BuildAll(result, options.Value.SuppressBelow).Single(t => t.Key == table), options.Value.SuppressBelow);
        await audit.RecordAsync(new AuditEvent(AuditAction.Disclose, EntityType: "report", EntityId: table, UserId: userId,
            Recipient: "csv export", Justification: form.ToQueryString()), cancellationToken);
        return new ExportResult(ExportStatus.Ok, FileName(table, selection), content);
    }

    /// <summary>"report-funnel-2025-09-01-to-2026-08-31.csv": the table and the period, nothing about a person.</summary>
    public static string FileName(string table, ReportSelection selection) =>
        string.Create(CultureInfo.InvariantCulture, $"report-{table}-{selection.From:yyyy-MM-dd}-to-{selection.To:yyyy-MM-dd}.csv");
}

public static class ReportEndpoints
{
    /// <summary>The download address of one table for a selection (its query string: ids and codes only).</summary>
    public static string ExportUrl(string table, string query) => $"reports/export/{table}.csv?{query}";

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
            {
                if (!user.Allows(Policies.Reports))
                {
                    // A file, not a page: refused with 403 rather than sent to the "cannot open this page" page.
                    await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "page", EntityId: request.Path.Value,
                        UserId: user.UserIdOrNull()), cancellationToken);
                    return Results.Text("Reports are for youth justice reviewers and administrators.", "text/plain; charset=utf-8",
                        statusCode: StatusCodes.Status403Forbidden);
                }
                return await exports.ExportAsync(table, request.Query, user.UserId(), cancellationToken) switch
                {
                    { Status: ExportStatus.Ok } ok => Results.File(ok.Content!, "text/csv; charset=utf-8", ok.FileName),
                    { Status: ExportStatus.Invalid } bad => Results.Text(bad.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest),
                    _ => Results.NotFound(),
                };
            })
            .RequireAuthorization();
        return endpoints;
    }
}
