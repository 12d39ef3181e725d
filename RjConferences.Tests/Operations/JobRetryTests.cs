using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Data;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// Issue 17: a background job whose run fails (at start-up, on a full disk) tries again after 1, 2, 4… minutes, at most
/// an hour, not at its next day's time. The runs fail for real: the table they record themselves in is away (renamed),
/// then back. The services run as in the app; only the clock is a <see cref="FakeTimeProvider"/>. Both providers.
/// </summary>
public sealed class JobRetryTests : IDisposable
{
    private readonly TestDatabase database = new();
    // 10:30 London on Monday 15 June 2026: after both jobs' times of day (02:00 and 07:30), so each runs at start.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 9, 30, 0, TimeSpan.Zero));
    private readonly ServiceProvider services;

    public JobRetryTests() => services = TestServices.Build(database, clock);

    [Fact]
    public void The_wait_after_failed_runs_doubles_from_one_minute_to_at_most_an_hour()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(n => JobLease.RetryDelay(n).TotalMinutes));
        Assert.Equal(TimeSpan.FromHours(1), JobLease.RetryDelay(int.MaxValue));
    }

    [Fact]
    public void The_time_of_day_is_London_time_and_one_the_clocks_skip_comes_an_hour_later_by_the_clock()
    {
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 1, 0, 0, TimeSpan.Zero), DailySchedule.TimeOn(new DateOnly(2026, 6, 15), new TimeOnly(2, 0))); // BST
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 2, 0, 0, TimeSpan.Zero), DailySchedule.TimeOn(new DateOnly(2026, 1, 15), new TimeOnly(2, 0))); // GMT
        // Sunday 29 March 2026: London's clocks go from 01:00 to 02:00, so 01:30 never happens; the job runs at 02:30 BST.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), DailySchedule.TimeOn(new DateOnly(2026, 3, 29), new TimeOnly(1, 30)));
    }

    [Fact]
    public Task The_daily_job_retries_a_failed_run_with_back_off_and_runs_once_the_cause_is_gone() =>
        RetriesAsync(DailyJob.LeaseName, new DailyJobService(services.GetRequiredService<DailyJob>(), clock,
            services.GetRequiredService<IOptions<FollowUpOptions>>(), NullLogger<DailyJobService>.Instance), s => ((DailyJobService)s).Schedule);

    [Fact]
    public Task The_notifications_job_retries_a_failed_run_with_back_off_and_runs_once_the_cause_is_gone() =>
        RetriesAsync(NotificationJob.LeaseName, new NotificationJobService(services.GetRequiredService<NotificationJob>(), clock,
            services.GetRequiredService<IOptions<ReminderOptions>>(), NullLogger<NotificationJobService>.Instance), s => ((NotificationJobService)s).Schedule);

    private async Task RetriesAsync(string job, BackgroundService service, Func<BackgroundService, DailySchedule> scheduleOf)
    {
        await ExecuteAsync("ALTER TABLE job_runs RENAME TO job_runs_away");
        var start = clock.GetUtcNow();
        var schedule = scheduleOf(service);
        await service.StartAsync(CancellationToken.None);
        try
        {
            // Fails at once, then after 1 and 2 more minutes: the waits double.
            await WaitForAsync(schedule, 1, start + TimeSpan.FromMinutes(1));
            clock.Advance(TimeSpan.FromMinutes(1));
            await WaitForAsync(schedule, 2, start + TimeSpan.FromMinutes(3));
            clock.Advance(TimeSpan.FromMinutes(2));
            await WaitForAsync(schedule, 3, start + TimeSpan.FromMinutes(7));

            // The cause goes: the next try, 4 minutes on, runs the job; then it waits for tomorrow.
            await ExecuteAsync("ALTER TABLE job_runs_away RENAME TO job_runs");
            clock.Advance(TimeSpan.FromMinutes(4));
            var (failed, next) = await WaitAsync(schedule, s => s.FailedRuns == 0);
            Assert.Equal(0, failed);
            Assert.True(next > start + TimeSpan.FromHours(12), $"next try at {next}");
            await using var connection = await database.Db.OpenAsync();
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM job_runs WHERE job = @job", new { job }));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits until <paramref name="schedule"/> has failed <paramref name="failedRuns"/> times in a row and looks again at <paramref name="nextAttemptAt"/>.</summary>
    internal static async Task WaitForAsync(DailySchedule schedule, int failedRuns, DateTimeOffset nextAttemptAt) =>
        Assert.Equal((failedRuns, nextAttemptAt), await WaitAsync(schedule, s => s.FailedRuns == failedRuns && s.NextAttemptAt == nextAttemptAt));

    /// <summary>Polls the schedule's state (its service runs on its own thread) until <paramref name="done"/>, for at most 10 s.</summary>
    private static async Task<(int, DateTimeOffset?)> WaitAsync(DailySchedule schedule, Func<(int FailedRuns, DateTimeOffset? NextAttemptAt), bool> done)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew(); // a timeout on the monotonic clock, not a date
        while (!done((schedule.FailedRuns, schedule.NextAttemptAt)) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        return (schedule.FailedRuns, schedule.NextAttemptAt);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
    }
}
