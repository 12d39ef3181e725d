using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

/// <summary>
/// Counts wrong sign-ins for an email address that has no usable account (unknown, or disabled) and
/// locks it exactly as Identity locks a real account (<see cref="LockoutOptions.MaxFailedAccessAttempts"/>
/// failures, then <see cref="LockoutOptions.DefaultLockoutTimeSpan"/>), so that five tries answer the
/// same whether or not the account exists. Keyed by a SHA-256 hash of the normalised email, never the
/// email itself; kept in memory (one app instance over one SQLite file), bounded, expiring with the window.
/// </summary>
public sealed class UnknownAccountLockout(TimeProvider clock, IOptions<IdentityOptions> options)
{
    private const int MaxTracked = 10_000;
    private readonly Dictionary<string, (int Failures, DateTimeOffset? LockedUntil, DateTimeOffset LastFailure)> tracked = [];
    private readonly Lock gate = new();

    private LockoutOptions Rules => options.Value.Lockout;

    public bool IsLockedOut(string normalizedEmail)
    {
        lock (gate)
        {
            return tracked.TryGetValue(Key(normalizedEmail), out var entry) && entry.LockedUntil > clock.GetUtcNow();
        }
    }

    /// <summary>Counts one wrong attempt; true when this attempt locks the address (as Identity's fifth does).</summary>
    public bool RecordFailure(string normalizedEmail)
    {
        var now = clock.GetUtcNow();
        var key = Key(normalizedEmail);
        lock (gate)
        {
            if (tracked.Count >= MaxTracked)
            {
                Prune(now);
            }
            var failures = (tracked.TryGetValue(key, out var entry) && !(entry.LockedUntil <= now) ? entry.Failures : 0) + 1;
            if (failures >= Rules.MaxFailedAccessAttempts)
            {
                // Identity resets the count when it locks.
                tracked[key] = (0, now + Rules.DefaultLockoutTimeSpan, now);
                return true;
            }
            tracked[key] = (failures, null, now);
            return false;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        var stale = now - Rules.DefaultLockoutTimeSpan;
        foreach (var (key, entry) in tracked.Where(t => t.Value.LastFailure < stale && !(t.Value.LockedUntil > now)).ToList())
        {
            tracked.Remove(key);
        }
        if (tracked.Count >= MaxTracked)
        {
            foreach (var key in tracked.OrderBy(t => t.Value.LastFailure).Take(tracked.Count / 2).Select(t => t.Key).ToList())
            {
                tracked.Remove(key);
            }
        }
    }

    private static string Key(string normalizedEmail) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)));
}
