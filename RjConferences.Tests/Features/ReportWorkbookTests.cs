using System.Globalization;
using RjConferences.Features.Reports;
using RjConferences.Tests.Support;
using static RjConferences.Tests.Support.ReportSamples;

namespace RjConferences.Tests.Features;

/// <summary>
/// "Download all (Excel)": the workbook holds exactly the suppressed tables every export of the selection is made from
/// (<see cref="ReportTables.BuildAll"/>), numbers as numbers, names as text and never formulas, with the selection and the definitions.
/// </summary>
public class ReportWorkbookTests
{
    private const string FormulaSchool = "=HYPERLINK(\"http://example.org\",\"Click\")";

    /// <summary>Tuesday 16 June 2026, 11:30 in London: when the sample's figures were "worked out".</summary>
    private static readonly DateTimeOffset AsAt = new(2026, 6, 16, 10, 30, 0, TimeSpan.Zero);

    private static byte[] Workbook(ReportResult result, string filters = "", int suppressBelow = 5) =>
        ReportWorkbook.Write(result, new WorkbookCover(filters, AsAt, suppressBelow));

    private static bool IsNumber(ExportCell cell) =>
        cell is CountCell { Count.State: CountState.Shown } || cell is DerivedCell { Value: not null } d && !d.DependsOn.Any(c => c.Hidden);

    [Fact]
    public void Every_table_is_a_sheet_whose_cells_are_the_text_of_the_same_suppressed_tables_with_numbers_as_numbers()
    {
        var result = Result();
        var tables = ReportTables.BuildAll(result, 5);

        var sheets = WorkbookReading.Read(Workbook(result));

        Assert.Equal([ReportWorkbook.SelectionSheet, ReportWorkbook.DefinitionsSheet, .. tables.Select(ReportWorkbook.SheetName)], sheets.Select(s => s.Name));
        foreach (var table in tables)
        {
            var sheet = sheets.Sheet(ReportWorkbook.SheetName(table));
            Assert.Equal(table.Headers, sheet.Texts(0));
            Assert.All(sheet.Rows[0], h => Assert.True(h.Bold && !h.Number, $"{sheet.Name}: header {h.Text}"));
            Assert.True(sheet.HeaderFrozen, sheet.Name);
            Assert.Equal(table.Rows.Count + 1, sheet.Rows.Count);
            for (var r = 0; r < table.Rows.Count; r++)
            {
                var expected = table.Rows[r];
                var row = sheet.Rows[r + 1];
                Assert.True(row.Count <= expected.Count, $"{sheet.Name} row {r + 1}");
                for (var c = 0; c < expected.Count; c++)
                {
                    var cell = c < row.Count ? row[c] : new WorkbookValue("", false, false, false, null);
                    var text = ExportTable.Text(expected[c], 5);
                    Assert.True(text == cell.Text, $"{sheet.Name} row {r + 1} column {c + 1}: expected \"{text}\", found \"{cell.Text}\"");
                    Assert.True(IsNumber(expected[c]) == cell.Number || text == "", $"{sheet.Name} row {r + 1} column {c + 1} ({text}): number {cell.Number}");
                    Assert.False(cell.Formula);
                }
            }
        }
        // Suppressed cells read as the CSV writes them.
        var trend = sheets.Sheet("Cohort");
        Assert.Equal(["September 2025", "2025-09-01", "10", "<5", "<5", "<5", "suppressed", "0"], trend.Texts(1));
        Assert.Equal([false, false, true, false, false, false, false, true], trend.Rows[1].Select(c => c.Number));
    }

    [Fact]
    public void Percentages_and_indexes_are_numbers_shown_with_the_decimals_of_the_csv()
    {
        var result = Result() with { Disproportionality = [Group("Black", 12, 11, 0.97, new Interval(0.78, 1.21)), Group("White", 30, 28, 1)] };

        var sheets = WorkbookReading.Read(Workbook(result));

        var funnel = sheets.Sheet("Stage by stage").Rows.Single(r => r[0].Text == "Conference held" && r[1].Text == "Reached this stage");
        Assert.Equal(("31", true, null), (funnel[2].Text, funnel[2].Number, funnel[2].NumberFormat));
        Assert.Equal(("62.0", true, "0.0"), (funnel[3].Text, funnel[3].Number, funnel[3].NumberFormat));
        Assert.Equal(62.0, double.Parse(funnel[3].Text, CultureInfo.InvariantCulture));
        var black = sheets.Sheet("Disproportionality").Rows.Single(r => r[0].Text == "Black" && r[3].Text == "Eligible");
        Assert.Equal(("0.97", true, "0.00"), (black[9].Text, black[9].Number, black[9].NumberFormat));
        Assert.Equal(("0.78", true, "0.00"), (black[10].Text, black[10].Number, black[10].NumberFormat));
        Assert.Equal(("no", false), (black[12].Text, black[12].Number));
    }

