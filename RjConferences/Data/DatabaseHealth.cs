using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RjConferences.Data;

/// <summary>What /health checks of the database's room to write (section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// The write probe runs at most this often; checks in between answer its last result, so that frequent health
    /// checks (a balancer's, every few seconds) do not write each time. 0 probes on every check.
    /// </summary>
    public int WriteProbeSeconds { get; set; } = 15;

    /// <summary>SQLite: /health is Degraded ("low disk space") when the database's filesystem has less free than this.</summary>
    public long MinimumFreeMegabytes { get; set; } = 500;

    /// <summary>SQLite: /health is Degraded ("low disk space") when less than this share of the filesystem is free.</summary>
    public double MinimumFreePercent { get; set; } = 5;
}

/// <summary>
/// A real, tiny write (one row of <c>health_probes</c>, upserted in a write transaction of <see cref="Db.WriteAsync{T}"/>),
/// rate-limited by <see cref="HealthOptions.WriteProbeSeconds"/> and shared by every health check of the process.
/// A read that works proves nothing about a full disk: only a write does.
/// </summary>
public sealed class WriteProbe(Db db, TimeProvider clock, IOptions<HealthOptions> options)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (DateTimeOffset At, DbFailure? Failure)? last;

    /// <summary>Null when the write succeeded; else why it failed (<see cref="DbFailure.None"/>: an error that is not the database's).</summary>
    public async Task<DbFailure?> ProbeAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            if (last is { } previous && now - previous.At < TimeSpan.FromSeconds(options.Value.WriteProbeSeconds) && now >= previous.At)
            {
                return previous.Failure;
            }
            DbFailure? failure = null;
            try
            {
                await db.WriteAsync((connection, transaction) => connection.ExecuteAsync("""
                    INSERT INTO health_probes (probe, probed_at) VALUES ('write', @now)
                    ON CONFLICT (probe) DO UPDATE SET probed_at = excluded.probed_at
                    """, new { now }, transaction), cancellationToken);
            }
            catch (Exception e) when (Db.IsDatabaseError(e) || Db.IsNotSaved(e) || e is InvalidOperationException)
            {
                failure = Db.FailureOf(e);
            }
            last = (now, failure);
            return failure;
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>
/// /health's database check: Unhealthy when the database cannot be read or a write cannot succeed ("cannot write"),
/// Degraded when the SQLite database's filesystem is low on space ("low disk space"), Healthy otherwise. On PostgreSQL
/// the app cannot see the server's disk: only the write probe tells (a full disk there fails it with disk_full).
/// Anonymous and free of personal data: states, counts and sizes only, no path.
/// </summary>
public sealed class DatabaseHealthCheck(Db db, WriteProbe probe, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long migrations;
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            migrations = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations");
        }
        catch (Exception e) when (Db.IsDatabaseError(e) || e is InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be read.");
        }

        if (await probe.ProbeAsync(cancellationToken) is { } failure)
        {
            return HealthCheckResult.Unhealthy("The database cannot write: " + failure switch
            {
                DbFailure.NoRoom => "the disk is full.",
                DbFailure.CannotWrite => "an I/O error, or the database is read-only.",
                DbFailure.Busy => "the write lock could not be had in time.",
                DbFailure.Unreachable => "the database stopped answering.",
                _ => "the write failed.",
            });
        }

        if (db.Provider == DatabaseProvider.Postgres)
        {
            return HealthCheckResult.Healthy($"{migrations} migrations applied; writes work (the PostgreSQL server's disk space cannot be seen from the app)");
        }
        if (FreeSpace() is { } space)
        {
            var o = options.Value;
            var percent = space.Total > 0 ? 100.0 * space.Free / space.Total : 100;
            var description = $"{space.Free / (1024 * 1024)} MB ({percent:0.#}%) free on the database's disk";
            if (space.Free < o.MinimumFreeMegabytes * 1024 * 1024 || percent < o.MinimumFreePercent)
            {
                return HealthCheckResult.Degraded(
                    $"Low disk space: {description}; Health:MinimumFreeMegabytes is {o.MinimumFreeMegabytes}, Health:MinimumFreePercent {o.MinimumFreePercent}.");
            }
            return HealthCheckResult.Healthy($"{migrations} migrations applied; writes work; {description}");
        }
        return HealthCheckResult.Healthy($"{migrations} migrations applied; writes work");
    }

    /// <summary>Free and total bytes of the filesystem that holds the SQLite file (its folder); null for an in-memory database.</summary>
    private (long Free, long Total)? FreeSpace()
    {
        if (db.DatabasePath is "" or ":memory:") return null;
        var folder = Path.GetDirectoryName(Path.GetFullPath(db.DatabasePath));
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) return null;
        try
        {
            var drive = new DriveInfo(folder); // on Linux: statvfs of the folder, whatever its mount point
            return (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// /health's answer: the overall state alone when Healthy (what balancers and the tests read), and after it, when not,
    /// one line per check that is not Healthy with its reason ("database: Unhealthy: The database cannot write: the disk is full.").
    /// </summary>
    public static Task WriteResponse(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
        {
            text.Append('\n').Append(name).Append(": ").Append(entry.Status).Append(": ").Append(entry.Description);
        }
        return context.Response.WriteAsync(text.ToString());
    }
}
