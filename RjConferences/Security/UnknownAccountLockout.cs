using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

/// <summary>
/// Counts wrong sign-ins for an email address that has no usable account (unknown, or disabled) and
/// locks it exactly as Identity locks a real account (<see cref="LockoutOptions.MaxFailedAccessAttempts"/>
/// failures, then <see cref="LockoutOptions.DefaultLockoutTimeSpan"/>), so that five tries answer the
/// same whether or not the account exists. Keyed by a SHA-256 hash of the normalised email, never the
/// email itself. Kept in the database (<c>unknown_account_failures</c>), so that the count holds across every app
/// instance: five tries are five, whichever instances they reach. Rows expire with the window.
/// </summary>
public sealed class UnknownAccountLockout(Db db, TimeProvider clock, IOptions<IdentityOptions> options)
{
    private LockoutOptions Rules => options.Value.Lockout;

    public async Task<bool> IsLockedOutAsync(string normalizedEmail)
    {
        await using var connection = await db.OpenAsync();
        var lockedUntil = await connection.ExecuteScalarAsync<DateTimeOffset?>(
            "SELECT locked_until FROM unknown_account_failures WHERE email_hash = @key", new { key = Key(normalizedEmail) });
        return lockedUntil > clock.GetUtcNow();
    }

    /// <summary>Counts one wrong attempt; true when this attempt locks the address (as Identity's fifth does).</summary>
    public Task<bool> RecordFailureAsync(string normalizedEmail) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            var key = Key(normalizedEmail);
            // Forget addresses whose window has passed (bounded: the table holds only recent failures).
            await connection.ExecuteAsync(
                "DELETE FROM unknown_account_failures WHERE last_failure_at < @stale AND (locked_until IS NULL OR locked_until <= @now)",
                new { stale = now - Rules.DefaultLockoutTimeSpan, now }, transaction);
            await connection.ExecuteAsync("""
                INSERT INTO unknown_account_failures (email_hash, failures, locked_until, last_failure_at) VALUES (@key, 0, NULL, @now)
                ON CONFLICT (email_hash) DO NOTHING
                """, new { key, now }, transaction);
            // The row is locked until the transaction ends (PostgreSQL), so two instances cannot both count the fourth failure.
            var entry = await connection.QuerySingleAsync<(long Failures, DateTimeOffset? LockedUntil)>(
                $"SELECT failures, locked_until FROM unknown_account_failures WHERE email_hash = @key{SqlDialect.Of(connection).ForUpdate}",
                new { key }, transaction);
            var failures = (entry.LockedUntil is { } until && until <= now ? 0 : entry.Failures) + 1;
            // Identity resets the count when it locks.
            var locks = failures >= Rules.MaxFailedAccessAttempts;
            await connection.ExecuteAsync(
                "UPDATE unknown_account_failures SET failures = @failures, locked_until = @lockedUntil, last_failure_at = @now WHERE email_hash = @key",
                new { key, now, failures = locks ? 0 : failures, lockedUntil = locks ? now + Rules.DefaultLockoutTimeSpan : (DateTimeOffset?)null },
                transaction);
            return locks;
        });

    private static string Key(string normalizedEmail) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)));
}
