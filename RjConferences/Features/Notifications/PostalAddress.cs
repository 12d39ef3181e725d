using System.Text.RegularExpressions;

namespace RjConferences.Features.Notifications;

/// <summary>
/// A UK postal address as a letter needs it: its lines (no empty ones), the last of them the postcode on its own, written as
/// Royal Mail writes it (capitals, one space before the last three characters). The same rules serve a school's return
/// address (typed by an administrator) and a letter's recipient (a party's address): 2 to 6 lines, each at most 35 characters (so that a line fits the envelope window unwrapped),
/// ending with a UK postcode — with the recipient's name above them that is at most 7 lines, which is what GOV.UK Notify and
/// a DL window envelope take.
/// </summary>
public sealed partial record PostalAddress(IReadOnlyList<string> Lines)
{
    public const int MaxLines = 6;
    public const int MaxLineLength = 35;

    public string Postcode => Lines[^1];

    /// <summary>The address as stored: one line a line.</summary>
    public override string ToString() => string.Join('\n', Lines);

    /// <summary>
    /// Reads <paramref name="text"/> (lines separated by new lines, or by commas when typed on one line). The postcode may end
    /// the last line ("London E14 0AA"): it is then put on a line of its own. Returns null and says why in plain words otherwise.
    /// </summary>
    public static PostalAddress? Parse(string? text, out string? problem)
    {
        problem = null;
        var lines = (text ?? "").Replace("\r", "", StringComparison.Ordinal)
            .Split(text?.Contains('\n', StringComparison.Ordinal) == true ? ['\n'] : ['\n', ','])
            .Select(l => CollapseSpaces().Replace(l, " ").Trim().TrimEnd(','))
            .Where(l => l.Length > 0)
            .ToList();
        if (lines.Count == 0)
        {
            problem = "Enter the address, with the postcode on the last line";
            return null;
        }
        var match = TrailingPostcode().Match(lines[^1]);
        if (!match.Success)
        {
            problem = "Enter a real UK postcode on the last line of the address, like SW1A 1AA";
            return null;
        }
        var postcode = Format(match.Groups["postcode"].Value);
        var before = lines[^1][..match.Index].Trim().TrimEnd(',').Trim();
        lines.RemoveAt(lines.Count - 1);
        if (before.Length > 0) lines.Add(before);
        lines.Add(postcode);
        if (lines.Count < 2)
        {
            problem = "Enter the street or building as well as the postcode, one line each";
            return null;
        }
        if (lines.Count > MaxLines)
        {
            problem = $"An address must have {MaxLines} lines or fewer, counting the postcode";
            return null;
        }
        if (lines.FirstOrDefault(l => l.Length > MaxLineLength) is { } tooLong)
        {
            problem = $"Each line of the address must be {MaxLineLength} characters or fewer (\"{tooLong[..20]}…\" is longer)";
            return null;
        }
        return new PostalAddress(lines);
    }

    /// <summary>Whether <paramref name="text"/> is a UK postcode (any case, with or without its space).</summary>
    public static bool IsPostcode(string text) => PostcodeOnly().IsMatch(text.Trim());

    private static string Format(string postcode)
    {
        var compact = postcode.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return compact[..^3] + " " + compact[^3..];
    }

    // The shapes of a UK postcode (outward code A9, A99, AA9, AA99, A9A, AA9A; inward code 9AA), and GIR 0AA.
    private const string PostcodePattern = @"(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?) ?[0-9][ABD-HJLNP-UW-Z]{2})";

    [GeneratedRegex("^" + PostcodePattern + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PostcodeOnly();

    [GeneratedRegex(@"(?:^|[\s,])(?<postcode>" + PostcodePattern + @")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingPostcode();

    [GeneratedRegex(@"\s+")]
    private static partial Regex CollapseSpaces();
}
