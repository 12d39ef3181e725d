using RjConferences.Features.Referrals;

namespace RjConferences.Features.FollowUps;

public sealed record RetentionCandidate(Guid Id, string Reference, DateTimeOffset ClosedAt);

/// <summary>
/// Closed cases past the retention period lose everything that identifies a person — names,
/// contact details, dates of birth (the age at the offence stays), free text and stored documents —
/// while the counts reports need remain. Each anonymisation is audited as erase.
/// </summary>
public sealed class Retention(Db db, CaseWork work, TimeProvider clock, IOptions<FollowUpOptions> options)
{
    private DateTimeOffset Cutoff => clock.GetUtcNow().AddYears(-options.Value.RetentionYears);

    public async Task<IReadOnlyList<RetentionCandidate>> DueAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RetentionCandidate>(
            "SELECT id, reference, closed_at FROM cases WHERE status = 'closed' AND anonymised_at IS NULL AND closed_at < @cutoff ORDER BY closed_at",
            new { cutoff = Cutoff })).ToList();
    }

    public async Task<int> AnonymiseDueAsync(CancellationToken cancellationToken = default)
    {
        var done = 0;
        foreach (var candidate in await DueAsync(cancellationToken))
        {
            var result = await work.ChangeAsync(candidate.Id, null, async change =>
            {
                if (change.Status != CaseStatus.Closed || change.Case.AnonymisedAt is not null) return "not due";
                var (connection, transaction) = (change.Connection, change.Transaction);
                var p = new { caseId = candidate.Id, now = change.Now };
                await connection.ExecuteAsync("""
                    UPDATE parties SET first_name = NULL, last_name = NULL, organisation_name = NULL, first_name_key = NULL, last_name_key = NULL,
                                       date_of_birth = NULL, phone = NULL, email = NULL, address = NULL,
                                       details_removed_at = coalesce(details_removed_at, @now)
                    WHERE case_id = @caseId
                    """, p, transaction);
                await change.AnonymiseAsync();
                await connection.ExecuteAsync("""
                    UPDATE suitability_assessments SET risk_to_parties = 'Removed', power_imbalance = 'Removed',
                           acceptance_of_responsibility = 'Removed', harmed_party_wishes = 'Removed', reason = NULL
                    WHERE case_id = @caseId
                    """, p, transaction);
                await connection.ExecuteAsync("UPDATE preparation_meetings SET notes = NULL WHERE case_id = @caseId", p, transaction);
                await connection.ExecuteAsync("UPDATE conferences SET reason = NULL, young_person_reflection = NULL WHERE case_id = @caseId", p, transaction);
                await connection.ExecuteAsync("""
                    UPDATE conference_history SET reason = NULL
                    WHERE conference_id IN (SELECT id FROM conferences WHERE case_id = @caseId)
                    """, p, transaction);
                await connection.ExecuteAsync("UPDATE agreements SET ended_reason = NULL WHERE case_id = @caseId", p, transaction);
                await connection.ExecuteAsync(
                    "UPDATE agreement_actions SET text = 'Removed', missed_reason = NULL WHERE agreement_id IN (SELECT id FROM agreements WHERE case_id = @caseId)", p, transaction);
                // The printed agreements name the parties: the stored PDFs go altogether.
                await connection.ExecuteAsync(
                    "DELETE FROM agreement_documents WHERE agreement_id IN (SELECT id FROM agreements WHERE case_id = @caseId)", p, transaction);
                await connection.ExecuteAsync("""
                    UPDATE agreement_action_extensions SET reason = 'Removed', missed_reason = NULL
                    WHERE action_id IN (SELECT x.id FROM agreement_actions AS x JOIN agreements AS g ON g.id = x.agreement_id WHERE g.case_id = @caseId)
                    """, p, transaction);
                // Ages, genders and ethnic groups stay, so the report facts do not change (the unit of work refreshes them all the same).
                change.AuditAction = AuditAction.Erase;
                change.AuditNote = $"retention period of {options.Value.RetentionYears} years after closure";
                return null;
            }, access: CaseAccess.System);
            if (!result.Saved) continue;
            done++;
        }
        return done;
    }

    /// <summary>The `retention --dry-run` command: lists what would be anonymised, changes nothing.</summary>
    public async Task<int> DryRunCommandAsync(bool dryRun)
    {
        if (!dryRun)
        {
            await Console.Error.WriteLineAsync("Usage: retention --dry-run   (the daily job anonymises; this only lists what it would anonymise)");
            return 2;
        }
        var due = await DueAsync();
        Console.WriteLine($"{due.Count} closed {(due.Count == 1 ? "case is" : "cases are")} past the retention period of {options.Value.RetentionYears} years:");
        foreach (var c in due)
        {
            Console.WriteLine($"  {c.Reference}  closed {c.ClosedAt:yyyy-MM-dd}");
        }
        return 0;
    }
}
