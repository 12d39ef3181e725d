namespace RjConferences.Features.Backups;

/// <summary>The scheduled backups of a SQLite database (section <c>Backups</c>).</summary>
public sealed class BackupOptions
{
    /// <summary>
    /// On unless set to false. A laptop or single-server install (SQLite, the default) has nobody to set up backups:
    /// a copy a day, kept two weeks, is what its owner expects to find after a mistake or a damaged file. On PostgreSQL
    /// the app never backs up (pg_dump or pgBackRest does: docs/operations.md), whatever this says.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the copies go; a relative folder is taken beside the database file (default: data/backups).</summary>
    public string Folder { get; set; } = "backups";

    /// <summary>London time of day of the backup; missed (the app was off), it runs when the app next starts.</summary>
    public TimeOnly RunAt { get; set; } = new(2, 0);

    /// <summary>How many copies to keep: the oldest beyond this many are deleted after each good backup.</summary>
    public int Keep { get; set; } = 14;
}

public sealed record BackupResult(string FileName, long Bytes, int Removed);

/// <summary>
/// Once a day: an online backup of the SQLite database (SQLite's backup API, a consistent copy while the app writes) to
/// <c>rjconferences-YYYY-MM-DD-HHmm.db</c> (London time) in <see cref="BackupOptions.Folder"/>. It is written under a
/// temporary name (<c>….db.partial</c>), checked (<c>PRAGMA integrity_check</c>) and only then renamed, so a file with
/// the final name is always a whole, checked copy; a failed or killed run leaves no partial file behind (the next run
/// removes any a power cut left). Then the oldest copies beyond <see cref="BackupOptions.Keep"/> are deleted. It holds
/// the <c>backup</c> lease and records its run in <c>job_runs</c>, like the daily job.
/// </summary>
public sealed class ScheduledBackup(Db db, JobLease lease, TimeProvider clock, IOptions<BackupOptions> options, ILogger<ScheduledBackup> logger)
{
    public const string LeaseName = "backup";

    public const string FilePrefix = "rjconferences-";

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(30);

    /// <summary>The folder of the copies: <see cref="BackupOptions.Folder"/>, relative to the database file's folder.</summary>
    public string FolderPath => Path.GetFullPath(options.Value.Folder, Path.GetDirectoryName(Path.GetFullPath(db.DatabasePath))!);

    public Task<BackupResult?> RunOnceTodayAsync(CancellationToken cancellationToken = default) =>
        lease.RunOnceTodayAsync(LeaseName, LeaseDuration, RunAsync, cancellationToken);

    public Task<bool> RanTodayAsync(CancellationToken cancellationToken = default) => lease.RanTodayAsync(LeaseName, cancellationToken);

    /// <summary>The copies in the folder, oldest first (the names sort by date and time).</summary>
    public IReadOnlyList<string> Backups() => Directory.Exists(FolderPath)
        ? Directory.GetFiles(FolderPath, FilePrefix + "????-??-??-????.db").Order(StringComparer.Ordinal).ToList()
        : [];

    public async Task<BackupResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var folder = FolderPath;
        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.GetFiles(folder, FilePrefix + "*.db.partial"))
        {
            File.Delete(stale); // left by a run that was killed or lost its power
        }
        var started = clock.GetUtcNow();
        var name = FilePrefix + LondonTime.ToLondon(started).ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture) + ".db";
        var path = Path.Combine(folder, name);
        await db.BackupToAsync(path, cancellationToken); // written as ….partial, checked, then named
        var bytes = new FileInfo(path).Length;
        var removed = 0;
        var copies = Backups();
        foreach (var old in copies.Take(Math.Max(0, copies.Count - options.Value.Keep)))
        {
            File.Delete(old);
            removed++;
        }
        await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO job_runs (job, run_on, started_at, finished_at, summary) VALUES (@LeaseName, @today, @started, @finished, @summary)",
            new { LeaseName, today = LondonTime.DateOf(started), started, finished = clock.GetUtcNow(), summary = $"{name}, {bytes} bytes, {removed} old copies removed" },
            transaction), cancellationToken);
        logger.BackupWritten(name, bytes, removed, copies.Count - removed);
        return new BackupResult(name, bytes, removed);
    }
}

/// <summary>
/// Runs <see cref="ScheduledBackup"/> every day at <see cref="BackupOptions.RunAt"/> (London), and at start-up once that
/// time has passed on a day it missed; a failed backup is tried again after 1, 2, 4… minutes (<see cref="DailySchedule"/>).
/// </summary>
public sealed class ScheduledBackupService(ScheduledBackup backup, TimeProvider clock, IOptions<BackupOptions> options, ILogger<ScheduledBackupService> logger)
    : BackgroundService
{
    /// <summary>When it runs (its failed runs in a row, when it looks again).</summary>
    public DailySchedule Schedule { get; } = new(clock, DailyCatchUp.AfterRunAt);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Schedule.RunAsync(options.Value.RunAt, backup.RunOnceTodayAsync, backup.RanTodayAsync, logger.BackupFailed, stoppingToken);
}

public static class BackupServices
{
    /// <summary>
    /// The scheduled backup (SQLite only; <c>Backups:Enabled</c>) and the restore command's checks. Tests and commands turn the
    /// background service off with <c>Backups:Enabled=false</c>.
    /// </summary>
    public static IServiceCollection AddBackups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackupOptions>()
            .Bind(configuration.GetSection("Backups"))
            .Validate(o => o.Keep >= 1, "Backups:Keep must be 1 or more.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Folder), "Backups:Folder must name a folder (default: backups, beside the database file).")
            .ValidateOnStart();
        services.AddSingleton<ScheduledBackup>();
        services.AddSingleton<DatabaseRestore>();
        if (configuration.GetValue("Backups:Enabled", defaultValue: true) && Data.DataServices.ProviderOf(configuration) == DatabaseProvider.Sqlite)
        {
            services.AddHostedService<ScheduledBackupService>();
        }
        return services;
    }
}
