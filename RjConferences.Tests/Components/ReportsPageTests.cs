using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>The reports page over a test database with the real selection checks and report queries.</summary>
public class ReportsPageTests : CaseTestContext
{
    private TestUser reviewer = null!;
    private long newham;
    private long hackney;

    /// <summary>
    /// A reviewer of Newham; three referrals at Langdon Park (one with gravity 3, so not eligible; one young
    /// person White, two Black) and one at Haggerston in Hackney, outside the reviewer's scope.
    /// </summary>
    private async Task SetUpAsync()
    {
        var officer = await UserAsync("pc.jones@example.org", [Roles.Referrer], "Newham/Langdon Park", "Hackney/Haggerston");
        using (var services = TestUsers.Services(Database, Clock))
        {
            reviewer = await TestUsers.CreateAsync(services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        }
        var langdon = await SchoolAsync("Newham/Langdon Park");
        await new TestReferral(langdon, OffenceDate).SaveAsync(Cases.Referrals, officer.Id);
        await new TestReferral(langdon, OffenceDate) { FirstName = "Priya", EthnicGroup = "white_british" }.SaveAsync(Cases.Referrals, officer.Id);
        await new TestReferral(langdon, OffenceDate) { FirstName = "Tom", Gravity = 3 }.SaveAsync(Cases.Referrals, officer.Id);
        await new TestReferral(await SchoolAsync("Hackney/Haggerston"), OffenceDate) { FirstName = "Ola" }.SaveAsync(Cases.Referrals, officer.Id);
        await using var connection = await Database.Db.OpenAsync();
        newham = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Newham'");
        hackney = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Hackney'");
        SignIn(reviewer, Roles.YouthJusticeReviewer);
    }

    private IRenderedComponent<ReportsPage> RenderAt(string address)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        return Render<ReportsPage>();
    }

    private static string Headline(IRenderedComponent<ReportsPage> page, string key) =>
        page.Find($"[data-testid=headline-{key}] dd").TextContent.Trim();

