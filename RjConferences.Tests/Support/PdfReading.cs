using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace RjConferences.Tests.Support;

/// <summary>A PDF read back with PdfPig: each page's text and words in drawing order, and its letters.</summary>
public sealed record PdfPageText(int Number, string Text, IReadOnlyList<string> Words, IReadOnlyList<Letter> Letters, double Width, double Height);

public static class PdfReading
{
    public static IReadOnlyList<PdfPageText> Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages()
            .Select(p =>
            {
                var text = InDrawingOrder(p.Letters);
                return new PdfPageText(p.Number, text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries), p.Letters.ToList(), p.Width, p.Height);
            })
            .ToList();
    }

    /// <summary>
    /// The page's text in the order it was drawn (a table cell's lines one after another, rather than
    /// across the columns of a row), with a space wherever a new line or a gap starts.
    /// </summary>
    private static string InDrawingOrder(IReadOnlyList<Letter> letters)
    {
        var text = new System.Text.StringBuilder();
        Letter? previous = null;
        foreach (var letter in letters)
        {
            if (previous is not null && text.Length > 0 && text[^1] != ' '
                && (Math.Abs(letter.StartBaseLine.Y - previous.StartBaseLine.Y) > 0.5
                    || Math.Abs(letter.StartBaseLine.X - previous.EndBaseLine.X) > previous.PointSize * 0.2))
            {
                text.Append(' ');
            }
            text.Append(string.IsNullOrWhiteSpace(letter.Value) ? " " : letter.Value);
            previous = letter;
        }
        return text.ToString();
    }

    /// <summary>Every word of every page, in reading order, as one list.</summary>
    public static IReadOnlyList<string> Words(this IReadOnlyList<PdfPageText> pages) => pages.SelectMany(p => p.Words).ToList();

    /// <summary>All the words, joined by single spaces (so a phrase wrapped over two lines reads as one).</summary>
    public static string Text(this IReadOnlyList<PdfPageText> pages) => string.Join(" ", pages.Words());

    /// <summary>
    /// Asserts that <paramref name="expected"/>'s words appear in <paramref name="words"/> in the same
    /// order (other words, such as table columns, headers and footers, may come between them).
    /// </summary>
    public static void AssertWordsInOrder(IReadOnlyList<string> words, string expected)
    {
        var wanted = expected.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var found = 0;
        foreach (var word in words)
        {
            if (found < wanted.Length && word == wanted[found])
            {
                found++;
            }
        }
        Assert.True(found == wanted.Length,
            $"Only {found} of {wanted.Length} words were found in order; the first missing is '{(found < wanted.Length ? wanted[found] : "")}'.");
    }
}
