using RjConferences.Components.Forms;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>The changes the case page makes, through the real <see cref="CaseChanges"/> over a test database.</summary>
public class CaseChangesTests : IAsyncLifetime, IDisposable
{
    private static readonly DateOnly OffenceDate = new(2026, 6, 10);

    private readonly TestDatabase database = new();
    // Monday 15 June 2026, 11:30 in London.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private readonly TestCases cases;
    private TestUser officer = null!;
    private long schoolId;

    public CaseChangesTests() => cases = new TestCases(database.Db, clock);

    public async Task InitializeAsync()
    {
        using var services = TestUsers.Services(database, clock);
        officer = await TestUsers.CreateAsync(services, "pc.jones@example.org", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        schoolId = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => database.Dispose();

    private System.Security.Claims.ClaimsPrincipal Officer => TestCases.Principal(officer.Id, Roles.Referrer, Roles.Facilitator);

    private Task<(Guid Id, string Reference)> NewCaseAsync() => new TestReferral(schoolId, OffenceDate).SaveAsync(cases.Referrals, officer.Id);

    private async Task<CaseDetails> GetAsync(Guid id) => (await cases.Repository.GetAsync(id, officer.Id))!;

    private static SuitabilityForm Suitable() => new()
    {
        RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "Wants an apology", Outcome = "suitable",
    };

    private static ConsentForm Consent(Guid partyId, string decision = "given") => new()
    {
        PartyId = partyId, Purpose = "take_part", Decision = decision, DecidedOn = TestCases.Date(new DateOnly(2026, 6, 12)), Method = "in_person",
    };

    private async Task GiveEveryConsentAsync(Guid caseId)
    {
        foreach (var party in (await GetAsync(caseId)).Parties.Where(p => p.ConsentRequired))
        {
            var result = await cases.Changes.RecordConsentAsync(caseId, Consent(party.Id), Officer);
            Assert.Equal(SaveOutcome.Saved, result.Outcome);
        }
    }

    [Fact]
    public async Task A_suitable_case_is_ready_to_schedule_once_every_consent_is_given_and_a_withdrawal_moves_it_back()
    {
        var (id, _) = await NewCaseAsync();
        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.RecordSuitabilityAsync(id, Suitable(), Officer)).Outcome);
        Assert.Equal(CaseStatus.AwaitingConsent, (await GetAsync(id)).Status);

        await GiveEveryConsentAsync(id);
        var ready = await GetAsync(id);
        Assert.Equal(CaseStatus.ReadyToSchedule, ready.Status);
        Assert.Equal(3, ready.Consents.Count(c => c.InForce));

        var parentConsent = ready.Consents.Single(c => ready.Parties.Single(p => p.Id == c.PartyId).SupporterType == "parent");
        var withdrawn = await cases.Changes.WithdrawConsentAsync(id, parentConsent.Id, TestCases.Date(new DateOnly(2026, 6, 14)), Officer);

        Assert.Equal(SaveOutcome.Saved, withdrawn.Outcome);
        var after = await GetAsync(id);
        Assert.Equal(CaseStatus.AwaitingConsent, after.Status);
        Assert.Equal(new DateOnly(2026, 6, 14), after.Consents.Single(c => c.Id == parentConsent.Id).WithdrawnOn);
        var last = after.Timeline[^1];
        Assert.Equal((CaseStatus.ReadyToSchedule, CaseStatus.AwaitingConsent), (last.FromStatus, last.ToStatus));
    }

