using System.Text.RegularExpressions;

namespace RjConferences.Components.Forms;

/// <summary>What a message needs of an address or number: a UK mobile number for text messages, a UK postcode for letters.</summary>
public static partial class ContactFormats
{
    /// <summary>07… with 11 digits, or +44 7… / 0044 7…; spaces, dashes and brackets are allowed.</summary>
    public static bool IsUkMobile(string phone)
    {
        var digits = Separators().Replace(phone.Trim(), "");
        return UkMobile().IsMatch(digits);
    }

    /// <summary>The last non-empty line of the address ends with a UK postcode (e.g. "E15 1AA", "SW1A 1AA").</summary>
    public static bool HasPostcode(string address)
    {
        var last = address.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return Postcode().IsMatch(last);
    }

    [GeneratedRegex(@"[\s\-()]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^(07|\+447|00447)\d{9}$")]
    private static partial Regex UkMobile();

    [GeneratedRegex(@"(^|[\s,])(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex Postcode();
}
