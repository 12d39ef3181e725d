using RjConferences.Features.Agreements;

namespace RjConferences.Features.Reports;

/// <summary>
/// The tables of the board report, each from the published figures of <see cref="BoardFigures"/> (and last year's, when
/// there are some): the cells say what the export's cells say, joined into the phrases a committee reads ("62.0% (31 of 50)").
/// </summary>
internal sealed class BoardReportSections(PdfLayout pdf, BoardFigures now, BoardFigures? before)
{
    private PdfCell Cell(params string[] lines) => new([.. lines.Where(l => l.Length > 0).Select(l => (l, pdf.Small))]);

    private PdfCell Label(string text) => new((text, pdf.SmallBold));

    /// <summary>Figure, this period, and (when worked out) the same period last year and the change.</summary>
    public void Headlines(IEnumerable<(HeadlineFigure Figure, string[] Cells)> figures)
    {
        PdfColumn[] columns = before is null
            ? [new("Figure", 0.55), new("This period", 0.45)]
            : [new("Figure", 0.38), new("This period", 0.23), new("Same period last year", 0.23), new("Change", 0.16)];
        pdf.Table(columns, figures.Select(h =>
        {
            var last = before?.Headline(h.Figure.Key);
            IReadOnlyList<PdfCell> row = before is null
                ? [Label(h.Figure.Label), Cell(BoardText.Headline(h.Figure.Kind, h.Cells))]
                : [Label(h.Figure.Label), Cell(BoardText.Headline(h.Figure.Kind, h.Cells)),
                   Cell(last is null ? "–" : BoardText.Headline(h.Figure.Kind, last)), Cell(BoardText.Change(h.Figure.Kind, h.Cells, last))];
            return row;
        }), compact: true);
    }

    /// <summary>Each stage: cases, shares of referred and of the stage before, why cases left; last year's cases and the change.</summary>
    public void Funnel()
    {
        List<PdfColumn> columns =
        [
            new("Stage", 0.15), new("Cases", 0.125), new("Share of referred", 0.125), new("Share of previous stage", 0.125),
            new("Left before this stage", before is null ? 0.475 : 0.235),
        ];
        if (before is not null)
        {
            columns.AddRange([new("Same period last year", 0.125), new("Change", 0.115)]);
        }
        pdf.Table(columns, now.Funnel.Select(stage =>
        {
            var cells = stage.Reached;
            List<PdfCell> row =
            [
                Label(stage.Stage), Cell(cells[2]), Cell(BoardText.Percent(cells[3])), Cell(BoardText.Percent(cells[4])),
                Cell([.. stage.Left.Select(l => $"{l[1][BoardFigures.LeftPrefix.Length..]}: {l[2]}")]),
            ];
            if (before is not null)
            {
                var last = before.Stage(stage.Stage);
                row.AddRange([Cell(last?[2] ?? "–"), Cell(BoardText.Change(cells[2], last?[2] ?? ""))]);
            }
            return (IReadOnlyList<PdfCell>)row;
        }), compact: true);
    }

    /// <summary>The disproportionality table with its intervals and "*", and the notes the page gives beside it.</summary>
    public void Equality(string reference)
    {
        pdf.Paragraph("Each rate is the share of a group’s cases that reached the stage, out of its cases at the stage before. The relative rate " +
            $"index (RRI) divides a group’s rate by the rate of the reference group, {reference}: above 1 the group reached the stage more " +
            $"often than the {reference} group, below 1 less often.", pdf.Small);
        pdf.Paragraph("Each figure has its 95% confidence interval (CI): the range it could lie in by chance alone, given how few cases it rests on. " +
            "An index marked * has an interval wholly above or wholly below 1: the difference is unlikely to be chance alone. With so many " +
            "indexes, one or two may be marked by chance; and an unmarked index may still reflect a real difference too small to show in these numbers.",
            pdf.Small);
        var rows = now[ReportTables.Disproportionality];
        if (rows.Count == 0)
        {
            pdf.Paragraph("No cases in this selection.");
            return;
        }
        string? group = null;
        pdf.Table(
            [new("Ethnic group", 0.17), new("Stage", 0.21), new("Cases", 0.16), new("Rate (95% CI)", 0.23), new($"RRI against {reference} (95% CI)", 0.23)],
            rows.Select(r =>
            {
                // Ethnic group, Referred, Fewer than 30, Stage, Cases, Out of, Rate, its CI, RRI, its CI, Interval excludes 1.
                var first = r[0] != group;
                group = r[0];
                IReadOnlyList<PdfCell> row =
                [
                    first ? Cell(r[0], $"{r[1]} referred", r[2] == "yes" ? $"fewer than {ReportFormat.SmallBase}: read with care" : "") : Cell(r[0]),
                    Cell(r[3]),
                    Cell(r[5] == "0" ? "no cases" : $"{r[4]} of {r[5]}"),
                    Cell(r[5] == "0" ? "" : BoardText.Percent(r[6]), Range(r[7], r[8], "%")),
                    Cell(r[5] == "0" ? "" : r[9] == "" ? "–" : r[9] + (r[12] == "yes" ? " *" : ""), Range(r[10], r[11], "")),
                ];
                return row;
            }), compact: true);
        if (rows.Any(r => r[2] == "yes"))
        {
            pdf.Paragraph($"Rates of a group with fewer than {ReportFormat.SmallBase} referred cases change a lot with one or two cases: read them with care.", pdf.Small);
        }
    }

