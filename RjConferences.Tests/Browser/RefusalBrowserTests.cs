using System.Data.Common;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Security.Account;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// In Chromium, the three refusals a user meets when the app will not do what they asked, each at a desktop width and at a
/// phone's (320 px): a tab over Limits:CircuitsPerUser (2 here), a case whose opening cannot be audited, and a sign-in that
/// cannot be recorded (503 with Retry-After). The database's write lock is held by another connection, as a long job or a
/// stuck instance would (as <see cref="RjConferences.Tests.Operations.LockTimeoutTests"/> does), with a lock timeout of
/// 300 ms, so each refusal comes at once; on both providers. With RJ_SCREENSHOTS set to a folder, each refusal is saved there.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RefusalBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new(settings: new Dictionary<string, string?>
    {
        ["Limits:CircuitsPerUser"] = "2",
        [DataServices.LockTimeoutKey] = "300",
    });

    public void Dispose() => app.Dispose();

    private Task<TestUser> OfficerAsync() =>
        TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);

    /// <summary>
    /// Another connection that holds the lock an audit event needs until disposed: on SQLite the single write lock, on
    /// PostgreSQL the audit chain's advisory lock.
    /// </summary>
    private Task<DbConnection> HoldAuditLockAsync() => app.Database.HoldLockAsync(DbLock.AuditChain);

    /// <summary>
    /// Checks the page as it is at a desktop width and at a narrow phone's (320 px): axe finds nothing serious, and nothing is wider
    /// than the phone's screen. Saves a screenshot of each when RJ_SCREENSHOTS names a folder.
    /// </summary>
    private static async Task AssertFitsAsync(IPage page, string name)
    {
        await page.AssertAccessibleAsync();
        await page.ScreenshotIfAskedAsync(name);
        await page.AssertFitsAPhoneAsync(name);
    }

    [Fact]
    public async Task A_tab_over_the_limit_says_so_and_a_tab_opened_after_closing_another_works()
    {
        var officer = await OfficerAsync();
        var open = app.Services.GetRequiredService<OpenCircuits>();
        var first = await browser.NewPageAsync(app);
        await first.SignInAsync(officer);
        var second = await first.Context.NewPageAsync();
        await second.GotoInteractiveAsync("/cases");
        Assert.Equal(2, open.Of(officer.Id));

        var third = await first.Context.NewPageAsync();
        await third.GotoAsync("/cases");
        await Assertions.Expect(third.GetByRole(AriaRole.Heading, new() { Name = "Too many tabs open", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(third.GetByTestId("circuit-refused")).ToContainTextAsync("You already have 2 RjConferences tabs or windows open");
        await Assertions.Expect(third).ToHaveTitleAsync("Too many tabs open – RjConferences");
        await Assertions.Expect(third.GetByTestId("case-count")).ToHaveCountAsync(0); // no page behind it
        await AssertFitsAsync(third, "refusal-too-many-tabs");

        // Closing a tab frees its place; the refused tab, reloaded as it says, shows its page.
        await first.CloseAsync();
        for (var i = 0; i < 50 && open.Of(officer.Id) != 1; i++) await Task.Delay(100);
        Assert.Equal(1, open.Of(officer.Id));
        await third.GetByRole(AriaRole.Button, new() { Name = "Reload this page" }).ClickAsync();
        await third.WaitForInteractiveAsync();
        await Assertions.Expect(third.GetByTestId("case-count")).ToBeVisibleAsync();
        await Assertions.Expect(third.GetByTestId("circuit-refused")).ToHaveCountAsync(0);
        Assert.Equal(2, open.Of(officer.Id));
    }

    [Fact]
    public async Task A_case_whose_opening_cannot_be_recorded_is_not_shown_and_try_again_shows_it_once_writing_works()
    {
        var officer = await OfficerAsync();
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var (caseId, reference) = await new TestReferral(school, LondonTime.Today(app.Time).AddDays(-1)) { FirstName = "Amara", LastName = "Osei" }
            .SaveAsync(app.Services.GetRequiredService<ReferralService>(), officer.Id);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        const string consults = "SELECT count(*) FROM audit_events WHERE action = 'consult' AND entity_id = @id";

        await using (await HoldAuditLockAsync())
        {
            await page.GotoInteractiveAsync($"/cases/{caseId}");
            await Assertions.Expect(page.GetByTestId("case-not-recorded"))
                .ToContainTextAsync("This case cannot be shown right now because its viewing could not be recorded: the database was busy with other work.");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("This case cannot be shown right now");
            var shown = await page.Locator("body").InnerTextAsync();
            Assert.DoesNotContain("Osei", shown); // nothing of the case
            Assert.DoesNotContain(reference, shown);
            await AssertFitsAsync(page, "refusal-case-not-recorded");

            // Try again while writing still fails: it says so (not silence), and shows nothing of the case.
            await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("case-try-again-status"))
                .ToHaveTextAsync("Tried again: its viewing still could not be recorded, so it is not shown.");
            Assert.DoesNotContain("Osei", await page.Locator("body").InnerTextAsync());
            await AssertFitsAsync(page, "refusal-case-not-recorded-tried-again");
        }
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(consults, new { id = caseId.ToString() }));
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Case {reference}");
        await Assertions.Expect(page.GetByTestId("case-not-recorded")).ToHaveCountAsync(0);
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(consults, new { id = caseId.ToString() }));
        }
    }

    [Fact]
    public async Task A_sign_in_that_cannot_be_recorded_answers_503_signed_out_and_signs_in_once_writing_works()
    {
        var officer = await OfficerAsync();
        var page = await browser.NewPageAsync(app);
        await page.GotoAsync("/account/login");

        await using (await HoldAuditLockAsync())
        {
            await page.GetByLabel("Email address").FillAsync(officer.Email);
            await page.GetByLabel("Password").FillAsync(officer.Password);
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.Contains("/account/login"));
            Assert.Equal(503, response.Status);
            Assert.True(int.Parse(response.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture) > 0, "Retry-After");
            await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync(Login.CannotRecordMessage);
            await Assertions.Expect(page.GetByTestId("error-summary")).ToBeFocusedAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name.StartsWith("rj.auth", StringComparison.Ordinal));
            await AssertFitsAsync(page, "refusal-sign-in-not-recorded");
        }

        // Writing works again: the same form, sent again, signs in.
        await page.GetByLabel("Email address").FillAsync(officer.Email);
        await page.GetByLabel("Password").FillAsync(officer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToBeVisibleAsync();
    }
}
