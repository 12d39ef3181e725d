using System.Text;

namespace RjConferences.Features.Referrals;

/// <summary>
/// How a name is compared: the one rule for the keys stored with every party
/// (<c>parties.first_name_key</c>, <c>last_name_key</c>, from which the triggers of migration 0013
/// derive the case list's search keys) and for what is typed in the search box, so that both sides
/// always fold alike. "Şükrü Nguyễn-O'Brien" becomes "sukru" and "nguyen o'brien":
/// <list type="bullet">
/// <item>lower case, accents removed (Unicode compatibility decomposition, then the non-spacing marks
/// dropped), and the letters that do not decompose spelt out (ø → o, ł → l, đ → d, ß → ss, æ → ae,
/// œ → oe, ı → i...);</item>
/// <item>every apostrophe (’ ‘ ʼ ` ´ ′) becomes <c>'</c>;</item>
/// <item>everything else that is not a letter or a digit — spaces, hyphens of every kind (‐ ‑ – —),
/// full stops — separates the parts of a name, written as one space.</item>
/// </list>
/// A key therefore holds only letters, digits, <c>'</c> and single spaces between parts; the triggers
/// rely on that to split a last name into its parts.
/// </summary>
public static class NameKeys
{
    /// <summary>The keys to store with a person's first and last names (null for no name).</summary>
    public static (string? FirstNameKey, string? LastNameKey) For(string? firstName, string? lastName) => (Key(firstName), Key(lastName));

    /// <summary>The key of one name, or null when there is no name (or nothing in it that can be searched).</summary>
    public static string? Key(string? name) => name is null || Fold(name) is not { Length: > 0 } key ? null : key;

    /// <summary>A name, or what was typed to find one, folded for comparison (empty when nothing is left).</summary>
    public static string Fold(string text)
    {
        var key = new StringBuilder(text.Length);
        var separator = false;
        foreach (var rune in Apostrophes(text).Normalize(NormalizationForm.FormKD).EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (rune.Value != '\'' && !Rune.IsLetterOrDigit(rune) && category != UnicodeCategory.SpacingCombiningMark)
            {
                separator = true;
                continue;
            }
            if (separator && key.Length > 0)
            {
                key.Append(' ');
            }
            separator = false;
            var lower = Rune.ToLowerInvariant(rune);
            if (lower.IsBmp && Letters.TryGetValue((char)lower.Value, out var spelt))
            {
                key.Append(spelt);
            }
            else
            {
                key.Append(lower.ToString());
            }
        }
        return key.ToString();
    }

    /// <summary>Letters that Unicode does not decompose into a base letter and an accent.</summary>
    private static readonly Dictionary<char, string> Letters = new()
    {
        ['ø'] = "o", ['ł'] = "l", ['đ'] = "d", ['ð'] = "d", ['ħ'] = "h", ['ŧ'] = "t", ['ı'] = "i", ['ƚ'] = "l",
        ['ß'] = "ss", ['æ'] = "ae", ['œ'] = "oe", ['þ'] = "th", ['ĸ'] = "k", ['ŋ'] = "ng",
    };

    // Before decomposition: "´" decomposes into a space and an accent, and "ʼ" counts as a letter.
    private static string Apostrophes(string text)
    {
        if (text.AsSpan().IndexOfAny("’‘ʼ`´′‛＇") < 0)
        {
            return text;
        }
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is '’' or '‘' or 'ʼ' or '`' or '´' or '′' or '‛' or '＇')
            {
                chars[i] = '\'';
            }
        }
        return new string(chars);
    }

    /// <summary>
    /// Migration 0013's step in C# (SQLite's SQL cannot fold accents): the keys of every party whose
    /// stored keys differ from this rule are written again, before the migration's SQL rebuilds the
    /// case list's search keys from them.
    /// </summary>
    public static async Task RecomputeAsync(DbConnection connection, IDbTransaction transaction)
    {
        var changed = new List<(string Id, string? FirstKey, string? LastKey)>();
        // Read one row at a time (three million parties for a million cases); only the few that change are kept.
        var rows = connection.Query<(string Id, string? First, string? Last, string? FirstKey, string? LastKey)>(
            "SELECT id, first_name, last_name, first_name_key, last_name_key FROM parties WHERE first_name IS NOT NULL OR last_name IS NOT NULL",
            transaction: transaction, buffered: false);
        foreach (var row in rows)
        {
            var (first, last) = For(row.First, row.Last);
            if (first != row.FirstKey || last != row.LastKey)
            {
                changed.Add((row.Id, first, last));
            }
        }
        await connection.ExecuteAsync("UPDATE parties SET first_name_key = @FirstKey, last_name_key = @LastKey WHERE id = @Id",
            changed.Select(c => new { c.Id, c.FirstKey, c.LastKey }), transaction);
    }
}
