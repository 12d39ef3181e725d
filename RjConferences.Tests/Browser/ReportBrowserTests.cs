using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
        // Langdon Park: cases 0, 6, 12, 18 held, all with an agreement; Rokeby: 3, 9, 15, 21 held, none. 4 of the 24 referrals
        // were not eligible, a small count: the 20 eligible are hidden in every file of the selection, and so are the two
        // schools' 12 and 8, which would give the 20 back (suppression over all the files together).
        Assert.Equal(["Langdon Park, Newham", "12", "suppressed", "<5", "<5", "0", "0", "0", ""], csv.Single(r => r[0] == "Langdon Park, Newham"));
        Assert.Equal(["Rokeby, Newham", "12", "suppressed", "<5", "0", "0", "0", "0", ""], csv.Single(r => r[0] == "Rokeby, Newham"));
        Assert.DoesNotContain(csv, r => r[0].Contains("Haggerston", StringComparison.Ordinal));
        Assert.DoesNotContain("Young", Encoding.UTF8.GetString(bytes));
        // Every school of the selection, though the page shows the first 10 until all are asked for.
        await Assertions.Expect(page.GetByTestId("schools-table").Locator("tbody tr")).ToHaveCountAsync(10);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Show all {csv.Count - 1} schools" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_reviewer_downloads_the_whole_report_as_one_workbook_whose_figures_are_the_pages()
    {
        var reviewer = await SetUpAsync();
        await using var connection = await app!.Database.Db.OpenAsync();
        var newham = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Newham'");
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(reviewer);

        await page.GotoInteractiveAsync($"reports?period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White");
        await Assertions.Expect(page.GetByTestId("report-summary")).ToHaveTextAsync("Cases referred from 1 September 2025 to 31 August 2026: Newham.");
        await Assertions.Expect(page.GetByTestId("headline-referrals")).ToContainTextAsync("24");
        await page.AssertAccessibleAsync();
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Download all (Excel)" });
        await Assertions.Expect(link).ToHaveCountAsync(1);

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());

        Assert.Equal("report-2025-09-01-to-2026-08-31.xlsx", download.SuggestedFilename);
        var sheets = WorkbookReading.Read(await File.ReadAllBytesAsync((await download.PathAsync())!));
        var selection = sheets.Sheet("Selection");
        Assert.Equal("1 September 2025 to 31 August 2026", selection.Row("Cases referred from")[1].Text);
        Assert.Equal("Newham", selection.Row("Filters")[1].Text);
        // The same "data as at" as the page: the app's clock, which the test holds still.
        var asAt = Regex.Match(await page.GetByTestId("report-as-at").InnerTextAsync(), @"Data as at (\d\d:\d\d [A-Z]{3} on \d{1,2} \w+ \d{4})").Groups[1].Value;
        Assert.NotEmpty(asAt);
        Assert.StartsWith(asAt, selection.Row("Data as at")[1].Text);

        // Each headline figure: a number in the workbook is a number the page shows for that figure; anything else is a suppression mark.
        var headlines = sheets.Sheet("Headline figures");
        var compared = 0;
        foreach (var figure in await page.Locator("[data-testid^='headline-']").AllAsync())
        {
            var label = await figure.Locator("dt").InnerTextAsync();
            var shown = Numbers(string.Join(" ", await figure.Locator(".headline-value, .headline-detail").AllInnerTextsAsync()));
            foreach (var cell in headlines.Row(label).Skip(1))
            {
                if (cell.Number)
                {
                    Assert.Contains(double.Parse(cell.Text, CultureInfo.InvariantCulture), shown);
                    compared++;
                }
                else
                {
                    Assert.Contains(cell.Text, new[] { "", "<5", "suppressed", ReportFormat.NotAvailable });
                }
            }
        }
        Assert.Equal(24, double.Parse(headlines.Row("Referrals")[1].Text, CultureInfo.InvariantCulture));
        Assert.True(compared >= 5, $"only {compared} headline numbers compared");

        // The table by school shows the first 10 of Newham's schools; the button after it shows them all, from the keyboard too.
        var schoolCount = sheets.Sheet("By school").Rows.Count - 1;
        Assert.True(schoolCount > 10, $"{schoolCount} schools");
        var schoolRows = page.GetByTestId("schools-table").Locator("tbody tr");
        await Assertions.Expect(schoolRows).ToHaveCountAsync(10);
        var showAll = page.GetByRole(AriaRole.Button, new() { Name = $"Show all {schoolCount} schools" });
        await Assertions.Expect(showAll).ToHaveAttributeAsync("aria-expanded", "false");
        await showAll.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(schoolRows).ToHaveCountAsync(schoolCount);
        var showFewer = page.GetByRole(AriaRole.Button, new() { Name = "Show fewer schools" });
        await Assertions.Expect(showFewer).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(showFewer).ToBeFocusedAsync(); // the same button, with the focus still on it
        await page.AssertAccessibleAsync();

        // The breakdowns, row by row and column by column: the page's exact count, "<5" for 1 to 4, or "suppressed".
        foreach (var (table, sheet) in new[] { ("boroughs", "By borough"), ("schools", "By school") })
        {
            var rows = await page.GetByTestId($"{table}-table").Locator("tbody tr").AllAsync();
            Assert.Equal(rows.Count, sheets.Sheet(sheet).Rows.Count - 1);
            // The page's columns by header (it also shows the changes on a year earlier, which the workbook does not).
            var headers = (await page.GetByTestId($"{table}-table").Locator("thead th").AllInnerTextsAsync()).Skip(1).Select(h => h.Trim()).ToList();
            var pageColumn = new[] { "Referrals", "Eligible", "Conferences held", "Agreements reached", "Agreements completed" }.Select(h => headers.IndexOf(h)).ToArray();
            Assert.DoesNotContain(-1, pageColumn);
            foreach (var row in rows)
            {
                var cells = sheets.Sheet(sheet).Row(await row.Locator("th").InnerTextAsync());
                var shown = await row.Locator("td").AllInnerTextsAsync();
                for (var c = 0; c < 5; c++)
                {
                    var exact = long.Parse(shown[pageColumn[c]], NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("en-GB"));
                    Assert.True(cells[c + 1] switch
                    {
                        { Number: true, Text: var n } => long.Parse(n, CultureInfo.InvariantCulture) == exact,
                        { Text: "<5" } => exact is >= 1 and <= 4,
                        { Text: "suppressed" } => true,
                        _ => false,
                    }, $"{sheet}, {cells[0].Text}, column {c + 2}: page {exact}, workbook {cells[c + 1].Text}");
                }
            }
        }
        Assert.Equal(("12", true), (sheets.Sheet("By school").Row("Langdon Park, Newham")[1].Text, sheets.Sheet("By school").Row("Langdon Park, Newham")[1].Number));
        Assert.DoesNotContain(sheets.SelectMany(s => s.Rows).SelectMany(r => r), c => c.Text.Contains("Haggerston", StringComparison.Ordinal)
            || c.Text.Contains("Young", StringComparison.Ordinal));
    }

    /// <summary>The numbers in a text as the page writes them ("83.3% — 20 of 24", "10 days — over 8 cases").</summary>
    private static List<double> Numbers(string text) => Regex.Matches(text, @"-?\d[\d,]*(\.\d+)?")
        .Select(m => double.Parse(m.Value, NumberStyles.Number, CultureInfo.GetCultureInfo("en-GB")))
        .ToList();

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
            var shown = FigureWords(await figure.Locator("dd").First.InnerTextAsync());
            var after = headlines[(headlines.IndexOf(label + " ", StringComparison.Ordinal) + label.Length)..];
            // A rate whose count is hidden too is "suppressed (out of 24)": its percentage and count are both hidden.
            var outOf = Regex.Match(after, @"^\s*suppressed \(out of (\S+)\)");
            var published = outOf.Success ? ["suppressed", "suppressed", outOf.Groups[1].Value] : FigureWords(after).Take(shown.Count).ToList();
            Assert.Equal(shown.Count, published.Count);
            for (var i = 0; i < shown.Count; i++)
            {
                AssertPublished(shown[i], published[i], isCount: shown.Count == 1 || i > 0, label);
            }
        }
        Assert.Contains("Referrals 24", headlines);
        // 4 of the 24 were not eligible (a small count, in the funnel): the 20 eligible are hidden in the board report too.
        Assert.Contains("Eligible referrals suppressed (out of 24)", headlines);
        // Every case left after eligibility is accounted for by shown zeros, so the 8 consented and held follow from the 20
        // and are hidden with it: 4 agreements reached ("<5") of a hidden 8.
        Assert.Contains("Conferences held suppressed (out of suppressed)", headlines);
        Assert.Contains("Agreements reached suppressed (<5 of suppressed)", headlines);
        var schools = text[text.IndexOf("By school School", StringComparison.Ordinal)..];
        // The page's columns by header (it also shows the changes on a year earlier, which the board report's table does not).
        var headers = (await page.GetByTestId("schools-table").Locator("thead th").AllInnerTextsAsync()).Skip(1).Select(h => h.Trim()).ToList();
        var pageColumns = new[] { "Referrals", "Eligible", "Conferences held", "Agreements reached", "Agreements completed" }.Select(h => headers.IndexOf(h)).ToList();
        Assert.DoesNotContain(-1, pageColumns);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^Show all \d+ schools$") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show fewer schools" })).ToBeVisibleAsync();
        foreach (var row in await page.GetByTestId("schools-table").Locator("tbody tr").AllAsync())
        {
            var name = await row.Locator("th").InnerTextAsync();
            var all = await row.Locator("td").AllInnerTextsAsync();
            var cells = pageColumns.Select(c => all[c]).ToList();
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
    private static List<string> FigureWords(string text) =>
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
        await page.Locator("section[aria-labelledby=schools-heading]").ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-schools.png") });
        await page.EmulateMediaAsync(new() { ForcedColors = ForcedColors.Active, ColorScheme = ColorScheme.Dark });
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-forced-colors.png"), FullPage = true });
        await page.EmulateMediaAsync(new() { ForcedColors = ForcedColors.None, ColorScheme = ColorScheme.Light, Media = Media.Print });
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "reports-print.png"), FullPage = true });
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
    }
}
