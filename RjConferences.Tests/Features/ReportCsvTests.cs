using System.Text;
using RjConferences.Features.Reports;
using RjConferences.Tests.Support;
using static RjConferences.Tests.Support.ReportSamples;

namespace RjConferences.Tests.Features;

/// <summary>The CSV exports: small counts suppressed (and not recoverable), formulas neutralised, aggregates only.</summary>
public class ReportCsvTests
{
    private static List<string[]> Csv(ReportResult result, string table, int suppressBelow = 5)
    {
        var bytes = ReportCsv.Write(ReportTables.BuildAll(result, suppressBelow).Single(t => t.Key == table), suppressBelow);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        return Parse(Encoding.UTF8.GetString(bytes[3..]));
    }

    /// <summary>A small RFC 4180 reader for the assertions (quoted fields, doubled quotes, CRLF records).</summary>
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                records.Add([.. fields]); fields.Clear();
                i++;
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        return records;
    }

    private static string[] RowOf(List<string[]> csv, params string[] start) =>
        csv.Single(r => r.Take(start.Length).SequenceEqual(start));

    [Fact]
    public void Counts_from_1_to_4_are_written_less_than_5_and_0_and_5_stay_as_they_are()
    {
        var result = Result() with
        {
            Headlines = [Count("a", "Zero", 0), Count("b", "One", 1), Count("c", "Four", 4), Count("d", "Five", 5), Count("e", "Sixty", 60)],
        };

        var csv = Csv(result, ReportTables.Headlines);

        Assert.Equal(["Figure", "Number", "Out of", "Percentage", "Median days"], csv[0]);
        Assert.Equal(["Zero", "0", "", "", ""], csv[1]);
        Assert.Equal(["One", "<5", "", "", ""], csv[2]);
        Assert.Equal(["Four", "<5", "", "", ""], csv[3]);
        Assert.Equal(["Five", "5", "", "", ""], csv[4]);
        Assert.Equal(["Sixty", "60", "", "", ""], csv[5]);
    }

    [Fact]
    public void A_count_that_cannot_be_given_for_the_filters_is_written_as_not_available()
    {
        var result = Result() with { Headlines = [new HeadlineFigure("school_internal", "Referrals the school handled internally", FigureKind.Count, 0, null, null)] };

        var csv = Csv(result, ReportTables.Headlines);

        Assert.Equal(["Referrals the school handled internally", "not available for these filters", "", "", ""], csv[1]);
    }

    [Fact]
    public void The_threshold_comes_from_the_options()
    {
        var result = Result() with { Headlines = [Count("a", "Seven", 7), Count("b", "Ten", 10)] };

        var csv = Csv(result, ReportTables.Headlines, suppressBelow: 10);

        Assert.Equal("<10", csv[1][1]);
        Assert.Equal("10", csv[2][1]);
    }

    [Fact]
    public void A_rate_is_suppressed_when_its_numerator_or_denominator_is()
    {
        var result = Result() with
        {
            Headlines =
            [
                Rate("a", "Small numerator", 3, 40), Rate("b", "Small denominator", 2, 3), Rate("c", "Both shown", 31, 50),
                Rate("d", "Nothing to divide", 0, 0), Median("e", "Median over few", 6, 3), Median("f", "Median over many", 12.5, 31),
            ],
        };

        var csv = Csv(result, ReportTables.Headlines);

        Assert.Equal(["Small numerator", "<5", "40", "suppressed", ""], csv[1]);
        Assert.Equal(["Small denominator", "<5", "<5", "suppressed", ""], csv[2]);
        Assert.Equal(["Both shown", "31", "50", "62.0", ""], csv[3]);
        Assert.Equal(["Nothing to divide", "0", "0", "", ""], csv[4]);
        Assert.Equal(["Median over few", "", "<5", "", "suppressed"], csv[5]);
        Assert.Equal(["Median over many", "", "31", "", "12.5"], csv[6]);
    }

    [Fact]
    public void A_small_share_cannot_be_had_by_subtracting_its_complement_from_the_shared_base()
    {
        // 47 of 50 did not enter the CJS, 3 of 50 did: showing 47 and 50 would give the 3 back.
        var result = Result() with
        {
            Headlines = [Rate("diversion_rate", "Diversion rate", 47, 50), Rate("entered_cjs", "Entered the CJS within 12 months", 3, 50)],
        };

        var csv = Csv(result, ReportTables.Headlines);

        Assert.Equal(["Diversion rate", "suppressed", "50", "suppressed", ""], csv[1]);
        Assert.Equal(["Entered the CJS within 12 months", "<5", "50", "suppressed", ""], csv[2]);
    }

    [Fact]
    public void The_funnel_hides_a_second_count_where_one_small_reason_could_be_worked_out_from_the_stages()
    {
        var csv = Csv(Result(), ReportTables.Funnel);

        Assert.Equal(["Stage", "Measure", "Cases", "Percentage of referred", "Percentage of previous stage"], csv[0]);
        Assert.Equal(["Referred", "Reached this stage", "50", "100.0", ""], RowOf(csv, "Referred", "Reached this stage"));
        // Two small reasons hide each other: 50 − 45 = 5 is their sum, not either one.
        Assert.Equal("<5", RowOf(csv, "Eligible", "Left before this stage: Not eligible: the offence was not admitted")[2]);
        Assert.Equal("<5", RowOf(csv, "Eligible", "Left before this stage: Not eligible: the gravity score is above the maximum")[2]);
        Assert.Equal(["Eligible", "Reached this stage", "45", "90.0", "90.0"], RowOf(csv, "Eligible", "Reached this stage"));
        // 40 − 31 = 9 = 4 + 5: with 5 shown the 4 would follow, so the 5 is hidden too.
        Assert.Equal("<5", RowOf(csv, "Conference held", "Left before this stage: Not suitable")[2]);
        Assert.Equal("suppressed", RowOf(csv, "Conference held", "Left before this stage: Conference not held")[2]);
        Assert.Equal(["Conference held", "Reached this stage", "31", "62.0", "77.5"], RowOf(csv, "Conference held", "Reached this stage"));
        Assert.Equal("0", RowOf(csv, "Agreement reached", "Left before this stage: No agreement")[2]);
        // 25 − 20 = 5 ≠ 1: the four cases still waiting for their check are not in the table, so the 1 cannot be had.
        Assert.Equal("<5", RowOf(csv, "No CJS entry at 12 months", "Left before this stage: Entered the CJS")[2]);
        Assert.Equal("20", RowOf(csv, "No CJS entry at 12 months", "Reached this stage")[2]);
    }

    [Fact]
    public void When_the_only_reason_is_small_the_next_stage_and_its_percentages_are_hidden()
    {
        var result = Result() with
        {
            Funnel =
            [
                Stage("referred", "Referred", 50, 50, null),
                Stage("eligible", "Eligible", 47, 50, 50, new StageLeavers("not_admitted", "Not admitted", 3)),
                Stage("consented", "Consented", 40, 50, 47, new StageLeavers("consent_refused", "Consent refused", 7)),
            ],
        };

        var csv = Csv(result, ReportTables.Funnel);

        Assert.Equal(["Eligible", "Reached this stage", "suppressed", "suppressed", "suppressed"], RowOf(csv, "Eligible", "Reached this stage"));
        // With 47 hidden, 47 = 40 + 7 would give it back: the 7 is hidden as well.
        Assert.Equal("suppressed", RowOf(csv, "Consented", "Left before this stage: Consent refused")[2]);
        Assert.Equal(["Consented", "Reached this stage", "40", "80.0", "suppressed"], RowOf(csv, "Consented", "Reached this stage"));
        Assert.Equal("50", RowOf(csv, "Referred", "Reached this stage")[2]);
    }

    [Fact]
    public void The_relative_rate_index_and_the_intervals_are_suppressed_when_the_group_or_the_reference_rests_on_a_small_count()
    {
        var result = Result() with
        {
            Disproportionality = [Group("Asian", 8, 3, 0.4, new Interval(0.15, 1.05)), Group("Black", 12, 11, 0.97, new Interval(0.78, 1.21)), Group("White", 30, 28, 1)],
        };

        var csv = Csv(result, ReportTables.Disproportionality);

        Assert.Equal(["Ethnic group", "Referred", "Fewer than 30 referred", "Stage", "Cases", "Out of", "Rate (%)",
            "Rate, 95% CI lower (%)", "Rate, 95% CI upper (%)", "Relative rate index (against White)",
            "Relative rate index, 95% CI lower", "Relative rate index, 95% CI upper", "Interval excludes 1"], csv[0]);
        // 3 of 8 is hidden, and with it everything worked out from it: the rate, its interval, the index, its interval and whether it excludes 1.
        Assert.Equal(["Asian", "8", "yes", "Eligible", "<5", "8", .. Enumerable.Repeat("suppressed", 7)], RowOf(csv, "Asian", "8", "yes", "Eligible"));
        // 11 of 12: Wilson interval 64.6–98.5% (centre 0.8156, half-width 0.1695, as IntervalsTests works them).
        Assert.Equal(["Black", "12", "yes", "Eligible", "11", "12", "91.7", "64.6", "98.5", "0.97", "0.78", "1.21", "no"], RowOf(csv, "Black", "12", "yes", "Eligible"));
        // The reference group's index is 1 by definition: no interval.
        Assert.Equal(["White", "30", "no", "Eligible", "28", "30", "93.3", "78.7", "98.2", "1.00", "", "", ""], RowOf(csv, "White", "30", "no", "Eligible"));
    }

    [Fact]
    public void A_group_rate_is_suppressed_with_its_reference_when_the_reference_is_small()
    {
        var result = Result() with { Disproportionality = [Group("Black", 40, 38, 1.9, new Interval(1.2, 3.0)), Group("White", 4, 2, 1)] };

        var csv = Csv(result, ReportTables.Disproportionality);

        // The rate and its interval rest on 38 and 40 only; the index, its interval and the marker on White's 2 of 4 too.
        Assert.Equal(["Black", "40", "no", "Eligible", "38", "40", "95.0", "83.5", "98.6", "suppressed", "suppressed", "suppressed", "suppressed"],
            RowOf(csv, "Black", "40", "no", "Eligible"));
        Assert.Equal(["White", "<5", "yes", "Eligible", "<5", "<5", .. Enumerable.Repeat("suppressed", 7)], RowOf(csv, "White", "<5", "yes", "Eligible"));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://example.org\",\"Click\")")]
    [InlineData("+44 School")]
    [InlineData("-1 Academy")]
    [InlineData("@SUM(A1)")]
    [InlineData("\tTabbed")]
    [InlineData("\rReturned")]
    public void A_name_that_a_spreadsheet_would_run_is_written_after_a_single_quote(string name)
    {
        var result = Result(bySchool: [Row(name, 12), Row("Langdon Park", 20)]);

        var csv = Csv(result, ReportTables.Schools);

        Assert.Equal("'" + name, csv[1][0]);
        Assert.Equal("12", csv[1][1]);
        Assert.Equal("Langdon Park", csv[2][0]);
    }

    [Fact]
    public void The_formula_school_of_the_sample_is_neutralised_in_the_raw_file_too()
    {
        var bytes = ReportCsv.Write(ReportTables.BuildAll(Result(), 5).Single(t => t.Key == ReportTables.Schools), 5);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains("\"'=HYPERLINK(\"\"http://example.org\"\",\"\"Click\"\")\"", text);
        Assert.DoesNotContain(",=", text);
        Assert.DoesNotContain("\n=", text);
    }

    [Fact]
    public void A_total_of_6_made_of_a_small_count_and_a_suppressed_one_is_hidden_too_since_bounds_alone_would_give_both()
    {
        // 6 = 5 + 1: the 1 is "<5", so the 5 is hidden to protect it; but "<5" is at least 1 and "suppressed" at least 5,
        // so with 6 shown both would follow. The 6 is hidden as well.
        ExportCount six = new(6), five = new(5), one = new(1);
        var table = new ExportTable("t", "T", ["Total", "Part", "Part"], [[new CountCell(six), new CountCell(five), new CountCell(one)]], []);

        ReportSuppression.Apply([table], [new SumRelation(six, [five, one])], 5);

        Assert.Equal([CountState.Protecting, CountState.Protecting, CountState.Small], new[] { six.State, five.State, one.State });
    }

    [Fact]
    public void A_total_of_7_made_of_a_small_count_and_a_suppressed_one_stays_shown()
    {
        // 7 = 5 + 2: the small part is 1 or 2 and the other 5 or 6, nothing is pinned.
        ExportCount seven = new(7), five = new(5), two = new(2);
        var table = new ExportTable("t", "T", ["Total", "Part", "Part"], [[new CountCell(seven), new CountCell(five), new CountCell(two)]], []);

        ReportSuppression.Apply([table], [new SumRelation(seven, [five, two])], 5);

        Assert.Equal([CountState.Shown, CountState.Protecting, CountState.Small], new[] { seven.State, five.State, two.State });
    }

    [Fact]
    public void Every_table_has_a_header_and_one_row_per_aggregate()
    {
        var result = Result();
        foreach (var key in ReportTables.Titles.Keys)
        {
            var csv = Csv(result, key);
            Assert.True(csv.Count > 1, key);
            Assert.All(csv, r => Assert.Equal(csv[0].Length, r.Length));
        }
        Assert.Equal(3 + 1, Csv(result, ReportTables.Trend).Count);
        Assert.Equal(["Month", "Starts on", "Referrals", "Of them, conference held", "Did not enter the CJS within 12 months", "12-month checks complete",
            "Diversion rate (%)", "Waiting for the 12-month check"], Csv(result, ReportTables.Trend)[0]);
        Assert.Equal(["September 2025", "2025-09-01", "10", "<5", "<5", "<5", "suppressed", "0"], Csv(result, ReportTables.Trend)[1]);
        Assert.Equal(["October 2025", "2025-10-01", "25", "20", "18", "24", "75.0", "<5"], Csv(result, ReportTables.Trend)[2]);
        // The months add up to the headline figures (31 conferences held, 31 of 50 checks without a CJS entry): with
        // November's counts shown, September's small ones would follow by subtraction, so November's are hidden too.
        Assert.Equal(["November 2025", "2025-11-01", "15", "suppressed", "suppressed", "suppressed", "suppressed", "12"], Csv(result, ReportTables.Trend)[3]);
    }
}
