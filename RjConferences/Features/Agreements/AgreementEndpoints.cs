using Microsoft.AspNetCore.RateLimiting;

namespace RjConferences.Features.Agreements;

public static class AgreementEndpoints
{
    /// <summary>The download address of a conference's agreement document: ids and choices only, no personal data.</summary>
    public static string DocumentUrl(Guid conferenceId, string recipient, bool harmedFirstNameOnly) =>
        $"conferences/{conferenceId}/agreement.pdf?recipient={Uri.EscapeDataString(recipient)}&harmedFirstNameOnly={(harmedFirstNameOnly ? "true" : "false")}";

    /// <summary>The download address of one stored version of the agreement document, as it was made.</summary>
    public static string VersionUrl(Guid conferenceId, int version, string recipient, bool harmedFirstNameOnly) =>
        $"conferences/{conferenceId}/agreement/v{version}.pdf?recipient={Uri.EscapeDataString(recipient)}&harmedFirstNameOnly={(harmedFirstNameOnly ? "true" : "false")}";

    /// <summary>The services of the outcome and agreement pages, the document renderer and the font health check.</summary>
    public static IServiceCollection AddAgreements(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DocumentOptions>(configuration.GetSection("Documents"));
        services.AddSingleton(sp => new DocumentFonts(sp.GetRequiredService<IOptions<DocumentOptions>>()));
        services.AddSingleton<AgreementRenderer>();
        services.AddSingleton<AgreementDocumentSource>();
        services.AddSingleton<AgreementOutcomes>();
        services.AddSingleton<AgreementDocuments>();
        services.AddSingleton<ActionTracking>();
        services.AddHealthChecks().AddCheck<DocumentFontsHealthCheck>("documents");
        return services;
    }

    /// <summary>
    /// GET /conferences/{id}/agreement.pdf?recipient=…&amp;harmedFirstNameOnly=… — the agreement document
    /// (current version, or a new one when the agreement changed). The recipient is required and the
    /// download is audited as a disclosure to it.
    /// </summary>
    public static IEndpointRouteBuilder MapAgreementEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/conferences/{id:guid}/agreement.pdf", async (Guid id, string? recipient, bool? harmedFirstNameOnly, ClaimsPrincipal user,
                AgreementDocuments documents, CancellationToken cancellationToken) =>
            Answer(await documents.DownloadAsync(id, recipient, harmedFirstNameOnly == true, user.UserId(), cancellationToken)))
            .RequireAuthorization(Policies.Agreements).RequireRateLimiting(RequestLimits.Exports);
        // GET /conferences/{id}/agreement/v{n}.pdf?recipient=…&harmedFirstNameOnly=… — a stored version as it was made (audited the same way).
        endpoints.MapGet("/conferences/{id:guid}/agreement/v{version:int:min(1)}.pdf", async (Guid id, int version, string? recipient, bool? harmedFirstNameOnly,
                ClaimsPrincipal user, AgreementDocuments documents, CancellationToken cancellationToken) =>
            Answer(await documents.DownloadVersionAsync(id, version, recipient, harmedFirstNameOnly == true, user.UserId(), cancellationToken)))
            .RequireAuthorization(Policies.Agreements).RequireRateLimiting(RequestLimits.Exports);
        return endpoints;
    }

    private static IResult Answer(DownloadResult result) => result switch
    {
        { Status: DownloadStatus.Ok } ok => Results.File(ok.Content!, "application/pdf", ok.FileName),
        { Status: DownloadStatus.NoRecipient } r => Results.Text(r.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest),
        { Status: DownloadStatus.NoFont } f => Results.Text($"The agreement document cannot be made on this server. {f.Message}",
            "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable),
        _ => Results.NotFound(),
    };
}
