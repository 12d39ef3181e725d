using PdfSharp.Drawing;
using RjConferences.Features.Agreements;

namespace RjConferences.Features.Reports;

/// <summary>
/// The cohort charts of the board report, drawn as vectors: referrals and conferences held by month (bars), and the
/// diversion rate (a line, with the cases still waiting for their 12-month check where there is no rate yet) — as the
/// page's TrendChart and DiversionChart. Drawn from the published trend table only: a hidden figure has no bar or point
/// (and the scale is worked out without it, so its height cannot be read off the axis); a note under the chart says which.
/// </summary>
internal sealed class BoardReportCharts(PdfLayout pdf, string family, IReadOnlyList<string[]> rows, bool quarterly)
{
    private readonly XFont font = new(family, 6.5, XFontStyleEx.Regular, new XPdfFontOptions(PdfSharp.Pdf.PdfFontEncoding.Unicode));

    // Trend table columns: Month, Starts on, Referrals, Of them held, Did not enter the CJS, Checks complete, Diversion rate, Waiting.
    private const int Referrals = 2, Held = 3, Checks = 5, Rate = 6, Waiting = 7;
    private const double Left = 34, Right = 6;

    private static readonly XColor Dark = XColor.FromArgb(0x1D, 0x4F, 0x91);
    private static readonly XColor Light = XColor.FromArgb(0x8F, 0xB8, 0xDE);
    private static readonly XPen Grid = new(XColor.FromArgb(0xCC, 0xCC, 0xCC), 0.5);
    private static readonly XPen Axis = new(XColors.Black, 0.8);
    private static readonly XPen Line = new(Dark, 1.6);

    private string Unit => quarterly ? "quarter" : "month";

    public void Draw()
    {
        if (rows.Count == 0)
        {
            return;
        }
        // Each caption on the page of its chart.
        pdf.KeepTogether(PdfLayout.LineHeight(pdf.Bold) + 2 + 190);
        pdf.Paragraph($"Referrals and conferences held by {Unit}", pdf.Bold, after: 2);
        pdf.Drawing(190, Bars);
        Note("Not drawn, as the figure is not published", rows
            .SelectMany(r => new[] { (r, Referrals, "referrals"), (r, Held, "conferences held") })
            .Where(x => !BoardText.IsNumber(x.r[x.Item2]))
            .Select(x => $"{x.Item3} in {x.r[0]} ({x.r[x.Item2]})"));

        pdf.KeepTogether(PdfLayout.LineHeight(pdf.Bold) + 2 + 160);
        pdf.Paragraph($"Diversion rate by {Unit} of referral", pdf.Bold, after: 2);
        pdf.Drawing(160, Diversion);
        Note("No point, as the rate is not published", rows.Where(r => r[Checks] != "0" && !BoardText.IsNumber(r[Rate])).Select(r => r[0]));
    }

