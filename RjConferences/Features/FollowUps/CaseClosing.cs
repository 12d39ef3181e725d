using RjConferences.Features.Referrals;

namespace RjConferences.Features.FollowUps;

/// <summary>
/// Closing a case that ended before follow-up (withdrawn, no agreement, agreement failed and
/// escalated, not eligible, not suitable) with a reason, and an Administrator's reopening of a
/// closed case (with a reason, audited). A closed case is otherwise read-only.
/// </summary>
public sealed class CaseClosing(CaseWork work)
{
    private static readonly Dictionary<string, string> OutcomeByStatus = new()
    {
        [CaseStatus.Withdrawn] = "withdrawn",
        [CaseStatus.NoAgreement] = "no_agreement",
        [CaseStatus.AgreementFailed] = "escalated",
        [CaseStatus.NotEligible] = "not_eligible",
        [CaseStatus.NotSuitable] = "not_suitable",
    };

    public static readonly IReadOnlyList<Choice> Outcomes =
    [
        new("diverted", "Diverted: did not enter the criminal justice system"), new("entered_cjs", "Entered the criminal justice system"),
        new("withdrawn", "Withdrawn"), new("escalated", "Escalated to formal action"), new("no_agreement", "No agreement"),
        new("not_eligible", "Not eligible"), new("not_suitable", "Not suitable"),
    ];

    /// <summary>The statuses a case can be closed from this way (with a reason).</summary>
    public static bool CanClose(string status) => OutcomeByStatus.ContainsKey(status);

    /// <summary>Whether <paramref name="user"/> may close a case in <paramref name="status"/> (<see cref="CloseAsync"/>): a referrer or a facilitator.</summary>
    public static bool CanClose(ClaimsPrincipal user, string status) => CaseChanges.IsCaseWorker(user) && CanClose(status);

    /// <summary>
    /// Whether <paramref name="user"/> may reopen a case (<see cref="ReopenAsync"/>): an administrator, a closed case
    /// that was not anonymised.
    /// </summary>
    public static bool CanReopen(ClaimsPrincipal user, string status, bool anonymised) =>
        user.Allows(Policies.Administrator) && ReopenRefusal(status, anonymised) is null;

    private static string? ReopenRefusal(string status, bool anonymised) =>
        status != CaseStatus.Closed ? "Only a closed case can be reopened"
        : anonymised ? "This case has been anonymised under the retention policy and cannot be reopened"
        : null;

    public Task<SaveResult> CloseAsync(Guid caseId, string? reason, ClaimsPrincipal user)
    {
        if (!CaseChanges.IsCaseWorker(user)) return Task.FromResult(SaveResult.Invalid("", "Only a referrer or a facilitator can close a case"));
        if (string.IsNullOrWhiteSpace(reason)) return Task.FromResult(SaveResult.Invalid("CloseReason", "Give the reason for closing the case"));
        if (reason.Length > TextLimits.Reason) return Task.FromResult(SaveResult.Invalid("CloseReason", TextLimits.TooLong("The reason", TextLimits.Reason)));
        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            if (!OutcomeByStatus.TryGetValue(change.Status, out var outcome))
                return $"A case that is {CaseStatus.Label(change.Status).ToLowerInvariant()} cannot be closed this way";
            await change.CloseAsync(outcome, reason.Trim(), $"Closed: {Vocabulary.Label(Outcomes, outcome).ToLowerInvariant()}");
            change.AuditNote = "case closed";
            return null;
        });
    }

    /// <summary>
    /// An administrator reopens a closed case (not an anonymised one), with a reason: it goes back to
    /// the status it was closed from, a move of the lifecycle. Reopening is an administrative act on any
    /// case, so the administrator need not be assigned the school.
    /// </summary>
    public Task<SaveResult> ReopenAsync(Guid caseId, string? reason, ClaimsPrincipal user)
    {
        if (!user.Allows(Policies.Administrator)) return Task.FromResult(SaveResult.Invalid("", "Only an administrator can reopen a case"));
        if (string.IsNullOrWhiteSpace(reason)) return Task.FromResult(SaveResult.Invalid("ReopenReason", "Give the reason for reopening the case"));
        if (reason.Length > TextLimits.Reason) return Task.FromResult(SaveResult.Invalid("ReopenReason", TextLimits.TooLong("The reason", TextLimits.Reason)));
        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            if (ReopenRefusal(change.Status, change.Case.AnonymisedAt is not null) is { } refusal) return refusal;
            var previous = await change.Connection.ExecuteScalarAsync<string>("""
                SELECT from_status FROM case_events WHERE case_id = @CaseId AND to_status = 'closed' ORDER BY id DESC LIMIT 1
                """, new { change.CaseId }, change.Transaction) ?? CaseStatus.Referred;
            await change.ReopenAsync(previous, $"Reopened by an administrator: {reason.Trim()}");
            change.AuditNote = "case reopened";
            return null;
        }, access: CaseAccess.AnyCase);
    }
}
