using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace RjConferences.Features.Agreements;

/// <summary>One cell of a <see cref="PdfLayout.Table"/>: paragraphs, each in its own font.</summary>
internal sealed record PdfCell(params (string Text, XFont Font)[] Paragraphs);

/// <summary>A column of a <see cref="PdfLayout.Table"/>; widths are shares of the text width.</summary>
internal sealed record PdfColumn(string Header, double Share);

/// <summary>
/// The small layout engine of the PDF documents, over PDFsharp: an A4 page with margins and a
/// cursor that moves down it. Text is word-wrapped with measured widths (a word longer than a line
/// is broken), a new page starts when the cursor reaches the bottom margin, a table's header repeats
/// on each page and a row taller than what is left of a page carries on over the next page, line by
/// line, so no text is lost or drawn off the page. Footers ("Page x of y") are drawn once the
/// number of pages is known. All text goes through <c>clean</c>, which replaces what the font
/// cannot show.
/// </summary>
internal sealed class PdfLayout : IDisposable
{
    public const double Margin = 56.7;        // 2 cm
    public const double BottomMargin = 70;    // room for the footer below the text
    private const double CellPadding = 4;

    private static readonly XPen RulePen = new(XColor.FromArgb(0x80, 0x80, 0x80), 0.6);
    private static readonly XBrush HeaderShade = new XSolidBrush(XColor.FromArgb(0xE8, 0xE8, 0xE8));

    private readonly PdfDocument document = new();
    private readonly Func<string, string> clean;
    private readonly Dictionary<(XFont, string), double> widths = [];
    private readonly XGraphics measure;
    private XGraphics? gfx;
    private double y;

