namespace RjConferences.Data;

/// <summary>When a once-a-day job may run on a day whose run is still missing (see <see cref="DailySchedule"/>).</summary>
public enum DailyCatchUp
{
    /// <summary>At any time of day: at start-up, whatever the time, and then every day at its time (the daily job).</summary>
    AnyTime,

    /// <summary>
    /// Only once the day's time has passed: a day missed while the app was off is caught up when it starts after that
    /// time, never earlier (no reminders queued in the night; today's backup at its hour).
    /// </summary>
    AfterRunAt,
}

/// <summary>
/// The loop of a once-a-day background job, and the one place of its rules: run at the London time of day
/// <c>runAt</c> (on the app's <see cref="TimeProvider"/>), once a day across instances (the job's own
/// <see cref="JobLease.RunOnceTodayAsync"/>), catching up as <see cref="DailyCatchUp"/> says; after a failed run,
/// try again after <see cref="JobLease.RetryDelay"/> (1, 2, 4… minutes); while another instance holds the lease, look
/// again every <see cref="LeaseHeldWait"/> in case that one dies. A background service keeps one of these and gives it
/// what is its own: its time of day, its run and its log line for a failure.
/// </summary>
public sealed class DailySchedule(TimeProvider clock, DailyCatchUp catchUp)
{
    /// <summary>How soon the schedule looks again while another instance holds the lease (it may die mid-run).</summary>
    public static readonly TimeSpan LeaseHeldWait = TimeSpan.FromMinutes(5);

    /// <summary>Failed runs in a row (0 after a run that worked); they set the wait before the next try (<see cref="JobLease.RetryDelay"/>).</summary>
    public int FailedRuns { get; private set; }

    /// <summary>When the schedule looks again: the day's time, soon (another instance holds the lease) or a retry after a failure.</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }

    /// <summary>
    /// Runs the job until <paramref name="stoppingToken"/> is cancelled. <paramref name="runOnceToday"/> runs today's run
    /// under the lease (null when it did not run: it ran already, or another instance holds the lease);
    /// <paramref name="ranToday"/> says whether today's run is recorded; <paramref name="failed"/> logs a failed run with
    /// the failures in a row and the minutes until the next try.
    /// </summary>
    public async Task RunAsync<T>(TimeOnly runAt, Func<CancellationToken, Task<T?>> runOnceToday, Func<CancellationToken, Task<bool>> ranToday,
        Action<Exception, int, double> failed, CancellationToken stoppingToken)
        where T : class
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var today = LondonTime.DateOf(now);
            var due = catchUp == DailyCatchUp.AnyTime || now >= TimeOn(today, runAt);
            // The next day's time counts from the day this pass is for, so that a run past midnight does not skip a day.
            var next = TimeOn(due ? today.AddDays(1) : today, runAt);
            var done = false;
            if (due)
            {
                try
                {
                    // Another instance may be running it (then this one looks again shortly, in case that one dies).
                    done = await runOnceToday(stoppingToken) is not null || await ranToday(stoppingToken);
                    FailedRuns = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    FailedRuns++;
                    failed(e, FailedRuns, JobLease.RetryDelay(FailedRuns).TotalMinutes);
                }
            }
            var wait = !due ? next - clock.GetUtcNow()
                : FailedRuns > 0 ? JobLease.RetryDelay(FailedRuns)
                : done ? next - clock.GetUtcNow()
                : LeaseHeldWait;
            if (wait <= TimeSpan.Zero) wait = TimeSpan.FromMinutes(1);
            var delay = Task.Delay(wait, clock, stoppingToken);
            NextAttemptAt = clock.GetUtcNow() + wait; // set once the timer is set, so that a test moving the clock cannot miss it
            await delay;
        }
    }

    /// <summary>
    /// The instant of <paramref name="runAt"/> (London) on <paramref name="day"/>. A time in the hour the clocks skip in
    /// March (01:00–02:00) is taken as GMT, an hour later by the clock, rather than never (which had a job look again
    /// every minute the day before); a time that happens twice in October is its first.
    /// </summary>
    public static DateTimeOffset TimeOn(DateOnly day, TimeOnly runAt) =>
        LondonTime.TryToUtc(day, runAt, out var at, out _) ? at : new DateTimeOffset(day.ToDateTime(runAt), LondonTime.Zone.BaseUtcOffset);
}
