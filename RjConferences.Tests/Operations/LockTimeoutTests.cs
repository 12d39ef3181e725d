using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// Issue 17: a write that cannot get the database's lock in time (SQLite's busy timeout, PostgreSQL's lock_timeout) is
/// refused like a full disk: the user is told nothing was saved and keeps the form, and /health says it cannot write.
/// Another connection holds the lock, as a long job or a stuck instance would. Both providers; the lock timeout is set
/// short (Database:LockTimeoutMilliseconds) so that each refusal takes a fraction of a second.
/// </summary>
public sealed class LockTimeoutTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private readonly ServiceProvider services;

    public LockTimeoutTests() =>
        services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            [DataServices.LockTimeoutKey] = "300",
            ["Health:WriteProbeSeconds"] = "15",
        });

    /// <summary>Another connection that holds the lock until disposed (<see cref="TestDatabase.HoldLockAsync"/>).</summary>
    private Task<DbConnection> HoldAsync(DbLock advisory, string? sql = null) => database.HoldLockAsync(advisory, sql);

    [Fact]
    public async Task A_referral_that_cannot_get_the_lock_in_time_says_it_was_not_saved_and_saves_once_the_lock_is_free()
    {
        var officer = await TestUsers.CreateAsync(services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park"]);
        var form = ReferralForms.Valid(await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park"));
        var referrals = services.GetRequiredService<ReferralService>();

        ReferralResult refused;
        await using (await HoldAsync(DbLock.NewReferral))
        {
            refused = await referrals.SaveAsync(form, officer.Id);
        }

        Assert.False(refused.Succeeded);
        Assert.Equal([SaveResult.NotSavedMessage(DbFailure.Busy, "The referral")], refused.Errors[""]);
        await using (var connection = await database.Db.OpenAsync())
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        }
        // The same form, sent again once the lock is free, saves once.
        var saved = await referrals.SaveAsync(form, officer.Id);
        Assert.True(saved.Succeeded);
        Assert.Equal("RJ-2026-00001", saved.Reference);
    }

    [Fact]
    public async Task Health_says_cannot_write_while_the_probe_cannot_write_and_probes_at_most_every_WriteProbeSeconds()
    {
        var health = services.GetRequiredService<HealthCheckService>();
        async Task<HealthReportEntry> CheckAsync() => (await health.CheckHealthAsync(c => c.Name == "database")).Entries["database"];
        var first = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, first.Status);
        if (TestDatabase.IsPostgres) Assert.Contains("disk space cannot be seen from the app", first.Description);

        clock.Advance(TimeSpan.FromSeconds(15));
        HealthReportEntry blocked;
        await using (await HoldAsync(default, "UPDATE health_probes SET probed_at = probed_at"))
        {
            blocked = await CheckAsync();
        }
        Assert.Equal((HealthStatus.Unhealthy, "The database cannot write: the write lock could not be had in time."), (blocked.Status, blocked.Description));

        // Within WriteProbeSeconds the last probe answers (no write); after it, a new probe finds writes work again.
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync()).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
    }
}
