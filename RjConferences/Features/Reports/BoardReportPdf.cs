using System.Text;
using RjConferences.Features.Agreements;

namespace RjConferences.Features.Reports;

/// <summary>
/// The report for the partnership board (a police authority committee), as an A4 PDF drawn with <see cref="PdfLayout"/>:
/// title, summary, headline figures with last year's, the funnel, equality, timeliness and harmed parties, the cohort charts,
/// the breakdowns, definitions and what suppression means. It is tabled in public, so every figure is a published
/// figure (<see cref="BoardFigures"/>); only aggregates, never a person. Touches no database.
/// </summary>
public sealed class BoardReportPdf(PdfFontSet fonts)
{
    /// <summary>The headline figures reported in their own section, as on the page (<see cref="ReportDefinitions.Timeliness"/>).</summary>
    private static bool IsTimelinessOrVictims(string key) => ReportDefinitions.Timeliness.Contains(key);

    public byte[] Render(BoardReport report)
    {
        var now = new BoardFigures(report.Result, report.SuppressBelow);
        var before = report.Result.PreviousYear is { } previous ? new BoardFigures(previous, report.SuppressBelow) : null;
        var period = ReportFormat.Period(report.Result.Selection);
        using var pdf = new PdfLayout(fonts.Family, Clean);
        pdf.Info.Title = $"Restorative justice in schools: partnership report, {period}";
        pdf.Info.Creator = "RjConferences";
        var sections = new BoardReportSections(pdf, now, before);

        pdf.Title("Restorative justice in schools");
        pdf.Paragraph("Safer Schools Partnership: report to the partnership board", pdf.HeadingFont, after: 8);
        pdf.Field("Period", $"Cases referred from {period}", labelWidth: 110);
        pdf.Field("Scope", Scope(report), labelWidth: 110);
        pdf.Field("Data as at", $"{LondonTime.Clock(report.AsAt, named: true)} on {LondonTime.FormatDate(LondonTime.DateOf(report.AsAt))}", labelWidth: 110);
        if (before is not null)
        {
            pdf.Field("Compared with", $"the same period a year earlier: {ReportFormat.Period(before.Result.Selection)}", labelWidth: 110);
        }
        pdf.Paragraph($"Published figures: counts from 1 to {report.SuppressBelow - 1} are shown as “<{report.SuppressBelow}”, and any figure from which " +
            "such a count could be worked out as “suppressed” (see the end of this report). No person can be identified from this report.",
            pdf.Small, after: 4);

        pdf.Heading("Summary");
        pdf.Paragraph(Summary(now, before, period));

        pdf.KeepTogether(pdf.HeadingHeight + 90);
        pdf.Heading("Headline figures");
        sections.Headlines(now.Headlines.Where(h => !IsTimelinessOrVictims(h.Figure.Key)));

        pdf.Heading("Stage by stage");
        pdf.Paragraph("Each case is counted at a stage only if it reached every stage before it. Beside each stage: why cases left before it " +
            "(“still in progress” cases have not left).", pdf.Small);
        sections.Funnel();

        pdf.Heading("Equality: disproportionality by ethnic group");
        sections.Equality(report.Result.Selection.ReferenceGroup);

        pdf.Heading("Timeliness and harmed parties");
        pdf.Paragraph($"How soon cases moved after referral, in working days (Monday to Friday, not bank holidays), against the targets: a suitability " +
            $"assessment within {ReportQueries.AssessmentTargetWorkingDays} working days, the harmed party offered restorative justice within " +
            $"{ReportQueries.VictimOfferTargetWorkingDays} (the Victims’ Code); and the harmed parties who took part and what they said. " +
            "Each figure gives what it rests on.", pdf.Small);
        sections.Headlines(now.Headlines.Where(h => IsTimelinessOrVictims(h.Figure.Key)).OrderBy(h => Array.IndexOf(ReportDefinitions.Timeliness, h.Figure.Key)));

        var quarterly = report.Result.Selection.Trend == TrendGranularity.Quarter;
        var unit = quarterly ? "quarter" : "month";
        pdf.Heading($"Cohort: the cases referred in each {unit}");
        pdf.Paragraph($"Each {unit}’s cases are those referred in it, followed to what became of them: conferences held for them (whenever held, so " +
            $"a {unit}’s count can grow after it has ended) and their diversion rate. These are the figures for rates, not a count of what happened in the {unit}.",
            pdf.Small);
        new BoardReportCharts(pdf, fonts.Family, now[ReportTables.Trend], quarterly).Draw();
        sections.Trend(quarterly);

        pdf.KeepTogether(pdf.HeadingHeight + 90);
        pdf.Heading($"Activity: what was recorded in each {unit}");
        pdf.Paragraph($"Everything recorded in the {unit}, whichever {unit} its case was referred in: the figures of a monthly return. A conference " +
            $"held in July for a case referred in May counts in July here and in May in the cohort above.", pdf.Small);
        sections.Activity(quarterly);

        sections.Breakdown(ReportTables.Boroughs, "Borough");
        sections.Breakdown(ReportTables.Schools, "School");
        sections.Breakdown(ReportTables.OffenceCategories, "Offence category");

        pdf.Heading("Definitions");
        foreach (var (figure, _) in now.Headlines)
        {
            if (ReportDefinitions.Headlines.TryGetValue(figure.Key, out var definition))
            {
                // The page speaks to its user ("your schools"); the board report to a committee.
                pdf.Bullet($"{figure.Label}: {definition.Replace("your schools", "the schools of the report's scope", StringComparison.Ordinal)}", pdf.Small);
            }
        }
        foreach (var definition in Definitions)
        {
            pdf.Bullet(definition, pdf.Small);
        }

        pdf.Heading("Small numbers and suppression");
        foreach (var paragraph in SuppressionStatement(report.SuppressBelow))
        {
            pdf.Paragraph(paragraph, pdf.Small);
        }

        return pdf.Finish($"Restorative justice in schools: partnership report, {period} · Published figures (small counts suppressed)");
    }

    /// <summary>The filters as the page words them, or the boroughs the report covers when there are none.</summary>
    private static string Scope(BoardReport report)
    {
        var boroughs = report.Result.ByBorough.Select(b => b.Name).ToList();
        var schools = boroughs.Count == 0 ? "no schools" : "the schools of " + JoinAnd(boroughs);
        return string.IsNullOrWhiteSpace(report.Filters) ? $"all {schools}" : $"{report.Filters} (within {schools})";
    }

    private static string JoinAnd(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    /// <summary>
    /// One paragraph in plain English from the published figures: referrals, the share eligible, conferences held,
    /// agreements completed and the diversion rate with its base. A hidden count is "fewer than 5" or "not published",
    /// and a share is given only when the export gives it.
    /// </summary>
    internal static string Summary(BoardFigures now, BoardFigures? before, string period)
    {
        string[] Row(string key) => now.Headline(key) ?? ["", "0", "0", "", ""];
        var referrals = Row("referrals")[1];
        if (referrals == "0")
        {
            return $"No case was referred from {period} in the schools this report covers.";
        }
        var text = new StringBuilder();
        var last = before?.Headline("referrals")?[1] is { } l ? $" ({BoardText.Words(l)} in the same period a year earlier)" : "";
        text.Append(referrals == ExportTable.SuppressedText
            ? $"From {period}, cases were referred for restorative justice (how many is not published, as it could reveal a small number){last}. "
            : $"From {period}, {BoardText.Words(referrals)} cases were referred for restorative justice{last}. ");
        text.Append(Of(Row("eligible"), "referrals") is { } eligible
            ? $"{Capital(eligible)} were eligible for a conference. "
            : "The number eligible for a conference is not published. ");
        text.Append(Of(Row("conferences_held"), "eligible cases") is { } held
            ? $"A conference was held for {held}. "
            : "The number of cases with a conference held is not published. ");
        var completed = Row("agreements_completed");
        text.Append(completed[1] == ExportTable.SuppressedText
            ? "The number of agreements completed is not published. "
            : $"{Capital(BoardText.Words(completed[1]))} agreements were completed, out of {BoardText.Words(completed[2])} reached. ");
        var (diverted, checks, rate) = (Row("diversion_rate")[1], Row("diversion_rate")[2], Row("diversion_rate")[3]);
        text.Append(checks == "0"
            ? "No case in the period has its 12-month follow-up check recorded yet, so there is no diversion rate for it yet."
            : BoardText.IsNumber(rate)
                ? $"The diversion rate was {rate}%: of the {checks} cases whose 12-month follow-up check is recorded, {diverted} had not entered the criminal justice system."
                : $"The diversion rate is not published, as it could reveal a small number ({BoardText.Words(checks)} cases have their 12-month follow-up check recorded).");
        return text.ToString();
    }

    /// <summary>
    /// "45 of the 50 referrals (90.0%)", "fewer than 5 of the 7 referrals"; "none of the …" when there is nothing to count;
    /// null when the count itself is not published. From a headline row (Figure, Number, Out of, Percentage).
    /// </summary>
    private static string? Of(string[] row, string noun)
    {
        var (count, of, percentage) = (row[1], row[2], row[3]);
        if (of == "0")
        {
            return $"none of the {noun}";
        }
        if (count == ExportTable.SuppressedText)
        {
            return null;
        }
        var whole = BoardText.IsNumber(of) ? $"the {of} {noun}" : of == ExportTable.SuppressedText ? $"the {noun}" : $"the {noun} ({BoardText.Words(of)})";
        return $"{BoardText.Words(count)} of {whole}" + (BoardText.IsNumber(percentage) ? $" ({percentage}%)" : "");
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static readonly string[] Definitions =
    [
        "Cases: a case is counted once however many young people, conferences or checks it has; the young person's details are those of the first responsible young person.",
        "Cohort: the cases referred in the period (by the date of referral), in the schools of the scope and within the filters, followed to what became of them so far.",
        "Stages: referred, eligible, consented (every consent given), conference held, agreement reached, agreement completed, and no entry into the criminal justice system (CJS) at the 12-month follow-up check.",
        "Relative rate index: a group's rate at a stage divided by the reference group's rate; 95% confidence intervals by the Wilson score method (rates) and the log method (indexes).",
    ];

    private static IEnumerable<string> SuppressionStatement(int suppressBelow) =>
    [
        $"This report will be published, so it shows published figures only, as the report's downloads do. A count from 1 to {suppressBelow - 1} is shown " +
        $"as “<{suppressBelow}”; 0 is shown as 0. Where a hidden count could be worked out by adding or subtracting other figures of this report (a stage " +
        "and the reasons cases left before it, for example), another count is hidden too and shown as “suppressed”; so is any percentage, index, " +
        "interval or median that rests on a hidden count. Charts leave hidden figures out and say which.",
        "The suppression is worked out over every table of this report together. It cannot cover other reports: two different selections (another " +
        "period, scope or filter, including the same period a year earlier shown here) are each suppressed on their own, and comparing them " +
        "to work out a hidden figure is the reader's responsibility not to do. Changes from last year are given only where both figures are published.",
        "The report holds aggregates only: counts, shares and medians of groups of cases, never a row per child.",
    ];

    /// <summary>Text as the font can show it: anything it cannot show (a script without glyphs) becomes "?".</summary>
    private string Clean(string text)
    {
        text = TextFormat.Normalise(text);
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (fonts.CanShow(rune.Value) || rune.Value == '\n') result.Append(rune.ToString());
            else result.Append('?');
        }
        return result.ToString();
    }
}