    [Fact]
    public async Task A_refused_consent_removes_the_partys_name_contact_and_date_of_birth_keeps_age_gender_and_ethnic_group_and_withdraws_the_case()
    {
        var (id, _) = await NewCaseAsync();
        var young = (await GetAsync(id)).YoungPeople.Single();

        var result = await cases.Changes.RecordConsentAsync(id, Consent(young.Id, "refused"), Officer);

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        var after = await GetAsync(id);
        Assert.Equal(CaseStatus.Withdrawn, after.Status);
        var removed = after.Parties.Single(p => p.Id == young.Id);
        Assert.NotNull(removed.DetailsRemovedAt);
        Assert.Equal("Details removed", removed.DisplayName);
        Assert.Null(removed.FirstName);
        Assert.Null(removed.LastName);
        Assert.Null(removed.DateOfBirth);
        Assert.Null(removed.Phone);
        Assert.Null(removed.Email);
        Assert.Null(removed.Address);
        Assert.Equal(13, removed.AgeAtOffence);
        Assert.Equal("male", removed.Gender);
        Assert.Equal("black_african", removed.EthnicGroup);
        // The other parties keep their details, and the removed name can no longer be found.
        Assert.All(after.Parties.Where(p => p.Id != young.Id), p => Assert.Null(p.DetailsRemovedAt));
        var (found, _) = await cases.Repository.ListAsync(new CaseQuery(Search: "Okafor"), officer.Id);
        Assert.DoesNotContain(found, c => c.Id == id);
    }

    [Fact]
    public async Task A_suitability_assessment_is_refused_to_a_referrer_and_nothing_changes()
    {
        var (id, _) = await NewCaseAsync();
        var referrerOnly = TestCases.Principal(officer.Id, Roles.Referrer);

        var result = await cases.Changes.RecordSuitabilityAsync(id, Suitable(), referrerOnly);

        Assert.Equal(SaveOutcome.Invalid, result.Outcome);
        Assert.Equal("Only a facilitator can record a suitability assessment", Assert.Single(result.Errors[""]));
        var after = await GetAsync(id);
        Assert.Equal(CaseStatus.Referred, after.Status);
        Assert.Empty(after.Assessments);
        Assert.Single(after.Timeline);
    }

    [Fact]
    public async Task A_youth_justice_reviewer_cannot_record_consent_or_withdraw_a_case()
    {
        var (id, _) = await NewCaseAsync();
        var reviewer = TestCases.Principal(officer.Id, Roles.YouthJusticeReviewer);
        var young = (await GetAsync(id)).YoungPeople.Single();

        Assert.Equal(SaveOutcome.Invalid, (await cases.Changes.RecordConsentAsync(id, Consent(young.Id), reviewer)).Outcome);
        Assert.Equal(SaveOutcome.Invalid, (await cases.Changes.WithdrawCaseAsync(id, "No longer needed", reviewer)).Outcome);
        Assert.Equal(CaseStatus.Referred, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task An_edit_with_a_stale_version_is_a_conflict_and_saves_nothing()
    {
        var (id, _) = await NewCaseAsync();
        var opened = await GetAsync(id);
        var edit = new CaseEdit { Description = "Mine", Location = "elsewhere", OutcomeRoute = "outcome_22" };
        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.EditAsync(id, new CaseEdit { Description = "Theirs", Location = "on_school_premises", OutcomeRoute = "not_decided" }, opened.Version, Officer)).Outcome);

        var result = await cases.Changes.EditAsync(id, edit, opened.Version, Officer);

        Assert.Equal(SaveOutcome.Conflict, result.Outcome);
        Assert.Contains("Someone else changed this case", Assert.Single(result.Errors[""]));
        Assert.Equal("Theirs", (await GetAsync(id)).Description);
    }

    [Fact]
    public async Task A_change_to_a_case_outside_the_users_scope_is_not_found_and_audited()
    {
        var (id, _) = await NewCaseAsync();
        using var services = TestUsers.Services(database, clock);
        var other = await TestUsers.CreateAsync(services, "other@example.org", [Roles.Referrer], ["Hackney/Haggerston"]);

        var result = await cases.Changes.WithdrawCaseAsync(id, "Forged", TestCases.Principal(other.Id, Roles.Referrer));

        Assert.Equal(SaveOutcome.NotFound, result.Outcome);
        Assert.Equal(CaseStatus.Referred, (await GetAsync(id)).Status);
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = @id AND user_id = @user",
            new { id = id.ToString(), user = other.Id.ToString() }));
    }
}
