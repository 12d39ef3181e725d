using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.MyWork;

namespace RjConferences.Features.Notifications;

/// <summary>Reminders and digests (<c>Notifications:Reminders</c>, <c>Notifications:Digests</c>, <c>Notifications:AppUrl</c>).</summary>
public sealed class ReminderOptions
{
    /// <summary>Days before a conference when everyone invited is reminded of it (1: the day before).</summary>
    public int DaysBefore { get; set; } = 1;

    /// <summary>Working days before a conference when its facilitators are reminded of preparation meetings still missing.</summary>
    public int PreparationWorkingDays { get; set; } = 3;

    /// <summary>
    /// London time of day when reminders and digests are queued (and so sent): after the daily job (<see cref="FollowUpOptions.RunAt"/>,
    /// 02:00) has flagged what is overdue, and at an hour for a text message.
    /// </summary>
    public TimeOnly RunAt { get; set; } = new(7, 30);

    /// <summary>The day of the week of the weekly digest of My work (<c>Notifications:Digests:WeeklyOn</c>).</summary>
    public DayOfWeek WeeklyOn { get; set; } = DayOfWeek.Monday;

    /// <summary>The app's address, for the links in staff messages (<c>Notifications:AppUrl</c>).</summary>
    public string AppUrl { get; set; } = "http://localhost:5193";
}

public sealed record NotificationJobResult(DateOnly Day, int Reminders, int Digests);

/// <summary>
/// Once a day, at <see cref="ReminderOptions.RunAt"/>: conference and preparation reminders (<see cref="ConferenceReminders"/>) and
/// staff digests (<see cref="WorkDigests"/>). Like the daily job it holds a lease (<see cref="JobLease"/>) and records its run in
/// <c>job_runs</c>, so with several instances it runs once a day; and every message it queues has a dedupe key, so a second run
/// — or two at once, if a lease ran out mid-run — queues nothing twice.
/// </summary>
public sealed class NotificationJob(Db db, JobLease lease, ConferenceReminders reminders, WorkDigests digests, TimeProvider clock,
    ILogger<NotificationJob> logger)
{
    public const string LeaseName = "notifications";

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(30);

    /// <summary>Runs unless it ran today (London) or another instance is running it; null when it did not run.</summary>
    public Task<NotificationJobResult?> RunOnceTodayAsync(CancellationToken cancellationToken = default) =>
        lease.RunOnceTodayAsync(LeaseName, LeaseDuration, RunAsync, cancellationToken);

    public Task<bool> RanTodayAsync(CancellationToken cancellationToken = default) => lease.RanTodayAsync(LeaseName, cancellationToken);

    /// <summary>Queues today's reminders and digests (each once, however often this runs) and records the run.</summary>
    public async Task<NotificationJobResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var today = LondonTime.Today(clock);
        var started = clock.GetUtcNow();
        var reminded = await reminders.QueueDueAsync(cancellationToken);
        var digested = await digests.QueueDueAsync(cancellationToken);
        await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO job_runs (job, run_on, started_at, finished_at, summary) VALUES (@LeaseName, @today, @started, @finished, @summary)",
            new { LeaseName, today, started, finished = clock.GetUtcNow(), summary = $"{reminded} reminders, {digested} digests queued" }, transaction), cancellationToken);
        logger.NotificationJobRan(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), reminded, digested);
        return new NotificationJobResult(today, reminded, digested);
    }
}

/// <summary>
/// Runs <see cref="NotificationJob"/> every day at <see cref="ReminderOptions.RunAt"/>, London time, and at start-up
/// once that time has passed on a day it has not run (catching up; never earlier in the day).
/// </summary>
public sealed class NotificationJobService(NotificationJob job, TimeProvider clock, IOptions<ReminderOptions> options, ILogger<NotificationJobService> logger)
    : BackgroundService
{
    /// <summary>When it runs (its failed runs in a row, when it looks again).</summary>
    public DailySchedule Schedule { get; } = new(clock, DailyCatchUp.AfterRunAt);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Schedule.RunAsync(options.Value.RunAt, job.RunOnceTodayAsync, job.RanTodayAsync, logger.NotificationJobFailed, stoppingToken);
}

public static class NotificationJobServices
{
    /// <summary>
    /// Reminders, digests and their daily job. The job runs in the background under the same switch as the daily job
    /// (<see cref="FollowUpServices.DailyJobEnabled"/>: off in tests and commands).
    /// </summary>
    public static IServiceCollection AddNotificationJob(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReminderOptions>()
            .Bind(configuration.GetSection("Notifications:Reminders"))
            .Configure(o =>
            {
                if (configuration["Notifications:AppUrl"] is { Length: > 0 } url) o.AppUrl = url;
                if (configuration.GetValue<DayOfWeek?>("Notifications:Digests:WeeklyOn") is { } day) o.WeeklyOn = day;
            })
            .Validate(o => o.DaysBefore >= 1 && o.PreparationWorkingDays >= 1, "Notifications:Reminders:DaysBefore and PreparationWorkingDays must be 1 or more.")
            .Validate(o => Uri.TryCreate(o.AppUrl, UriKind.Absolute, out _), "Notifications:AppUrl must be the app's address, e.g. https://rj.example.org.")
            .ValidateOnStart();
        services.AddSingleton<ConferenceReminders>();
        services.AddSingleton<WorkDigests>();
        services.AddSingleton<NotificationJob>();
        if (configuration.GetValue(FollowUpServices.DailyJobEnabled, defaultValue: true))
        {
            services.AddHostedService<NotificationJobService>();
        }
        return services;
    }
}
