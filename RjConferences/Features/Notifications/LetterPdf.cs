using PdfSharp.Drawing;
using RjConferences.Features.Agreements;

namespace RjConferences.Features.Notifications;

/// <summary>A letter as it is printed: whom to, from which school, the date, and the message's subject and words.</summary>
public sealed record LetterContent(string RecipientName, PostalAddress RecipientAddress, string SchoolName, PostalAddress SchoolAddress,
    DateOnly Date, string Subject, string Body);

/// <summary>
/// A message as a printable A4 letter (PDFsharp, <see cref="PdfLayout"/>), for a window envelope: the recipient's name and
/// address in the window of a DL or C5 window envelope (<see cref="Window"/>: 20 mm from the left edge, 45 mm from the top,
/// 90 × 45 mm), the school's return address at the top right, the date, then the subject as a heading and the words. The
/// words are the message's plain text, exactly as an email would say them: nothing else about the case is printed.
/// </summary>
public sealed class LetterPdf(PdfFontSet fonts)
{
    private const double Mm = 72 / 25.4;

    /// <summary>The envelope's window on the page, in points from the top left (x, y, width, height).</summary>
    public static readonly (double X, double Y, double Width, double Height) Window = (20 * Mm, 45 * Mm, 90 * Mm, 45 * Mm);

    public byte[] Render(LetterContent letter)
    {
        var shown = new AgreementPdf(fonts);   // its text cleaning: what the font cannot show is replaced by a note
        using var pdf = new PdfLayout(fonts.Family, shown.Text);
        pdf.Info.Title = letter.Subject;
        pdf.Info.Creator = "RjConferences";

        // The school's return address, top right, clear of the window.
        pdf.Block(115 * Mm, 20 * Mm, 75 * Mm,
            [(letter.SchoolName, pdf.Bold), .. letter.SchoolAddress.Lines.Select(l => (l, pdf.Body))], alignRight: true);

        // The recipient, inside the window with 5 mm to spare on each side.
        pdf.Block(Window.X + 5 * Mm, Window.Y + 5 * Mm, Window.Width - 10 * Mm,
            [(letter.RecipientName, pdf.Body), .. letter.RecipientAddress.Lines.Select(l => (l, pdf.Body))]);

        pdf.Block(115 * Mm, Window.Y + Window.Height + 5 * Mm, 75 * Mm,
            [(letter.Date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")), pdf.Body)], alignRight: true);

        pdf.MoveTo(Window.Y + Window.Height + 18 * Mm);
        pdf.Heading(letter.Subject);
        foreach (var paragraph in Paragraphs(letter.Body))
        {
            pdf.Paragraph(paragraph);
        }
        return pdf.Finish($"{letter.SchoolName} · Safer Schools Partnership");
    }

    /// <summary>The plain text's paragraphs (blank lines between them); single line breaks inside one are kept.</summary>
    private static IEnumerable<string> Paragraphs(string body) =>
        body.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim('\n'))
            .Where(p => p.Trim().Length > 0);
}