    private async Task<List<(string Action, string? EntityType, string? EntityId)>> AuditAsync()
    {
        await using var connection = await Database.Db.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?)>(
            "SELECT action, entity_type, entity_id FROM audit_events WHERE user_id = @id ORDER BY id", new { id = reviewer.Id.ToString() })).ToList();
    }

    [Fact]
    public async Task A_shared_address_shows_the_report_of_the_users_cases_with_numerators_and_denominators()
    {
        await SetUpAsync();

        var page = RenderAt($"reports?period=academic_year&academicYear=2025&borough={newham}");

        page.WaitForAssertion(() => Assert.Equal("3", Headline(page, "referrals")));
        Assert.Equal("66.7% — 2 of 3", Headline(page, "eligible"));
        Assert.Equal("Cases referred from 1 September 2025 to 31 August 2026: Newham.", page.Find("[data-testid=report-summary]").TextContent.Trim());
        // When the figures were worked out, on the app's clock (15 June 2026, 10:30 UTC), in London time.
        Assert.StartsWith("Data as at 11:30 BST on 15 June 2026", page.Find("[data-testid=report-as-at]").TextContent);
        var funnel = page.Find("[data-testid=funnel-table]").TextContent;
        Assert.Contains("Not eligible: the gravity score is above the maximum for a conference: 1", funnel);
        Assert.DoesNotContain("Haggerston", page.Markup);
        Assert.Contains("Langdon Park, Newham", page.Find("[data-testid=schools-table]").TextContent);
        Assert.Equal("2025", page.Find("#field-AcademicYear option[selected]").GetAttribute("value"));
        Assert.Contains($"reports/export/funnel.csv?period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White",
            page.FindAll("a[download]").Select(a => a.GetAttribute("href")));
        // One workbook link for the whole selection, its name unique among the page's links.
        var workbook = Assert.Single(page.FindAll("a"), a => a.TextContent.Trim() == "Download all (Excel)");
        Assert.Equal($"reports/export/all.xlsx?period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White", workbook.GetAttribute("href"));
        Assert.True(workbook.HasAttribute("download"));
    }

    [Fact]
    public async Task Groups_of_fewer_than_30_cases_carry_a_note()
    {
        await SetUpAsync();

        var page = RenderAt("reports?period=academic_year&academicYear=2025");

        page.WaitForAssertion(() => page.Find("[data-testid=small-base-Black]"));
        Assert.Contains("Fewer than 30 cases: read with care", page.Find("[data-testid=group-Black]").TextContent);
        Assert.Contains("2 referred", page.Find("[data-testid=group-Black]").TextContent);
        Assert.Contains("White (reference)", page.Find("[data-testid=group-White]").TextContent);
        Assert.Contains("change a lot with one or two cases", page.Find(".small-base-note").TextContent);
    }

    [Fact]
    public async Task A_forged_borough_outside_the_scope_gets_a_message_no_report_and_an_access_denied_audit()
    {
        await SetUpAsync();

        var page = RenderAt($"reports?period=academic_year&academicYear=2025&borough={hackney}");

        page.WaitForAssertion(() => page.Find("[data-testid=error-summary]"));
        Assert.Contains("Choose a borough from the list", page.Find("[data-testid=error-summary]").TextContent);
        Assert.Contains("Choose a borough from the list", page.Find("#field-BoroughId-error").TextContent);
        Assert.Empty(page.FindAll("[data-testid=report]"));
        Assert.DoesNotContain("Hackney", page.Find("#field-BoroughId").TextContent);
        Assert.Contains(("access_denied", "borough", hackney.ToString()), await AuditAsync());
    }

    [Fact]
    public async Task A_custom_period_ending_before_it_starts_is_refused_at_the_field_and_in_the_summary()
    {
        await SetUpAsync();
        var page = RenderAt("reports");
        page.WaitForAssertion(() => page.Find("form.report-form"));
        Assert.Empty(page.FindAll("[data-testid=report]"));

        await page.Find("#field-Period-custom").ChangeAsync(new ChangeEventArgs { Value = "custom" });
        // The date fields appear once the change is handled (on PostgreSQL the test has seen the page before that).
        page.WaitForAssertion(() => page.Find("#field-From"));
        page.Find("#field-From").Change("5");
        page.Find("#field-From-month").Change("3");
        page.Find("#field-From-year").Change("2026");
        page.Find("#field-To").Change("4");
        page.Find("#field-To-month").Change("3");
        page.Find("#field-To-year").Change("2026");
        await page.Find("form.report-form").SubmitAsync();

        page.WaitForAssertion(() => page.Find("[data-testid=error-summary]"));
        Assert.Contains("End date must be the same as or after the start date", page.Find("[data-testid=error-summary]").TextContent);
        Assert.Contains("End date must be the same as or after the start date", page.Find("#field-To-error").TextContent);
        Assert.Empty(page.FindAll("[data-testid=report]"));
        Assert.EndsWith("/reports", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Choosing_a_borough_and_an_academic_year_puts_them_in_the_address_and_shows_the_report()
    {
        await SetUpAsync();
        var page = RenderAt("reports");
        page.WaitForAssertion(() => page.Find("form.report-form"));

        await page.Find("#field-BoroughId").ChangeAsync(new ChangeEventArgs { Value = newham.ToString() });
        page.Find("#field-AcademicYear").Change("2025");
        await page.Find("form.report-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("3", Headline(page, "referrals")));
        Assert.EndsWith($"/reports?period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White",
            Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void The_report_view_shows_each_figure_with_what_it_rests_on_and_a_text_alternative_for_each_chart()
    {
        var view = Render<ReportView>(p => p.Add(v => v.Result, ReportSamples.Result()).Add(v => v.Query, "period=academic_year&academicYear=2025"));

        Assert.Equal("62% — 31 of 50", view.Find("[data-testid=headline-diversion_rate] dd").TextContent.Trim());
        Assert.Equal("12.5 days — over 31 cases", view.Find("[data-testid=headline-days_to_conference] dd").TextContent.Trim());
        Assert.Equal("no cases — 0 of 0", view.Find("[data-testid=headline-harmed_satisfaction] dd").TextContent.Trim());
        // A headline figure says how it is counted, base included (every figure of a real report has its words: ReportQueriesTests).
        Assert.Contains("Out of the eligible referrals", view.Find("[data-testid=definition-conferences_held]").TextContent);
        foreach (var svg in view.FindAll("svg"))
        {
            Assert.Equal("img", svg.GetAttribute("role"));
            var ids = svg.GetAttribute("aria-labelledby")!.Split(' ');
            Assert.Equal("title", view.Find($"#{ids[0]}").TagName.ToLowerInvariant());
            Assert.Equal("desc", view.Find($"#{ids[1]}").TagName.ToLowerInvariant());
        }
        Assert.Contains("Referred 50 (100% of referred); Eligible 45 (90% of referred)", view.Find("#funnel-chart-desc").TextContent);
        Assert.Contains("October 2025 75% — 18 of 24", view.Find("#diversion-chart-desc").TextContent);
        Assert.Contains("Referrals: 50 in all, most in October 2025 (25)", view.Find("#trend-chart-desc").TextContent);
        // A CSV link per table, one workbook of them all, and the board report.
        Assert.Equal(8, view.FindAll("a[download][href*='.csv?']").Count);
        Assert.Single(view.FindAll("a[download][href*='all.xlsx?']"));
        Assert.Equal("Board report (PDF)", view.Find("a[download][href^='reports/board.pdf?']").TextContent);
        Assert.Equal(10, view.FindAll("a[download]").Count);
        var internalMatters = Render<HeadlineFigures>(p => p.Add(h => h.Query, "")
            .Add(h => h.Figures, [new HeadlineFigure("school_internal", "Referrals the school handled internally", FigureKind.Count, 0, null, null)]));
        Assert.Equal("not available for these filters", internalMatters.Find("[data-testid=headline-school_internal] dd").TextContent.Trim());
        Assert.Contains("=HYPERLINK", view.Find("[data-testid=schools-table]").TextContent);
    }

    [Fact]
    public void Each_headline_figure_and_funnel_stage_shows_the_same_period_a_year_earlier_and_the_change()
    {
        var previous = ReportSamples.Result(ReportSamples.Selection with { From = new DateOnly(2024, 9, 1), To = new DateOnly(2025, 8, 31) }) with
        {
            Headlines =
            [
                ReportSamples.Count("referrals", "Referrals", 45),
                ReportSamples.Rate("diversion_rate", "Diversion rate", 29, 50),
                ReportSamples.Median("days_to_conference", "Median days from referral to conference", 14.5, 20),
                ReportSamples.Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5)", 0, 0),
            ],
            Funnel = [ReportSamples.Stage("referred", "Referred", 45, 45, null), ReportSamples.Stage("eligible", "Eligible", 47, 45, 45)],
        };
        var view = Render<ReportView>(p => p.Add(v => v.Result, ReportSamples.Result() with { PreviousYear = previous })
            .Add(v => v.Query, "period=academic_year&academicYear=2025"));

        Assert.Contains("cases referred from 1 September 2024 to 31 August 2025", view.Find("[data-testid=report-comparison]").TextContent);
        string Previous(string key) => Regex.Replace(view.Find($"[data-testid=previous-{key}]").TextContent, @"\s+", " ").Trim();
        Assert.Equal("A year earlier: 45; change: +5", Previous("referrals"));
        Assert.Equal("A year earlier: 58% — 29 of 50; change: +4 percentage points", Previous("diversion_rate")); // 62% against 58%
        Assert.Equal("A year earlier: 14.5 days — over 20 cases; change: \u22122 days", Previous("days_to_conference"));
        Assert.Equal("A year earlier: no cases — 0 of 0", Previous("harmed_satisfaction")); // nothing to compare: no change given
        Assert.Empty(view.FindAll("[data-testid=previous-handled_internally]")); // not worked out a year earlier: nothing beside it

        var funnel = view.FindAll("[data-testid=funnel-table] tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["50", "100%", "", "45", "+5"], funnel[0].Take(5));
        Assert.Equal(["45", "90%", "90%", "47", "\u22122"], funnel[1].Take(5));
        Assert.Equal(["", ""], funnel[2].Skip(3).Take(2)); // a stage the year before did not have: nothing to compare
    }

    [Fact]
    public void Timeliness_and_harmed_parties_have_their_own_section_with_the_targets_in_words()
    {
        var result = ReportSamples.Result() with
        {
            Headlines =
            [
                ReportSamples.Count("referrals", "Referrals", 50),
                ReportSamples.Rate("assessed_in_time", "Suitability assessed within 10 working days of referral", 30, 40),
                ReportSamples.Rate("harmed_took_part", "Harmed parties who took part in a conference, of those who consented to take part", 12, 15),
            ],
        };
        var view = Render<ReportView>(p => p.Add(v => v.Result, result).Add(v => v.Query, ""));

        var timeliness = view.Find("section[aria-labelledby=timeliness-heading]");
        Assert.Equal("Timeliness and harmed parties", timeliness.QuerySelector("h2")!.TextContent);
        Assert.Contains("within 10 working days", timeliness.QuerySelector("p")!.TextContent);
        Assert.Contains("within 5 (the Victims' Code)", timeliness.QuerySelector("p")!.TextContent);
        Assert.Equal(["assessed_in_time", "harmed_took_part"], timeliness.QuerySelectorAll(".headline").Select(h => h.GetAttribute("data-testid")![9..]));
        Assert.Equal("75% — 30 of 40", timeliness.QuerySelector("[data-testid=headline-assessed_in_time] dd")!.TextContent.Trim());
        Assert.Equal(["referrals"], view.Find("section[aria-labelledby=headlines-heading]").QuerySelectorAll(".headline").Select(h => h.GetAttribute("data-testid")![9..]));
        // One link to the headline figures' file, which holds both sections.
        Assert.Single(view.FindAll("a[href*='headlines.csv']"));
    }

    [Fact]
    public void A_breakdown_sorts_by_any_column_and_by_the_change_on_a_year_earlier()
    {
        var now = ReportSamples.Result(bySchool: [ReportSamples.Row("Amber", 10), ReportSamples.Row("Birch", 30), ReportSamples.Row("Cedar", 20)]);
        var before = ReportSamples.Result(bySchool: [ReportSamples.Row("Amber", 2), ReportSamples.Row("Birch", 40), ReportSamples.Row("Cedar", 5)]);
        var view = Render<ReportView>(p => p.Add(v => v.Result, now with { PreviousYear = before }).Add(v => v.Query, ""));
        List<string> Names() => view.FindAll("[data-testid=schools-table] tbody th").Select(h => h.TextContent).ToList();
        string? Sort(string column) => view.Find($"[data-testid=sort-schools-{column}]").ParentElement!.GetAttribute("aria-sort");

        Assert.Equal(["Amber", "Birch", "Cedar"], Names());
        Assert.Equal("ascending", Sort("name"));
        Assert.Equal(["+8", "\u221210", "+15"], view.FindAll("[data-testid=schools-table] tbody tr").Select(r => r.QuerySelectorAll("td")[1].TextContent).ToList());

        view.Find("[data-testid=sort-schools-referrals_change]").Click(); // largest rise first
        Assert.Equal(["Cedar", "Amber", "Birch"], Names());
        Assert.Equal(("descending", null), (Sort("referrals_change"), Sort("name")));

        view.Find("[data-testid=sort-schools-referrals_change]").Click(); // again: largest fall first
        Assert.Equal(["Birch", "Amber", "Cedar"], Names());
        Assert.Equal("ascending", Sort("referrals_change"));

        view.Find("[data-testid=sort-schools-referrals]").Click();
        Assert.Equal(["Birch", "Cedar", "Amber"], Names());
        view.Find("[data-testid=sort-schools-name]").Click();
        Assert.Equal(["Amber", "Birch", "Cedar"], Names());
    }

    [Fact]
    public void A_long_breakdown_shows_the_ten_rows_with_the_most_referrals_and_a_button_shows_all_of_them_and_fewer_again()
    {
        var schools = Enumerable.Range(1, 30).Select(i => ReportSamples.Row($"School {i:D2}", i)).ToList(); // School 30 has the most
        var fifteen = Enumerable.Range(1, 15).Select(i => ReportSamples.Row($"Borough {i:D2}", 16 - i)).ToList();
        var view = Render<ReportView>(p => p.Add(v => v.Result, ReportSamples.Result(bySchool: schools) with { ByBorough = fifteen }).Add(v => v.Query, ""));
        List<string> Names(string table) => view.FindAll($"[data-testid={table}-table] tbody th").Select(h => h.TextContent).ToList();
        IElement Button() => view.Find("[data-testid=show-all-schools]");

        Assert.Equal(Enumerable.Range(21, 10).Reverse().Select(i => $"School {i:D2}"), Names("schools"));
        Assert.Equal("descending", view.Find("[data-testid=sort-schools-referrals]").ParentElement!.GetAttribute("aria-sort"));
        Assert.Equal("Show all 30 schools", Button().TextContent.Trim());
        Assert.Equal(("button", "false"), (Button().GetAttribute("type"), Button().GetAttribute("aria-expanded")));
        Assert.Equal("tbody", view.Find($"#{Button().GetAttribute("aria-controls")}").TagName.ToLowerInvariant());
        Assert.StartsWith("10 of 30 schools shown", view.Find("[data-testid=schools-extent]").TextContent.Trim());
        Assert.Contains("The first 10 of 30 rows in this order are shown", view.Find("[data-testid=schools-table] caption").TextContent);

        Button().Click();
        Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(i => $"School {i:D2}"), Names("schools"));
        Assert.Equal(("Show fewer schools", "true"), (Button().TextContent.Trim(), Button().GetAttribute("aria-expanded")));
        Assert.StartsWith("All 30 schools shown.", view.Find("[data-testid=schools-extent]").TextContent.Trim());
        Assert.DoesNotContain("The first 10", view.Find("[data-testid=schools-table] caption").TextContent);

        Button().Click();
        Assert.Equal(10, Names("schools").Count);
        Assert.Equal("Show all 30 schools", Button().TextContent.Trim());

        // Up to 15 rows a breakdown is shown whole, in its own order, with no button.
        Assert.Equal(Enumerable.Range(1, 15).Select(i => $"Borough {i:D2}"), Names("boroughs"));
        Assert.Equal("ascending", view.Find("[data-testid=sort-boroughs-name]").ParentElement!.GetAttribute("aria-sort"));
        Assert.Empty(view.FindAll("[data-testid=show-all-boroughs]"));
        Assert.Empty(view.FindAll("[data-testid=show-all-offence_categories]"));
    }

    [Fact]
    public void Sorting_a_long_breakdown_sorts_every_row_and_shows_the_first_ten_of_that_order()
    {
        // Referrals rise with the number and eligible falls: the rows with the most eligible are not among the first shown.
        // Only School 05 has fewer referrals than a year earlier.
        var schools = Enumerable.Range(1, 30).Select(i => new BreakdownRow($"School {i:D2}", i, 100 - i, 0, 0, 0, 0, 0)).ToList();
        var before = schools.Select(r => r with { Referrals = r.Name == "School 05" ? 50 : r.Referrals }).ToList();
        var now = ReportSamples.Result(bySchool: schools);
        var view = Render<ReportView>(p => p.Add(v => v.Result, now with { PreviousYear = ReportSamples.Result(bySchool: before) }).Add(v => v.Query, ""));
        List<string> Names() => view.FindAll("[data-testid=schools-table] tbody th").Select(h => h.TextContent).ToList();
        List<string> Schools(params int[] numbers) => numbers.Select(i => $"School {i:D2}").ToList();

        Assert.Equal(Schools(30, 29, 28, 27, 26, 25, 24, 23, 22, 21), Names());
        view.Find("[data-testid=sort-schools-eligible]").Click(); // most eligible first, of all 30
        Assert.Equal(Schools(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Names());
        view.Find("[data-testid=sort-schools-referrals_change]").Click(); // largest rise first: every other school is unchanged (0)
        Assert.Equal(Schools(1, 2, 3, 4, 6, 7, 8, 9, 10, 11), Names());
        view.Find("[data-testid=sort-schools-referrals_change]").Click(); // again: largest fall first
        Assert.Equal("School 05", Names()[0]);
        Assert.Equal("\u221245", view.Find("[data-testid=schools-table] tbody tr td:nth-of-type(2)").TextContent);
        view.Find("[data-testid=sort-schools-name]").Click();
        Assert.Equal(Schools(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Names());
        view.Find("[data-testid=sort-schools-name]").Click(); // Z to A
        Assert.Equal(Schools(30, 29, 28, 27, 26, 25, 24, 23, 22, 21), Names());

        // Showing all keeps the order; sorting keeps them all shown.
        view.Find("[data-testid=show-all-schools]").Click();
        Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(i => $"School {i:D2}"), Names());
        view.Find("[data-testid=sort-schools-eligible]").Click();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"School {i:D2}"), Names());
    }

    [Fact]
    public async Task The_page_shows_ten_of_the_boroughs_schools_and_the_downloads_have_every_school()
    {
        await SetUpAsync();
        await using var connection = await Database.Db.OpenAsync();
        var newhamSchools = (await connection.QueryAsync<string>("SELECT s.name FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham'"))
            .Select(name => $"{name}, Newham").Order(StringComparer.Ordinal).ToList();
        Assert.True(newhamSchools.Count > BreakdownSection.LongerThan, $"Newham has {newhamSchools.Count} schools");

        var page = RenderAt($"reports?period=academic_year&academicYear=2025&borough={newham}");
        page.WaitForAssertion(() => Assert.Equal("3", Headline(page, "referrals")));
        List<string> Names() => page.FindAll("[data-testid=schools-table] tbody th").Select(h => h.TextContent).ToList();
        // The form is not rendered again as the report arrives (each field would keep a second render tree): once each.
        Assert.All(page.FindComponents<SelectField>(), field => Assert.Equal(1, field.RenderCount));

        // The one school with referrals first, then nine of the others (no referrals: by name).
        Assert.Equal(["Langdon Park, Newham", .. newhamSchools.Where(n => n != "Langdon Park, Newham").Take(9)], Names());
        Assert.Equal($"Show all {newhamSchools.Count} schools", page.Find("[data-testid=show-all-schools]").TextContent.Trim());

        // The table's CSV and the workbook have every school of the selection, shown or not.
        var href = page.Find("a[download][href*='schools.csv']").GetAttribute("href")!;
        var query = QueryHelpers.ParseQuery(href[href.IndexOf('?')..]);
        var exports = Services.GetRequiredService<ReportExports>();
        var csv = await exports.ExportAsync(ReportTables.Schools, query, reviewer.Id);
        Assert.Equal(ExportStatus.Ok, csv.Status);
        Assert.Equal(newhamSchools, Features.ReportCsvTests.Parse(Encoding.UTF8.GetString(csv.Content![3..])).Skip(1).Select(r => r[0]).Order(StringComparer.Ordinal));
        var workbook = await exports.WorkbookAsync(query, reviewer.Id);
        Assert.Equal(newhamSchools, WorkbookReading.Read(workbook.Content!).Single(s => s.Name == "By school").Rows.Skip(1).Select(r => r[0].Text).Order(StringComparer.Ordinal));

        page.Find("[data-testid=show-all-schools]").Click();
        Assert.Equal(newhamSchools, Names().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_rate_and_index_shows_its_95_percent_interval_and_an_index_unlikely_to_be_chance_is_marked_in_the_table_and_the_chart()
    {
        var result = ReportSamples.Result() with
        {
            Disproportionality =
            [
                ReportSamples.Group("Asian", 8, 7, 0.93, Intervals.RelativeRateIndex(7, 8, 28, 30)),
                ReportSamples.Group("Black", 40, 20, 0.54, Intervals.RelativeRateIndex(20, 40, 28, 30)),
                ReportSamples.Group("White", 30, 28, 1),
            ],
        };
        var view = Render<ReportView>(p => p.Add(v => v.Result, result).Add(v => v.Query, "period=academic_year&academicYear=2025"));

        var eligible = view.FindAll("[data-testid=groups-table] tbody tr").Single(r => r.QuerySelector("th")!.TextContent == "Eligible");
        var cells = eligible.QuerySelectorAll("td").Select(c => Regex.Replace(c.TextContent, @"\s+", " ").Trim()).ToList();
        // Asian 7 of 8: Wilson 52.9–97.8%; index interval 0.71–1.24 (includes 1: no mark).
        Assert.Equal("87.5% — 7 of 8 95% CI 52.9–97.8% RRI 0.93 (0.71–1.24)", cells[0]);
        // Black 20 of 40: index interval 0.39–0.74, wholly below 1: marked, and said to a screen reader.
        Assert.Equal("50% — 20 of 40 95% CI 35.2–64.8% RRI 0.54 (0.39–0.74)* , unlikely to be chance alone", cells[1]);
        Assert.Single(view.FindAll("[data-testid=groups-table] [data-testid=beyond-chance]"));
        // The reference group has a rate interval but no index interval.
        Assert.Equal("93.3% — 28 of 30 95% CI 78.7–98.2% RRI 1.00", cells[2]);

        var description = view.Find("#rri-chart-desc").TextContent;
        Assert.Contains("Asian, Eligible: 0.93 (95% interval 0.71–1.24); Black, Eligible: 0.54 (95% interval 0.39–0.74), unlikely to be chance alone", description);
        Assert.DoesNotContain("White, Eligible", description);
        Assert.Equal(2, view.FindAll("[data-testid=rri-chart] circle").Count);
    }

    [Fact]
    public void A_month_without_a_diversion_rate_yet_says_how_many_cases_are_waiting_for_their_12_month_check()
    {
        var result = ReportSamples.Result() with
        {
            Trend =
            [
                new TrendPoint("July 2026", new DateOnly(2026, 7, 1), 20, 12, 9, 10, 3),
                new TrendPoint("August 2026", new DateOnly(2026, 8, 1), 18, 11, 0, 0, 14),
                new TrendPoint("September 2026", new DateOnly(2026, 9, 1), 5, 0, 0, 0, 0),
            ],
        };
        var view = Render<ReportView>(p => p.Add(v => v.Result, result).Add(v => v.Query, "period=academic_year&academicYear=2025"));

        var rows = view.FindAll("[data-testid=trend-table] tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelectorAll("td")[2].TextContent);
        Assert.Equal("90% — 9 of 10; 3 cases waiting for the 12-month check", rows["July 2026"]);
        Assert.Equal("not yet: 14 cases waiting for the 12-month check", rows["August 2026"]);
        Assert.Equal("no cases", rows["September 2026"]);
        // The cohort says what it counts: the conferences held for the month's referrals, not those held in the month.
        Assert.Contains("Of them, conference held", view.Find("[data-testid=trend-table] thead").TextContent);
        Assert.Equal("Cohort: the cases referred in each month", view.Find("#trend-heading").TextContent);
        // The chart shows the 14 in place of August's point, and says it in its description.
        Assert.Equal("14waiting", view.Find("[data-testid=awaiting-1]").TextContent.Replace(" ", "").Replace("\n", ""));
        Assert.Empty(view.FindAll("[data-testid=awaiting-2]"));
        Assert.Contains("Not yet: August 2026 14 waiting for the 12-month check.", view.Find("#diversion-chart-desc").TextContent);
    }
}
