using System.Globalization;
using RjConferences.Features.Agreements;
using RjConferences.Features.Reports;
using RjConferences.Tests.Support;
using static RjConferences.Tests.Support.ReportSamples;

namespace RjConferences.Tests.Features;

/// <summary>
/// The board report PDF, read back with PdfPig: every figure is the published text of the exports (ReportTables.BuildAll,
/// suppressed together), never a hidden value. No database: BoardReportPdf draws a ReportResult built here.
/// </summary>
public class BoardReportPdfTests
{
    /// <summary>Monday 15 June 2026, 10:00 in London (TestClock.Start): when the figures were "worked out".</summary>
    private static readonly DateTimeOffset AsAt = TestClock.Start;

    public static IReadOnlyList<PdfPageText> Render(ReportResult result, string filters = "", int suppressBelow = 5) =>
        PdfReading.Read(new BoardReportPdf(AgreementSamples.Fonts).Render(new BoardReport(result, filters, AsAt, suppressBelow)));

    /// <summary>
    /// An academic year of two boroughs and 20 schools: 480 referrals, with small counts among them (3 entered the CJS, a
    /// school with 2 referrals, an August with 3, an ethnic group with 3 eligible of 8) for the suppression to show.
    /// </summary>
    public static ReportResult Year(long extra = 0) => new(
        Selection,
        [
            Count("referrals", "Referrals", 480 + extra),
            Count("school_internal", "Referrals the school handled internally", 37),
            Rate("eligible", "Eligible referrals", 410 + extra, 480 + extra),
            Rate("conferences_held", "Conferences held", 260, 410 + extra),
            Rate("agreements_reached", "Agreements reached", 231, 260),
            Rate("agreements_completed", "Agreements completed", 170, 231),
            Rate("diversion_rate", "Diversion rate: did not enter the CJS within 12 months", 118, 121),
            Rate("entered_cjs_12", "Entered the CJS within 12 months", 3, 121),
            Rate("exclusions_avoided", "School exclusions avoided", 41, 150),
            Median("median_days_to_conference", "Median days from referral to conference", 23.5 + extra, 260),
            Median("median_days_to_victim_contact", "Median days from referral to first contact with the harmed party", 4, 212),
            Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5 out of 5)", 140, 171),
        ],
        [
            Stage("referred", "Referred", 480 + extra, 480 + extra, null),
            Stage("eligible", "Eligible", 410 + extra, 480 + extra, 480 + extra, new StageLeavers("not_admitted", "Not eligible: the offence was not admitted", 30),
                new StageLeavers("gravity", "Not eligible: the gravity score is above the maximum", 40)),
            Stage("consented", "Consented", 330, 480 + extra, 410 + extra, new StageLeavers("not_suitable", "Not suitable", 20),
                new StageLeavers("consent_refused", "Consent refused", 25), new StageLeavers("withdrawn", "Withdrawn", 15 + extra),
                new StageLeavers("in_progress", "Still being assessed or awaiting consent", 20)),
            Stage("conference_held", "Conference held", 260, 480 + extra, 330, new StageLeavers("not_suitable", "Not suitable", 6),
                new StageLeavers("conference_not_held", "Conference not held", 24), new StageLeavers("in_progress", "Waiting for a conference", 40)),
            Stage("agreement_reached", "Agreement reached", 231, 480 + extra, 260, new StageLeavers("no_agreement", "Conference held, no agreement reached", 29)),
            Stage("agreement_completed", "Agreement completed", 170, 480 + extra, 231, new StageLeavers("agreement_failed", "Agreement failed", 21),
                new StageLeavers("in_progress", "Agreement still active", 40)),
            Stage("no_cjs_12_months", "No CJS entry at 12 months", 100, 480 + extra, 170, new StageLeavers("entered_cjs", "Entered the criminal justice system", 3),
                new StageLeavers("in_progress", "12-month follow-up check not yet recorded", 67)),
        ],
        [
            Group("Asian", 8, 3, 0.4, new Interval(0.15, 1.05)),
            Group("Black", 120, 90, 0.86, new Interval(0.77, 0.95)),
            Group("Mixed", 40, 36, 1.05, new Interval(0.93, 1.18)),
            Group("White", 280 + extra, 250 + extra, 1),
            Group("Other", 12, 11, 1.03, new Interval(0.86, 1.23)),
            Group("Not stated", 20, 20, 1.12, new Interval(1.02, 1.24)),
        ],
        Enumerable.Range(0, 12).Select(m =>
        {
            var start = Selection.From.AddMonths(m);
            var referrals = m == 11 ? 3 : 30 + m * 3;
            return new TrendPoint(start.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")), start, referrals, referrals / 2,
                m < 4 ? 25 + m : 0, m < 4 ? 26 + m : 0, m < 4 ? 2 : referrals / 3);
        }).ToList(),
        [new BreakdownRow("Newham", 300, 260, 170, 150, 110, 80, 82), new BreakdownRow("Tower Hamlets", 180, 150, 90, 81, 60, 38, 39)],
        Enumerable.Range(1, 20).Select(i => new BreakdownRow($"School {i:00}, {(i <= 12 ? "Newham" : "Tower Hamlets")}",
            i == 20 ? 2 : 24, i == 20 ? 2 : 20, i == 20 ? 0 : 12, 10, 8, i % 2 == 0 ? 6 : 0, i % 2 == 0 ? 6 : 0)).ToList(),
        [Row("Minor assault", 300), Row("Theft", 180)])
    {
        // What was recorded in each month; November's 2 conferences held are small ("<5"), and the referrals are the cohort's.
        Activity = Enumerable.Range(0, 12).Select(m =>
        {
            var start = Selection.From.AddMonths(m);
            var referrals = m == 11 ? 3 : 30 + m * 3;
            return new ActivityPoint(start.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")), start, referrals, m == 2 ? 2 : 14 + m, 6 + m, 20, 9);
        }).ToList(),
    };

    /// <summary>
    /// One school's seven referrals: 6 eligible (1 gravity too high), 4 with a conference held, 2 agreements, no 12-month
    /// check yet. Almost everything is small: "&lt;5", and "suppressed" where a small count could be worked out.
    /// </summary>
    public static ReportResult Small() => new(
        Selection with { SchoolId = 1 },
        [
            Count("referrals", "Referrals", 7),
            Count("school_internal", "Referrals the school handled internally", 0),
            Rate("eligible", "Eligible referrals", 6, 7),
            Rate("conferences_held", "Conferences held", 4, 6),
            Rate("agreements_reached", "Agreements reached", 2, 4),
            Rate("agreements_completed", "Agreements completed", 0, 2),
            Rate("diversion_rate", "Diversion rate: did not enter the CJS within 12 months", 0, 0),
            Rate("entered_cjs_12", "Entered the CJS within 12 months", 0, 0),
            Rate("exclusions_avoided", "School exclusions avoided", 1, 2),
            Median("median_days_to_conference", "Median days from referral to conference", 11, 4),
            Median("median_days_to_victim_contact", "Median days from referral to first contact with the harmed party", null, 0),
            Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5 out of 5)", 2, 2),
        ],
        [
            Stage("referred", "Referred", 7, 7, null),
            Stage("eligible", "Eligible", 6, 7, 7, new StageLeavers("gravity", "Not eligible: the gravity score is above the maximum", 1)),
            Stage("consented", "Consented", 6, 7, 6, new StageLeavers("in_progress", "Still being assessed or awaiting consent", 0)),
            Stage("conference_held", "Conference held", 4, 7, 6, new StageLeavers("in_progress", "Waiting for a conference", 2)),
        ],
        [Group("Black", 3, 3, 1.2, new Interval(0.9, 1.5)), Group("White", 4, 3, 1)],
        [new TrendPoint("June 2026", new DateOnly(2026, 6, 1), 7, 4, 0, 0, 2)],
        [new BreakdownRow("Newham", 7, 6, 4, 2, 0, 0, 0)],
        [new BreakdownRow("Langdon Park, Newham", 7, 6, 4, 2, 0, 0, 0)],
        [Row("Theft", 7)]);

    private static void AssertEveryRow(IReadOnlyList<PdfPageText> pages, IEnumerable<string> rows)
    {
        var text = pages.Text();
        foreach (var row in rows)
        {
            // On failure, show what the PDF has where the row starts.
            var start = text.IndexOf(string.Join(" ", row.Split(' ').Take(2)), StringComparison.Ordinal);
            Assert.True(text.Contains(row, StringComparison.Ordinal),
                $"Expected: {row}\nIn the PDF: {(start < 0 ? "(not found)" : text[start..Math.Min(text.Length, start + row.Length + 40)])}");
        }
    }

    [Fact]
    public void Every_figure_of_a_year_is_the_published_text_of_the_exports()
    {
        var result = Year();

        var pages = Render(result, "Newham");

        var expected = BoardReportReading.Expected(result);
        Assert.Equal(12, expected.Headlines.Count);
        Assert.Equal(20, expected.Schools.Count);
        Assert.Equal(12, expected.Activity.Count);
        AssertEveryRow(pages, expected.All);
        var text = pages.Text();
        // Spot checks of what the exports publish: a small count and the count that would give it away are hidden.
        Assert.Contains("Entered the CJS within 12 months suppressed (<5 of 121)", text);
        Assert.Contains("Diversion rate: did not enter the CJS within 12 months suppressed (out of 121)", text);
        Assert.Contains("School 20, Tower Hamlets <5 <5 0", text);
        Assert.Contains("Asian 8 referred fewer than 30: read with care Referred 8 of 8 100.0% 1.00 Asian Eligible <5 of 8 suppressed suppressed", text);
        Assert.Contains("Not stated Eligible 20 of 20 100.0% 83.9–100.0% 1.12 * 1.02–1.24", text);
        Assert.DoesNotContain("Same period last year", text);
    }

    [Fact]
    public void The_title_gives_the_period_the_scope_and_when_the_data_were_worked_out_and_every_page_its_number()
    {
        var pages = Render(Year(), "Newham, Theft");

        var first = string.Join(" ", pages[0].Words);
        Assert.Contains("Safer Schools Partnership: report to the partnership board", first);
        Assert.Contains("Period Cases referred from 1 September 2025 to 31 August 2026", first);
        Assert.Contains("Scope Newham, Theft (within the schools of Newham and Tower Hamlets)", first);
        Assert.Contains("Data as at 10:00 BST on 15 June 2026", first);
        Assert.InRange(pages.Count, 3, 8);
        Assert.All(pages, p => Assert.Contains($"Page {p.Number} of {pages.Count}", p.Text));
        foreach (var heading in new[] { "Summary", "Headline figures", "Stage by stage", "Equality: disproportionality by ethnic group", "Timeliness and harmed parties",
                     "Cohort: the cases referred in each month", "Activity: what was recorded in each month", "By borough", "By school", "By offence category", "Definitions", "Small numbers and suppression" })
        {
            Assert.Contains(heading, pages.Text());
        }
        AssertInsideMargins(pages);
    }

    [Fact]
    public void Without_filters_the_scope_is_every_school_of_the_boroughs_covered()
    {
        var pages = Render(Year());

        Assert.Contains("Scope all the schools of Newham and Tower Hamlets", string.Join(" ", pages[0].Words));
    }

    private static string Summary(string text) =>
        text[text.IndexOf("Summary", StringComparison.Ordinal)..text.IndexOf("Headline figures", StringComparison.Ordinal)];

    /// <summary>Every number in the summary (its period and "12-month" aside) is a published figure of the headline table, or the 5 of "fewer than 5".</summary>
    private static void AssertOnlyPublishedNumbers(string summary, ReportResult result)
    {
        var published = BoardReportReading.Published(result)[ReportTables.Headlines].SelectMany(r => r).Append("5").ToHashSet();
        var numbers = System.Text.RegularExpressions.Regex.Matches(summary.Replace(ReportFormat.Period(result.Selection), "", StringComparison.Ordinal).Replace("12-month", "", StringComparison.Ordinal), @"\d+(\.\d+)?");
        Assert.All(numbers.Select(m => m.Value), n => Assert.Contains(n, published));
    }

    [Fact]
    public void The_summary_is_written_from_the_published_figures()
    {
        var text = Render(Year()).Text();

        AssertOnlyPublishedNumbers(Summary(text), Year());

        Assert.Contains("From 1 September 2025 to 31 August 2026, 480 cases were referred for restorative justice. "
            + "410 of the 480 referrals (85.4%) were eligible for a conference. A conference was held for 260 of the 410 eligible cases (63.4%). "
            + "170 agreements were completed, out of 231 reached. "
            // 118 of 121 is hidden with the 3 who entered the CJS: the summary gives neither.
            + "The diversion rate is not published, as it could reveal a small number (121 cases have their 12-month follow-up check recorded).", text);
    }

    [Fact]
    public void A_selection_with_small_counts_shows_less_than_5_and_suppressed_and_never_the_hidden_values()
    {
        var result = Small();

        var pages = Render(result, "Langdon Park, Newham");

        AssertEveryRow(pages, BoardReportReading.Expected(result).All);
        var text = pages.Text();
        var summary = Summary(text);
        Assert.StartsWith("Summary From 1 September 2025 to 31 August 2026, 7 cases were referred for restorative justice. ", summary);
        AssertOnlyPublishedNumbers(summary, result);
        // The summary says what the headline table says of the eligible referrals: the count if published, else that it is not.
        var eligible = BoardReportReading.Published(result)[ReportTables.Headlines][2];
        Assert.Contains(eligible[1] == "suppressed" ? "The number eligible for a conference is not published." : $"{eligible[1]} of the 7 referrals", summary);
        Assert.Contains("A conference was held for fewer than 5 of the", summary);
        Assert.Contains("No case in the period has its 12-month follow-up check recorded yet, so there is no diversion rate for it yet.", summary);
        // 7 = 6 eligible + 1 not: with the 1 hidden, the 6 is hidden in the funnel too.
        Assert.Contains("Eligible suppressed suppressed suppressed Not eligible: the gravity score is above the maximum: <5", text);
        Assert.Contains("Median days from referral to conference suppressed (over <5 cases)", text);
        Assert.Contains("Not drawn, as the figure is not published: conferences held in June 2026 (<5).", text);
        // Every column is wide enough for the word: never broken over two lines.
        Assert.All(pages.Words().Where(w => w.StartsWith("suppre", StringComparison.Ordinal) && !w.StartsWith("suppression", StringComparison.Ordinal)), w => Assert.StartsWith("suppressed", w));
    }

    [Fact]
    public void Last_years_figure_and_the_change_are_beside_each_headline_figure_and_funnel_stage()
    {
        var result = Year(extra: 20) with { PreviousYear = Year() with { Selection = new ReportSelection(new DateOnly(2024, 9, 1), new DateOnly(2025, 8, 31)) } };

        var pages = Render(result);

        var expected = BoardReportReading.Expected(result);
        AssertEveryRow(pages, expected.Headlines.Concat(expected.Funnel));
        var text = pages.Text();
        Assert.Contains("Compared with the same period a year earlier: 1 September 2024 to 31 August 2025", text);
        Assert.Contains("Figure This period Same period last year Change", text);
        Assert.Contains("Referrals 500 480 +20", text);
        Assert.Contains("Eligible referrals 86.0% (430 of 500) 85.4% (410 of 480) +0.6 points", text);
        Assert.Contains("Median days from referral to conference 43.5 days (over 260 cases) 23.5 days (over 260 cases) +20.0 days", text);
        Assert.Contains("Conferences held 60.5% (260 of 430) 63.4% (260 of 410) −2.9 points", text);
        // Hidden in both years: no change can be given.
        Assert.Contains("Entered the CJS within 12 months suppressed (<5 of 121) suppressed (<5 of 121) –", text);
        Assert.Contains("Consented 330 66.0% 76.7% Not suitable: 20", text);
        Assert.Contains("500 cases were referred for restorative justice (480 in the same period a year earlier)", text);
    }

    [Fact]
    public void The_chart_leaves_out_hidden_points_and_says_which_and_shows_the_cases_waiting()
    {
        var pages = Render(Year());

        var text = pages.Text();
        Assert.Contains("Not drawn, as the figure is not published: referrals in August 2026 (<5); conferences held in August 2026 (<5).", text);
        Assert.Contains("waiting", text);
        // The cohort table under the chart has every month.
        Assert.Contains("September 2025 30 15 96.2% (25 of 26) <5", text);
        Assert.Contains("August 2026 <5 <5 no 12-month checks yet <5", text);
    }

    [Fact]
    public void A_long_list_of_schools_breaks_across_pages_with_the_header_repeated()
    {
        var schools = Enumerable.Range(1, 150).Select(i => new BreakdownRow($"School {i:000}, Newham", 10 + i, 9, 6, 5, 4, 3, 3)).ToList();
        var result = Year() with { BySchool = schools };

        var pages = Render(result);

        AssertEveryRow(pages, BoardReportReading.Expected(result).Schools);
        var withSchools = pages.Where(p => p.Text.Contains("School 0", StringComparison.Ordinal) || p.Text.Contains("School 1", StringComparison.Ordinal)).ToList();
        Assert.True(withSchools.Count >= 3, $"{withSchools.Count} pages of schools");
        Assert.All(withSchools, p => Assert.Contains("School Referrals Eligible Conference held Agreement reached", string.Join(" ", p.Words)));
        AssertInsideMargins(pages);
    }

    /// <summary>With RJ_SCREENSHOTS set to a folder: the board report of a year, with last year's, and of a small selection, as PDFs to look at.</summary>
    [Fact]
    public void A_sample_is_written_for_people_to_look_at_when_asked()
    {
        var result = Year(extra: 20) with { PreviousYear = Year() };
        var pdf = new BoardReportPdf(AgreementSamples.Fonts).Render(new BoardReport(result, "", AsAt, 5));
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf[..4]));
        if (Environment.GetEnvironmentVariable("RJ_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "board-report.pdf"), pdf);
            File.WriteAllBytes(Path.Combine(folder, "board-report-small.pdf"),
                new BoardReportPdf(AgreementSamples.Fonts).Render(new BoardReport(Small(), "Langdon Park, Newham", AsAt, 5)));
        }
    }

    /// <summary>No letter is drawn off the page or into its side margins.</summary>
    private static void AssertInsideMargins(IReadOnlyList<PdfPageText> pages)
    {
        foreach (var page in pages)
        {
            foreach (var letter in page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)))
            {
                var box = letter.BoundingBox;
                Assert.True(box.Left >= PdfLayout.Margin - 1 && box.Right <= page.Width - PdfLayout.Margin + 1 && box.Bottom >= 20 && box.Top <= page.Height - 20,
                    $"'{letter.Value}' on page {page.Number} is drawn at {box}, outside the text area");
            }
        }
    }
}
