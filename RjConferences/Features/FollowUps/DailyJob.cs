using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using RjConferences.Components;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Features.FollowUps;

public sealed record DailyJobResult(DateOnly Day, int ChecksCreated, int MovedToFollowUp, int ChecksFlaggedOverdue, int CasesAnonymised, int ActionsFlaggedOverdue = 0,
    int ClosedAfterFollowUp = 0);

/// <summary>
/// Once a day: flags agreement actions past their due date, creates the follow-up checks that have
/// come due, moves completed agreements into follow-up, closes the cases whose checks are all recorded, flags overdue checks, and anonymises closed
/// cases past the retention period. Every step is idempotent and works from dates, so running twice creates nothing twice and a run after
/// days of downtime catches up on everything it missed.
/// </summary>
public sealed class DailyJob(Db db, TimeProvider clock, IOptions<FollowUpOptions> options, Retention retention, ILogger<DailyJob> logger, AuditLog audit)
{
    public async Task<DailyJobResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var today = LondonTime.Today(clock);
        var now = clock.GetUtcNow();
        var o = options.Value;
        var (created, moved, flagged, actionsFlagged, closedAfterFollowUp) = await db.WriteAsync(async (connection, transaction) =>
        {
            // Pending actions of active agreements whose due date has passed, each flagged once.
            var overdueActions = (await connection.QueryAsync<(Guid Id, Guid CaseId, long Number, DateOnly DueOn)>("""
                SELECT x.id, g.case_id, x.number, x.due_on
                FROM agreement_actions AS x
                JOIN agreements AS g ON g.id = x.agreement_id
                JOIN cases AS c ON c.id = g.case_id
                WHERE x.status = 'pending' AND x.overdue_flagged_at IS NULL AND x.due_on < @today
                  AND g.ended IS NULL AND c.status = 'agreement_active'
                ORDER BY g.case_id, x.number
                """, new { today }, transaction)).ToList();
            foreach (var action in overdueActions)
            {
                await connection.ExecuteAsync("UPDATE agreement_actions SET overdue_flagged_at = @now WHERE id = @Id AND overdue_flagged_at IS NULL",
                    new { now, action.Id }, transaction);
                await CaseTimeline.RecordAsync(connection, transaction, action.CaseId, null, now, "agreement",
                    $"Action {action.Number} is overdue: it was due on {LondonTime.FormatDate(action.DueOn)}", null, null);
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, EntityType: "case", EntityId: action.CaseId.ToString(),
                    Justification: $"agreement action {action.Number} flagged overdue by the daily job"));
            }

            // Cases with an agreement, and the date of the conference that reached it.
            var cases = (await connection.QueryAsync<(Guid Id, DateTimeOffset HeldAt)>("""
                SELECT c.id, (SELECT max(f.starts_at) FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held') AS held_at
                FROM cases AS c
                WHERE c.status IN ('agreement_active', 'agreement_completed', 'follow_up')
                  AND EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held')
                """, transaction: transaction)).ToList();
            var made = 0;
            foreach (var (caseId, heldAt) in cases)
            {
                var conferenceDay = LondonTime.DateOf(heldAt);
                foreach (var months in o.IntervalsMonths.Order())
                {
                    var due = conferenceDay.AddMonths(months);
                    if (due > today) break;
                    made += await connection.ExecuteAsync("""
                        INSERT INTO follow_up_checks (id, case_id, interval_months, due_on, created_at)
                        VALUES (@id, @caseId, @months, @due, @now)
                        ON CONFLICT (case_id, interval_months) DO NOTHING
                        """, new { id = Guid.NewGuid(), caseId, months, due, now }, transaction);
                }
            }

            var completed = (await connection.QueryAsync<Guid>("SELECT id FROM cases WHERE status = 'agreement_completed'", transaction: transaction)).ToList();
            foreach (var caseId in completed)
            {
                await connection.ExecuteAsync("UPDATE cases SET status = 'follow_up', version = version + 1, updated_at = @now WHERE id = @caseId", new { now, caseId }, transaction);
                await CaseTimeline.RecordAsync(connection, transaction, caseId, null, now, "status",
                    "Agreement completed: follow-up checks continue until 12 months after the conference", CaseStatus.AgreementCompleted, CaseStatus.FollowUp);
            }

            // Every case in follow-up whose checks are all recorded closes, whenever the checks were recorded
            // (some may have been recorded while the agreement was still active).
            var inFollowUp = (await connection.QueryAsync<Guid>("SELECT id FROM cases WHERE status = 'follow_up' ORDER BY reference", transaction: transaction)).ToList();
            var closed = 0;
            foreach (var caseId in inFollowUp)
            {
                if (!await FollowUpChecks.CloseWhenFollowUpDoneAsync(connection, transaction, caseId, CaseStatus.FollowUp, o.IntervalsMonths, null, now)) continue;
                closed++;
                await connection.ExecuteAsync("UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @caseId", new { now, caseId }, transaction);
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, EntityType: "case", EntityId: caseId.ToString(),
                    Justification: "case closed by the daily job: every follow-up check is recorded"));
            }

            var overdueBefore = today.AddDays(-o.OverdueAfterDays);
            var flaggedNow = await connection.ExecuteAsync("""
                UPDATE follow_up_checks SET overdue_flagged_at = @now
                WHERE checked_on IS NULL AND overdue_flagged_at IS NULL AND due_on < @overdueBefore
                """, new { now, overdueBefore }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO job_runs (job, run_on, started_at, finished_at, summary) VALUES ('daily', @today, @now, @now, @summary)",
                new { today, now, summary = $"{overdueActions.Count} actions flagged overdue, {made} checks created, {completed.Count} moved to follow-up, {closed} closed after follow-up, {flaggedNow} flagged overdue" }, transaction);
            return (made, completed.Count, flaggedNow, overdueActions.Count, closed);
        }, cancellationToken);

        var anonymised = await retention.AnonymiseDueAsync(cancellationToken);
        logger.LogInformation("Daily job for {Day}: {Actions} agreement actions flagged overdue, {Created} follow-up checks created, {Moved} cases moved to follow-up, {Flagged} checks flagged overdue, {Anonymised} cases anonymised",
            // ISO date: a log message formats a DateOnly with the invariant culture, in US order (12/04/2026).
            today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), actionsFlagged, created, moved, flagged, anonymised);
        return new DailyJobResult(today, created, moved, flagged, anonymised, actionsFlagged, closedAfterFollowUp);
    }
}

/// <summary>Runs <see cref="DailyJob"/> at start-up (catching up after downtime) and then every day at the configured London time.</summary>
public sealed class DailyJobService(DailyJob job, TimeProvider clock, IOptions<FollowUpOptions> options, ILogger<DailyJobService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await job.RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The daily job failed; it will run again at the next scheduled time");
            }
            var now = clock.GetUtcNow();
            var next = LondonTime.DateOf(now).AddDays(1);
            LondonTime.TryToUtc(next, options.Value.RunAt, out var at, out _);
            var wait = at - now;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMinutes(1), clock, stoppingToken);
        }
    }
}
