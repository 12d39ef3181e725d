using System.Buffers.Binary;
using System.Text;

namespace RjConferences.Features.Agreements;

/// <summary>
/// The little the agreement document needs to know about a TrueType/OpenType font file: its family
/// and style names (to find a font by family name), and which characters it has glyphs for (so that
/// a name in a script the font lacks is replaced by a clear note instead of empty boxes).
/// </summary>
public static class OpenTypeFile
{
    public sealed record Names(string Family, string Subfamily);

    /// <summary>
    /// The family (name id 1) and subfamily (name id 2) of a font file, reading only its table
    /// directory and 'name' table; null for anything that is not a single TrueType/OpenType font.
    /// </summary>
    public static Names? ReadNames(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var header = new byte[12];
            if (stream.Read(header, 0, 12) != 12 || !IsFontTag(BinaryPrimitives.ReadUInt32BigEndian(header)))
            {
                return null;
            }
            int tables = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4));
            var directory = new byte[tables * 16];
            if (stream.Read(directory, 0, directory.Length) != directory.Length)
            {
                return null;
            }
            if (Find(directory, tables, "name") is not { } table || table.Length > 1 << 20)
            {
                return null;
            }
            var name = new byte[table.Length];
            stream.Seek(table.Offset, SeekOrigin.Begin);
            stream.ReadExactly(name);
            return ParseNames(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>The Unicode code points the font maps to a glyph (cmap formats 4 and 12).</summary>
    public static HashSet<int> ReadCoverage(ReadOnlySpan<byte> font) => [.. GlyphMap(font).Keys];

    /// <summary>Code point → glyph index, from the font's full-Unicode or BMP cmap.</summary>
    private static Dictionary<int, int> GlyphMap(ReadOnlySpan<byte> font)
    {
        var covered = new Dictionary<int, int>();
        int tables = BinaryPrimitives.ReadUInt16BigEndian(font[4..]);
        if (Find(font[12..(12 + tables * 16)], tables, "cmap") is not { } table)
        {
            return covered;
        }
        var cmap = font.Slice((int)table.Offset, (int)table.Length);
        int subtables = BinaryPrimitives.ReadUInt16BigEndian(cmap[2..]);
        int best = -1, bestRank = 0;
        for (var i = 0; i < subtables; i++)
        {
            var record = cmap.Slice(4 + i * 8, 8);
            int platform = BinaryPrimitives.ReadUInt16BigEndian(record);
            int encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(record[4..]);
            int format = BinaryPrimitives.ReadUInt16BigEndian(cmap[offset..]);
            // Prefer the full-Unicode table (format 12), then the BMP table (format 4).
            var rank = (platform, encoding, format) switch
            {
                (3, 10, 12) or (0, 4, 12) or (0, 6, 12) => 3,
                (3, 1, 4) or (0, 3, 4) => 2,
                (0, _, 4) => 1,
                _ => 0,
            };
            if (rank > bestRank)
            {
                (best, bestRank) = (offset, rank);
            }
        }
        if (best < 0)
        {
            return covered;
        }
        var sub = cmap[best..];
        if (BinaryPrimitives.ReadUInt16BigEndian(sub) == 12)
        {
            var groups = (int)BinaryPrimitives.ReadUInt32BigEndian(sub[12..]);
            for (var g = 0; g < groups; g++)
            {
                var group = sub.Slice(16 + g * 12, 12);
                var start = (int)BinaryPrimitives.ReadUInt32BigEndian(group);
                var end = (int)BinaryPrimitives.ReadUInt32BigEndian(group[4..]);
                var glyph = BinaryPrimitives.ReadUInt32BigEndian(group[8..]);
                for (var c = start; c <= end && c <= 0x10FFFF; c++)
                {
                    if (glyph + (uint)(c - start) != 0)
                    {
                        covered[c] = (int)(glyph + (uint)(c - start));
                    }
                }
            }
            return covered;
        }
        int segments = BinaryPrimitives.ReadUInt16BigEndian(sub[6..]) / 2;
        var ends = sub[14..];
        var starts = sub[(16 + segments * 2)..];
        var deltas = sub[(16 + segments * 4)..];
        var rangeOffsets = sub[(16 + segments * 6)..];
        for (var s = 0; s < segments; s++)
        {
            int end = BinaryPrimitives.ReadUInt16BigEndian(ends[(s * 2)..]);
            int start = BinaryPrimitives.ReadUInt16BigEndian(starts[(s * 2)..]);
            var delta = BinaryPrimitives.ReadInt16BigEndian(deltas[(s * 2)..]);
            int rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(rangeOffsets[(s * 2)..]);
            for (var c = start; c <= end && c != 0xFFFF; c++)
            {
                int glyph;
                if (rangeOffset == 0)
                {
                    glyph = (c + delta) & 0xFFFF;
                }
                else
                {
                    var at = s * 2 + rangeOffset + (c - start) * 2;
                    glyph = at + 2 <= rangeOffsets.Length ? BinaryPrimitives.ReadUInt16BigEndian(rangeOffsets[at..]) : 0;
                    if (glyph != 0)
                    {
                        glyph = (glyph + delta) & 0xFFFF;
                    }
                }
                if (glyph != 0)
                {
                    covered[c] = glyph;
                }
            }
        }
        return covered;
    }

    /// <summary>
    /// Rewrites composite glyphs made of other composite glyphs (like "ễ" in DejaVu Sans: "ê" and a
    /// tilde, where "ê" is itself "e" and a circumflex) so that they refer to simple glyphs only.
    /// PDFsharp 6.2's font subsetting follows composite glyphs one level deep, so without this the
    /// accents of such letters are missing from the PDF although the text is right. Glyphs that
    /// cannot be flattened safely (components placed by point matching, or scaled offsets) are left
    /// as they are. Returns the font unchanged when it has nothing to flatten or is not TrueType.
    /// </summary>
    public static byte[] FlattenNestedComposites(byte[] font)
    {
        var data = font.AsSpan();
        int tableCount = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var directory = data[12..(12 + tableCount * 16)];
        if (Find(directory, tableCount, "glyf") is not { } glyfTable || Find(directory, tableCount, "loca") is not { } locaTable
            || Find(directory, tableCount, "head") is not { } headTable || Find(directory, tableCount, "maxp") is not { } maxpTable)
        {
            return font;
        }
        int glyphCount = BinaryPrimitives.ReadUInt16BigEndian(data[((int)maxpTable.Offset + 4)..]);
        var longLoca = BinaryPrimitives.ReadInt16BigEndian(data[((int)headTable.Offset + 50)..]) == 1;
        var glyf = data.Slice((int)glyfTable.Offset, (int)glyfTable.Length).ToArray();
        var loca = data.Slice((int)locaTable.Offset, (int)locaTable.Length);
        var offsets = new int[glyphCount + 1];
        for (var g = 0; g <= glyphCount; g++)
        {
            offsets[g] = longLoca ? (int)BinaryPrimitives.ReadUInt32BigEndian(loca[(g * 4)..]) : BinaryPrimitives.ReadUInt16BigEndian(loca[(g * 2)..]) * 2;
        }
        byte[] Glyph(int g) => g < glyphCount && offsets[g + 1] > offsets[g] ? glyf[offsets[g]..offsets[g + 1]] : [];
        bool IsComposite(int g) => Glyph(g) is { Length: >= 10 } bytes && BinaryPrimitives.ReadInt16BigEndian(bytes) < 0;

        var glyphs = new byte[glyphCount][];
        var changed = false;
        for (var g = 0; g < glyphCount; g++)
        {
            glyphs[g] = Glyph(g);
            if (!IsComposite(g) || !Components(glyphs[g]).Any(c => IsComposite(c.Glyph)))
            {
                continue;
            }
            if (Flatten(g, 0) is { } leaves)
            {
                var rebuilt = new List<byte>(glyphs[g][..10]);
                for (var i = 0; i < leaves.Count; i++)
                {
                    var (flags, glyph, dx, dy, transform) = leaves[i];
                    flags = (ushort)((flags | ArgsAreWords) & ~(MoreComponents | WeHaveInstructions));
                    if (i < leaves.Count - 1) flags |= MoreComponents;
                    rebuilt.AddRange([(byte)(flags >> 8), (byte)flags, (byte)(glyph >> 8), (byte)glyph,
                        (byte)(dx >> 8), (byte)dx, (byte)(dy >> 8), (byte)dy, .. transform]);
                }
                glyphs[g] = [.. rebuilt];
                changed = true;
            }
        }
        if (!changed)
        {
            return font;
        }

        List<Component>? Flatten(int g, int depth)
        {
            var result = new List<Component>();
            foreach (var c in Components(Glyph(g)))
            {
                if (!IsComposite(c.Glyph))
                {
                    result.Add(c);
                    continue;
                }
                // Only a plain offset can be carried down to the parts of a composite part.
                if (depth > 8 || (c.Flags & ArgsAreXyValues) == 0 || c.Transform.Length > 0 || Flatten(c.Glyph, depth + 1) is not { } parts)
                {
                    return null;
                }
                foreach (var part in parts)
                {
                    var (dx, dy) = (part.Dx + c.Dx, part.Dy + c.Dy);
                    if ((part.Flags & ArgsAreXyValues) == 0 || (part.Transform.Length > 0 && (part.Flags & ScaledComponentOffset) != 0)
                        || dx is < short.MinValue or > short.MaxValue || dy is < short.MinValue or > short.MaxValue)
                    {
                        return null;
                    }
                    result.Add(part with { Dx = dx, Dy = dy });
                }
            }
            return result;
        }

        // The new glyf and a long-format loca; head says so. Every other table is copied as it is.
        var newGlyf = new List<byte>();
        var newLoca = new byte[(glyphCount + 1) * 4];
        for (var g = 0; g < glyphCount; g++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(g * 4), (uint)newGlyf.Count);
            newGlyf.AddRange(glyphs[g]);
            while (newGlyf.Count % 4 != 0) newGlyf.Add(0);
        }
        BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(glyphCount * 4), (uint)newGlyf.Count);
        var tables = new List<(uint Tag, byte[] Bytes)>();
        for (var i = 0; i < tableCount; i++)
        {
            var entry = directory.Slice(i * 16, 16);
            var tag = BinaryPrimitives.ReadUInt32BigEndian(entry);
            var bytes = data.Slice((int)BinaryPrimitives.ReadUInt32BigEndian(entry[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(entry[12..])).ToArray();
            switch (Encoding.ASCII.GetString(entry[..4]))
            {
                case "glyf": bytes = [.. newGlyf]; break;
                case "loca": bytes = newLoca; break;
                case "head":
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), 0);   // checkSumAdjustment: not used by PDF readers
                    BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(50), 1);
                    break;
            }
            tables.Add((tag, bytes));
        }
        var output = new List<byte>(font.Length + newGlyf.Count - glyf.Length + newLoca.Length);
        output.AddRange(data[..12].ToArray());
        var offset = 12 + tableCount * 16;
        var entries = new byte[tableCount * 16];
        for (var i = 0; i < tables.Count; i++)
        {
            var span = entries.AsSpan(i * 16);
            BinaryPrimitives.WriteUInt32BigEndian(span, tables[i].Tag);
            BinaryPrimitives.WriteUInt32BigEndian(span[4..], Checksum(tables[i].Bytes));
            BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(span[12..], (uint)tables[i].Bytes.Length);
            offset += (tables[i].Bytes.Length + 3) & ~3;
        }
        output.AddRange(entries);
        foreach (var (_, bytes) in tables)
        {
            output.AddRange(bytes);
            while (output.Count % 4 != 0) output.Add(0);
        }
        return [.. output];
    }

    /// <summary>The parts of a composite glyph (none for a simple one), for tests and for flattening.</summary>
    public static IReadOnlyList<(int Glyph, bool Composite)> Parts(byte[] font, int glyph)
    {
        var data = font.AsSpan();
        int tableCount = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var directory = data[12..(12 + tableCount * 16)];
        var glyfTable = Find(directory, tableCount, "glyf")!.Value;
        var locaTable = Find(directory, tableCount, "loca")!.Value;
        var longLoca = BinaryPrimitives.ReadInt16BigEndian(data[((int)Find(directory, tableCount, "head")!.Value.Offset + 50)..]) == 1;
        int Offset(int g) => (int)glyfTable.Offset + (longLoca
            ? (int)BinaryPrimitives.ReadUInt32BigEndian(font.AsSpan((int)locaTable.Offset + g * 4))
            : BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan((int)locaTable.Offset + g * 2)) * 2);
        byte[] Bytes(int g) => font[Offset(g)..Offset(g + 1)];
        bool IsComposite(int g) => Bytes(g) is { Length: >= 10 } b && BinaryPrimitives.ReadInt16BigEndian(b) < 0;
        return IsComposite(glyph) ? Components(Bytes(glyph)).Select(c => (c.Glyph, IsComposite(c.Glyph))).ToList() : [];
    }

    /// <summary>The glyph index a character maps to (0 when none), from the font's best cmap.</summary>
    public static int GlyphOf(byte[] font, int codePoint) => GlyphMap(font).GetValueOrDefault(codePoint);

    private const ushort ArgsAreWords = 0x0001, ArgsAreXyValues = 0x0002, WeHaveAScale = 0x0008, MoreComponents = 0x0020,
        WeHaveXAndYScale = 0x0040, WeHaveTwoByTwo = 0x0080, WeHaveInstructions = 0x0100, ScaledComponentOffset = 0x0800;

    private sealed record Component(ushort Flags, int Glyph, int Dx, int Dy, byte[] Transform);

    private static List<Component> Components(byte[] glyph)
    {
        var result = new List<Component>();
        var at = 10;
        while (at + 4 <= glyph.Length)
        {
            var flags = BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(at));
            int index = BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(at + 2));
            at += 4;
            int a, b;
            var xy = (flags & ArgsAreXyValues) != 0;
            if ((flags & ArgsAreWords) != 0)
            {
                a = xy ? BinaryPrimitives.ReadInt16BigEndian(glyph.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(at));
                b = xy ? BinaryPrimitives.ReadInt16BigEndian(glyph.AsSpan(at + 2)) : BinaryPrimitives.ReadUInt16BigEndian(glyph.AsSpan(at + 2));
                at += 4;
            }
            else
            {
                a = xy ? (sbyte)glyph[at] : glyph[at];
                b = xy ? (sbyte)glyph[at + 1] : glyph[at + 1];
                at += 2;
            }
            var transformLength = (flags & WeHaveAScale) != 0 ? 2 : (flags & WeHaveXAndYScale) != 0 ? 4 : (flags & WeHaveTwoByTwo) != 0 ? 8 : 0;
            result.Add(new Component(flags, index, a, b, glyph[at..(at + transformLength)]));
            at += transformLength;
            if ((flags & MoreComponents) == 0)
            {
                break;
            }
        }
        return result;
    }

    private static uint Checksum(byte[] table)
    {
        uint sum = 0;
        for (var i = 0; i < table.Length; i += 4)
        {
            uint word = 0;
            for (var j = 0; j < 4; j++)
            {
                word = (word << 8) | (i + j < table.Length ? table[i + j] : 0u);
            }
            sum += word;
        }
        return sum;
    }

    private static bool IsFontTag(uint tag) => tag is 0x00010000 or 0x4F54544F /* OTTO */ or 0x74727565 /* true */;

    private static (long Offset, long Length)? Find(ReadOnlySpan<byte> directory, int tables, string tag)
    {
        var wanted = BinaryPrimitives.ReadUInt32BigEndian(Encoding.ASCII.GetBytes(tag));
        for (var i = 0; i < tables; i++)
        {
            var entry = directory.Slice(i * 16, 16);
            if (BinaryPrimitives.ReadUInt32BigEndian(entry) == wanted)
            {
                return (BinaryPrimitives.ReadUInt32BigEndian(entry[8..]), BinaryPrimitives.ReadUInt32BigEndian(entry[12..]));
            }
        }
        return null;
    }

    private static Names? ParseNames(ReadOnlySpan<byte> table)
    {
        int count = BinaryPrimitives.ReadUInt16BigEndian(table[2..]);
        int storage = BinaryPrimitives.ReadUInt16BigEndian(table[4..]);
        string? family = null, subfamily = null;
        for (var i = 0; i < count; i++)
        {
            var record = table.Slice(6 + i * 12, 12);
            int platform = BinaryPrimitives.ReadUInt16BigEndian(record);
            int encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            int language = BinaryPrimitives.ReadUInt16BigEndian(record[4..]);
            int nameId = BinaryPrimitives.ReadUInt16BigEndian(record[6..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(record[8..]);
            int offset = BinaryPrimitives.ReadUInt16BigEndian(record[10..]);
            if (nameId is not (1 or 2) || storage + offset + length > table.Length)
            {
                continue;
            }
            var bytes = table.Slice(storage + offset, length);
            string? text = (platform, encoding) switch
            {
                (3, 1) or (0, _) when platform == 0 || language == 0x0409 => Encoding.BigEndianUnicode.GetString(bytes),
                (1, 0) when language == 0 => Encoding.Latin1.GetString(bytes),
                _ => null,
            };
            if (text is null)
            {
                continue;
            }
            if (nameId == 1) family ??= text;
            else subfamily ??= text;
        }
        return family is null ? null : new Names(family, subfamily ?? "Regular");
    }
}
