using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Two app instances on one database: two containers of the app's own services, each with its own connection pool,
/// racing each other. On PostgreSQL (the second pass of ./test.sh) nothing serialises them but the database's
/// constraints and the explicit locks the app takes; on SQLite the single writer does. Each invariant must hold on both.
/// </summary>
[RunsLong(15)]
public sealed class SeveralInstancesTests : IAsyncLifetime
{
    private static readonly DateOnly Tuesday = new(2026, 6, 16);

    private SchedulingWorld world = null!;
    private ServiceProvider second = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        second = TestServices.Build(world.Database, world.Clock);
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await world.DisposeAsync();
    }

    private ConferenceBooking SecondBooking => second.GetRequiredService<ConferenceBooking>();

    /// <summary>Two bookings that share only one thing (a room, a facilitator, a co-facilitator or a person), one from each instance at once.</summary>
    public static TheoryData<string> SharedThings => new() { "room", "facilitator", "co-facilitator", "person", "room within the buffer" };

    [Theory]
    [MemberData(nameof(SharedThings))]
    public async Task Two_bookings_sharing_one_thing_raced_from_two_instances_give_one_conference(string shared)
    {
        for (var round = 0; round < 5; round++)
        {
            var day = round switch { 0 => Tuesday, 1 => Tuesday.AddDays(1), 2 => Tuesday.AddDays(2), 3 => Tuesday.AddDays(3), _ => Tuesday.AddDays(7) };
            var samePerson = shared == "person";
            var (first, firstParties) = await world.ReadyCaseAsync("Ade", samePerson ? $"Same{round}" : $"First{round}", samePerson ? "2012-03-04" : "2012-03-05");
            var (other, otherParties) = await world.ReadyCaseAsync("Ade", samePerson ? $"Same{round}" : $"Other{round}", samePerson ? "2012-03-04" : "2012-03-06");
            // Only the young people are invited: every test referral has the same harmed party (one person in both cases).
            BookingForm a = world.Form(firstParties.Where(p => p.PartyRole == "responsible").ToList(), day, "10:00", room: world.Room1, facilitator: world.Officer);
            BookingForm b = world.Form(otherParties.Where(p => p.PartyRole == "responsible").ToList(), day, "10:30", room: world.Room2, facilitator: world.Colleague);
            string[] fields;
            switch (shared)
            {
                case "room": b.RoomId = world.Room1; fields = ["RoomId"]; break;
                case "facilitator": b.FacilitatorId = world.Officer.Id; fields = ["FacilitatorId"]; break;
                // The colleague co-facilitates the first and facilitates the second.
                case "co-facilitator": a.CoFacilitatorId = world.Colleague.Id; fields = ["FacilitatorId", "CoFacilitatorId"]; break;
                case "person": fields = ["ParticipantIds"]; break;
                default: b.RoomId = world.Room1; b.StartTime = "11:10"; fields = ["RoomId"]; break; // 10 minutes after the first ends: inside the 15-minute buffer
            }

            var results = await Task.WhenAll(
                Task.Run(() => world.Booking.BookAsync(first, a, world.OfficerPrincipal)),
                Task.Run(() => SecondBooking.BookAsync(other, b, world.OfficerPrincipal)));

            Assert.Single(results, r => r.Saved);
            var refused = Assert.Single(results, r => !r.Saved);
            // The clash's own message at the shared thing's field (never a database error, never another reason).
            Assert.NotEmpty(refused.Errors.SelectMany(e => e.Value));
            Assert.All(refused.Errors.Where(e => e.Value.Count > 0), e => Assert.Contains(e.Key, fields));
            await using var connection = await world.Database.Db.OpenAsync();
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM conferences WHERE case_id IN (@first, @other) AND status = 'scheduled'", new { first, other }));
        }
    }

    [Fact]
    public async Task A_thousand_audit_writes_raced_from_two_instances_leave_one_unbroken_chain()
    {
        var audits = new[] { world.Audit, second.GetRequiredService<AuditLog>() };
        long before;
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            before = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events");
        }

        // Two instances × 10 writers × 50 events each.
        await Task.WhenAll(audits.SelectMany((audit, instance) => Enumerable.Range(0, 10).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await audit.RecordAsync(new AuditEvent(AuditAction.Consult, "case", $"race {instance} {writer} {i}", world.Officer.Id));
            }
        }))));

        var result = await audits[1].VerifyAsync();
        Assert.True(result.Intact, result.Problem);
        Assert.Equal(before + 1000, result.EventsChecked);
        await using var check = await world.Database.Db.OpenAsync();
        Assert.Equal(1000, await check.ExecuteScalarAsync<long>("SELECT count(DISTINCT entity_id) FROM audit_events WHERE entity_id LIKE 'race %'"));
    }

    [Fact]
    public async Task Referrals_raced_from_two_instances_get_unique_references_without_gaps()
    {
        var referrals = new[] { world.Referrals, second.GetRequiredService<ReferralService>() };

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            referrals[i % 2].SaveAsync(ReferralForms.Valid(world.SchoolId, lastName: $"Racer{i:D2}"), world.Officer.Id))));

        Assert.All(results, r => Assert.True(r.Saved, string.Join("; ", r.Errors.SelectMany(e => e.Value))));
        var numbers = results.Select(r => int.Parse(r.Reference![(r.Reference!.LastIndexOf('-') + 1)..])).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 30), numbers);
    }

    [Fact]
    public async Task The_same_form_submitted_to_two_instances_at_once_saves_once()
    {
        var form = ReferralForms.Valid(world.SchoolId, lastName: "Twice");
        var referrals = new[] { world.Referrals, second.GetRequiredService<ReferralService>() };

        var results = await Task.WhenAll(referrals.Select(r => Task.Run(() => r.SaveAsync(form, world.Officer.Id))));

        Assert.All(results, r => Assert.True(r.Saved));
        Assert.Single(results.Select(r => r.CaseId).Distinct());
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
    }

    [Fact]
    public async Task The_daily_job_raced_from_two_instances_runs_once_a_day()
    {
        var jobs = new[] { world.Services.GetRequiredService<DailyJob>(), second.GetRequiredService<DailyJob>() };

        var results = await Task.WhenAll(jobs.Select(j => Task.Run(() => j.RunOnceTodayAsync())));
        var later = await jobs[1].RunOnceTodayAsync(); // the same day, after the first run finished

        Assert.Single(results, r => r is not null);
        Assert.Null(later);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM job_runs WHERE job = 'daily'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM job_leases"));
    }

    [Fact]
    public async Task An_instance_that_died_holding_the_daily_jobs_lease_holds_it_up_only_until_the_lease_runs_out()
    {
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO job_leases (job, holder, expires_at) VALUES ('daily', 'a dead instance', @expiresAt)",
                new { expiresAt = world.Clock.GetUtcNow() + DailyJob.LeaseDuration });
        }
        var job = second.GetRequiredService<DailyJob>();

        var whileHeld = await job.RunOnceTodayAsync();
        world.Clock.Advance(DailyJob.LeaseDuration);
        var afterwards = await job.RunOnceTodayAsync();

        Assert.Null(whileHeld);
        Assert.NotNull(afterwards);
    }

    [Fact]
    public async Task A_cookie_protected_on_one_instance_is_read_on_the_other()
    {
        var protectedText = world.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("signed in");

        var read = second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText);

        Assert.Equal("signed in", read);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM data_protection_keys"));
    }

    [Fact]
    public async Task Wrong_sign_ins_for_an_unknown_address_are_counted_across_instances()
    {
        var lockouts = new[] { world.Services.GetRequiredService<UnknownAccountLockout>(), second.GetRequiredService<UnknownAccountLockout>() };
        const string address = "NOBODY@EXAMPLE.ORG";

        var locked = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            locked.Add(await lockouts[i % 2].RecordFailureAsync(address));
        }

        Assert.Equal([false, false, false, false, true], locked);
        Assert.True(await lockouts[1].IsLockedOutAsync(address));
        Assert.True(await lockouts[0].IsLockedOutAsync(address));
        world.Clock.Advance(TimeSpan.FromHours(2));
        Assert.False(await lockouts[0].IsLockedOutAsync(address));
    }
}