    public PdfLayout(string family, Func<string, string> clean)
    {
        this.clean = clean;
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        Body = new XFont(family, 11, XFontStyleEx.Regular, options);
        Bold = new XFont(family, 11, XFontStyleEx.Bold, options);
        Small = new XFont(family, 8.5, XFontStyleEx.Regular, options);
        SmallBold = new XFont(family, 8.5, XFontStyleEx.Bold, options);
        HeadingFont = new XFont(family, 14, XFontStyleEx.Bold, options);
        TitleFont = new XFont(family, 20, XFontStyleEx.Bold, options);
        measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);
        document.Options.CompressContentStreams = true;
        NewPage();
    }

    public XFont Body { get; }
    public XFont Bold { get; }
    public XFont Small { get; }
    public XFont SmallBold { get; }
    public XFont HeadingFont { get; }
    public XFont TitleFont { get; }

    public static double PageWidth => 595.28;
    public static double PageHeight => 841.89;
    public static double TextWidth => PageWidth - 2 * Margin;
    private static double Bottom => PageHeight - BottomMargin;

    public int PageCount => document.PageCount;

    public PdfDocumentInformation Info => document.Info;

    public static double LineHeight(XFont font) => Math.Ceiling(font.GetHeight() * 1.12 * 10) / 10;

    private XGraphics Graphics => gfx!;

    private void NewPage()
    {
        gfx?.Dispose();
        var page = document.AddPage();
        page.Size = PageSize.A4;
        gfx = XGraphics.FromPdfPage(page);
        y = Margin;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    public void KeepTogether(double height)
    {
        if (y + height > Bottom && y > Margin)
        {
            NewPage();
        }
    }

    public void Gap(double points) => y = Math.Min(y + points, Bottom);

    /// <summary>Moves the cursor to <paramref name="top"/> points from the top of this page (a letter's text starts below its address blocks).</summary>
    public void MoveTo(double top) => y = Math.Clamp(top, Margin, Bottom);

    /// <summary>
    /// Lines placed at a fixed position of this page, outside the flow of the text (a letter's addresses, which must sit in
    /// an envelope's window): each line wrapped to <paramref name="width"/>, left-aligned at <paramref name="left"/> or
    /// right-aligned at its right edge. Returns the height drawn; the cursor does not move.
    /// </summary>
    public double Block(double left, double top, double width, IEnumerable<(string Text, XFont Font)> lines, bool alignRight = false)
    {
        var at = top;
        foreach (var (text, font) in lines)
        {
            foreach (var line in Wrap(clean(text), font, width))
            {
                if (alignRight) Graphics.DrawString(line, font, XBrushes.Black, left + width, at, XStringFormats.TopRight);
                else Graphics.DrawString(line, font, XBrushes.Black, left, at, XStringFormats.TopLeft);
                at += LineHeight(font);
            }
        }
        return at - top;
    }

    /// <summary>The height a <see cref="Paragraph"/> of this text takes.</summary>
    public double ParagraphHeight(string text, XFont? font = null, double indent = 0, double after = 6)
    {
        font ??= Body;
        return Wrap(clean(text), font, TextWidth - indent).Count * LineHeight(font) + after;
    }

    /// <summary>The height a <see cref="Heading"/> takes (without what follows it).</summary>
    public double HeadingHeight => 8 + LineHeight(HeadingFont) + 4;

    /// <summary>The height a <see cref="SignatureLine"/> takes.</summary>
    public double SignatureHeight => LineHeight(Body) * 4.4;

    public void Title(string text)
    {
        Paragraph(text, TitleFont, after: 4);
    }

    /// <summary>A heading, kept on the same page as at least two lines of what follows it.</summary>
    public void Heading(string text)
    {
        Gap(8);
        KeepTogether(LineHeight(HeadingFont) + 2 * LineHeight(Body) + 4);
        Paragraph(text, HeadingFont, after: 4);
    }

    /// <summary>Wrapped text; each line goes on the next page if this one is full.</summary>
    public void Paragraph(string text, XFont? font = null, double indent = 0, double after = 6)
    {
        font ??= Body;
        var height = LineHeight(font);
        foreach (var line in Wrap(clean(text), font, TextWidth - indent))
        {
            KeepTogether(height);
            if (line.Length > 0)
            {
                Graphics.DrawString(line, font, XBrushes.Black, Margin + indent, y, XStringFormats.TopLeft);
            }
            y += height;
        }
        Gap(after);
    }

    /// <summary>A bulleted paragraph: the bullet, then the text wrapped with a hanging indent.</summary>
    public void Bullet(string text, XFont? font = null)
    {
        font ??= Body;
        KeepTogether(LineHeight(font));
        Graphics.DrawString("•", font, XBrushes.Black, Margin + 4, y, XStringFormats.TopLeft);
        Paragraph(text, font, indent: 18, after: 2);
    }

    /// <summary>"Label   value" with the value wrapped beside the label.</summary>
    public void Field(string label, string value, double labelWidth = 150)
    {
        var lines = Wrap(clean(value), Body, TextWidth - labelWidth);
        var height = LineHeight(Body);
        KeepTogether(height);
        Graphics.DrawString(clean(label), Bold, XBrushes.Black, Margin, y, XStringFormats.TopLeft);
        foreach (var line in lines)
        {
            KeepTogether(height);
            Graphics.DrawString(line, Body, XBrushes.Black, Margin + labelWidth, y, XStringFormats.TopLeft);
            y += height;
        }
        Gap(3);
    }

    /// <summary>A signature line and a date line under the name of who signs.</summary>
    public void SignatureLine(string who)
    {
        var height = LineHeight(Body);
        KeepTogether(height * 4.4);
        Graphics.DrawString(clean(who), Bold, XBrushes.Black, Margin, y, XStringFormats.TopLeft);
        y += height * 2.2;
        var signatureEnd = Margin + TextWidth * 0.62;
        Graphics.DrawString("Signature", Body, XBrushes.Black, Margin, y, XStringFormats.TopLeft);
        Graphics.DrawLine(RulePen, Margin + 60, y + height - 2, signatureEnd, y + height - 2);
        Graphics.DrawString("Date", Body, XBrushes.Black, signatureEnd + 14, y, XStringFormats.TopLeft);
        Graphics.DrawLine(RulePen, signatureEnd + 46, y + height - 2, Margin + TextWidth, y + height - 2);
        y += height * 2.2;
    }

    /// <summary>
    /// Reserves <paramref name="height"/> points of the text width (on a new page if this one has not room) and lets
    /// <paramref name="draw"/> draw in it: a chart drawn as vectors.
    /// </summary>
    public void Drawing(double height, Action<XGraphics, XRect> draw)
    {
        KeepTogether(height);
        draw(Graphics, new XRect(Margin, y, TextWidth, height));
        y += height;
        Gap(6);
    }

    /// <summary>
    /// A table with a shaded header row that repeats on every page. A row that does not fit on what
    /// is left of the page moves to the next page; a row taller than a whole page is split between
    /// lines and carries on over as many pages as it needs. <paramref name="compact"/>: the header in
    /// <see cref="SmallBold"/> and lines spaced for <see cref="Small"/> (cells in Small), for tables of many figures.
    /// </summary>
    public void Table(IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<PdfCell>> rows, bool compact = false)
    {
        var total = columns.Sum(c => c.Share);
        var widths = columns.Select(c => TextWidth * c.Share / total).ToArray();
        var headerFont = compact ? SmallBold : Bold;
        var lineHeight = LineHeight(compact ? Small : Body);
        var headerCells = columns.Select((c, i) => Wrap(clean(c.Header), headerFont, widths[i] - 2 * CellPadding).Count).Max();
        var headerHeight = headerCells * lineHeight + 2 * CellPadding;
        var wholePage = Bottom - Margin - headerHeight - 2 * CellPadding;
        void Header() => DrawHeader(columns, widths, headerHeight, headerFont, lineHeight);

        KeepTogether(headerHeight + lineHeight * 2 + 2 * CellPadding);
        Header();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, i) => cell.Paragraphs
                .SelectMany(p => Wrap(clean(p.Text), p.Font, widths[i] - 2 * CellPadding).Select(line => (Line: line, p.Font)))
                .ToList()).ToList();
            var next = new int[cells.Count];
            var height = cells.Max(c => c.Count) * lineHeight + 2 * CellPadding;
            if (y + height > Bottom && height <= wholePage + 2 * CellPadding)
            {
                NewPage();
                Header();
            }
            while (true)
            {
                var remaining = cells.Select((c, i) => c.Count - next[i]).Max();
                var fit = (int)Math.Floor((Bottom - y - 2 * CellPadding) / lineHeight);
                var freshPage = y <= Margin + headerHeight + 0.01;
                if (fit < Math.Min(2, remaining) && !freshPage)
                {
                    NewPage();
                    Header();
                    continue;
                }
                var lines = Math.Min(fit, remaining);
                var x = Margin;
                var segmentHeight = lines * lineHeight + 2 * CellPadding;
                var continued = next.Any(n => n > 0);
                for (var i = 0; i < cells.Count; i++)
                {
                    Graphics.DrawRectangle(RulePen, x, y, widths[i], segmentHeight);
                    if (i == 0 && continued && cells[0].Count > 0 && next[0] >= cells[0].Count)
                    {
                        // A row carried over from the page before: repeat its first cell, marked as continued.
                        Graphics.DrawString(cells[0][0].Line, cells[0][0].Font, XBrushes.Black, x + CellPadding, y + CellPadding, XStringFormats.TopLeft);
                        Graphics.DrawString("cont.", Small, XBrushes.Black, x + CellPadding, y + CellPadding + lineHeight, XStringFormats.TopLeft);
                    }
                    var count = Math.Min(lines, cells[i].Count - next[i]);
                    for (var l = 0; l < count; l++)
                    {
                        var (line, font) = cells[i][next[i] + l];
                        Graphics.DrawString(line, font, XBrushes.Black, x + CellPadding, y + CellPadding + l * lineHeight, XStringFormats.TopLeft);
                    }
                    next[i] += count;
                    x += widths[i];
                }
                y += segmentHeight;
                if (cells.Select((c, i) => c.Count - next[i]).Max() <= 0)
                {
                    break;
                }
                NewPage();
                Header();
            }
        }
        Gap(8);
    }

    private void DrawHeader(IReadOnlyList<PdfColumn> columns, double[] widths, double height, XFont font, double lineHeight)
    {
        var x = Margin;
        for (var i = 0; i < columns.Count; i++)
        {
            Graphics.DrawRectangle(RulePen, HeaderShade, x, y, widths[i], height);
            var lines = Wrap(clean(columns[i].Header), font, widths[i] - 2 * CellPadding);
            for (var l = 0; l < lines.Count; l++)
            {
                Graphics.DrawString(lines[l], font, XBrushes.Black, x + CellPadding, y + CellPadding + l * lineHeight, XStringFormats.TopLeft);
            }
            x += widths[i];
        }
        y += height;
    }

    /// <summary>
    /// Draws the footer on every page, now that the number of pages is known, and returns the PDF.
    /// <paramref name="left"/> is the same on every page; the right side says "Page x of y".
    /// </summary>
    public byte[] Finish(string left)
    {
        gfx?.Dispose();
        gfx = null;
        var count = document.PageCount;
        var footerY = PageHeight - BottomMargin + 22;
        for (var i = 0; i < count; i++)
        {
            using var footer = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            footer.DrawLine(RulePen, Margin, footerY - 6, Margin + TextWidth, footerY - 6);
            var leftLines = Wrap(clean(left), Small, TextWidth - 90);
            for (var l = 0; l < leftLines.Count; l++)
            {
                footer.DrawString(leftLines[l], Small, XBrushes.Black, Margin, footerY + l * LineHeight(Small), XStringFormats.TopLeft);
            }
            var page = string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {count}");
            footer.DrawString(page, Small, XBrushes.Black, Margin + TextWidth, footerY, XStringFormats.TopRight);
        }
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    /// <summary>
    /// Breaks <paramref name="text"/> into lines no wider than <paramref name="width"/>: at spaces,
    /// and inside a word only when the word alone is wider than a line (between whole characters,
    /// so an accent stays on its letter). "\n" starts a new line; an empty line is kept.
    /// </summary>
    public List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        var space = Width(" ", font);
        foreach (var hardLine in text.Split('\n'))
        {
            var words = hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                lines.Add("");
                continue;
            }
            var current = new System.Text.StringBuilder();
            var currentWidth = 0.0;
            foreach (var word in words)
            {
                var wordWidth = Width(word, font);
                if (current.Length > 0 && currentWidth + space + wordWidth <= width)
                {
                    current.Append(' ').Append(word);
                    currentWidth += space + wordWidth;
                    continue;
                }
                if (current.Length > 0)
                {
                    lines.Add(current.ToString());
                    current.Clear();
                    currentWidth = 0;
                }
                if (wordWidth <= width)
                {
                    current.Append(word);
                    currentWidth = wordWidth;
                    continue;
                }
                // A word wider than the line: break it between characters (text elements).
                var elements = StringInfo.GetTextElementEnumerator(word);
                while (elements.MoveNext())
                {
                    var element = elements.GetTextElement();
                    var elementWidth = Width(element, font);
                    if (current.Length > 0 && currentWidth + elementWidth > width)
                    {
                        lines.Add(current.ToString());
                        current.Clear();
                        currentWidth = 0;
                    }
                    current.Append(element);
                    currentWidth += elementWidth;
                }
            }
            if (current.Length > 0)
            {
                lines.Add(current.ToString());
            }
        }
        return lines;
    }

    private double Width(string text, XFont font)
    {
        if (!widths.TryGetValue((font, text), out var width))
        {
            width = measure.MeasureString(text, font).Width;
            widths[(font, text)] = width;
        }
        return width;
    }

    public void Dispose()
    {
        gfx?.Dispose();
        measure.Dispose();
        document.Dispose();
    }
}
