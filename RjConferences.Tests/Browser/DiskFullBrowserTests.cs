using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// Issue 17's headline disk-full journey, in Chromium: a referrer fills in a whole referral while the database's 12 MB
/// filesystem (a real tmpfs) fills up. "Save referral" used to show "Sorry, something went wrong. Reload the page", and
/// reloading lost the referral. Now the error summary says it was not saved and why, every answer stays on the page, and
/// the same button saves it once space is freed; and a letter marked as posted from the print list. <see
/// cref="RjConferences.Tests.Operations.DiskFullTests"/> covers the other refusals on a full disk (bUnit, the same tmpfs). With RJ_SCREENSHOTS set to a folder, the refusal is saved there.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "SqliteOnly")]
public sealed class DiskFullBrowserTests : IDisposable
{
    private readonly BrowserFixture browser;
    private readonly TinyDisk disk;
    private readonly AppHost app;
    private SqliteConnection? keeper;

    public DiskFullBrowserTests(BrowserFixture browser)
    {
        this.browser = browser;
        disk = TinyDisk.Mount();
        app = new AppHost(new TestDatabase(provider: DatabaseProvider.Sqlite, folder: Path.Combine(disk.MountPoint, "db")));
    }

    public void Dispose()
    {
        keeper?.Dispose();
        app.Dispose();
        app.Database.Dispose();
        disk.Dispose();
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    [TinyDiskFact]
    public async Task A_referral_saved_on_a_full_disk_says_it_was_not_saved_keeps_every_answer_and_saves_once_space_is_freed()
    {
        var user = await TestUsers.CreateAsync(app.Services, "rita@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(user);
        await page.GotoInteractiveAsync("/referrals/new");
        await ReferralBrowserTests.FillToCheckAnswersAsync(page, LondonTime.Today(app.Time).AddDays(-1));

        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save referral", Exact = true });
        keeper = (SqliteConnection)await app.Database.Db.OpenAsync();
        await disk.FillUnderAsync(keeper);
        await save.ClickAsync();

        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToContainTextAsync(SaveResult.NotSavedMessage(DbFailure.NoRoom, "The referral"));
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await ReferralBrowserTests.ExpectStepAsync(page, "Check your answers");
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Kwame Mensah");
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Pushed another pupil in the lunch queue; no injury.");
        await page.AssertAccessibleAsync();
        await page.ScreenshotIfAskedAsync("referral-disk-full");
        Assert.Equal(0L, await CountAsync("cases"));

        disk.Free();
        await save.ClickAsync();

        await ReferralBrowserTests.ExpectStepAsync(page, "Referral recorded");
        await Assertions.Expect(summary).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        Assert.Equal((1L, 3L), (await CountAsync("cases"), await CountAsync("parties")));
    }

    /// <summary>
    /// "Mark as posted" on the print list while the disk is full: the error summary says the letter's posting was not saved and
    /// takes focus, the letter stays on the list, and the same buttons mark it once space is freed.
    /// </summary>
    [TinyDiskFact]
    public async Task A_letter_marked_as_posted_on_a_full_disk_is_refused_in_the_error_summary_and_marked_once_space_is_freed()
    {
        var cases = new TestCases(app.Database.Db, app.Time);
        var user = await TestUsers.CreateAsync(app.Services, "rita@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var (caseId, reference) = await new TestReferral(await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park"),
            LondonTime.Today(app.Time).AddDays(-1)).SaveAsync(cases.Referrals, user.Id);
        await TestCases.LetterOnPrintListAsync(app.Database.Db, caseId, "Grace Okafor", "Reminder: your conference", app.Time.GetUtcNow());
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(user);
        await page.GotoInteractiveAsync("/letters");
        await Assertions.Expect(page.GetByTestId("print-list-row")).ToContainTextAsync(reference);
        async Task MarkAsPostedAsync()
        {
            await page.GetByRole(AriaRole.Button, new() { Name = $"Mark as posted the letter to Grace Okafor, case {reference}" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, mark as posted the letter to Grace Okafor, case {reference}" }).ClickAsync();
        }
        keeper = (SqliteConnection)await app.Database.Db.OpenAsync();
        await disk.FillUnderAsync(keeper);

        await MarkAsPostedAsync();

        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToContainTextAsync(SaveResult.NotSavedMessage(DbFailure.NoRoom, "That the letter to Grace Okafor was posted"));
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByTestId("print-list-row")).ToContainTextAsync(reference);
        await page.AssertAccessibleAsync();
        await page.ScreenshotIfAskedAsync("print-list-disk-full");
        Assert.Equal(0L, await CountAsync("outbox WHERE posted_at IS NOT NULL"));

        disk.Free();
        await MarkAsPostedAsync();

        await Assertions.Expect(page.GetByTestId("print-list-message")).ToHaveTextAsync(
            $"The letter to Grace Okafor (case {reference}) is marked as posted.");
        await Assertions.Expect(summary).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("print-list-row")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        Assert.Equal(1L, await CountAsync("outbox WHERE posted_at IS NOT NULL"));
    }
}
