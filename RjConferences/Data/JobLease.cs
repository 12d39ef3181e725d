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

    /// <summary>Gives the lease up (only if this instance holds it), so the next run need not wait for it to expire.</summary>
    public Task ReleaseAsync(string job) =>
        db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "DELETE FROM job_leases WHERE job = @job AND holder = @Holder", new { job, Holder }, transaction));
}
