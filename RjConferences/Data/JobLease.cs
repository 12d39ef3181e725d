using System.Diagnostics;

namespace RjConferences.Data;

/// <summary>
/// A lease on a background job (table <c>job_leases</c>), so that with several app instances one runs it at a time.
/// Claiming is one statement that the database serialises (an upsert that only takes an expired lease, or renews
/// this instance's own), so two instances can never both hold it. A holder that dies simply lets it expire.
/// </summary>
public sealed class JobLease(Db db, TimeProvider clock)
{
    /// <summary>Who this instance is, in the table (machine, process and a random part; nothing personal).</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes (or renews) the lease on <paramref name="job"/> for <paramref name="duration"/>; false when another instance holds it.</summary>
    public Task<bool> TryClaimAsync(string job, TimeSpan duration, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            var holder = await connection.ExecuteScalarAsync<string?>("""
                INSERT INTO job_leases (job, holder, expires_at) VALUES (@job, @Holder, @expiresAt)
                ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE job_leases.expires_at <= @now OR job_leases.holder = excluded.holder
                RETURNING holder
                """, new { job, Holder, expiresAt = now + duration, now }, transaction);
            return holder == Holder;
        }, cancellationToken);

    /// <summary>
    /// Runs a once-a-day job: <paramref name="run"/> under the lease on <paramref name="job"/>, unless another instance holds it
    /// or the job already ran today (London; the run records itself in <c>job_runs</c>). Null when it did not run. With several
    /// instances it runs once a day, never once per instance.
    /// </summary>
    public async Task<T?> RunOnceTodayAsync<T>(string job, TimeSpan duration, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken = default)
        where T : class
    {
        using var activity = AppTelemetry.Source.StartActivity($"job {job}");
        activity?.SetTag("rjconferences.job", job);
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            if (!await TryClaimAsync(job, duration, cancellationToken))
            {
                outcome = "lease_held";
                return null;
            }
            try
            {
                if (await RanTodayAsync(job, cancellationToken))
                {
                    outcome = "ran_already";
                    return null;
                }
                var result = await run(cancellationToken);
                outcome = "ran";
                return result;
            }
            finally
            {
                await ReleaseAsync(job);
            }
        }
        catch (Exception e)
        {
            if (e is OperationCanceledException) outcome = "cancelled";
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            // The job's name is one of the few fixed lease names (daily, notifications, backup): fit for a label.
            activity?.SetTag("rjconferences.job.outcome", outcome);
            AppTelemetry.JobRuns.Add(1, new("job", job), new("outcome", outcome));
            AppTelemetry.JobDuration.Record(AppTelemetry.SecondsSince(started), new("job", job), new("outcome", outcome));
        }
    }

    /// <summary>Whether a run of <paramref name="job"/> for today (London) is recorded in <c>job_runs</c>.</summary>
    public async Task<bool> RanTodayAsync(string job, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM job_runs WHERE job = @job AND run_on = @today)", new { job, today = RjConferences.Components.LondonTime.Today(clock) });
    }

    /// <summary>The longest wait between two tries of a failed background job.</summary>
    public static readonly TimeSpan MaximumRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a background job waits before trying again after <paramref name="failedRuns"/> failed runs in a row
    /// (1 or more): 1, 2, 4, 8… minutes, at most <see cref="MaximumRetryDelay"/>. A job that fails at start-up (a full
    /// disk, the database restarting) thus runs within minutes of the cause going, not at its next day's time.
    /// </summary>
    public static TimeSpan RetryDelay(int failedRuns)
    {
        var minutes = Math.Pow(2, Math.Clamp(failedRuns, 1, 30) - 1);
        return minutes >= MaximumRetryDelay.TotalMinutes ? MaximumRetryDelay : TimeSpan.FromMinutes(minutes);
    }

    /// <summary>Gives the lease up (only if this instance holds it), so the next run need not wait for it to expire.</summary>
    public Task ReleaseAsync(string job) =>
        db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "DELETE FROM job_leases WHERE job = @job AND holder = @Holder", new { job, Holder }, transaction));
}
