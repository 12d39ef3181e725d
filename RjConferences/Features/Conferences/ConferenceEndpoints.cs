
namespace RjConferences.Features.Conferences;

public static class ConferenceEndpoints
{
    /// <summary>GET /conferences/{id}/invitation.ics — the calendar file (signed-in users within scope; audited as disclose).</summary>
    public static IEndpointRouteBuilder MapConferenceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/conferences/{id:guid}/invitation.ics", async (Guid id, ClaimsPrincipal user, ConferenceQueries queries) =>
            await queries.InviteAsync(id, user.UserId()) is { } invite
                ? Results.File(invite.Content, "text/calendar; charset=utf-8", invite.FileName)
                : Results.NotFound())
            .RequireAuthorization(Policies.CaseWorker);
        return endpoints;
    }
}
