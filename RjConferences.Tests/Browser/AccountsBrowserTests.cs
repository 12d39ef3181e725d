using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class AccountsBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private static ILocator MainNav(IPage page) => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    [Fact]
    public async Task The_first_administrator_sets_up_the_app_and_creates_a_referrer_who_sees_only_referrer_navigation()
    {
        var token = app.Services.GetRequiredService<FirstRunSetup>().IssuedToken!;
        var page = await browser.NewPageAsync(app);

        // 1. The one-time setup link creates the first Administrator.
        await page.GotoAsync($"/setup?token={token}");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Full name").FillAsync("Ada Admin");
        await page.GetByLabel("Email address").FillAsync("ada@rj.example");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("ada's long passphrase");
        await page.GetByLabel("Confirm password").FillAsync("ada's long passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await page.AssertAccessibleAsync();

        // 2. Sign out and sign in again with the new account.
        await page.SignOutAsync();
        await page.SignInAsync("ada@rj.example", "ada's long passphrase", checkAccessibility: true);
        await Assertions.Expect(MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();

        // 3. Create a Referrer for one school; a missing name is refused at the field first.
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a user" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create a user" })).ToBeVisibleAsync();
        await page.GetByLabel("Email address").FillAsync("rita@school.example");
        await page.GetByLabel("Referrer").CheckAsync();
        await page.GetByText("Newham", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("Langdon Park, Newham").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Enter the person's full name");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Full name").FillAsync("Rita Referrer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        var shown = page.GetByTestId("one-time-password");
        await Assertions.Expect(shown).ToContainTextAsync("Rita Referrer can now sign in");
        var oneTimePassword = (await shown.Locator("code").TextContentAsync())!.Trim();
        await page.AssertAccessibleAsync();

        // 4. The Referrer signs in, must choose a password, and sees the Referrer's navigation only.
        await page.SignOutAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email address").FillAsync("rita@school.example");
        await page.GetByLabel("Password").FillAsync(oneTimePassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change your password" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Current password").FillAsync(oneTimePassword);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("rita's own long passphrase");
        await page.GetByLabel("Confirm new password").FillAsync("rita's own long passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Your password has been changed")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the home page" }).ClickAsync();
        await page.WaitForInteractiveAsync();

        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync("Rita Referrer");
        await Assertions.Expect(MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Schools" })).ToBeVisibleAsync();
        await Assertions.Expect(MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        await Assertions.Expect(MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        // 5. The administration pages are refused to her.
        await page.GotoAsync("/admin/users");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You cannot open this page" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        // One refusal, audited once (the refusal is rendered with the response, not again by a circuit).
        await using var connection = await app.Database.Db.OpenAsync();
        Assert.Equal(1L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
            "SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_type = 'page' AND entity_id = '/admin/users'"));
    }
}
