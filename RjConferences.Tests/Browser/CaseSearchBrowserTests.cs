using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class CaseSearchBrowserTests(BrowserFixture browser) : IDisposable
{
    // Monday 15 June 2026, 10:00 in London.
    private readonly AppHost app = new(clock: new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero)));

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task A_name_typed_without_accents_or_with_another_apostrophe_finds_a_double_barrelled_surname()
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var referrals = app.Services.GetRequiredService<ReferralService>();
        var offence = new DateOnly(2026, 6, 10);
        var (_, reference) = await new TestReferral(school, offence) { FirstName = "Şükrü", LastName = "Nguyễn-O'Brien" }.SaveAsync(referrals, officer.Id);
        await new TestReferral(school, offence) { FirstName = "Obi", LastName = "Okafor" }.SaveAsync(referrals, officer.Id);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoInteractiveAsync("/cases");
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("2 cases match.");

        foreach (var typed in new[] { "o'b", "O’B", "nguyen", "suk" })
        {
            await page.GetByLabel("Search by case reference or young person's name").FillAsync(typed);
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Şükrü Nguyễn-O'Brien" })).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        }
        await page.AssertAccessibleAsync();
    }
}
