using System.Security.Claims;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class ReferralServiceTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 0, 0, TimeSpan.Zero));
    private ServiceProvider services = null!;
    private TestUser newhamReferrer = null!;
    private TestUser hackneyReferrer = null!;
    private long langdonPark;
    private long hackneySchool;

    private TestCases World => new(database.Db, clock);
    private ReferralService Referrals => World.Referrals;
    private CaseRepository Cases => World.Repository;
    private CaseChanges Changes => World.Changes;

    public async Task InitializeAsync()
    {
        services = TestUsers.Services(database, clock);
        newhamReferrer = await TestUsers.CreateAsync(services, "ref@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        hackneyReferrer = await TestUsers.CreateAsync(services, "ref@hackney.example", [Roles.Referrer], boroughs: ["Hackney"]);
        await using var connection = await database.Db.OpenAsync();
        langdonPark = await connection.ExecuteScalarAsync<long>("SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham' AND s.name = 'Langdon Park'");
        hackneySchool = await connection.ExecuteScalarAsync<long>("SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Hackney' ORDER BY s.name LIMIT 1");
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private static ClaimsPrincipal Principal(TestUser user, params string[] roles) => TestCases.Principal(user.Id, roles);

    private static ReferralForm Form(long schoolId, string dateOfBirth = "2013-01-20", int gravity = 1, bool admitted = true, string lastName = "Mensah") =>
        ReferralForms.Valid(schoolId, dateOfBirth, gravity, admitted, lastName: lastName);

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task An_eligible_referral_is_saved_with_its_parties_a_reference_and_a_collect_audit()
    {
        var result = await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id);

        Assert.True(result.Succeeded);
        Assert.Equal("RJ-2026-00001", result.Reference);
        var details = await Cases.GetAsync(result.CaseId!.Value, newhamReferrer.Id);
        Assert.NotNull(details);
        Assert.Equal(CaseStatus.Referred, details.Status);
        Assert.True(details.Eligible);
        Assert.Equal(["responsible", "harmed", "supporter"], details.Parties.Select(p => p.PartyRole));
        Assert.Equal(13, details.YoungPeople.Single().AgeAtOffence);
        Assert.Equal(new DateTimeOffset(2026, 6, 10, 9, 0, 0, TimeSpan.Zero), details.OffenceAt); // 10:00 BST
        Assert.Single(details.Timeline);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_events WHERE action = 'collect' AND entity_id = '{result.CaseId}'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_events WHERE action = 'consult' AND entity_id = '{result.CaseId}'"));
    }

    [Fact]
    public async Task A_referral_that_fails_eligibility_is_stored_as_not_eligible_with_each_reason()
    {
        var result = await Referrals.SaveAsync(Form(langdonPark, dateOfBirth: "2017-01-01", gravity: 3, admitted: false), newhamReferrer.Id);

        var details = (await Cases.GetAsync(result.CaseId!.Value, newhamReferrer.Id))!;
        Assert.Equal(CaseStatus.NotEligible, details.Status);
        Assert.False(details.Eligible);
        Assert.Equal(["gravity_too_high", "not_admitted", "under_10"], details.IneligibilityReasons.Select(r => r.Code));
        Assert.Equal(details.YoungPeople.Single().Id, details.IneligibilityReasons.Single(r => r.Code == "under_10").PartyId);
    }

    [Fact]
    public async Task Twenty_referrals_saved_at_the_same_moment_get_twenty_different_references()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(Enumerable.Range(1, 20).Select(n => $"RJ-2026-{n:D5}"), results.Select(r => r.Reference!).Order());
    }

    [Fact]
    public async Task Saving_the_same_form_twice_creates_one_referral()
    {
        var form = Form(langdonPark);

        var results = await Task.WhenAll(Task.Run(() => Referrals.SaveAsync(form, newhamReferrer.Id)), Task.Run(() => Referrals.SaveAsync(form, newhamReferrer.Id)));

        Assert.Equal(results[0].CaseId, results[1].CaseId);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM cases"));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM parties"));
    }

    [Fact]
    public async Task A_school_outside_the_users_scope_is_refused_audited_and_nothing_is_saved()
    {
        var result = await Referrals.SaveAsync(Form(hackneySchool), newhamReferrer.Id);

        Assert.False(result.Succeeded);
        Assert.Equal(["Choose the school from the list"], result.Errors["SchoolId"]);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM cases"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM parties"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_type = 'school' AND entity_id = '{hackneySchool}'"));
    }

    [Theory]
    [InlineData("dob-future")]
    [InlineData("dob-after-offence")]
    [InlineData("offence-future")]
    [InlineData("no-parent")]
    [InlineData("long-description")]
    [InlineData("empty-name")]
    public async Task Bad_input_is_refused_at_its_field_and_nothing_partial_is_saved(string problem)
    {
        var form = Form(langdonPark);
        var field = problem switch
        {
            "dob-future" => Set(() => form.YoungPeople[0].DateOfBirth = DateInput.From(new DateOnly(2027, 1, 1)), "YoungPeople[0].DateOfBirth"),
            "dob-after-offence" => Set(() => form.YoungPeople[0].DateOfBirth = DateInput.From(new DateOnly(2026, 6, 12)), "YoungPeople[0].DateOfBirth"),
            "offence-future" => Set(() => form.OffenceDate = DateInput.From(new DateOnly(2026, 6, 16)), "OffenceDate"),
            "no-parent" => Set(() => form.Supporters.Clear(), "YoungPeople[0].Parent"),
            "long-description" => Set(() => form.Description = new string('x', 100_000), "Description"),
            _ => Set(() => form.HarmedParties[0].FirstName = " ", "HarmedParties[0].FirstName"),
        };

        var result = await Referrals.SaveAsync(form, newhamReferrer.Id);

        Assert.False(result.Succeeded);
        Assert.True(result.Errors.ContainsKey(field), $"expected an error at {field}, got {string.Join(", ", result.Errors.Keys)}");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM cases"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM parties"));
    }

    private static string Set(Action change, string field)
    {
        change();
        return field;
    }

    [Fact]
    public async Task An_offence_time_that_did_not_exist_in_London_is_refused()
    {
        var form = Form(langdonPark);
        form.OffenceDate = DateInput.From(new DateOnly(2026, 3, 29));
        form.OffenceTime = "01:30";

        var result = await Referrals.SaveAsync(form, newhamReferrer.Id);

        Assert.Contains("clocks went forward", Assert.Single(result.Errors["OffenceTime"]));
    }

    [Fact]
    public async Task A_school_matter_is_stored_only_as_a_count()
    {
        var form = Form(langdonPark);
        form.SchoolWouldDealInternally = true;

        var result = await Referrals.SaveAsync(form, newhamReferrer.Id);
        await Referrals.SaveAsync(form, newhamReferrer.Id);

        Assert.True(result.InternalMatter);
        Assert.Null(result.CaseId);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM cases"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM parties"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM school_internal_matters"));
    }

    [Fact]
    public async Task A_referrer_of_one_school_cannot_list_or_open_another_schools_case()
    {
        var result = await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id);

        Assert.Null(await Cases.GetAsync(result.CaseId!.Value, hackneyReferrer.Id));
        Assert.Empty((await Cases.ListAsync(new CaseQuery(), hackneyReferrer.Id)).Cases);
        Assert.Single((await Cases.ListAsync(new CaseQuery(), newhamReferrer.Id)).Cases);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = '{result.CaseId}'"));
        var change = await Changes.WithdrawCaseAsync(result.CaseId.Value, "not mine", Principal(hackneyReferrer, Roles.Referrer));
        Assert.Equal(SaveOutcome.NotFound, change.Outcome);
    }

    [Fact]
    public async Task The_list_finds_a_case_by_reference_and_by_the_young_persons_name()
    {
        var first = await Referrals.SaveAsync(Form(langdonPark, lastName: "Mensah"), newhamReferrer.Id);
        await Referrals.SaveAsync(Form(langdonPark, lastName: "Nowak"), newhamReferrer.Id);

        Assert.Equal([first.Reference], (await Cases.ListAsync(new CaseQuery(Search: "rj-2026-00001"), newhamReferrer.Id)).Cases.Select(c => c.Reference));
        Assert.Equal([first.Reference], (await Cases.ListAsync(new CaseQuery(Search: "mens"), newhamReferrer.Id)).Cases.Select(c => c.Reference));
        Assert.Equal([first.Reference], (await Cases.ListAsync(new CaseQuery(Search: "Kwame Me"), newhamReferrer.Id)).Cases.Select(c => c.Reference));
        Assert.Equal(2, (await Cases.ListAsync(new CaseQuery(Search: "kwa"), newhamReferrer.Id)).Total);
    }

    [Fact]
    public async Task A_stale_edit_is_refused_and_the_other_save_is_kept()
    {
        var result = await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id);
        var caseId = result.CaseId!.Value;
        var version = (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Version;
        var user = Principal(newhamReferrer, Roles.Referrer);
        CaseEdit Edit(string text) => new() { Description = text, Location = "elsewhere", OutcomeRoute = "outcome_22" };

        var first = await Changes.EditAsync(caseId, Edit("First account of what happened."), version, user);
        var second = await Changes.EditAsync(caseId, Edit("Second account, typed at the same time."), version, user);

        Assert.Equal(SaveOutcome.Saved, first.Outcome);
        Assert.Equal(SaveOutcome.Conflict, second.Outcome);
        Assert.Contains("Someone else changed this case", second.Errors[""].Single());
        Assert.Equal("First account of what happened.", (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Description);
    }

    [Fact]
    public async Task Suitability_and_every_required_consent_make_a_case_ready_to_schedule_and_a_withdrawal_moves_it_back()
    {
        var caseId = (await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id)).CaseId!.Value;
        var facilitator = Principal(newhamReferrer, Roles.Referrer, Roles.Facilitator);
        var suitable = new SuitabilityForm { RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "Wants an apology", Outcome = "suitable" };

        Assert.Equal(SaveOutcome.Saved, (await Changes.RecordSuitabilityAsync(caseId, suitable, facilitator)).Outcome);
        Assert.Equal(CaseStatus.AwaitingConsent, (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Status);

        var parties = (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Parties;
        foreach (var party in parties)
        {
            var given = await Changes.RecordConsentAsync(caseId, new ConsentForm
            {
                PartyId = party.Id, Purpose = "take_part", Decision = "given", DecidedOn = DateInput.From(new DateOnly(2026, 6, 12)), Method = "in_person",
            }, facilitator);
            Assert.Equal(SaveOutcome.Saved, given.Outcome);
        }
        var ready = (await Cases.GetAsync(caseId, newhamReferrer.Id))!;
        Assert.Equal(CaseStatus.ReadyToSchedule, ready.Status);

        var parentConsent = ready.Consents.Single(c => c.PartyId == parties.Single(p => p.PartyRole == "supporter").Id);
        var withdrawn = await Changes.WithdrawConsentAsync(caseId, parentConsent.Id, DateInput.From(new DateOnly(2026, 6, 14)), facilitator);
        Assert.Equal(SaveOutcome.Saved, withdrawn.Outcome);
        Assert.Equal(CaseStatus.AwaitingConsent, (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Status);
    }

    [Fact]
    public async Task Only_a_facilitator_can_assess_suitability_and_a_not_eligible_case_cannot_be_assessed()
    {
        var eligible = (await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id)).CaseId!.Value;
        var notEligible = (await Referrals.SaveAsync(Form(langdonPark, admitted: false), newhamReferrer.Id)).CaseId!.Value;
        var suitable = new SuitabilityForm { RiskToParties = "Low", PowerImbalance = "None", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "Apology", Outcome = "suitable" };

        var byReferrer = await Changes.RecordSuitabilityAsync(eligible, suitable, Principal(newhamReferrer, Roles.Referrer));
        var onNotEligible = await Changes.RecordSuitabilityAsync(notEligible, suitable, Principal(newhamReferrer, Roles.Facilitator));

        Assert.Equal(SaveOutcome.Invalid, byReferrer.Outcome);
        Assert.Equal(SaveOutcome.Invalid, onNotEligible.Outcome);
        Assert.Contains("cannot be assessed", onNotEligible.Errors[""].Single());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM suitability_assessments"));
        Assert.Equal(CaseStatus.NotEligible, (await Cases.GetAsync(notEligible, newhamReferrer.Id))!.Status);
    }

    [Fact]
    public async Task The_victim_contact_warning_appears_after_5_working_days_without_an_offer()
    {
        // Referred Monday 15 June 2026: due by Monday 22 June.
        var caseId = (await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id)).CaseId!.Value;
        Assert.Equal(new DateOnly(2026, 6, 22), (await Cases.GetAsync(caseId, newhamReferrer.Id))!.VictimContactDueOn);

        clock.SetUtcNow(new DateTimeOffset(2026, 6, 22, 15, 0, 0, TimeSpan.Zero));
        Assert.False((await Cases.GetAsync(caseId, newhamReferrer.Id))!.VictimContactOverdue);
        clock.SetUtcNow(new DateTimeOffset(2026, 6, 23, 9, 0, 0, TimeSpan.Zero));
        Assert.True((await Cases.GetAsync(caseId, newhamReferrer.Id))!.VictimContactOverdue);
    }

    [Fact]
    public async Task A_case_found_not_suitable_can_be_reassessed_as_suitable()
    {
        var caseId = (await Referrals.SaveAsync(Form(langdonPark), newhamReferrer.Id)).CaseId!.Value;
        var facilitator = Principal(newhamReferrer, Roles.Facilitator);
        SuitabilityForm Assessment(string outcome) => new()
        {
            RiskToParties = "Low", PowerImbalance = "None", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "Apology",
            Outcome = outcome, Reason = outcome == "not_suitable" ? "The harmed pupil is not ready yet" : null,
        };

        Assert.Equal(SaveOutcome.Saved, (await Changes.RecordSuitabilityAsync(caseId, Assessment("not_suitable"), facilitator)).Outcome);
        Assert.Equal(CaseStatus.NotSuitable, (await Cases.GetAsync(caseId, newhamReferrer.Id))!.Status);
        Assert.Equal(SaveOutcome.Saved, (await Changes.RecordSuitabilityAsync(caseId, Assessment("suitable"), facilitator)).Outcome);

        var details = (await Cases.GetAsync(caseId, newhamReferrer.Id))!;
        Assert.Equal(CaseStatus.AwaitingConsent, details.Status);
        Assert.Equal(["not_suitable", "assessing", "awaiting_consent"], details.Timeline.Where(e => e.ToStatus is not null).Skip(2).Select(e => e.ToStatus));
    }
}