    [Fact]
    public void A_school_named_like_a_formula_is_a_text_cell_and_the_file_has_no_formula_at_all()
    {
        var bytes = Workbook(Result());

        var school = WorkbookReading.Read(bytes).Sheet("By school").Row(FormulaSchool);

        Assert.False(school[0].Number);
        Assert.False(school[0].Formula);
        Assert.Equal(FormulaSchool, school[0].Text);
        Assert.Equal(0, WorkbookReading.FormulaCount(bytes));
    }

    [Theory]
    [InlineData("Control\u0001character")]
    [InlineData("\rReturned")]
    [InlineData("Looks escaped _x0041_")]
    [InlineData("+44 School")]
    public void A_name_with_characters_XML_cannot_hold_reads_back_as_typed(string name)
    {
        var sheets = WorkbookReading.Read(Workbook(Result(bySchool: [Row(name, 12), Row("Langdon Park", 20)])));

        Assert.Equal(name, sheets.Sheet("By school").Rows[1][0].Text);
        Assert.Equal("12", sheets.Sheet("By school").Rows[1][1].Text);
    }

    [Fact]
    public void Sheet_names_are_valid_for_Excel()
    {
        var names = ReportTables.BuildAll(Result(), 5).Select(ReportWorkbook.SheetName).ToList();

        Assert.All(names, n => Assert.True(n.Length is > 0 and <= 31 && n.IndexOfAny(['[', ']', ':', '*', '?', '/', '\\']) < 0 && n[0] != '\'', n));
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var made = ReportWorkbook.SheetName(new ExportTable("later", "Cohort: [new] table / with a title far longer than Excel allows", [], [], []));
        Assert.Equal("Cohort   new  table   with a ti", made);
    }

    [Fact]
    public void The_selection_sheet_says_what_was_selected_when_and_that_the_files_of_a_selection_are_suppressed_together()
    {
        var result = Result(Selection with { ReferenceGroup = "Black", Trend = TrendGranularity.Quarter });

        var selection = WorkbookReading.Read(Workbook(result, filters: "Newham, Theft, aged 14 to 15")).Sheet(ReportWorkbook.SelectionSheet);

        Assert.Equal("1 September 2025 to 31 August 2026", selection.Row("Cases referred from")[1].Text);
        Assert.Equal("Newham, Theft, aged 14 to 15", selection.Row("Filters")[1].Text);
        Assert.Equal("By quarter", selection.Row("Cohort table")[1].Text);
        Assert.StartsWith("Black:", selection.Row("Reference group")[1].Text);
        Assert.StartsWith("11:30 BST on 16 June 2026", selection.Row("Data as at")[1].Text);
        Assert.Equal(("5", true), (selection.Row("Suppression threshold")[1].Text, selection.Row("Suppression threshold")[1].Number));
        Assert.Contains("Counts from 1 to 4 are shown as “<5”", selection.Row("Suppression rule")[1].Text);
        var together = selection.Row("Suppressed together")[1].Text;
        Assert.Contains("Every figure in this workbook and in this selection's CSV files is suppressed together", together);
        Assert.Contains("Comparing two different selections with each other", together);
        Assert.Contains("is your responsibility", together);
        Assert.Equal("Cohort: cases referred in each month or quarter", selection.Row("Cohort")[1].Text);
        Assert.Equal("None: all of your boroughs and schools",
            WorkbookReading.Read(Workbook(Result())).Sheet(ReportWorkbook.SelectionSheet).Row("Filters")[1].Text);
    }

    [Fact]
    public void The_definitions_sheet_gives_each_headline_figure_its_definition_and_the_meaning_of_the_suppression_marks()
    {
        var result = Result();

        var definitions = WorkbookReading.Read(Workbook(result, suppressBelow: 10)).Sheet(ReportWorkbook.DefinitionsSheet);

        Assert.Equal(["Figure", "How it is counted"], definitions.Texts(0));
        Assert.True(definitions.HeaderFrozen);
        foreach (var figure in result.Headlines)
        {
            Assert.Equal(ReportDefinitions.Headlines.GetValueOrDefault(figure.Key, ""), definitions.Row(figure.Label).ElementAtOrDefault(1)?.Text ?? "");
        }
        Assert.Equal(ReportDefinitions.Headlines["conferences_held"], definitions.Row("Conferences held")[1].Text);
        Assert.StartsWith("A count from 1 to 9", definitions.Row("<10")[1].Text);
        Assert.Contains("would give away a count shown as “<10”", definitions.Row("suppressed")[1].Text);
    }

    [Fact]
    public void The_threshold_of_the_options_is_the_workbooks_too()
    {
        var result = Result() with { Headlines = [Count("a", "Seven", 7), Count("b", "Ten", 10)] };

        var headlines = WorkbookReading.Read(Workbook(result, suppressBelow: 10)).Sheet("Headline figures");

        Assert.Equal(("<10", false), (headlines.Row("Seven")[1].Text, headlines.Row("Seven")[1].Number));
        Assert.Equal(("10", true), (headlines.Row("Ten")[1].Text, headlines.Row("Ten")[1].Number));
    }

    [Fact]
    public void The_file_is_named_by_its_period_only()
    {
        Assert.Equal("report-2025-09-01-to-2026-08-31.xlsx", ReportWorkbook.FileName(Selection));
    }
}
