using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class CaseBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private DateOnly Today => LondonTime.Today(app.Time);

    /// <summary>A Referrer and Facilitator of Langdon Park with two cases: Amara Osei's and Leon Walsh's.</summary>
    private async Task<(TestUser Officer, string Reference)> TwoCasesAsync()
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var referrals = app.Services.GetRequiredService<ReferralService>();
        var offence = Today.AddDays(-1);
        var (_, reference) = await new TestReferral(school, offence) { FirstName = "Amara", LastName = "Osei", Gender = "female" }.SaveAsync(referrals, officer.Id);
        await new TestReferral(school, offence) { FirstName = "Leon", LastName = "Walsh" }.SaveAsync(referrals, officer.Id);
        return (officer, reference);
    }

    private static ILocator Status(IPage page) => page.GetByTestId("case-status");

    private static async Task FillDateAsync(IPage page, string legend, DateOnly date)
    {
        var group = page.GetByRole(AriaRole.Group, new() { Name = legend });
        await group.GetByLabel("Day").FillAsync(date.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await group.GetByLabel("Month").FillAsync(date.Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await group.GetByLabel("Year").FillAsync(date.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task RecordConsentAsync(IPage page, string party)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Record consent" }).ClickAsync();
        await page.GetByLabel("Whose consent").SelectOptionAsync(new SelectOptionValue { Label = party });
        await page.GetByLabel("Taking part in a conference").CheckAsync();
        await page.GetByLabel("Given", new() { Exact = true }).CheckAsync();
        await FillDateAsync(page, "Date of the decision", Today);
        await page.GetByLabel("By phone").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save consent" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-message")).ToContainTextAsync("has been recorded");
    }

    [Fact]
    public async Task A_referrer_and_facilitator_finds_a_case_by_name_assesses_it_records_every_consent_and_sees_it_ready_to_schedule()
    {
        var (officer, reference) = await TwoCasesAsync();
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);

        // The list: both cases, then a search by the young person's name finds one; the name stays out of the URL.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cases" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cases", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("2 cases match.");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Search by case reference or young person's name").FillAsync("amara os");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Amara Osei" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Leon Walsh" })).ToHaveCountAsync(0);
        Assert.DoesNotContain("amara", page.Url, StringComparison.OrdinalIgnoreCase);
        await page.AssertAccessibleAsync();
        await page.AssertFitsAPhoneAsync("case-list");

        // The case page.
        await page.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Case {reference}", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveTitleAsync($"Case {reference} – RjConferences");
        await Assertions.Expect(Status(page)).ToHaveTextAsync("Referred");
        await Assertions.Expect(page.GetByTestId("parties")).ToContainTextAsync("Amara Osei");
        await page.AssertAccessibleAsync();

        // The suitability assessment: the missing answers first, then a suitable one.
        await page.GetByRole(AriaRole.Button, new() { Name = "Record a suitability assessment" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save assessment" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Describe the risk to either party");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Risk to either party").FillAsync("Low: they are in different forms");
        await page.GetByLabel("Power imbalance between the parties").FillAsync("None seen");
        await page.GetByLabel("The young person's acceptance of responsibility").FillAsync("Accepts it fully and is sorry");
        await page.GetByLabel("The harmed party's wishes").FillAsync("Wants an apology and to feel safe");
        await page.GetByLabel("Suitable", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save assessment" }).ClickAsync();
        await Assertions.Expect(Status(page)).ToHaveTextAsync("Awaiting consent");

        // The three consents: the young person, the harmed pupil and the parent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Record consent" }).ClickAsync();
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await RecordConsentAsync(page, "Amara Osei – young person responsible");
        await RecordConsentAsync(page, "Jo Bell – harmed party (a pupil)");
        await Assertions.Expect(Status(page)).ToHaveTextAsync("Awaiting consent");
        await RecordConsentAsync(page, "Grace Osei – parent");

        await Assertions.Expect(Status(page)).ToHaveTextAsync("Ready to schedule");
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline).ToContainTextAsync("Referral recorded: eligible for a conference");
        await Assertions.Expect(timeline).ToContainTextAsync("Suitability assessed: suitable");
        await Assertions.Expect(timeline).ToContainTextAsync("Consent given for taking part in a conference");
        await Assertions.Expect(timeline).ToContainTextAsync("Awaiting consent → Ready to schedule");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Row)).ToHaveCountAsync(7);
        await Assertions.Expect(page.GetByTestId("consent-ledger").GetByRole(AriaRole.Row)).ToHaveCountAsync(4);
        await page.AssertAccessibleAsync();
        // On a phone its tables (parties, consents, timeline) scroll each in its own box, with their hidden button labels.
        await page.AssertFitsAPhoneAsync("case-ready-to-schedule");
    }

    [Fact]
    public async Task A_user_of_another_school_who_opens_the_case_address_sees_case_not_found()
    {
        var (officer, reference) = await TwoCasesAsync();
        var other = await TestUsers.CreateAsync(app.Services, "pc.smith@school.example", [Roles.Referrer], ["Hackney/Haggerston"]);
        var owner = await browser.NewPageAsync(app);
        await owner.SignInAsync(officer);
        await owner.GotoInteractiveAsync("/cases");
        var address = "/" + await owner.GetByRole(AriaRole.Link, new() { Name = reference }).GetAttributeAsync("href");
        await owner.GotoInteractiveAsync(address);
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = $"Case {reference}" })).ToBeVisibleAsync();
        // Opened once by its address: one consult in the audit log, not a second one for the prerendered page.
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM audit_events WHERE action = 'consult' AND entity_id = @id", new { id = address.Split('/')[^1] }));
        }

        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(other);
        await page.GotoInteractiveAsync(address);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Case not found", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(reference)).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        await page.GotoInteractiveAsync("/cases");
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("No cases match.");
        await page.AssertAccessibleAsync();
    }
}
