using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Features.Admin;
using RjConferences.Features.Conferences;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Shortening a facilitator's refresher date to before conferences already booked for them (issue 12, 4.2):
/// the save asks first, naming the conferences, and the case page and My work then show the problem.
/// The clock is Monday 15 June 2026, 08:00 in London; every facilitator is trained until 10 January 2027.
/// </summary>
public class TrainingClashTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private TestUser admin = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        admin = await TestUsers.CreateAsync(world.Services, "ada@rj.example", [Roles.Administrator], ["Newham/Langdon Park"]);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private FacilitatorTraining Training => new(world.Database.Db, world.Audit, world.Clock);

    private static TrainingForm Form(DateOnly completed, DateOnly due) => new()
    {
        Provider = "Restorative Justice Council", CompletedOn = DateInput.From(completed), RefresherDueOn = DateInput.From(due),
    };

    /// <summary>Sam Patel facilitates on 7 July 2026 at 10:00 (BST) and co-facilitates with PC Jones on 21 July at 14:00.</summary>
    private async Task<(Guid First, Guid Second, string FirstReference, string SecondReference)> SamsConferencesAsync()
    {
        var (firstCase, firstParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        var (secondCase, secondParties) = await world.ReadyCaseAsync("Zofia", "Nowak", "2012-05-05");
        var first = await world.Booking.BookAsync(firstCase, world.Form(firstParties, new(2026, 7, 7), "10:00", facilitator: world.Colleague), world.OfficerPrincipal);
        var secondForm = world.Form(secondParties, new(2026, 7, 21), "14:00");
        secondForm.CoFacilitatorId = world.Colleague.Id;
        var second = await world.Booking.BookAsync(secondCase, secondForm, world.OfficerPrincipal);
        Assert.True(first.Saved && second.Saved, string.Join("; ", first.Errors.Concat(second.Errors).SelectMany(e => e.Value)));
        return (first.ConferenceId!.Value, second.ConferenceId!.Value,
            (await world.Cases.GetAsync(firstCase, world.Officer.Id))!.Reference, (await world.Cases.GetAsync(secondCase, world.Officer.Id))!.Reference);
    }

    private async Task<(DateOnly CompletedOn, DateOnly DueOn, long Version)> SavedAsync(TestUser user)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(DateOnly, DateOnly, long)>(
            "SELECT completed_on, refresher_due_on, version FROM facilitator_training WHERE user_id = @Id", new { user.Id });
    }

    [Fact]
    public async Task Shortening_the_refresher_before_booked_conferences_asks_first_naming_them_and_saves_nothing()
    {
        var (first, second, firstReference, secondReference) = await SamsConferencesAsync();
        var before = await SavedAsync(world.Colleague);

        // Due on 14 July: the 7 July conference is covered, the 21 July one (as co-facilitator) is not.
        var result = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 14)), before.Version, admin.Id);

        Assert.Equal(SaveOutcome.NeedsConfirmation, result.Outcome);
        var clash = Assert.Single(result.Clashes);
        Assert.Equal(second, clash.ConferenceId);
        Assert.Equal($"Tuesday 21 July 2026, 14:00–15:00: {secondReference} at Langdon Park, Newham (as co-facilitator)", clash.Describe());
        Assert.Equal(before, await SavedAsync(world.Colleague));

        // Due on 6 July leaves both uncovered: a confirmation of the first list alone does not save it.
        var shorter = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 6)), before.Version, admin.Id, new HashSet<Guid> { second });
        Assert.Equal(SaveOutcome.NeedsConfirmation, shorter.Outcome);
        Assert.Equal([first, second], shorter.Clashes.Select(c => c.ConferenceId));
        Assert.Equal($"Tuesday 7 July 2026, 10:00–11:00: {firstReference} at Langdon Park, Newham", shorter.Clashes[0].Describe());
        Assert.Equal(before, await SavedAsync(world.Colleague));
    }

    [Fact]
    public async Task Saving_anyway_keeps_the_dates_audits_it_and_the_case_and_my_work_show_the_problem()
    {
        var (first, second, _, secondReference) = await SamsConferencesAsync();
        var before = await SavedAsync(world.Colleague);

        var result = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 14)), before.Version, admin.Id, new HashSet<Guid> { second });

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        Assert.Equal(second, Assert.Single(result.Clashes).ConferenceId);
        Assert.Equal((new DateOnly(2025, 1, 10), new DateOnly(2026, 7, 14), before.Version + 1), await SavedAsync(world.Colleague));
        Assert.Equal(second, Assert.Single(await Training.ClashesAsync(world.Colleague.Id)).ConferenceId);
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            Assert.Equal("training record changed; saved knowing 1 booked conference(s) fall outside it", await connection.ExecuteScalarAsync<string>(
                "SELECT justification FROM audit_events WHERE entity_type = 'facilitator_training' ORDER BY id DESC LIMIT 1"));
        }

        // The case page's conference: the co-facilitator's training is not current on the day.
        var onCase = (await world.Queries.GetAsync(second, world.Officer.Id))!;
        Assert.Equal(["sam.patel's restorative justice training is not current on 21 July 2026: the refresher was due on 14 July 2026"],
            onCase.TrainingProblems);
        Assert.Empty((await world.Queries.GetAsync(first, world.Officer.Id))!.TrainingProblems);

        // My work: Sam Patel's own list, PC Jones's (he facilitates it), the administrator's (everyone); not the stranger's.
        Assert.Equal([second], (await world.Queries.TrainingNotCurrentAsync(world.Colleague.Id, everyone: false)).Select(c => c.Id));
        Assert.Equal([second], (await world.Queries.TrainingNotCurrentAsync(world.Officer.Id, everyone: false)).Select(c => c.Id));
        Assert.Equal([second], (await world.Queries.TrainingNotCurrentAsync(admin.Id, everyone: true)).Select(c => c.Id));
        Assert.Empty(await world.Queries.TrainingNotCurrentAsync(world.Stranger.Id, everyone: true));
    }

    [Fact]
    public async Task The_refresher_day_itself_is_covered_and_a_conference_that_has_started_no_longer_counts()
    {
        var (first, second, _, _) = await SamsConferencesAsync();
        var version = (await SavedAsync(world.Colleague)).Version;

        // Due on 21 July itself: both are covered, so it saves at once.
        var onTheDay = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 21)), version, admin.Id);
        Assert.Equal(SaveOutcome.Saved, onTheDay.Outcome);
        Assert.Empty(onTheDay.Clashes);

        // Due on 6 July: neither is covered.
        var shorter = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 6)), version + 1, admin.Id);
        Assert.Equal(SaveOutcome.NeedsConfirmation, shorter.Outcome);
        Assert.Equal([first, second], shorter.Clashes.Select(c => c.ConferenceId));

        // Once the 7 July conference has started (10:30 in London), its outcome is due, not a training question.
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 7, 9, 30, 0, TimeSpan.Zero));
        var later = await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 6)), version + 1, admin.Id);
        Assert.Equal([second], later.Clashes.Select(c => c.ConferenceId));
        Assert.Equal(SaveOutcome.Saved, (await Training.SaveAsync(world.Colleague.Id, Form(new(2025, 1, 10), new(2026, 7, 6)), version + 1, admin.Id,
            new HashSet<Guid> { second })).Outcome);
        Assert.Equal([second], (await world.Queries.TrainingNotCurrentAsync(world.Colleague.Id, everyone: false)).Select(c => c.Id));
    }
}
