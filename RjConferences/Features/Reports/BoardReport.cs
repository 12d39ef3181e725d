namespace RjConferences.Features.Reports;

/// <summary>
/// What the board report is drawn from: the report of one selection (with last year's, when worked out), the selection's
/// filters in words (<see cref="ReportChoices.Describe"/>), when the figures were worked out, and the suppression threshold.
/// </summary>
public sealed record BoardReport(ReportResult Result, string Filters, DateTimeOffset AsAt, int SuppressBelow)
{
    /// <summary>"board-report-2025-09-01-to-2026-08-31.pdf": the period only, nothing about a person.</summary>
    public static string FileName(ReportSelection selection) =>
        string.Create(CultureInfo.InvariantCulture, $"board-report-{selection.From:yyyy-MM-dd}-to-{selection.To:yyyy-MM-dd}.pdf");
}

/// <summary>
/// The published figures of one selection as text: the cells of <see cref="ReportTables.BuildAll"/> (every table
/// suppressed together) through <see cref="ExportTable.Text"/>. The board report is tabled in public, so it writes only
/// these texts and words around them: a count the exports hide is "&lt;5" or "suppressed" here too, never its value.
/// </summary>
internal sealed class BoardFigures
{
    private readonly Dictionary<string, IReadOnlyList<string[]>> tables;

    public BoardFigures(ReportResult result, int suppressBelow)
    {
        Result = result;
        tables = ReportTables.BuildAll(result, suppressBelow).ToDictionary(t => t.Key,
            t => (IReadOnlyList<string[]>)t.Rows.Select(r => r.Select(c => ExportTable.Text(c, suppressBelow)).ToArray()).ToList());
        // The headline table has one row per headline figure, in the same order.
        Headlines = result.Headlines.Select((f, i) => (f, tables[ReportTables.Headlines][i])).ToList();
    }

    public ReportResult Result { get; }

    /// <summary>Each headline figure with its row: Figure, Number, Out of, Percentage, Median days.</summary>
    public IReadOnlyList<(HeadlineFigure Figure, string[] Cells)> Headlines { get; }

    /// <summary>The rows of one table (<see cref="ReportTables"/>' keys), as text.</summary>
    public IReadOnlyList<string[]> this[string table] => tables[table];

    public string[]? Headline(string key) => Headlines.FirstOrDefault(h => h.Figure.Key == key).Cells;

    /// <summary>
    /// The funnel table's rows by stage: its "Reached this stage" row (Stage, Measure, Cases, % of referred, % of previous)
    /// and the rows of the reasons cases left before it.
    /// </summary>
    public IEnumerable<(string Stage, string[] Reached, IReadOnlyList<string[]> Left)> Funnel =>
        this[ReportTables.Funnel].GroupBy(r => r[0]).Select(g => (g.Key, g.Single(r => r[1] == Reached), (IReadOnlyList<string[]>)g.Where(r => r[1] != Reached).ToList()));

    public string[]? Stage(string label) => Funnel.Where(s => s.Stage == label).Select(s => s.Reached).FirstOrDefault();

    public const string Reached = "Reached this stage";
    public const string LeftPrefix = "Left before this stage: ";
}

/// <summary>How the board report words a published figure: always from its text, so a hidden one stays hidden.</summary>
internal static class BoardText
{
    public static bool IsNumber(string text) => double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    /// <summary>"62.0%"; a hidden or empty percentage as it is.</summary>
    public static string Percent(string text) => IsNumber(text) ? text + "%" : text;

    /// <summary>
    /// "62.0% (31 of 50)", "suppressed (&lt;5 of 40)", "suppressed (out of 121)" when the count too is hidden; "no cases" when
    /// there is nothing to divide by.
    /// </summary>
    public static string Rate(string numerator, string denominator, string percentage) =>
        denominator == "0" ? "no cases"
        : numerator == ExportTable.SuppressedText ? $"{Percent(percentage)} (out of {denominator})"
        : $"{Percent(percentage)} ({numerator} of {denominator})";

    /// <summary>A headline figure from its row (Figure, Number, Out of, Percentage, Median days).</summary>
    public static string Headline(FigureKind kind, string[] cells) => kind switch
    {
        FigureKind.Rate when cells[2] != "" => Rate(cells[1], cells[2], cells[3]),
        FigureKind.MedianDays => cells[2] == "0" ? "no cases" : $"{(IsNumber(cells[4]) ? cells[4] + " days" : cells[4])} (over {cells[2]} cases)",
        _ => cells[1],
    };

    /// <summary>
    /// This period less last year's, worked out only from two shown figures ("+10", "−2.5 points", "no change"); "–" when
    /// either is hidden or has no base, since a change must not be had from a hidden figure.
    /// </summary>
    public static string Change(FigureKind kind, string[]? now, string[]? before)
    {
        if (now is null || before is null)
        {
            return "–";
        }
        var (column, unit) = kind switch
        {
            FigureKind.Rate when now[2] != "" => (3, " points"),
            FigureKind.MedianDays => (4, " days"),
            _ => (1, ""),
        };
        return Change(now[column], before[column], unit);
    }

    public static string Change(string now, string before, string unit = "")
    {
        if (!IsNumber(now) || !IsNumber(before))
        {
            return "–";
        }
        var change = decimal.Parse(now, CultureInfo.InvariantCulture) - decimal.Parse(before, CultureInfo.InvariantCulture);
        return change == 0 ? "no change" : (change > 0 ? "+" : "−") + Math.Abs(change).ToString(CultureInfo.InvariantCulture) + unit;
    }

    /// <summary>A count in a sentence: "12", "fewer than 5", "a number not published".</summary>
    public static string Words(string count) => count switch
    {
        ExportTable.SuppressedText => "a number not published",
        _ when count.StartsWith(ExportTable.SmallPrefix, StringComparison.Ordinal) => "fewer than " + count[ExportTable.SmallPrefix.Length..],
        _ => count,
    };

    /// <summary>The diversion rate of a trend point or breakdown row: "75.0% (18 of 24)", or "no 12-month checks yet".</summary>
    public static string Diversion(string diverted, string checks, string percentage) =>
        checks == "0" ? "no 12-month checks yet" : Rate(diverted, checks, percentage);
}
