using System.Security.Claims;
using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Features.FollowUps;

/// <summary>
/// Closing a case that ended before follow-up (withdrawn, no agreement, agreement failed and
/// escalated, not eligible, not suitable) with a reason, and an Administrator's reopening of a
/// closed case (with a reason, audited). A closed case is otherwise read-only.
/// </summary>
public sealed class CaseClosing(Db db, AuditLog audit, TimeProvider clock)
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

    public static bool CanClose(string status) => OutcomeByStatus.ContainsKey(status);

    public Task<ChangeResult> CloseAsync(Guid caseId, string? reason, ClaimsPrincipal user)
    {
        if (!user.IsInRole(Roles.Referrer) && !user.IsInRole(Roles.Facilitator)) return Task.FromResult(ChangeResult.Invalid("", "Only a referrer or a facilitator can close a case"));
        if (string.IsNullOrWhiteSpace(reason)) return Task.FromResult(ChangeResult.Invalid("CloseReason", "Give the reason for closing the case"));
        if (reason.Length > TextLimits.Reason) return Task.FromResult(ChangeResult.Invalid("CloseReason", TextLimits.TooLong("The reason", TextLimits.Reason)));
        var userId = user.UserId();
        return ChangeAsync(caseId, userId, async (connection, transaction, status, now) =>
        {
            if (!OutcomeByStatus.TryGetValue(status, out var outcome))
                return $"A case that is {CaseStatus.Label(status).ToLowerInvariant()} cannot be closed this way";
            await connection.ExecuteAsync("""
                UPDATE cases SET status = 'closed', closed_at = @now, closure_outcome = @outcome, closure_reason = @reason WHERE id = @caseId
                """, new { now, outcome, reason = reason.Trim(), caseId }, transaction);
            await CaseTimeline.RecordAsync(connection, transaction, caseId, userId, now, "status", $"Closed: {Vocabulary.Label(Outcomes, outcome).ToLowerInvariant()}", status, CaseStatus.Closed);
            return null;
        });
    }

    public Task<ChangeResult> ReopenAsync(Guid caseId, string? reason, ClaimsPrincipal user)
    {
        if (!user.IsInRole(Roles.Administrator)) return Task.FromResult(ChangeResult.Invalid("", "Only an administrator can reopen a case"));
        if (string.IsNullOrWhiteSpace(reason)) return Task.FromResult(ChangeResult.Invalid("ReopenReason", "Give the reason for reopening the case"));
        if (reason.Length > TextLimits.Reason) return Task.FromResult(ChangeResult.Invalid("ReopenReason", TextLimits.TooLong("The reason", TextLimits.Reason)));
        var userId = user.UserId();
        return ChangeAsync(caseId, userId, async (connection, transaction, status, now) =>
        {
            if (status != CaseStatus.Closed) return "Only a closed case can be reopened";
            if (await connection.ExecuteScalarAsync<string?>("SELECT anonymised_at FROM cases WHERE id = @caseId", new { caseId }, transaction) is not null)
                return "This case has been anonymised under the retention policy and cannot be reopened";
            var previous = await connection.ExecuteScalarAsync<string>("""
                SELECT from_status FROM case_events WHERE case_id = @caseId AND to_status = 'closed' ORDER BY id DESC LIMIT 1
                """, new { caseId }, transaction) ?? CaseStatus.Referred;
            await connection.ExecuteAsync("""
                UPDATE cases SET status = @previous, closed_at = NULL, closure_outcome = NULL, closure_reason = NULL,
                                 cjs_outcome_type = NULL, cjs_entered_on = NULL
                WHERE id = @caseId
                """, new { previous, caseId }, transaction);
            await CaseTimeline.RecordAsync(connection, transaction, caseId, userId, now, "status", $"Reopened by an administrator: {reason.Trim()}", CaseStatus.Closed, previous);
            return null;
        }, reopening: true);
    }

    private async Task<ChangeResult> ChangeAsync(Guid caseId, Guid userId,
        Func<Microsoft.Data.Sqlite.SqliteConnection, System.Data.IDbTransaction, string, DateTimeOffset, Task<string?>> work, bool reopening = false)
    {
        return await db.WriteAsync(async (connection, transaction) =>
        {
            // An administrator reopening may not be assigned the school: reopening is an administrative act on any case.
            var status = reopening
                ? await connection.ExecuteScalarAsync<string?>("SELECT status FROM cases WHERE id = @caseId", new { caseId }, transaction)
                : await connection.ExecuteScalarAsync<string?>($"SELECT status FROM cases WHERE id = @caseId AND {SchoolScope.SqlFilter}", new { caseId, ScopeUserId = userId }, transaction);
            if (status is null)
            {
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AccessDenied, EntityType: "case", EntityId: caseId.ToString(), UserId: userId));
                return new ChangeResult(ChangeOutcome.NotFound, new FieldErrors());
            }
            var now = clock.GetUtcNow();
            if (await work(connection, transaction, status, now) is { } refusal)
            {
                return ChangeResult.Invalid("", refusal);
            }
            await connection.ExecuteAsync("UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @caseId", new { now, caseId }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, EntityType: "case", EntityId: caseId.ToString(), UserId: userId,
                Justification: reopening ? "case reopened" : "case closed"));
            return new ChangeResult(ChangeOutcome.Saved, new FieldErrors());
        });
    }
}
