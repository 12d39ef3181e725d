using System.Globalization;
using RjConferences.Features.Reports;

namespace RjConferences.Tests.Support;

/// <summary>
/// What each row of the board report must read, worked out here from the export's cells (ReportTables.BuildAll and
/// ExportTable.Text: the published figures) rather than from the report's own code: the row's cells one after another,
/// as PdfPig reads a table row drawn cell by cell.
/// </summary>
public static class BoardReportReading
{
    public sealed record Rows(IReadOnlyList<string> Headlines, IReadOnlyList<string> Funnel, IReadOnlyList<string> Disproportionality,
        IReadOnlyList<string> Boroughs, IReadOnlyList<string> Schools, IReadOnlyList<string> Activity)
    {
        public IEnumerable<string> All => Headlines.Concat(Funnel).Concat(Disproportionality).Concat(Boroughs).Concat(Schools).Concat(Activity);
    }

    public static Dictionary<string, string[][]> Published(ReportResult result, int suppressBelow = 5) =>
        ReportTables.BuildAll(result, suppressBelow).ToDictionary(t => t.Key,
            t => t.Rows.Select(r => r.Select(c => ExportTable.Text(c, suppressBelow)).ToArray()).ToArray());

    public static Rows Expected(ReportResult result, int suppressBelow = 5)
    {
        var now = Published(result, suppressBelow);
        var before = result.PreviousYear is { } previous ? Published(previous, suppressBelow) : null;
        var headlines = result.Headlines.Select((figure, i) =>
        {
            var cells = now[ReportTables.Headlines][i];
            var last = before?[ReportTables.Headlines][result.PreviousYear!.Headlines.ToList().FindIndex(f => f.Key == figure.Key)];
            return Join(cells[0], Figure(figure.Kind, cells), before is null ? null : Figure(figure.Kind, last!), before is null ? null : Change(figure.Kind, cells, last!));
        }).ToList();
        var funnel = now[ReportTables.Funnel].Where(r => r[1] == "Reached this stage").Select(r =>
        {
            var left = now[ReportTables.Funnel].Where(l => l[0] == r[0] && l[1] != r[1]).Select(l => $"{l[1]["Left before this stage: ".Length..]}: {l[2]}");
            var last = before?[ReportTables.Funnel].Single(l => l[0] == r[0] && l[1] == r[1]);
            return Join([r[0], r[2], Percent(r[3]), Percent(r[4]), .. left, last?[2], last is null ? null : Change(r[2], last[2], "")]);
        }).ToList();
        string? group = null;
        var groups = now[ReportTables.Disproportionality].Select(r =>
        {
            var first = r[0] != group;
            group = r[0];
            var none = r[5] == "0";
            return Join(r[0], first ? $"{r[1]} referred" : null, first && r[2] == "yes" ? "fewer than 30: read with care" : null, r[3],
                none ? "no cases" : $"{r[4]} of {r[5]}",
                none ? null : Percent(r[6]), Numbers(r[7], r[8]) ? $"{r[7]}–{r[8]}%" : null,
                none ? null : r[9] == "" ? "–" : r[9] + (r[12] == "yes" ? " *" : ""), Numbers(r[10], r[11]) ? $"{r[10]}–{r[11]}" : null);
        }).ToList();
        // Activity: month, then referrals received, conferences held, agreements completed, checks recorded, cases closed.
        var activity = now[ReportTables.Activity].Select(r => Join(r[0], r[2], r[3], r[4], r[5], r[6])).ToList();
        return new Rows(headlines, funnel, groups, Breakdown(now[ReportTables.Boroughs]), Breakdown(now[ReportTables.Schools]), activity);
    }

    private static List<string> Breakdown(string[][] rows) =>
        rows.Select(r => Join(r[0], r[1], r[2], r[3], r[4], r[5], r[7] == "0" ? "no 12-month checks yet" : r[6] == "suppressed" ? $"{r[8]} (out of {r[7]})" : $"{Percent(r[8])} ({r[6]} of {r[7]})")).ToList();

    private static string Figure(FigureKind kind, string[] c) => kind switch
    {
        FigureKind.Rate when c[2] == "0" => "no cases",
        FigureKind.Rate when c[1] == "suppressed" => $"{c[3]} (out of {c[2]})",
        FigureKind.Rate => $"{Percent(c[3])} ({c[1]} of {c[2]})",
        FigureKind.MedianDays when c[2] == "0" => "no cases",
        FigureKind.MedianDays => $"{(c[4] == "suppressed" ? c[4] : c[4] + " days")} (over {c[2]} cases)",
        _ => c[1],
    };

    private static string Change(FigureKind kind, string[] now, string[] before) => kind switch
    {
        FigureKind.Rate => Change(now[3], before[3], " points"),
        FigureKind.MedianDays => Change(now[4], before[4], " days"),
        _ => Change(now[1], before[1], ""),
    };

    private static string Change(string now, string before, string unit)
    {
        if (!decimal.TryParse(now, CultureInfo.InvariantCulture, out var a) || !decimal.TryParse(before, CultureInfo.InvariantCulture, out var b))
        {
            return "–";
        }
        return a == b ? "no change" : (a > b ? "+" : "−") + Math.Abs(a - b).ToString(CultureInfo.InvariantCulture) + unit;
    }

    private static bool Numbers(params string[] texts) => texts.All(t => decimal.TryParse(t, CultureInfo.InvariantCulture, out _));

    private static string Percent(string text) => Numbers(text) ? text + "%" : text;

    private static string Join(params string?[] parts) => string.Join(" ", parts.Where(p => !string.IsNullOrEmpty(p)));
}
