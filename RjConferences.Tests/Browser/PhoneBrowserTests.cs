using Dapper;
using RjConferences.Features.Demo;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// Every page, filled with the demonstration data and signed in with every role: axe passes at the desktop width, and on a
/// narrow phone (320 px, <see cref="PageExtensions.AssertFitsAPhoneAsync"/>) axe passes and the page is no wider than the screen
/// (its tables scroll in their own boxes). Found this way, at 390 px: the case page was 694 px wide, the users page 737 and the
/// follow-up checks 417, and eight table boxes that scrolled could not be reached from the keyboard. SQLite only: the layout
/// does not depend on the database.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "SqliteOnly")]
public sealed class PhoneBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Every_page_with_the_demonstration_data_passes_axe_on_a_desktop_and_fits_a_phone()
    {
        using var app = new AppHost();
        var output = new StringWriter();
        Assert.True(await DemoData.RunAsync(app.Services, output, output) == 0, output.ToString());
        string[] boroughs;
        string caseId, bookable, scheduled, withAgreement, userId;
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            boroughs = (await connection.QueryAsync<string>("SELECT name FROM boroughs")).ToArray();
            // The case with the most timeline entries and parties: the widest tables.
            caseId = await connection.ExecuteScalarAsync<string>(
                "SELECT case_id FROM case_events GROUP BY case_id ORDER BY count(*) DESC, case_id LIMIT 1") ?? "";
            bookable = await connection.ExecuteScalarAsync<string>("SELECT id FROM cases WHERE status = 'ready_to_schedule' ORDER BY id LIMIT 1") ?? "";
            scheduled = await connection.ExecuteScalarAsync<string>("SELECT id FROM conferences WHERE status = 'scheduled' ORDER BY id LIMIT 1") ?? "";
            withAgreement = await connection.ExecuteScalarAsync<string>("SELECT conference_id FROM agreements ORDER BY conference_id LIMIT 1") ?? "";
            userId = await connection.ExecuteScalarAsync<string>("SELECT id FROM users ORDER BY id LIMIT 1") ?? "";
        }
        var everyone = await TestUsers.CreateAsync(app.Services, "every.role@partnership.example",
            [Roles.Administrator, Roles.Referrer, Roles.Facilitator, Roles.YouthJusticeReviewer], null, boroughs);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(everyone);
        string[] paths =
        [
            "/", "/cases", $"/cases/{caseId}", $"/cases/{bookable}/book", "/conferences/diary", "/conferences/mine",
            $"/conferences/{scheduled}/reschedule", $"/conferences/{withAgreement}/agreement", $"/conferences/{withAgreement}/outcome",
            "/follow-ups", "/reports", "/letters", "/referrals/new", "/schools", "/settings/emails",
            "/admin/users", "/admin/users/new", $"/admin/users/{userId}", "/admin/training", $"/admin/training/{userId}", "/admin/rooms",
            "/admin/school-days", "/admin/outbox", "/admin/audit",
        ];
        var problems = new List<string>();
        foreach (var path in paths)
        {
            await page.GotoInteractiveAsync(path);
            // Each page reads its data once interactive, saying "Loading…" until then.
            await Microsoft.Playwright.Assertions.Expect(page.GetByText("Loading…")).ToHaveCountAsync(0);
            try
            {
                await page.AssertAccessibleAsync(); // at the desktop width first
                await page.AssertFitsAPhoneAsync($"phone{path.Replace('/', '-')}");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // On paper the table boxes do not scroll: every table is printed whole, not cut at the box's edge.
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await page.EmulateMediaAsync(new() { Media = Microsoft.Playwright.Media.Print });
        var clipped = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('.table-responsive')].filter(e => getComputedStyle(e).overflowX !== 'visible').length");
        Assert.True(await page.Locator(".table-responsive").CountAsync() >= 3);
        Assert.Equal(0, clipped);
    }
}
