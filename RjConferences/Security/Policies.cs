using Microsoft.AspNetCore.Authorization;

namespace RjConferences.Security;

/// <summary>
/// The named authorization policies: who may reach a page, an endpoint or a menu entry. Each is a set of
/// roles, written once here; the same table registers the policies (<see cref="Register"/>) and answers
/// <see cref="Allows"/> for the pages, sections and services that ask in code, so that the menu, the page
/// and the server cannot disagree about a role.
/// </summary>
public static class Policies
{
    /// <summary>Records new referrals and keeps a school's diary.</summary>
    public const string Referrer = "Referrer";

    /// <summary>Facilitates conferences: suitability, preparation meetings, "My conferences".</summary>
    public const string Facilitator = "Facilitator";

    /// <summary>Records follow-up checks.</summary>
    public const string Reviewer = "Reviewer";

    /// <summary>Users, training, rooms, school days, the audit log; reopens a closed case.</summary>
    public const string Administrator = "Administrator";

    /// <summary>Changes a case (consent, details, withdrawal, closing) and books, reschedules and cancels its conferences: a referrer or a facilitator.</summary>
    public const string CaseWorker = "CaseWorker";

    /// <summary>Reads cases (the case list and the case page): a referrer, a facilitator or a youth justice reviewer.</summary>
    public const string CaseReader = "CaseReader";

    /// <summary>The reports and their CSV exports: a youth justice reviewer or an administrator.</summary>
    public const string Reports = "Reports";

    /// <summary>The agreement page and its documents: a facilitator, a referrer or an administrator.</summary>
    public const string Agreements = "Agreements";

    /// <summary>
    /// The conference outcome page, the list of conferences waiting for their outcome and the training warnings:
    /// a facilitator or an administrator (which conference's outcome is theirs to record is
    /// <c>AgreementOutcomes.CanRecordOutcome</c>).
    /// </summary>
    public const string Outcomes = "Outcomes";

    private static readonly Dictionary<string, string[]> RolesOf = new()
    {
        [Referrer] = [Roles.Referrer],
        [Facilitator] = [Roles.Facilitator],
        [Reviewer] = [Roles.YouthJusticeReviewer],
        [Administrator] = [Roles.Administrator],
        [CaseWorker] = [Roles.Referrer, Roles.Facilitator],
        [CaseReader] = [Roles.Referrer, Roles.Facilitator, Roles.YouthJusticeReviewer],
        [Reports] = [Roles.YouthJusticeReviewer, Roles.Administrator],
        [Agreements] = [Roles.Facilitator, Roles.Referrer, Roles.Administrator],
        [Outcomes] = [Roles.Facilitator, Roles.Administrator],
    };

    /// <summary>Every policy's name.</summary>
    public static IEnumerable<string> All => RolesOf.Keys;

    /// <summary>The roles a policy admits (any one of them).</summary>
    public static IReadOnlyList<string> RolesFor(string policy) => RolesOf[policy];

    /// <summary>Whether <paramref name="user"/> meets <paramref name="policy"/>: the same answer as the registered policy.</summary>
    public static bool Allows(this ClaimsPrincipal user, string policy) => RolesOf[policy].Any(user.IsInRole);

    /// <summary>Registers every policy (called by <see cref="IdentitySetup.AddRjIdentity"/>).</summary>
    public static void Register(AuthorizationOptions options)
    {
        foreach (var (name, roles) in RolesOf)
        {
            options.AddPolicy(name, policy => policy.RequireAuthenticatedUser().RequireRole(roles));
        }
    }
}
