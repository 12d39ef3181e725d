using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// Long text reaches the server whole (the hub's message size fits the largest box the browser takes), a box over
/// its limit says by how much and is refused on save with nothing else lost, and error-summary links move focus.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LongTextBrowserTests(BrowserFixture browser) : IDisposable
{
    private static readonly DateOnly Today = new(2026, 6, 15);

    private readonly AppHost app = new(clock: new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero)));

    public void Dispose() => app.Dispose();

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static ILocator Summary(IPage page) => page.GetByTestId("error-summary");

    /// <summary>A referrer and facilitator of Langdon Park on the case page of a new referral, signed in.</summary>
    private async Task<(IPage Page, Guid CaseId)> CasePageAsync()
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var (caseId, _) = await new TestReferral(school, Today.AddDays(-1)).SaveAsync(app.Services.GetRequiredService<ReferralService>(), officer.Id);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        return (page, caseId);
    }

    [Fact]
    public async Task A_paste_of_20000_characters_into_risk_to_either_party_is_counted_refused_on_save_and_loses_nothing_else()
    {
        var (page, caseId) = await CasePageAsync();
        await Button(page, "Record a suitability assessment").ClickAsync();
        var risk = page.GetByLabel("Risk to either party");
        await page.GetByLabel("The young person's acceptance of responsibility").FillAsync("Accepts it fully and is sorry");
        await page.GetByLabel("The harmed party's wishes").FillAsync("Wants an apology and to feel safe");

        await risk.FillAsync(string.Concat(Enumerable.Repeat("Risk of retaliation at break time. ", 572)) + "Low."); // 20,024 characters
        await Assertions.Expect(page.Locator("#field-RiskToParties-count")).ToHaveTextAsync("You have 18,024 characters too many");
        // The box keeps the whole paste for the user to shorten.
        Assert.Equal(20_024, (await risk.InputValueAsync()).Length);
        // Typing on after the paste still reaches the server (the connection held): this field's text is saved below.
        await page.GetByLabel("Power imbalance between the parties").FillAsync("None seen");
        await page.GetByLabel("Suitable", new() { Exact = true }).CheckAsync();
        await Button(page, "Save assessment").ClickAsync();

        // The server had the long text: it says it is too long, not that it is missing.
        await Assertions.Expect(Summary(page)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("There is a problem\\s*Risk to either party must be 2,000 characters or fewer$"));
        await Assertions.Expect(page.Locator("#field-RiskToParties-error")).ToContainTextAsync("Risk to either party must be 2,000 characters or fewer");
        await Assertions.Expect(page.GetByLabel("Power imbalance between the parties")).ToHaveValueAsync("None seen");
        await Assertions.Expect(page.GetByLabel("The harmed party's wishes")).ToHaveValueAsync("Wants an apology and to feel safe");
        await Assertions.Expect(page.GetByLabel("Suitable", new() { Exact = true })).ToBeCheckedAsync();
        Assert.Equal(20_024, (await risk.InputValueAsync()).Length);
        await page.AssertAccessibleAsync();
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", caseId));

        // Shortened to the limit, it saves.
        await risk.FillAsync(new string('r', CaseChanges.MaxAssessmentText));
        await Assertions.Expect(page.Locator("#field-RiskToParties-count")).ToHaveTextAsync("You have 0 characters remaining");
        await Button(page, "Save assessment").ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Awaiting consent");
        Assert.Equal(1, await CountAsync("""
            SELECT count(*) FROM suitability_assessments
            WHERE case_id = @caseId AND length(risk_to_parties) = 2000 AND power_imbalance = 'None seen'
            """, caseId));
    }

    [Fact]
    public async Task The_largest_text_the_browser_takes_in_its_most_expensive_characters_reaches_the_server()
    {
        var (page, caseId) = await CasePageAsync();
        await Button(page, "Record a suitability assessment").ClickAsync();
        var risk = page.GetByLabel("Risk to either party");
        Assert.Equal(TextLimits.BrowserMaximum.ToString(CultureInfo.InvariantCulture), await risk.GetAttributeAsync("maxlength"));

        // Characters JSON writes as \u0001 (6 bytes each), up to the box's bound; a longer paste stops there.
        await risk.FillAsync(new string('\u0001', TextLimits.BrowserMaximum + 10));
        Assert.Equal(TextLimits.BrowserMaximum, (await risk.InputValueAsync()).Length);
        await page.GetByLabel("Power imbalance between the parties").FillAsync("None seen");
        await Button(page, "Save assessment").ClickAsync();

        await Assertions.Expect(Summary(page)).ToContainTextAsync("Risk to either party must be 2,000 characters or fewer");
        await Assertions.Expect(Summary(page)).Not.ToContainTextAsync("Describe the risk to either party");
        await Assertions.Expect(Summary(page)).Not.ToContainTextAsync("Describe any power imbalance");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", caseId));
    }

    [Fact]
    public async Task What_happened_with_10000_accented_letters_is_counted_refused_and_the_rest_of_the_step_stays_as_typed()
    {
        var user = await TestUsers.CreateAsync(app.Services, "rita@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(user);
        await page.GotoInteractiveAsync("/referrals/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The offence", Level = 1 })).ToBeVisibleAsync();

        var description = page.GetByLabel("What happened");
        await Assertions.Expect(page.Locator("#field-Description-count")).ToHaveTextAsync("You have 5,000 characters remaining");
        await description.FillAsync(new string('é', 10_000));
        await Assertions.Expect(page.Locator("#field-Description-count")).ToHaveTextAsync("You have 5,000 characters too many");
        await page.GetByLabel("On school premises").CheckAsync();
        var date = page.GetByRole(AriaRole.Group, new() { Name = "Date of the offence", Exact = true });
        await date.GetByLabel("Day").FillAsync("14");
        await date.GetByLabel("Month").FillAsync("6");
        await date.GetByLabel("Year").FillAsync("2026");
        await page.GetByLabel("Time", new() { Exact = true }).FillAsync("13:15");
        await page.GetByLabel("Offence category").SelectOptionAsync(new SelectOptionValue { Label = "Minor assault" });
        await page.GetByLabel("1 – Very minor").CheckAsync();
        await Button(page, "Continue").ClickAsync();

        await Assertions.Expect(Summary(page)).ToContainTextAsync("What happened must be 5,000 characters or fewer (it is 10,000)");
        await Assertions.Expect(Summary(page).GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByLabel("Time", new() { Exact = true })).ToHaveValueAsync("13:15");
        await Assertions.Expect(page.GetByLabel("On school premises")).ToBeCheckedAsync();
        await page.AssertAccessibleAsync();

        await description.FillAsync(new string('é', 5_000));
        await Button(page, "Continue").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "School matter or police matter", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_error_summary_takes_focus_and_its_links_move_focus_into_the_field_the_first_radio_and_the_day_of_a_date()
    {
        var (page, _) = await CasePageAsync();
        await Button(page, "Record a suitability assessment").ClickAsync();
        await Button(page, "Save assessment").ClickAsync();
        await Assertions.Expect(Summary(page)).ToBeFocusedAsync();
        await page.AssertAccessibleAsync();

        await Summary(page).GetByRole(AriaRole.Link, new() { Name = "Describe the harmed party's wishes" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("The harmed party's wishes")).ToBeFocusedAsync();
        await Summary(page).GetByRole(AriaRole.Link, new() { Name = "Choose suitable or not suitable" }).ClickAsync();
        await Assertions.Expect(page.Locator("#field-Outcome")).ToBeFocusedAsync();
        // Typing goes into the field the link led to.
        await Summary(page).GetByRole(AriaRole.Link, new() { Name = "Describe the risk to either party" }).ClickAsync();
        await page.Keyboard.TypeAsync("Low");
        await Assertions.Expect(page.GetByLabel("Risk to either party")).ToHaveValueAsync("Low");
        await Button(page, "Cancel").ClickAsync();

        // A date: the link leads to its day box, by keyboard too.
        await Button(page, "Record consent").ClickAsync();
        await Button(page, "Save consent").ClickAsync();
        await Assertions.Expect(Summary(page)).ToBeFocusedAsync();
        var dateLink = Summary(page).Locator("a[href$='#field-DecidedOn']");
        await dateLink.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var day = page.GetByRole(AriaRole.Group, new() { Name = "Date of the decision" }).GetByLabel("Day");
        await Assertions.Expect(day).ToBeFocusedAsync();
        await page.AssertAccessibleAsync();
    }

    private async Task<long> CountAsync(string sql, Guid caseId)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { caseId });
    }
}