    /// <summary>"64.6–98.5%" when both ends are published; nothing otherwise (the figure itself then says why).</summary>
    private static string Range(string low, string high, string unit) =>
        BoardText.IsNumber(low) && BoardText.IsNumber(high) ? $"{low}–{high}{unit}" : "";

    /// <summary>The cohort table under the charts: every figure the charts draw, or leave out.</summary>
    public void Trend(bool quarterly)
    {
        pdf.Table(
            [new(quarterly ? "Quarter" : "Month", 0.2), new("Referrals", 0.14), new("Of them, conference held", 0.18), new("Diversion rate", 0.28),
             new("Waiting for the 12-month check", 0.2)],
            // Month, Starts on, Referrals, Of them held, Did not enter the CJS, Checks complete, Diversion rate, Waiting.
            now[ReportTables.Trend].Select(r => (IReadOnlyList<PdfCell>)
                [Label(r[0]), Cell(r[2]), Cell(r[3]), Cell(BoardText.Diversion(r[4], r[5], r[6])), Cell(r[7])]),
            compact: true);
    }

    /// <summary>What was recorded in each month or quarter, whichever month its case was referred in (the page's activity table).</summary>
    public void Activity(bool quarterly)
    {
        pdf.Table(
            [new(quarterly ? "Quarter" : "Month", 0.2), new("Referrals received", 0.16), new("Conferences held", 0.16), new("Agreements completed", 0.16),
             new("Follow-up checks recorded", 0.16), new("Cases closed", 0.16)],
            // Month, Starts on, Referrals received, Conferences held, Agreements completed, Checks recorded, Cases closed.
            now[ReportTables.Activity].Select(r => (IReadOnlyList<PdfCell>)
                [Label(r[0]), Cell(r[2]), Cell(r[3]), Cell(r[4]), Cell(r[5]), Cell(r[6])]),
            compact: true);
    }

    /// <summary>By borough, by school or by offence category; a long table breaks across pages with its header repeated.</summary>
    public void Breakdown(string table, string nameHeader)
    {
        // The heading, the table's header and its first rows on one page.
        pdf.KeepTogether(pdf.HeadingHeight + 90);
        pdf.Heading(ReportTables.Titles[table]);
        var rows = now[table];
        if (rows.Count == 0)
        {
            pdf.Paragraph("No cases in this selection.");
            return;
        }
        pdf.Table(
            // Every count column wide enough for "suppressed" and its header's words ("Conference held": the cases with one).
            [new(nameHeader, 0.19), new("Referrals", 0.12), new("Eligible", 0.12), new("Conference held", 0.135), new("Agreement reached", 0.13),
             new("Agreement completed", 0.13), new("Diversion rate", 0.175)],
            // Name, Referrals, Eligible, Held, Reached, Completed, Did not enter the CJS, Checks complete, Diversion rate.
            rows.Select(r => (IReadOnlyList<PdfCell>)
                [Label(r[0]), Cell(r[1]), Cell(r[2]), Cell(r[3]), Cell(r[4]), Cell(r[5]), Cell(BoardText.Diversion(r[6], r[7], r[8]))]),
            compact: true);
    }
}
