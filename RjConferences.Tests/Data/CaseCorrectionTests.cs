using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Correcting a party's details after the referral, and the victim-contact date, through the real
/// services over a test database (Monday 15 June 2026 in <see cref="SchedulingWorld"/>).
/// </summary>
public class CaseCorrectionTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private async Task<Guid> NewCaseAsync(string firstName = "Amara", string lastName = "Osie", string? offeredOn = null)
    {
        var form = ReferralForms.Valid(world.SchoolId, "2013-01-20", firstName: firstName, lastName: lastName);
        if (offeredOn is not null) form.VictimFirstOfferedOn = TestCases.Date(offeredOn);
        var saved = await world.Referrals.SaveAsync(form, world.Officer.Id);
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.SelectMany(e => e.Value)));
        return saved.CaseId!.Value;
    }

    private async Task<CaseDetails> CaseAsync(Guid id) => (await world.Cases.GetAsync(id, world.Officer.Id))!;

    private static PartyEdit Edit(PartyDetails party, Action<PartyForm> change)
    {
        var edit = new PartyEdit
        {
            PartyId = party.Id,
            Party = new PartyForm
            {
                FirstName = party.FirstName, LastName = party.LastName, OrganisationName = party.OrganisationName,
                Phone = party.Phone, Email = party.Email, Address = party.Address,
            },
        };
        change(edit.Party);
        return edit;
    }

    private async Task<List<string>> NameKeysAsync(Guid caseId)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT name_key FROM case_name_keys WHERE case_id = @caseId ORDER BY name_key", new { caseId })).ToList();
    }

    private Task<(IReadOnlyList<CaseListItem> Cases, int Total)> SearchAsync(string search)
    {
        var errors = new CaseFilterForm { Search = search }.Validate(out var query);
        Assert.True(errors.IsEmpty);
        return world.Cases.ListAsync(query, world.Officer.Id);
    }

    [Fact]
    public async Task A_misspelt_name_is_corrected_and_the_search_the_timeline_the_audit_and_the_report_facts_follow()
    {
        var caseId = await NewCaseAsync();
        var before = await CaseAsync(caseId);
        var young = before.YoungPeople.Single();

        var result = await world.Changes.EditPartyAsync(caseId, Edit(young, p => { p.LastName = " Osei "; p.Phone = "020 7946 0000"; }),
            before.Version, SchedulingWorld.Principal(world.Officer, Roles.Referrer));

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        var after = await CaseAsync(caseId);
        var corrected = after.YoungPeople.Single();
        Assert.Equal(("Amara", "Osei", "020 7946 0000"), (corrected.FirstName, corrected.LastName, corrected.Phone));
        Assert.Equal(young.AgeAtOffence, corrected.AgeAtOffence);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(["amara osei", "osei"], await NameKeysAsync(caseId));
        Assert.Equal(1, (await SearchAsync("osei")).Total);
        Assert.Equal(0, (await SearchAsync("osie")).Total);
        Assert.Equal("Details corrected: young person responsible", after.Timeline[^1].Summary);
        Assert.DoesNotContain("Osei", string.Join(" ", after.Timeline.Select(t => t.Summary)));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'alter' AND entity_id = @id", new { id = caseId.ToString() }));
        Assert.NotEqual(0, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
    }

    [Fact]
    public async Task A_harmed_organisation_and_a_parent_are_corrected_by_their_own_rules()
    {
        var form = ReferralForms.Valid(world.SchoolId, "2013-01-20");
        form.HarmedParties[0].HarmedType = "organisation";
        form.HarmedParties[0].OrganisationName = "Costcutter, High Stret";
        var caseId = (await world.Referrals.SaveAsync(form, world.Officer.Id)).CaseId!.Value;
        var details = await CaseAsync(caseId);
        var shop = details.Parties.Single(p => p.PartyRole == "harmed");
        var parent = details.Parties.Single(p => p.PartyRole == "supporter");

        var empty = await world.Changes.EditPartyAsync(caseId, Edit(shop, p => p.OrganisationName = " "), details.Version, world.OfficerPrincipal);
        var shopSaved = await world.Changes.EditPartyAsync(caseId, Edit(shop, p => p.OrganisationName = "Costcutter, High Street"), details.Version, world.OfficerPrincipal);
        var badParent = await world.Changes.EditPartyAsync(caseId, Edit(parent, p => { p.FirstName = ""; p.Email = "not an email"; }), details.Version + 1, world.OfficerPrincipal);

        Assert.Equal(["Enter the organisation's name"], empty.Errors["Party.OrganisationName"]);
        Assert.Equal(SaveOutcome.Saved, shopSaved.Outcome);
        Assert.Equal(["Party.FirstName", "Party.Email"], badParent.Errors.Keys);
        var after = await CaseAsync(caseId);
        Assert.Equal("Costcutter, High Street", after.Parties.Single(p => p.PartyRole == "harmed").OrganisationName);
        Assert.Equal(parent.FirstName, after.Parties.Single(p => p.PartyRole == "supporter").FirstName);
    }

    [Fact]
    public async Task A_correction_from_a_stale_version_is_refused_and_changes_nothing()
    {
        var caseId = await NewCaseAsync();
        var before = await CaseAsync(caseId);
        var young = before.YoungPeople.Single();
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.EditPartyAsync(caseId, Edit(young, p => p.LastName = "Osei"), before.Version, world.OfficerPrincipal)).Outcome);

        var stale = Edit(young, p => p.LastName = "Ossei");
        var result = await world.Changes.EditPartyAsync(caseId, stale, before.Version, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Conflict, result.Outcome);
        Assert.Contains("Someone else changed this case", result.Errors[""].Single());
        Assert.Equal("Osei", (await CaseAsync(caseId)).YoungPeople.Single().LastName);
        // After reloading, the same form saves (the refused attempt did not use it up).
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.EditPartyAsync(caseId, stale, before.Version + 1, world.OfficerPrincipal)).Outcome);
        Assert.Equal("Ossei", (await CaseAsync(caseId)).YoungPeople.Single().LastName);
    }

    [Fact]
    public async Task No_correction_on_a_closed_case_for_removed_details_by_a_reviewer_or_outside_the_users_scope()
    {
        var caseId = await NewCaseAsync();
        var details = await CaseAsync(caseId);
        var young = details.YoungPeople.Single();
        var reviewer = await TestUsers.CreateAsync(world.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);

        var byReviewer = await world.Changes.EditPartyAsync(caseId, Edit(young, p => p.LastName = "Osei"), details.Version, TestCases.Principal(reviewer.Id, Roles.YouthJusticeReviewer));
        var byStranger = await world.Changes.EditPartyAsync(caseId, Edit(young, p => p.LastName = "Osei"), details.Version, SchedulingWorld.Principal(world.Stranger, Roles.Referrer));
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE parties SET details_removed_at = '2026-06-15T09:00:00+00:00' WHERE id = @Id",
                new { details.Parties.Single(p => p.PartyRole == "harmed").Id });
        }
        var removed = await world.Changes.EditPartyAsync(caseId, Edit(details.Parties.Single(p => p.PartyRole == "harmed"), p => p.FirstName = "Jo"), details.Version, world.OfficerPrincipal);
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE cases SET status = 'closed' WHERE id = @caseId", new { caseId });
        }
        var closed = await world.Changes.EditPartyAsync(caseId, Edit(young, p => p.LastName = "Osei"), details.Version, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Invalid, byReviewer.Outcome);
        Assert.Equal(SaveOutcome.NotFound, byStranger.Outcome);
        Assert.Contains("cannot be changed", removed.Errors[""].Single());
        Assert.Equal(["A closed case cannot be changed"], closed.Errors[""]);
        Assert.Equal("Osie", (await CaseAsync(caseId)).YoungPeople.Single().LastName);
        Assert.Equal(details.Version, (await CaseAsync(caseId)).Version);
    }

    [Fact]
    public async Task The_next_agreement_document_is_a_new_version_with_the_corrected_name()
    {
        var conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        var documents = world.Documents();
        var first = await documents.DownloadAsync(conference.ConferenceId, "printed_for_signature", false, world.Officer.Id);
        Assert.Contains("Kwame Mensah", PdfReading.Read(first.Content!).Text());
        var details = await CaseAsync(conference.CaseId);

        var result = await world.Changes.EditPartyAsync(conference.CaseId, Edit(conference.YoungPerson, p => p.LastName = "Mensah-Boateng"), details.Version, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        var view = await documents.ViewAsync(conference.ConferenceId, world.Officer.Id);
        Assert.True(view!.ChangedSinceCurrent);
        var second = await documents.DownloadAsync(conference.ConferenceId, "printed_for_signature", false, world.Officer.Id);
        var text = PdfReading.Read(second.Content!).Text();
        Assert.Contains("Agreement document version 2", text);
        Assert.Contains("Kwame Mensah-Boateng", text);
    }

    [Fact]
    public async Task The_referral_records_when_the_harmed_party_was_first_offered_restorative_justice()
    {
        var offered = await NewCaseAsync(offeredOn: "12/06/2026");
        var future = ReferralForms.Valid(world.SchoolId, "2013-01-20");
        future.VictimFirstOfferedOn = TestCases.Date(new DateOnly(2026, 6, 16));
        var refused = await world.Referrals.SaveAsync(future, world.Officer.Id);

        Assert.Equal(new DateOnly(2026, 6, 12), (await CaseAsync(offered)).VictimFirstOfferedOn);
        Assert.Equal(["Date the harmed party was first offered restorative justice must be today or in the past"], refused.Errors["VictimFirstOfferedOn"]);
    }

    [Theory]
    [InlineData("given")]
    [InlineData("refused")]
    public async Task A_harmed_partys_recorded_decision_counts_as_offered_and_the_warning_clears(string decision)
    {
        var caseId = await NewCaseAsync();
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 24, 9, 0, 0, TimeSpan.Zero)); // 6 working days after the referral
        var before = await CaseAsync(caseId);
        Assert.True(before.VictimContactOverdue);
        var harmed = before.Parties.Single(p => p.PartyRole == "harmed");

        var result = await world.Changes.RecordConsentAsync(caseId, new ConsentForm
        {
            PartyId = harmed.Id, Purpose = "take_part", Decision = decision, DecidedOn = TestCases.Date(new DateOnly(2026, 6, 19)), Method = "phone",
        }, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        var after = await CaseAsync(caseId);
        Assert.Equal(new DateOnly(2026, 6, 19), after.VictimFirstOfferedOn);
        Assert.False(after.VictimContactOverdue);
        Assert.NotEqual(0, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
    }

    [Fact]
    public async Task Clearing_the_offered_date_keeps_the_day_of_the_harmed_partys_decision_and_a_later_date_is_refused()
    {
        var caseId = await NewCaseAsync();
        var harmed = (await CaseAsync(caseId)).Parties.Single(p => p.PartyRole == "harmed");
        await world.Changes.RecordConsentAsync(caseId, new ConsentForm
        {
            PartyId = harmed.Id, Purpose = "take_part", Decision = "given", DecidedOn = TestCases.Date(new DateOnly(2026, 6, 12)), Method = "phone",
        }, world.OfficerPrincipal);
        var details = await CaseAsync(caseId);

        var cleared = await world.Changes.EditAsync(caseId, new CaseEdit
        {
            Description = details.Description, Location = details.Location, OutcomeRoute = details.OutcomeRoute, VictimFirstOfferedOn = new DateInput(),
        }, details.Version, world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Saved, cleared.Outcome);
        Assert.Equal(new DateOnly(2026, 6, 12), (await CaseAsync(caseId)).VictimFirstOfferedOn);

        var earlier = await world.Changes.EditAsync(caseId, new CaseEdit
        {
            Description = details.Description, Location = details.Location, OutcomeRoute = details.OutcomeRoute, VictimFirstOfferedOn = TestCases.Date(new DateOnly(2026, 6, 11)),
        }, details.Version + 1, world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Saved, earlier.Outcome);
        Assert.Equal(new DateOnly(2026, 6, 11), (await CaseAsync(caseId)).VictimFirstOfferedOn);

        // A date after the recorded decision contradicts it: refused with the reason, nothing changed.
        var later = await world.Changes.EditAsync(caseId, new CaseEdit
        {
            Description = details.Description, Location = details.Location, OutcomeRoute = details.OutcomeRoute, VictimFirstOfferedOn = TestCases.Date(new DateOnly(2026, 6, 14)),
        }, details.Version + 2, world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Invalid, later.Outcome);
        Assert.Contains("must be on or before 12 June 2026, when their decision was recorded", string.Join(" ", later.Errors.SelectMany(e => e.Value)));
        Assert.Equal(new DateOnly(2026, 6, 11), (await CaseAsync(caseId)).VictimFirstOfferedOn);
    }
}
