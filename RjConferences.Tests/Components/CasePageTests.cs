using RjConferences.Components.Forms;
using AngleSharp.Dom;
using Bunit;
using Dapper;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

public class CasePageTests : CaseTestContext
{
    private static readonly string[] OfficerRoles = [Roles.Referrer, Roles.Facilitator];

    private TestUser officer = null!;
    private long school;

    private async Task SetUpAsync()
    {
        officer = await UserAsync("pc.jones@example.org", OfficerRoles, "Newham/Langdon Park");
        school = await SchoolAsync("Newham/Langdon Park");
    }

    private Task<(Guid Id, string Reference)> NewCaseAsync(TestReferral? referral = null) =>
        (referral ?? new TestReferral(school, OffenceDate)).SaveAsync(Cases.Referrals, officer.Id);

    private IRenderedComponent<CasePage> Open(Guid id)
    {
        var page = Render<CasePage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => page.Find("h1"));
        return page;
    }

    private static IElement Button(IRenderedComponent<CasePage> page, string name) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == name);

    private static string Status(IRenderedComponent<CasePage> page) => page.Find("[data-testid=case-status]").TextContent;

    private static void Date(IRenderedComponent<CasePage> page, string field, DateOnly date)
    {
        page.Find($"#field-{field}").Change(date.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        page.Find($"#field-{field}-month").Change(date.Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        page.Find($"#field-{field}-year").Change(date.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task RecordConsent(IRenderedComponent<CasePage> page, Guid partyId)
    {
        await Button(page, "Record consent").ClickAsync(new());
        page.Find("#field-PartyId").Change(partyId.ToString());
        page.Find("#field-Purpose").Change("take_part");
        page.Find("#field-Decision").Change("given");
        Date(page, "DecidedOn", new DateOnly(2026, 6, 12));
        page.Find("#field-Method-phone").Change("phone");
        await page.Find("form[aria-labelledby=consent-form-title]").SubmitAsync();
    }

    [Fact]
    public async Task Shows_the_case_its_parties_and_each_eligibility_reason_naming_the_young_person()
    {
        await SetUpAsync();
        var (id, reference) = await NewCaseAsync(new TestReferral(school, OffenceDate)
        {
            FirstName = "Tom", LastName = "Price", DateOfBirth = OffenceDate.AddYears(-9), Gravity = 3,
        });
        SignIn(officer, OfficerRoles);

        var page = Open(id);

        Assert.Equal($"Case {reference}", page.Find("h1").TextContent);
        Assert.Equal("Not eligible", Status(page));
        var eligibility = page.Find("[data-testid=eligibility]").TextContent;
        Assert.Contains("The gravity score is above the maximum for a conference", eligibility);
        Assert.Contains("Tom Price: Under 10 on the offence date: below the age of criminal responsibility", eligibility);
        var rows = page.FindAll("[data-testid=parties] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("Young person responsible", rows[0]);
        Assert.Contains("Tom Price", rows[0]);
        Assert.Contains("African", rows[0]);
        Assert.Contains("Male", rows[0]);
        Assert.Contains("Harmed party (a pupil)", rows[1]);
        Assert.Contains("Jo Bell", rows[1]);
        Assert.Contains("Parent of Tom Price", rows[2]);
        Assert.Contains("parent@example.org", rows[2]);
        Assert.Contains("Wednesday 10 June 2026, 10:00", page.Markup);
        // Not eligible: nothing to assess or consent to.
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Record a suitability assessment"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Record consent"));
    }

    [Fact]
    public async Task The_suitability_form_explains_each_missing_answer_at_the_field_and_in_the_summary()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        var page = Open(id);

        await Button(page, "Record a suitability assessment").ClickAsync(new());
        await page.Find("form[aria-labelledby=suitability-form-title]").SubmitAsync();

        page.WaitForAssertion(() => page.Find("[data-testid=error-summary]"));
        var summary = page.Find("[data-testid=error-summary]");
        Assert.Equal(
            ["Describe the risk to either party", "Describe any power imbalance between the parties",
             "Describe how far the young person accepts responsibility", "Describe the harmed party's wishes", "Choose suitable or not suitable"],
            summary.QuerySelectorAll("li").Select(li => li.TextContent.Trim()));
        Assert.EndsWith("#field-RiskToParties", summary.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Describe the risk to either party", page.Find("#field-RiskToParties-error").TextContent);
        Assert.Equal("field-RiskToParties-info field-RiskToParties-error", page.Find("#field-RiskToParties").GetAttribute("aria-describedby"));

        page.Find("#field-RiskToParties").Change("Low");
        page.Find("#field-PowerImbalance").Change("None");
        page.Find("#field-AcceptanceOfResponsibility").Change("Full");
        page.Find("#field-HarmedPartyWishes").Change("Does not want to meet");
        page.Find("#field-Outcome-not_suitable").Change("not_suitable");
        await page.Find("form[aria-labelledby=suitability-form-title]").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("Give the reason the case is not suitable",
            page.Find("[data-testid=error-summary] li").TextContent.Trim()));
        Assert.Equal("Low", page.Find("#field-RiskToParties").GetAttribute("value"));
        Assert.Equal("Referred", Status(page));
    }

    [Fact]
    public async Task Recording_a_suitable_assessment_and_every_consent_makes_the_case_ready_to_schedule()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        var page = Open(id);
        Assert.Contains("Consent to take part is still needed from: Sam Okafor", page.Find("[data-testid=consent-needed]").TextContent);

        await Button(page, "Record a suitability assessment").ClickAsync(new());
        page.Find("#field-RiskToParties").Change("Low");
        page.Find("#field-PowerImbalance").Change("None seen");
        page.Find("#field-AcceptanceOfResponsibility").Change("Accepts fully");
        page.Find("#field-HarmedPartyWishes").Change("Wants an apology");
        page.Find("#field-Outcome").Change("suitable");
        await page.Find("form[aria-labelledby=suitability-form-title]").SubmitAsync();
        page.WaitForAssertion(() => Assert.Equal("Awaiting consent", Status(page)));
        Assert.Contains("The suitability assessment has been recorded.", page.Find("[data-testid=case-message]").TextContent);
        Assert.Contains("Suitable", page.Find("[data-testid=latest-assessment]").TextContent);

        var parties = (await Cases.Repository.GetAsync(id, officer.Id))!.Parties;
        foreach (var party in parties)
        {
            Assert.Equal("Awaiting consent", Status(page));
            await RecordConsent(page, party.Id);
            page.WaitForAssertion(() => Assert.Contains($"The consent of {party.DisplayName} for taking part in a conference has been recorded.",
                page.Find("[data-testid=case-message]").TextContent));
        }

        Assert.Equal("Ready to schedule", Status(page));
        Assert.Equal(3, page.FindAll("[data-testid=consent-ledger] tbody tr").Count);
        Assert.Empty(page.FindAll("[data-testid=consent-needed]"));
        var timeline = page.Find("[data-testid=timeline]").TextContent;
        Assert.Contains("Suitability assessed: suitable", timeline);
        Assert.Contains("Awaiting consent → Ready to schedule", timeline);
    }

    [Fact]
    public async Task A_concurrent_edit_is_refused_keeping_what_the_user_typed_and_saves_after_loading_the_latest_version()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        var page = Open(id);

        await Button(page, "Change the case details").ClickAsync(new());
        page.Find("#field-Description").Change("My account of what happened");
        page.Find("#field-Location-elsewhere").Change("elsewhere");
        // Someone else saves first.
        var current = (await Cases.Repository.GetAsync(id, officer.Id))!;
        var theirs = new CaseEdit { Description = "Their account", Location = current.Location, OutcomeRoute = "outcome_22" };
        Assert.Equal(SaveOutcome.Saved, (await Cases.Changes.EditAsync(id, theirs, current.Version, TestCases.Principal(officer.Id, Roles.Referrer))).Outcome);

        await Button(page, "Save changes").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Someone else changed this case while you were editing", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Equal("My account of what happened", page.Find("#field-Description").GetAttribute("value"));
        Assert.True(page.Find("#field-Location-elsewhere").HasAttribute("checked"));
        Assert.Equal("Their account", (await Cases.Repository.GetAsync(id, officer.Id))!.Description);

        await Button(page, "Load the latest version of the case").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Outcome 22", page.Markup));
        Assert.Equal("My account of what happened", page.Find("#field-Description").GetAttribute("value"));
        await Button(page, "Save changes").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("The case details have been saved.", page.Find("[data-testid=case-message]").TextContent));
        var saved = (await Cases.Repository.GetAsync(id, officer.Id))!;
        Assert.Equal("My account of what happened", saved.Description);
        Assert.Equal("elsewhere", saved.Location);
    }

    [Fact]
    public async Task A_case_outside_the_users_scope_is_not_found_like_a_missing_one_and_is_audited()
    {
        await SetUpAsync();
        var (id, reference) = await NewCaseAsync();
        var other = await UserAsync("pc.smith@example.org", [Roles.Referrer], "Hackney/Haggerston");
        SignIn(other, Roles.Referrer);

        var outside = Open(id);
        var missing = Open(Guid.NewGuid());

        Assert.Equal("Case not found", outside.Find("h1").TextContent);
        Assert.Equal(missing.Markup, outside.Markup);
        Assert.DoesNotContain(reference, outside.Markup);
        await using var connection = await Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = @id", new { id = id.ToString() }));
    }

    [Fact]
    public async Task A_youth_justice_reviewer_reads_the_case_without_forms()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        var reviewer = await UserAsync("yj@example.org", [Roles.YouthJusticeReviewer], "Newham/Langdon Park");
        SignIn(reviewer, Roles.YouthJusticeReviewer);

        var page = Open(id);

        Assert.Equal("Referred", Status(page));
        Assert.Empty(page.FindAll("button"));
        Assert.Contains("They should be offered it by 22 June 2026", page.Find("[data-testid=victim-contact]").TextContent);
    }

    [Fact]
    public async Task Warns_when_the_harmed_party_was_not_offered_restorative_justice_within_5_working_days()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        Clock.Advance(TimeSpan.FromDays(8));

        var page = Open(id);

        Assert.Contains("The harmed party has not been offered restorative justice within 5 working days of the referral (due by 22 June 2026)",
            page.Find("[data-testid=victim-contact-warning]").TextContent);
    }

    [Fact]
    public async Task The_warning_clears_when_the_harmed_partys_consent_is_recorded_and_the_panel_says_when_they_were_offered_it()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        Clock.Advance(TimeSpan.FromDays(8));
        var page = Open(id);
        Assert.NotEmpty(page.FindAll("[data-testid=victim-contact-warning]"));
        var harmed = (await Cases.Repository.GetAsync(id, officer.Id))!.Parties.Single(p => p.PartyRole == "harmed");

        await RecordConsent(page, harmed.Id);

        page.WaitForAssertion(() => Assert.Contains("The harmed party was first offered restorative justice on 12 June 2026", page.Find("[data-testid=victim-contact]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=victim-contact-warning]"));
    }

    [Fact]
    public async Task A_party_is_corrected_on_the_case_page_and_a_stale_correction_keeps_what_was_typed()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync(new TestReferral(school, OffenceDate) { FirstName = "Amara", LastName = "Osie" });
        SignIn(officer, OfficerRoles);
        var page = Open(id);

        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Change the details of Amara Osie").ClickAsync(new());
        page.Find("#field-Party-LastName").Change("");
        await page.Find("form[aria-labelledby=party-form-title]").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("Enter the last name", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Contains("Enter the last name", page.Find("#field-Party-LastName-error").TextContent);

        // Someone else saves a change to the case meanwhile: the correction is refused and stays in the form.
        var details = (await Cases.Repository.GetAsync(id, officer.Id))!;
        await Cases.Changes.EditAsync(id, new CaseEdit { Description = "Changed elsewhere", Location = details.Location, OutcomeRoute = details.OutcomeRoute },
            details.Version, TestCases.Principal(officer.Id, OfficerRoles));
        page.Find("#field-Party-LastName").Change("Osei");
        await page.Find("form[aria-labelledby=party-form-title]").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("Someone else changed this case", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Equal("Osei", page.Find("#field-Party-LastName").GetAttribute("value"));

        await Button(page, "Load the latest version of the case").ClickAsync(new());
        await page.Find("form[aria-labelledby=party-form-title]").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("The details have been saved.", page.Find("[data-testid=case-message]").TextContent));
        Assert.Contains("Amara Osei", page.Find("[data-testid=parties]").TextContent);
        Assert.Contains("Details corrected: young person responsible", page.Find("[data-testid=timeline]").TextContent);
    }

    private async Task GiveEveryConsentAsync(Guid id)
    {
        var principal = TestCases.Principal(officer.Id, OfficerRoles);
        await Cases.Changes.RecordSuitabilityAsync(id, new SuitabilityForm
        {
            RiskToParties = "Low", PowerImbalance = "None", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "An apology", Outcome = "suitable",
        }, principal);
        foreach (var party in (await Cases.Repository.GetAsync(id, officer.Id))!.Parties)
        {
            await Cases.Changes.RecordConsentAsync(id, new ConsentForm
            {
                PartyId = party.Id, Purpose = "take_part", Decision = "given", DecidedOn = TestCases.Date(new DateOnly(2026, 6, 12)), Method = "written",
            }, principal);
        }
    }

    [Fact]
    public async Task Withdrawing_a_consent_asks_for_the_date_and_moves_a_ready_case_back_to_awaiting_consent()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        await GiveEveryConsentAsync(id);
        SignIn(officer, OfficerRoles);
        var page = Open(id);
        Assert.Equal("Ready to schedule", Status(page));

        await page.FindAll("[data-testid=consent-ledger] button").Single(b => b.TextContent.Contains("Jo Bell")).ClickAsync(new());
        Assert.Contains("Withdraw the consent of Jo Bell for taking part in a conference", page.Find("#withdraw-consent-title").TextContent);
        Date(page, "WithdrawnOn", new DateOnly(2026, 6, 11));
        await Button(page, "Confirm withdrawal").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Date consent was withdrawn must be on or after the date it was given",
            page.Find("[data-testid=error-summary]").TextContent));

        Date(page, "WithdrawnOn", new DateOnly(2026, 6, 14));
        await Button(page, "Confirm withdrawal").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Awaiting consent", Status(page)));
        // The consents were recorded at the same (fake) instant, so their order in the ledger is not fixed: find Jo Bell's row.
        Assert.Contains("14 June 2026", page.FindAll("[data-testid=consent-ledger] tbody tr").Single(r => r.TextContent.Contains("Jo Bell")).TextContent);
        Assert.Contains("Jo Bell", page.Find("[data-testid=consent-needed]").TextContent);
        Assert.Equal(2, page.FindAll("[data-testid=consent-ledger] button").Count);
    }

    [Fact]
    public async Task A_refused_consent_to_take_part_withdraws_the_case_and_shows_details_removed()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        var harmed = (await Cases.Repository.GetAsync(id, officer.Id))!.Parties.Single(p => p.PartyRole == "harmed");
        SignIn(officer, OfficerRoles);
        var page = Open(id);

        await Button(page, "Record consent").ClickAsync(new());
        page.Find("#field-PartyId").Change(harmed.Id.ToString());
        page.Find("#field-Purpose").Change("take_part");
        page.Find("#field-Decision-refused").Change("refused");
        page.WaitForAssertion(() => Assert.Contains("the case is withdrawn", page.Find("[data-testid=refusal-warning]").TextContent));
        Date(page, "DecidedOn", new DateOnly(2026, 6, 12));
        page.Find("#field-Method").Change("in_person");
        await page.Find("form[aria-labelledby=consent-form-title]").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("Withdrawn", Status(page)));
        Assert.Contains("The refusal of consent for taking part in a conference has been recorded.", page.Find("[data-testid=case-message]").TextContent);
        Assert.Contains("Details removed", page.FindAll("[data-testid=parties] tbody tr")[1].TextContent);
        Assert.DoesNotContain("Jo Bell", page.Markup);
        Assert.DoesNotContain("01632 960 002", page.Markup);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() is "Record consent" or "Withdraw the case" or "Record a suitability assessment");
    }

    [Fact]
    public async Task Withdrawing_the_case_needs_a_reason_and_then_shows_it()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        var page = Open(id);

        await Button(page, "Withdraw the case").ClickAsync(new());
        await Button(page, "Withdraw case").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Give the reason the case is withdrawn", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Contains("Give the reason the case is withdrawn", page.Find("#field-WithdrawReason-error").TextContent);

        page.Find("#field-WithdrawReason").Change("The school dealt with it internally after all.");
        await Button(page, "Withdraw case").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Withdrawn", Status(page)));
        Assert.Contains("The school dealt with it internally after all.", page.Markup);
        Assert.Contains("Referred → Withdrawn", page.Find("[data-testid=timeline]").TextContent);
    }

    [Fact]
    public async Task Links_the_earlier_and_later_referrals_of_the_same_young_person()
    {
        await SetUpAsync();
        var dateOfBirth = new DateOnly(2012, 3, 4);
        var (first, firstReference) = await NewCaseAsync(new TestReferral(school, new DateOnly(2026, 5, 1)) { DateOfBirth = dateOfBirth });
        Clock.Advance(TimeSpan.FromDays(1));
        var (second, secondReference) = await NewCaseAsync(new TestReferral(school, OffenceDate) { DateOfBirth = dateOfBirth });
        await NewCaseAsync(new TestReferral(school, OffenceDate) { DateOfBirth = dateOfBirth.AddDays(1) });
        SignIn(officer, OfficerRoles);

        var page = Open(second);
        var previous = page.Find("[data-testid=previous-referrals]");
        Assert.Contains("Previous referrals of this young person", previous.TextContent);
        Assert.DoesNotContain("Later referrals", previous.TextContent);
        var link = previous.QuerySelectorAll("a").Single();
        Assert.Equal(firstReference, link.TextContent);
        Assert.Equal($"cases/{first}", link.GetAttribute("href"));

        var earlier = Open(first);
        Assert.Contains("Later referrals of this young person", earlier.Find("[data-testid=previous-referrals]").TextContent);
        Assert.Equal(secondReference, earlier.Find("[data-testid=previous-referrals] a").TextContent);
    }

    [Fact]
    public async Task Opening_the_case_is_audited_once_as_consult()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);

        Open(id);

        await using var connection = await Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_events WHERE action = 'consult' AND entity_id = @id AND user_id = @user",
            new { id = id.ToString(), user = officer.Id.ToString() }));
    }

    [Fact]
    public async Task A_change_saved_on_the_case_page_is_audited_as_alter_and_the_reload_after_it_is_not_a_second_consult()
    {
        await SetUpAsync();
        var (id, _) = await NewCaseAsync();
        SignIn(officer, OfficerRoles);
        var page = Open(id);
        await using var connection = await Database.Db.OpenAsync();
        var harmed = await connection.ExecuteScalarAsync<string>("SELECT id FROM parties WHERE case_id = @id AND party_role = 'harmed'", new { id = id.ToString() });
        var audited = "SELECT count(*) FROM audit_events WHERE action = @action AND entity_type = 'case' AND entity_id = @id AND user_id = @user";

        await RecordConsent(page, Guid.Parse(harmed!));

        page.WaitForAssertion(() => Assert.Contains("has been recorded", page.Find("[data-testid=case-message]").TextContent));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(audited, new { action = "consult", id = id.ToString(), user = officer.Id.ToString() }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(audited, new { action = "alter", id = id.ToString(), user = officer.Id.ToString() }));

        // Opening the case again is a new opening: audited again.
        Open(id);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>(audited, new { action = "consult", id = id.ToString(), user = officer.Id.ToString() }));
    }
}
