using System.Text;
using Dapper;
using RjConferences.Data;
using RjConferences.Features.Reports;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Security;
using RjConferences.Tests.Features;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ReportBrowserTests(BrowserFixture browser) : IDisposable
{
    // Referrals from 10 September 2025, one every 11 days; "now" ends in June 2026.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2025, 9, 10, 9, 0, 0, TimeSpan.Zero));
    private AppHost? app;

    public void Dispose() => app?.Dispose();

    /// <summary>
    /// 24 referrals at two Newham schools over the academic year 2025 to 2026 (every sixth with gravity 3,
    /// so not eligible; ethnic groups in turn), and 3 at Haggerston in Hackney, outside the reviewer's scope.
    /// </summary>
    private async Task<TestUser> SetUpAsync()
    {
        app = new AppHost(clock: clock);
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@example.org", [Roles.Referrer],
            ["Newham/Langdon Park", "Newham/Rokeby", "Hackney/Haggerston"]);
        var reviewer = await TestUsers.CreateAsync(app.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var db = app.Database.Db;
        var cases = new TestCases(db, clock);
        long[] schools = [await TestCases.SchoolIdAsync(db, "Newham/Langdon Park"), await TestCases.SchoolIdAsync(db, "Newham/Rokeby")];
        string[] groups = ["black_african", "white_british", "asian_bangladeshi", "mixed_white_black_caribbean", "white_other", "black_caribbean", "other_arab"];
        var held = new List<(Guid CaseId, long School, DateTimeOffset At, bool Agreement)>();
        for (var i = 0; i < 24; i++)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var (caseId, _) = await new TestReferral(schools[i % 2], today.AddDays(-1))
            {
                FirstName = $"Young{i}", EthnicGroup = groups[i % groups.Length], Gravity = i % 6 == 5 ? 3 : 1, Gender = i % 3 == 0 ? "female" : "male",
            }.SaveAsync(cases.Referrals, officer.Id);
            if (i % 3 == 0)
            {
                held.Add((caseId, schools[i % 2], clock.GetUtcNow().AddDays(10), i % 2 == 0));
            }
            if (i % 8 == 0)
            {
                await new TestReferral(await TestCases.SchoolIdAsync(db, "Hackney/Haggerston"), today.AddDays(-1)) { FirstName = $"Hackney{i}" }
                    .SaveAsync(cases.Referrals, officer.Id);
            }
            clock.Advance(TimeSpan.FromDays(11));
        }
        await HoldConferencesAsync(db, held, officer.Id);
        return reviewer;
    }

    /// <summary>Eight of the cases had their conference ten days after referral, and half of those reached an agreement.</summary>
    private static async Task HoldConferencesAsync(Db db, List<(Guid CaseId, long School, DateTimeOffset At, bool Agreement)> held, Guid facilitator)
    {
        await db.WriteAsync(async (connection, transaction) =>
        {
            foreach (var (caseId, school, at, agreement) in held)
            {
                var room = await connection.ExecuteScalarAsync<long?>("SELECT id FROM rooms WHERE school_id = @school", new { school }, transaction)
                    ?? await connection.ExecuteScalarAsync<long>("INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 2', 10) RETURNING id",
                        new { school }, transaction);
                await connection.ExecuteAsync("""
                    INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, agreement_reached, created_by, created_at, updated_at)
                    VALUES (@id, @caseId, @school, @room, @starts, @ends, @facilitator, 'held', @agreement, @facilitator, @starts, @starts)
                    """, new
                    {
                        id = Guid.NewGuid(), caseId, school, room, starts = TypeHandlers.ToUtcText(at), ends = TypeHandlers.ToUtcText(at.AddHours(1)),
                        facilitator, agreement = agreement ? 1 : 0,
                    }, transaction);
                await connection.ExecuteAsync("UPDATE cases SET status = @status WHERE id = @caseId",
                    new { caseId, status = agreement ? "agreement_active" : "no_agreement" }, transaction);
                await ReportFacts.RefreshAsync(connection, transaction, caseId);
            }
        });
    }

    [Fact]
    public async Task A_reviewer_reports_on_one_borough_for_one_academic_year_and_downloads_a_csv()
    {
        var reviewer = await SetUpAsync();
        var page = await browser.NewPageAsync(app!);
        await page.SignInAsync(reviewer);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Reports" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reports", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByLabel("Borough")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // A custom period that ends before it starts is refused.
        await page.GetByLabel("Dates of my choice").CheckAsync();
        var start = page.GetByRole(AriaRole.Group, new() { Name = "Start date" });
        await start.GetByLabel("Day").FillAsync("5");
        await start.GetByLabel("Month").FillAsync("3");
        await start.GetByLabel("Year").FillAsync("2026");
        var end = page.GetByRole(AriaRole.Group, new() { Name = "End date" });
        await end.GetByLabel("Day").FillAsync("1");
        await end.GetByLabel("Month").FillAsync("3");
        await end.GetByLabel("Year").FillAsync("2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the report" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("End date must be the same as or after the start date");
        await Assertions.Expect(page.GetByTestId("report")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        // One borough, one academic year.
        await page.GetByLabel("Academic year (September to August)").CheckAsync();
        await page.GetByLabel("Academic year", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "2025 to 2026" });
        await page.GetByLabel("Borough").SelectOptionAsync(new SelectOptionValue { Label = "Newham" });
        await Assertions.Expect(page.GetByLabel("School")).Not.ToContainTextAsync("Haggerston");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the report" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("report-summary")).ToHaveTextAsync("Cases referred from 1 September 2025 to 31 August 2026: Newham.");
        await Assertions.Expect(page.GetByTestId("headline-referrals")).ToContainTextAsync("24");
        await Assertions.Expect(page.GetByTestId("headline-eligible")).ToContainTextAsync("83.3% — 20 of 24");
        await Assertions.Expect(page.GetByTestId("headline-agreements_reached")).ToContainTextAsync("50% — 4 of 8");
        await Assertions.Expect(page.GetByTestId("small-base-Black")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Referrals and conferences held by month" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Cases reaching each stage" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Relative rate index by ethnic group and stage, with 95% intervals, against the White group" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("groups-table").GetByTestId("rate-interval").First).ToContainTextAsync("95% CI");
        await Assertions.Expect(page.GetByTestId("report-as-at")).ToContainTextAsync("Data as at");
        await Assertions.Expect(page.GetByTestId("definition-conferences_held")).ToContainTextAsync("Out of the eligible referrals");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cohort: the cases referred in each month" })).ToBeVisibleAsync();
        Assert.Matches(@"/reports\?period=academic_year&academicYear=2025&borough=\d+&trend=month&reference=White$", page.Url);
        await page.AssertAccessibleAsync();
        await ScreenshotsAsync(page);

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download the table by school (CSV)" }).ClickAsync());
        Assert.Equal("report-schools-2025-09-01-to-2026-08-31.csv", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        var csv = ReportCsvTests.Parse(Encoding.UTF8.GetString(bytes[3..]));
        Assert.Equal(["School", "Referrals", "Eligible", "Conferences held", "Agreements reached", "Agreements completed",
            "Did not enter the CJS within 12 months", "12-month checks complete", "Diversion rate (%)"], csv[0]);
        // Langdon Park: cases 0, 6, 12, 18 held, all with an agreement; Rokeby: 3, 9, 15, 21 held, none.
        Assert.Equal(["Langdon Park, Newham", "12", "12", "<5", "<5", "0", "0", "0", ""], csv.Single(r => r[0] == "Langdon Park, Newham"));
        Assert.Equal(["Rokeby, Newham", "12", "8", "<5", "0", "0", "0", "0", ""], csv.Single(r => r[0] == "Rokeby, Newham"));
        Assert.DoesNotContain(csv, r => r[0].Contains("Haggerston", StringComparison.Ordinal));
        Assert.DoesNotContain("Young", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task A_reviewer_downloads_the_board_report_and_its_figures_are_the_pages_as_published()
    {
        var reviewer = await SetUpAsync();
        var page = await browser.NewPageAsync(app!);
        await page.SignInAsync(reviewer);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Reports" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await page.GetByLabel("Academic year", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "2025 to 2026" });
        await page.GetByLabel("Borough").SelectOptionAsync(new SelectOptionValue { Label = "Newham" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the report" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-summary")).ToHaveTextAsync("Cases referred from 1 September 2025 to 31 August 2026: Newham.");
        await page.AssertAccessibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Board report (PDF)" }).ClickAsync());

        Assert.Equal("board-report-2025-09-01-to-2026-08-31.pdf", download.SuggestedFilename);
        var text = PdfReading.Read(await File.ReadAllBytesAsync((await download.PathAsync())!)).Text();
        Assert.Contains("Scope Newham (within the schools of Newham)", text);
        var headlines = text[text.IndexOf("Headline figures Figure This period", StringComparison.Ordinal)..];
        foreach (var key in new[] { "referrals", "eligible", "conferences_held", "agreements_reached" })
        {
            var figure = page.GetByTestId($"headline-{key}");
            var label = await figure.Locator("dt").InnerTextAsync();
            // "83.3%" and "20 of 24" on the page; "83.3% (20 of 24)", or "<5" and "suppressed" where hidden, in the PDF.
            var shown = Numbers(await figure.Locator("dd").First.InnerTextAsync());
            var published = Numbers(headlines[(headlines.IndexOf(label + " ", StringComparison.Ordinal) + label.Length)..]).Take(shown.Count).ToList();
            Assert.Equal(shown.Count, published.Count);
            for (var i = 0; i < shown.Count; i++)
            {
                AssertPublished(shown[i], published[i], isCount: shown.Count == 1 || i > 0, label);
            }
        }
        Assert.Contains("Referrals 24", headlines);
        Assert.Contains("Eligible referrals 83.3% (20 of 24)", headlines);
        Assert.Contains("Agreements reached suppressed (<5 of 8)", headlines);
        var schools = text[text.IndexOf("By school School", StringComparison.Ordinal)..];
        foreach (var row in await page.GetByTestId("schools-table").Locator("tbody tr").AllAsync())
        {
            var name = await row.Locator("th").InnerTextAsync();
            var cells = (await row.Locator("td").AllInnerTextsAsync()).Take(5).ToList();
            var published = schools[(schools.IndexOf(name + " ", StringComparison.Ordinal) + name.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5).ToList();
            for (var i = 0; i < cells.Count; i++)
            {
                AssertPublished(cells[i], published[i], isCount: true, name);
            }
        }
        Assert.DoesNotContain("Haggerston", text);
        Assert.DoesNotContain("Young", text);
    }

    /// <summary>The numbers of a figure as words: "83.3% — 20 of 24" and "83.3% (20 of 24)" are both 83.3, 20, 24; "<5" and "suppressed" stay.</summary>
    private static List<string> Numbers(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"<\d+|suppressed|\d+(\.\d+)?").Select(m => m.Value).ToList();

    /// <summary>The PDF gives the page's figure, or hides it: a count of 1 to 4 as "&lt;5", anything as "suppressed".</summary>
    private static void AssertPublished(string onPage, string inPdf, bool isCount, string what)
    {
        var value = decimal.Parse(onPage, System.Globalization.CultureInfo.InvariantCulture);
        var same = inPdf != "suppressed" && !inPdf.StartsWith('<') && decimal.Parse(inPdf, System.Globalization.CultureInfo.InvariantCulture) == value;
        Assert.True(same || inPdf == "suppressed" || (isCount && value is >= 1 and <= 4 && inPdf == "<5"),
            $"{what}: the page shows {onPage}, the board report {inPdf}");
    }

    /// <summary>With RJ_SCREENSHOTS set to a folder: the report as shown, in forced colours (high contrast) and as printed.</summary>
    private static async Task ScreenshotsAsync(IPage page)
    {
        if (Environment.GetEnvironmentVariable("RJ_SCREENSHOTS") is not { Length: > 0 } folder)
        {
            return;
        }
        Directory.CreateDirectory(folder);
        await page.SetViewportSizeAsync(1400, 900);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "reports.png"), FullPage = true });
        await page.Locator("section[aria-labelledby=groups-heading]").ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-groups.png") });
        await page.Locator("section[aria-labelledby=headlines-heading]").ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-headlines.png") });
        await page.Locator("section[aria-labelledby=trend-heading]").ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-cohort.png") });
        await page.EmulateMediaAsync(new() { ForcedColors = ForcedColors.Active, ColorScheme = ColorScheme.Dark });
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-forced-colors.png"), FullPage = true });
        await page.EmulateMediaAsync(new() { ForcedColors = ForcedColors.None, ColorScheme = ColorScheme.Light, Media = Media.Print });
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-print.png"), FullPage = true });
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
    }
}