    private void Note(string lead, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count > 0)
        {
            pdf.Paragraph($"{lead}: {string.Join("; ", list)}. The table below gives every figure.", pdf.Small);
        }
    }

    private double Band(XRect area) => (area.Width - Left - Right) / rows.Count;

    private void Bars(XGraphics gfx, XRect area)
    {
        var bottom = area.Bottom - 26;
        var top = area.Top + 22;
        var shown = rows.SelectMany(r => new[] { r[Referrals], r[Held] }).Where(BoardText.IsNumber).Select(long.Parse).DefaultIfEmpty(0).Max();
        var (axisTop, step) = ChartScale.Axis(shown);
        double Y(long value) => bottom - (bottom - top) * value / axisTop;
        Legend(gfx, area.Left + Left, area.Top + 4);
        for (var t = 0L; t <= axisTop; t += step)
        {
            gfx.DrawLine(Grid, area.Left + Left, Y(t), area.Right - Right, Y(t));
            gfx.DrawString(t.ToString(CultureInfo.InvariantCulture), pdf.Small, XBrushes.Black, area.Left + Left - 4, Y(t), XStringFormats.CenterRight);
        }
        var band = Band(area);
        for (var i = 0; i < rows.Count; i++)
        {
            var x = area.Left + Left + i * band;
            foreach (var (column, offset, colour) in new[] { (Referrals, 0.12, Dark), (Held, 0.52, Light) })
            {
                if (!long.TryParse(rows[i][column], CultureInfo.InvariantCulture, out var value))
                {
                    continue;   // hidden: no bar
                }
                gfx.DrawRectangle(new XSolidBrush(colour), x + band * offset, Y(value), band * 0.36, bottom - Y(value));
                if (band >= 24)
                {
                    gfx.DrawString(rows[i][column], font, XBrushes.Black, x + band * (offset + 0.18), Y(value) - 1, XStringFormats.BottomCenter);
                }
            }
            XAxisLabel(gfx, i, x + band / 2, bottom);
        }
        gfx.DrawLine(Axis, area.Left + Left, bottom, area.Right - Right, bottom);
    }

    private void Diversion(XGraphics gfx, XRect area)
    {
        var bottom = area.Bottom - 26;
        var top = area.Top + 10;
        double Y(double share) => bottom - (bottom - top) * share;
        foreach (var tick in new[] { 0, 25, 50, 75, 100 })
        {
            gfx.DrawLine(Grid, area.Left + Left, Y(tick / 100.0), area.Right - Right, Y(tick / 100.0));
            gfx.DrawString($"{tick}%", pdf.Small, XBrushes.Black, area.Left + Left - 4, Y(tick / 100.0), XStringFormats.CenterRight);
        }
        var band = Band(area);
        double X(int i) => area.Left + Left + (i + 0.5) * band;
        XPoint? previous = null;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            XAxisLabel(gfx, i, X(i), bottom);
            if (!double.TryParse(row[Rate], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent))
            {
                previous = null;   // no rate, or a hidden one: the line breaks here
                if (row[Checks] == "0" && row[Waiting] != "0" && band >= 24)
                {
                    gfx.DrawString(row[Waiting], font, XBrushes.Black, X(i), bottom - 16, XStringFormats.BottomCenter);
                    gfx.DrawString("waiting", font, XBrushes.Black, X(i), bottom - 6, XStringFormats.BottomCenter);
                }
                continue;
            }
            var point = new XPoint(X(i), Y(percent / 100));
            if (previous is { } p)
            {
                gfx.DrawLine(Line, p, point);
            }
            gfx.DrawEllipse(new XSolidBrush(Dark), point.X - 2.5, point.Y - 2.5, 5, 5);
            if (band >= 24)
            {
                gfx.DrawString(row[Rate] + "%", font, XBrushes.Black, point.X, point.Y - 4, XStringFormats.BottomCenter);
            }
            previous = point;
        }
        if (rows.All(r => r[Checks] == "0"))
        {
            gfx.DrawString("No 12-month checks are complete for cases referred in this period", pdf.Small, XBrushes.Black,
                area.Left + area.Width / 2, top + (bottom - top) * 0.4, XStringFormats.Center);
        }
        gfx.DrawLine(Axis, area.Left + Left, bottom, area.Right - Right, bottom);
    }

    /// <summary>The month ("Sep") or quarter ("Jan–Mar") and its year below, for every label that has room.</summary>
    private void XAxisLabel(XGraphics gfx, int i, double x, double bottom)
    {
        if (i % ChartScale.LabelEvery(rows.Count, 12) != 0 || !DateOnly.TryParseExact(rows[i][1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return;
        }
        gfx.DrawString(ChartScale.ShortLabel(start, quarterly), pdf.Small, XBrushes.Black, x, bottom + 3, XStringFormats.TopCenter);
        gfx.DrawString(start.Year.ToString(CultureInfo.InvariantCulture), pdf.Small, XBrushes.Black, x, bottom + 13, XStringFormats.TopCenter);
    }

    private void Legend(XGraphics gfx, double x, double y)
    {
        gfx.DrawRectangle(new XSolidBrush(Dark), x, y, 9, 9);
        gfx.DrawString("Referrals", pdf.Small, XBrushes.Black, x + 13, y + 8, XStringFormats.BottomLeft);
        gfx.DrawRectangle(new XSolidBrush(Light), x + 70, y, 9, 9);
        gfx.DrawString("Of them, conference held", pdf.Small, XBrushes.Black, x + 83, y + 8, XStringFormats.BottomLeft);
    }
}
