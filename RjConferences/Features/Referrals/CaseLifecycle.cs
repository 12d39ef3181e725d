
namespace RjConferences.Features.Referrals;

/// <summary>
/// The allowed moves between case statuses (domain.md), and the only writer of <c>cases.status</c>:
/// a new case starts where <see cref="Initial"/> says, and every later move goes through
/// <see cref="MoveAsync"/> (from a change, <see cref="CaseChange.MoveAsync"/>). The server refuses any
/// other move and changes nothing.
/// </summary>
public static class CaseLifecycle
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [CaseStatus.Referred] = [CaseStatus.Assessing, CaseStatus.Withdrawn],
        [CaseStatus.Assessing] = [CaseStatus.AwaitingConsent, CaseStatus.ReadyToSchedule, CaseStatus.NotSuitable, CaseStatus.Withdrawn],
        [CaseStatus.AwaitingConsent] = [CaseStatus.ReadyToSchedule, CaseStatus.Assessing, CaseStatus.NotSuitable, CaseStatus.Withdrawn],
        [CaseStatus.ReadyToSchedule] = [CaseStatus.ConferenceScheduled, CaseStatus.AwaitingConsent, CaseStatus.Assessing, CaseStatus.NotSuitable, CaseStatus.Withdrawn],
        [CaseStatus.ConferenceScheduled] = [CaseStatus.ConferenceHeld, CaseStatus.ReadyToSchedule, CaseStatus.AwaitingConsent, CaseStatus.Withdrawn],
        [CaseStatus.ConferenceHeld] = [CaseStatus.AgreementActive, CaseStatus.NoAgreement],
        [CaseStatus.AgreementActive] = [CaseStatus.AgreementCompleted, CaseStatus.AgreementFailed, CaseStatus.ReadyToSchedule],
        [CaseStatus.AgreementCompleted] = [CaseStatus.FollowUp],
        [CaseStatus.NoAgreement] = [CaseStatus.Closed],
        [CaseStatus.AgreementFailed] = [CaseStatus.Closed],
        [CaseStatus.FollowUp] = [CaseStatus.Closed],
        [CaseStatus.NotEligible] = [CaseStatus.Closed],
        [CaseStatus.NotSuitable] = [CaseStatus.Closed, CaseStatus.Assessing],
        [CaseStatus.Withdrawn] = [CaseStatus.Closed],
        // An administrator's reopening puts a closed case back where it was closed from (CaseClosing.ReopenAsync).
        [CaseStatus.Closed] = [CaseStatus.Withdrawn, CaseStatus.NoAgreement, CaseStatus.AgreementFailed, CaseStatus.NotEligible,
            CaseStatus.NotSuitable, CaseStatus.FollowUp],
    };

    /// <summary>Where a new referral starts: referred when eligible, otherwise not eligible.</summary>
    public static string Initial(bool eligible) => eligible ? CaseStatus.Referred : CaseStatus.NotEligible;

    public static bool CanMove(string from, string to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>
    /// Moves a case from <paramref name="from"/> to <paramref name="to"/> in the caller's transaction and
    /// records the move on the timeline; throws <see cref="LifecycleException"/> for a move the lifecycle
    /// does not allow, so the transaction changes nothing. Set what the new status needs (closure
    /// outcome, reasons) before the move: the timeline entry refreshes the case's report facts.
    /// </summary>
    internal static async Task MoveAsync(DbConnection connection, IDbTransaction transaction, Guid caseId, string from, string to,
        Guid? userId, DateTimeOffset now, string summary)
    {
        if (!CanMove(from, to)) throw new LifecycleException(from, to);
        await connection.ExecuteAsync("UPDATE cases SET status = @to WHERE id = @caseId", new { to, caseId }, transaction);
        await CaseTimeline.RecordAsync(connection, transaction, caseId, userId, now, "status", summary, from, to);
    }

    public static IReadOnlyList<string> NextFrom(string from) => Allowed.TryGetValue(from, out var next) ? next : [];

    /// <summary>The statuses during which suitability and consent are still being settled.</summary>
    public static bool IsBeforeConference(string status) => status is CaseStatus.Referred or CaseStatus.Assessing
        or CaseStatus.AwaitingConsent or CaseStatus.ReadyToSchedule;

    /// <summary>
    /// Where a case before its conference belongs, given its latest suitability outcome and whether
    /// every required consent is given: no assessment yet → assessing; not suitable → not_suitable;
    /// suitable → ready_to_schedule when all consents are given, else awaiting_consent.
    /// </summary>
    public static string Settle(string? suitability, bool allConsentsGiven) => suitability switch
    {
        null => CaseStatus.Assessing,
        "not_suitable" => CaseStatus.NotSuitable,
        _ => allConsentsGiven ? CaseStatus.ReadyToSchedule : CaseStatus.AwaitingConsent,
    };
}

/// <summary>An attempt at a move the lifecycle does not allow; nothing was changed.</summary>
public sealed class LifecycleException(string from, string to)
    : Exception($"A case that is {CaseStatus.Label(from).ToLowerInvariant()} cannot become {CaseStatus.Label(to).ToLowerInvariant()}.")
{
    public string From { get; } = from;
    public string To { get; } = to;
}
