using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Every form that creates something, submitted five times at once (a double click, a click that
/// reached the server after the form had closed, a retried request): it is saved once.
/// </summary>
public class RepeatedSubmitTests : IAsyncLifetime
{
    private const int Submits = 5;

    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private static Task<T[]> AllAtOnceAsync<T>(Func<Task<T>> submit) =>
        Task.WhenAll(Enumerable.Range(0, Submits).Select(_ => Task.Run(submit)));

    private async Task<long> CountAsync(string sql, object? parameters = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    private Task<long> EventsAsync(Guid caseId, string kind) =>
        CountAsync("SELECT count(*) FROM case_events WHERE case_id = @caseId AND kind = @kind", new { caseId, kind });

    private async Task<Guid> NewCaseAsync()
    {
        var saved = await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, "2013-01-20"), world.Officer.Id);
        return saved.CaseId!.Value;
    }

    private static SuitabilityForm Suitable() => new()
    {
        RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "An apology", Outcome = "suitable",
    };

    [Fact]
    public async Task Saving_the_same_suitability_assessment_five_times_at_once_records_one()
    {
        var caseId = await NewCaseAsync();
        var form = Suitable();

        var results = await AllAtOnceAsync(() => world.Changes.RecordSuitabilityAsync(caseId, form, world.OfficerPrincipal));

        Assert.All(results, r => Assert.Equal(SaveOutcome.Saved, r.Outcome));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId }));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM case_events WHERE case_id = @caseId AND summary LIKE 'Suitability assessed%'", new { caseId }));
        // Saving it again later (the click that arrives after the form closed) records nothing either.
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.RecordSuitabilityAsync(caseId, form, world.OfficerPrincipal)).Outcome);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId }));
        // A new form is a new assessment.
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.RecordSuitabilityAsync(caseId, Suitable(), world.OfficerPrincipal)).Outcome);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task A_refused_save_does_not_use_up_its_form()
    {
        var caseId = await NewCaseAsync();
        var form = Suitable();
        var stranger = SchedulingWorld.Principal(world.Stranger, Roles.Facilitator);

        Assert.Equal(SaveOutcome.NotFound, (await world.Changes.RecordSuitabilityAsync(caseId, form, stranger)).Outcome);
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.RecordSuitabilityAsync(caseId, form, world.OfficerPrincipal)).Outcome);

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task Saving_the_same_consent_five_times_at_once_records_one_and_answers_saved_each_time()
    {
        var caseId = await NewCaseAsync();
        await world.Changes.RecordSuitabilityAsync(caseId, Suitable(), world.OfficerPrincipal);
        var harmed = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Parties.Single(p => p.PartyRole == "harmed");
        var form = new ConsentForm
        {
            PartyId = harmed.Id, Purpose = "take_part", Decision = "given", DecidedOn = DateInput.From(new DateOnly(2026, 6, 12)), Method = "in_person",
        };

        var results = await AllAtOnceAsync(() => world.Changes.RecordConsentAsync(caseId, form, world.OfficerPrincipal));

        Assert.All(results, r => Assert.Equal(SaveOutcome.Saved, r.Outcome));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM consents WHERE party_id = @Id", new { harmed.Id }));
    }

    [Fact]
    public async Task Saving_the_same_case_details_five_times_at_once_changes_them_once()
    {
        var caseId = await NewCaseAsync();
        var details = (await world.Cases.GetAsync(caseId, world.Officer.Id))!;
        var form = new CaseEdit { Description = "A phone was broken in the playground.", Location = details.Location, OutcomeRoute = details.OutcomeRoute };

        var results = await AllAtOnceAsync(() => world.Changes.EditAsync(caseId, form, details.Version, world.OfficerPrincipal));

        Assert.All(results, r => Assert.Equal(SaveOutcome.Saved, r.Outcome));
        Assert.Equal(1, await EventsAsync(caseId, "edited"));
    }

    [Fact]
    public async Task Saving_the_same_preparation_meeting_five_times_at_once_records_one()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var meetings = world.Services.GetRequiredService<PreparationMeetings>();
        var form = new PreparationForm { PartyId = parties[0].Id, MetOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "phone", PartyReady = true };

        var results = await AllAtOnceAsync(() => meetings.RecordAsync(caseId, form, world.OfficerPrincipal));

        Assert.All(results, r => Assert.True(r.Errors.IsEmpty));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM preparation_meetings WHERE case_id = @caseId", new { caseId }));
        Assert.Equal(1, await EventsAsync(caseId, "preparation"));
    }

    [Fact]
    public async Task Booking_the_same_conference_five_times_at_once_books_one()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var form = world.Form(parties, new DateOnly(2026, 6, 17), "10:00");

        var results = await AllAtOnceAsync(() => world.Booking.BookAsync(caseId, form, world.OfficerPrincipal));

        Assert.Single(results, r => r.Saved);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM conferences WHERE case_id = @caseId", new { caseId }));
    }

    [Fact]
    public async Task Saving_the_harmed_partys_wish_five_times_records_it_once()
    {
        var conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        var tracking = world.Services.GetRequiredService<ActionTracking>();
        var wish = Guid.NewGuid();
        var version = (await tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!.Version;

        var atOnce = await AllAtOnceAsync(() => tracking.RecordWishAsync(conference.ConferenceId, version, true, wish, world.OfficerPrincipal));
        // The page reloads the agreement after each save: later clicks carry its new version, and the same choice.
        for (var i = 0; i < Submits; i++)
        {
            var current = (await tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!.Version;
            Assert.Equal(SaveOutcome.Saved, (await tracking.RecordWishAsync(conference.ConferenceId, current, true, wish, world.OfficerPrincipal)).Outcome);
        }

        Assert.Single(atOnce, r => r.Outcome == SaveOutcome.Saved && r.Errors.IsEmpty);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM case_events WHERE case_id = @CaseId AND summary LIKE 'The harmed party wants%'", new { conference.CaseId }));
    }

    [Fact]
    public async Task Completing_the_same_action_five_times_at_once_completes_it_once()
    {
        var conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        var tracking = world.Services.GetRequiredService<ActionTracking>();
        var progress = (await tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
        var action = progress.Actions[0];
        var form = new ActionStatusForm { On = DateInput.From(AgreementWorld.ConferenceDay), CheckedBy = action.CheckerCode };

        var results = await AllAtOnceAsync(() => tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, form, world.OfficerPrincipal));

        Assert.Single(results, r => r.Outcome == SaveOutcome.Saved);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM case_events WHERE case_id = @CaseId AND summary LIKE 'Action 1 %completed%'", new { conference.CaseId }));
    }

    [Fact]
    public async Task Recording_the_same_follow_up_check_five_times_at_once_records_it_once()
    {
        var reviewer = await TestUsers.CreateAsync(world.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 9, 17, 3, 0, 0, TimeSpan.Zero));
        await world.Services.GetRequiredService<DailyJob>().RunAsync();
        var checks = world.Services.GetRequiredService<FollowUpChecks>();
        var check = (await checks.ForCaseAsync(conference.CaseId, reviewer.Id)).First();
        var form = new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2026, 9, 17)) };

        var results = await AllAtOnceAsync(() => checks.RecordAsync(check.Id, form, TestCases.Principal(reviewer.Id, Roles.YouthJusticeReviewer)));

        Assert.Single(results, r => r.Errors.IsEmpty);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM follow_up_checks WHERE case_id = @CaseId AND checked_on IS NOT NULL", new { conference.CaseId }));
    }
}
