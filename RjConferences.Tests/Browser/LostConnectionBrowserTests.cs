using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// The database stops while a user is working (a crash, or an operator's restart) and comes back: what the user sees in
/// the browser. The app runs on a PostgreSQL server of the test's own, which the test stops and starts.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LostConnectionBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_page_opened_while_the_database_is_down_says_so_keeps_the_user_signed_in_and_loads_once_it_is_back()
    {
        await using var server = await PrivatePostgres.StartAsync();
        var db = new Db(server.ConnectionString, DatabaseProvider.Postgres);
        await new Migrator(db, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync();
        // Monday 15 June 2026, 10:00 in London.
        using var app = new AppHost(clock: new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero)), settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = server.ConnectionString,
            [DataServices.ProviderKey] = nameof(DatabaseProvider.Postgres),
        });
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(db, "Newham/Langdon Park");
        var (_, reference) = await new TestReferral(school, new DateOnly(2026, 6, 10)).SaveAsync(app.Services.GetRequiredService<ReferralService>(), officer.Id);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoInteractiveAsync("/cases");
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");

        await server.StopServerAsync();

        // The case cannot be read: the page says why, in place, and the user is still signed in with the app around it.
        await page.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The database could not be reached", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Nothing you have saved is lost")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        // Another page fails the same way, and the connection to the app (the circuit) is not lost over it.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cases" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The database could not be reached", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main[data-interactive='true']")).ToHaveCountAsync(1);

        await server.StartServerAsync();

        // Trying again reads the page anew: the list, then the case.
        await page.GetByRole(AriaRole.Link, new() { Name = "Try again" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");
        await page.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Case {reference}", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The database could not be reached" })).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
    }
}
