using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>The case page's forms as a referrer and facilitator uses them, on Monday 15 June 2026.</summary>
[Collection(BrowserCollection.Name)]
public class CaseFormsBrowserTests(BrowserFixture browser) : IDisposable
{
    private static readonly DateOnly OffenceDate = new(2026, 6, 12);

    private readonly AppHost app = new(clock: new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero)));

    public void Dispose() => app.Dispose();

    private async Task<(TestUser Officer, Guid CaseId, string Reference)> CaseAsync(string firstName = "Amara", string lastName = "Osei")
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var (id, reference) = await new TestReferral(school, OffenceDate) { FirstName = firstName, LastName = lastName, Gender = "female" }
            .SaveAsync(app.Services.GetRequiredService<ReferralService>(), officer.Id);
        return (officer, id, reference);
    }

    private async Task<long> CountAsync(string sql, object parameters)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    [Fact]
    public async Task Double_clicking_save_assessment_records_one_assessment()
    {
        var (officer, caseId, reference) = await CaseAsync();
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoAsync($"cases/{caseId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Case {reference}", Level = 1 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Record a suitability assessment" }).ClickAsync();
        await page.GetByLabel("Risk to either party").FillAsync("Low: they are in different forms");
        await page.GetByLabel("Power imbalance between the parties").FillAsync("None seen");
        await page.GetByLabel("The young person's acceptance of responsibility").FillAsync("Accepts it fully and is sorry");
        await page.GetByLabel("The harmed party's wishes").FillAsync("Wants an apology");
        await page.GetByLabel("Suitable", new() { Exact = true }).CheckAsync();
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save assessment" }).ClickAsync(new() { ClickCount = 5, Delay = 0 });

        await Assertions.Expect(page.GetByTestId("case-message")).ToContainTextAsync("The suitability assessment has been recorded.");
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Awaiting consent");
        // The circuit handles events in order: once this next click is answered, every earlier click has been.
        await page.GetByRole(AriaRole.Button, new() { Name = "Record a suitability assessment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save assessment" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId }));
        await Assertions.Expect(page.GetByTestId("timeline")).ToContainTextAsync("Suitability assessed: suitable");
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM case_events WHERE case_id = @caseId AND summary = 'Suitability assessed: suitable'", new { caseId }));
        await Assertions.Expect(page.GetByTestId("latest-assessment")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_misspelt_name_is_corrected_on_the_case_page_and_the_case_is_found_by_the_new_name()
    {
        var (officer, caseId, reference) = await CaseAsync("Amara", "Osie");
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoAsync($"cases/{caseId}");
        await Assertions.Expect(page.GetByTestId("parties")).ToContainTextAsync("Amara Osie");

        await page.GetByRole(AriaRole.Button, new() { Name = "Change the details of Amara Osie" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Change the details of Amara Osie (young person responsible)" });
        await Assertions.Expect(form).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await form.GetByLabel("Last name").FillAsync("");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Enter the last name");
        await page.AssertAccessibleAsync();
        await form.GetByLabel("Last name").FillAsync("Osei");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("case-message")).ToContainTextAsync("The details have been saved.");
        await Assertions.Expect(page.GetByTestId("parties")).ToContainTextAsync("Amara Osei");
        await Assertions.Expect(page.GetByTestId("parties")).Not.ToContainTextAsync("Amara Osie"); // her parent is still Grace Osie
        await Assertions.Expect(page.GetByTestId("timeline")).ToContainTextAsync("Details corrected: young person responsible");
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cases" }).ClickAsync();
        await page.GetByLabel("Search by case reference or young person's name").FillAsync("osei");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Amara Osei" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }
}
