using RjConferences.Features.Referrals;

namespace RjConferences.Features.FollowUps;

public sealed record DailyJobResult(DateOnly Day, int ChecksCreated, int MovedToFollowUp, int ChecksFlaggedOverdue, int CasesAnonymised, int ActionsFlaggedOverdue = 0,
    int ClosedAfterFollowUp = 0);

/// <summary>
/// Once a day: flags agreement actions past their due date, creates the follow-up checks that have
/// come due, moves completed agreements into follow-up, closes the cases whose checks are all recorded, flags overdue checks, and anonymises closed
/// cases past the retention period. Every step is idempotent and works from dates, so running twice creates nothing twice and a run after
/// days of downtime catches up on everything it missed.
/// </summary>
public sealed class DailyJob(Db db, CaseWork work, TimeProvider clock, IOptions<FollowUpOptions> options, Retention retention, ILogger<DailyJob> logger,
    JobLease lease)
{
    public const string LeaseName = "daily";

    /// <summary>How long a run may hold the lease before another instance may take over (a run takes seconds to minutes).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Runs the job unless it has run today (London) already or another app instance is running it: with several
    /// instances it runs once a day, never once per instance. Null when it did not run. A run cut short (the instance
    /// dies) leaves every finished step complete, each in its own transaction, and its lease expires; the next run
    /// does what is left, since every step works from dates and is idempotent.
    /// </summary>
    public Task<DailyJobResult?> RunOnceTodayAsync(CancellationToken cancellationToken = default) =>
        lease.RunOnceTodayAsync(LeaseName, LeaseDuration, RunAsync, cancellationToken);

    /// <summary>Whether a run for today (London) is recorded in <c>job_runs</c>.</summary>
    public Task<bool> RanTodayAsync(CancellationToken cancellationToken = default) => lease.RanTodayAsync(LeaseName, cancellationToken);

    /// <summary>The timeline entry of an agreement action flagged overdue (the synthetic data writes it too, as this job would).</summary>
    public static string OverdueActionSummary(long number, DateOnly dueOn) =>
        $"Action {number} is overdue: it was due on {LondonTime.FormatDate(dueOn)}";

    public async Task<DailyJobResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var today = LondonTime.Today(clock);
        var now = clock.GetUtcNow();
        var o = options.Value;

        // Pending actions of active agreements whose due date has passed, each flagged once: a change to its case.
        List<(Guid Id, Guid CaseId, long Number, DateOnly DueOn)> overdueActions;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            overdueActions = (await connection.QueryAsync<(Guid Id, Guid CaseId, long Number, DateOnly DueOn)>("""
                SELECT x.id, g.case_id, x.number, x.due_on
                FROM agreement_actions AS x
                JOIN agreements AS g ON g.id = x.agreement_id
                JOIN cases AS c ON c.id = g.case_id
                WHERE x.status = 'pending' AND x.overdue_flagged_at IS NULL AND x.due_on < @today
                  AND g.ended IS NULL AND c.status = 'agreement_active'
                ORDER BY g.case_id, x.number
                """, new { today })).ToList();
        }
        var actionsFlagged = 0;
        foreach (var action in overdueActions)
        {
            var flagged = await work.ChangeAsync(action.CaseId, null, async change =>
            {
                if (await change.Connection.ExecuteAsync("UPDATE agreement_actions SET overdue_flagged_at = @Now WHERE id = @Id AND overdue_flagged_at IS NULL",
                        new { change.Now, action.Id }, change.Transaction) == 0)
                {
                    return "flagged already";
                }
                await change.RecordAsync("agreement", OverdueActionSummary(action.Number, action.DueOn));
                change.AuditNote = $"agreement action {action.Number} flagged overdue by the daily job";
                return null;
            }, access: CaseAccess.System);
            if (flagged.Saved) actionsFlagged++;
        }

        // The follow-up checks that have come due, for cases with an agreement, counted from the conference that reached it.
        var created = await db.WriteAsync(async (connection, transaction) =>
        {
            var cases = (await connection.QueryAsync<(Guid Id, DateTimeOffset HeldAt)>("""
                SELECT c.id, (SELECT max(f.starts_at) FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held') AS held_at
                FROM cases AS c
                WHERE c.status IN ('agreement_active', 'agreement_completed', 'follow_up')
                  AND EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held')
                """, transaction: transaction)).ToList();
            // The checks these cases have already: only the missing ones are written (one statement per case and
            // interval, every day, was most of the job's time with a few hundred cases followed up).
            var existing = (await connection.QueryAsync<(Guid CaseId, int Months)>("""
                SELECT f.case_id, f.interval_months FROM follow_up_checks AS f JOIN cases AS c ON c.id = f.case_id
                WHERE c.status IN ('agreement_active', 'agreement_completed', 'follow_up')
                """, transaction: transaction)).ToHashSet();
            var made = 0;
            foreach (var (caseId, heldAt) in cases)
            {
                var conferenceDay = LondonTime.DateOf(heldAt);
                foreach (var months in o.IntervalsMonths.Order())
                {
                    var due = conferenceDay.AddMonths(months);
                    if (due > today) break;
                    if (existing.Contains((caseId, months))) continue;
                    made += await connection.ExecuteAsync("""
                        INSERT INTO follow_up_checks (id, case_id, interval_months, due_on, created_at)
                        VALUES (@id, @caseId, @months, @due, @now)
                        ON CONFLICT (case_id, interval_months) DO NOTHING
                        """, new { id = Guid.NewGuid(), caseId, months, due, now }, transaction);
                }
            }
            return made;
        }, cancellationToken);

        // Completed agreements move into follow-up; then every case in follow-up whose checks are all recorded
        // closes, whenever the checks were recorded (some may have been recorded while the agreement was still active).
        var moved = 0;
        foreach (var caseId in await CasesAsync("agreement_completed", cancellationToken))
        {
            var result = await work.ChangeAsync(caseId, null, async change =>
            {
                if (change.Status != CaseStatus.AgreementCompleted) return "moved already";
                await change.MoveAsync(CaseStatus.FollowUp, "Agreement completed: follow-up checks continue until 12 months after the conference");
                change.AuditNote = "moved to follow-up by the daily job";
                return null;
            }, access: CaseAccess.System);
            if (result.Saved) moved++;
        }
        var closedAfterFollowUp = 0;
        foreach (var caseId in await FollowUpDoneCandidatesAsync(o.IntervalsMonths.Distinct().Count(), cancellationToken))
        {
            var result = await work.ChangeAsync(caseId, null, async change =>
            {
                if (!await FollowUpChecks.CloseWhenFollowUpDoneAsync(change, o.IntervalsMonths)) return "follow-up not done";
                change.AuditNote = "case closed by the daily job: every follow-up check is recorded";
                return null;
            }, access: CaseAccess.System);
            if (result.Saved) closedAfterFollowUp++;
        }

        var overdueBefore = today.AddDays(-o.OverdueAfterDays);
        var flaggedNow = await db.WriteAsync(async (connection, transaction) =>
        {
            var flaggedNow = await connection.ExecuteAsync("""
                UPDATE follow_up_checks SET overdue_flagged_at = @now
                WHERE checked_on IS NULL AND overdue_flagged_at IS NULL AND due_on < @overdueBefore
                """, new { now, overdueBefore }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO job_runs (job, run_on, started_at, finished_at, summary) VALUES ('daily', @today, @now, @now, @summary)",
                new { today, now, summary = $"{actionsFlagged} actions flagged overdue, {created} checks created, {moved} moved to follow-up, {closedAfterFollowUp} closed after follow-up, {flaggedNow} flagged overdue" }, transaction);
            return flaggedNow;
        }, cancellationToken);

        var anonymised = await retention.AnonymiseDueAsync(cancellationToken);
        logger.DailyJobRan(
            // ISO date: a log message formats a DateOnly with the invariant culture, in US order (12/04/2026).
            today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), actionsFlagged, created, moved, flaggedNow, anonymised);
        return new DailyJobResult(today, created, moved, flaggedNow, anonymised, actionsFlagged, closedAfterFollowUp);
    }

    /// <summary>
    /// The cases in follow-up with as many checks recorded as there are intervals: those that may be done. Whether one
    /// is stays the rule's to say (<see cref="FollowUpChecks.CloseWhenFollowUpDoneAsync"/>, in the case's own change);
    /// this only spares a write transaction a day for every case still waiting for a check.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> FollowUpDoneCandidatesAsync(int intervals, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>("""
            SELECT c.id FROM cases AS c
            WHERE c.status = 'follow_up'
              AND (SELECT count(*) FROM follow_up_checks AS f WHERE f.case_id = c.id AND f.checked_on IS NOT NULL) >= @intervals
            ORDER BY c.reference
            """, new { intervals })).ToList();
    }

    private async Task<IReadOnlyList<Guid>> CasesAsync(string status, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>("SELECT id FROM cases WHERE status = @status ORDER BY reference", new { status })).ToList();
    }
}

/// <summary>Runs <see cref="DailyJob"/> at start-up (catching up after downtime, whatever the time) and then every day at the configured London time.</summary>
public sealed class DailyJobService(DailyJob job, TimeProvider clock, IOptions<FollowUpOptions> options, ILogger<DailyJobService> logger) : BackgroundService
{
    /// <summary>When it runs (its failed runs in a row, when it looks again).</summary>
    public DailySchedule Schedule { get; } = new(clock, DailyCatchUp.AnyTime);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Schedule.RunAsync(options.Value.RunAt, job.RunOnceTodayAsync, job.RanTodayAsync, logger.DailyJobFailed, stoppingToken);
}
