using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PdfSharp.Fonts;

namespace RjConferences.Features.Agreements;

/// <summary>Documents:FontFiles — the regular and (optionally) bold font files for PDF documents.</summary>
public sealed class DocumentOptions
{
    /// <summary>[regular, bold]; one file is used for both (bold is then simulated).</summary>
    public string[] FontFiles { get; set; } = [];
}

/// <summary>
/// A regular and a bold font for PDF documents, registered with PDFsharp under a family name of its
/// own, with the characters it can show.
/// </summary>
public sealed class PdfFontSet
{
    private readonly HashSet<int> coverage;

    private PdfFontSet(string family, string description, byte[] regular, byte[]? bold)
    {
        Description = description;
        coverage = OpenTypeFile.ReadCoverage(regular);
        Family = DocumentFontResolver.Instance.Register(family, OpenTypeFile.FlattenNestedComposites(regular),
            bold is null ? null : OpenTypeFile.FlattenNestedComposites(bold));
    }

    /// <summary>The family name to use in an XFont.</summary>
    public string Family { get; }

    /// <summary>For people: "DejaVu Sans (/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)".</summary>
    public string Description { get; }

    public static PdfFontSet FromFiles(string name, string regularPath, string? boldPath) =>
        new(name, $"{name} ({regularPath}{(boldPath is null ? "" : ", " + boldPath)})",
            File.ReadAllBytes(regularPath), boldPath is null ? null : File.ReadAllBytes(boldPath));

    /// <summary>
    /// Whether the document can show this character as it is meant to look: the font has a glyph for
    /// it, and it needs no shaping or right-to-left ordering (which PDFsharp does not do: Arabic
    /// drawn letter by letter, left to right, would be wrong even where the font has the letters).
    /// </summary>
    public bool CanShow(int codePoint) => codePoint is ' ' or '\n' || (coverage.Contains(codePoint) && !NeedsShaping(codePoint));

    public static bool NeedsShaping(int c) =>
        c is >= 0x0590 and <= 0x08FF            // Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic
            or >= 0x0900 and <= 0x0DFF          // the Indic scripts
            or >= 0x0E00 and <= 0x0FFF          // Thai, Lao, Tibetan
            or >= 0x1000 and <= 0x109F          // Myanmar
            or >= 0x1780 and <= 0x18AF          // Khmer, Mongolian
            or >= 0xFB1D and <= 0xFDFF          // Hebrew and Arabic presentation forms
            or >= 0xFE70 and <= 0xFEFE
            or >= 0x10800 and <= 0x10FFF        // historic right-to-left scripts
            or >= 0x1E800 and <= 0x1EFFF;
}

/// <summary>
/// The one PDFsharp font resolver of the process (PDFsharp allows only one): it serves the bytes of
/// every registered <see cref="PdfFontSet"/>.
/// </summary>
public sealed class DocumentFontResolver : IFontResolver
{
    public static readonly DocumentFontResolver Instance = new();

    private readonly ConcurrentDictionary<string, byte[]> faces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> families = new(StringComparer.OrdinalIgnoreCase);

    private DocumentFontResolver()
    {
    }

    /// <summary>Registers the faces under a family name unique to their bytes; returns that name.</summary>
    public string Register(string name, byte[] regular, byte[]? bold)
    {
        // PDFsharp requires the same resolver instance on every assignment; setting it again is allowed.
        GlobalFontSettings.FontResolver = this;
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. regular, .. bold ?? []]))[..12];
        var family = $"{name} {hash}";
        faces.TryAdd(family + "|regular", regular);
        if (bold is not null)
        {
            faces.TryAdd(family + "|bold", bold);
        }
        families[family] = bold is not null;
        return family;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        if (!families.TryGetValue(familyName, out var hasBold))
        {
            return null;
        }
        return bold && hasBold
            ? new FontResolverInfo(familyName + "|bold", false, italic)
            : new FontResolverInfo(familyName + "|regular", bold, italic);
    }

    public byte[]? GetFont(string faceName) => faces.TryGetValue(faceName, out var bytes) ? bytes : null;
}

/// <summary>
/// Finds the fonts for PDF documents once, at start: the files named in Documents:FontFiles, else a
/// system font found by family name. When none is found, <see cref="Fonts"/> is null and
/// <see cref="Problem"/> says so plainly (shown by /health and the agreement page).
/// </summary>
public sealed class DocumentFonts
{
    public static readonly IReadOnlyList<string> Families = ["DejaVu Sans", "Liberation Sans", "Arial", "Segoe UI"];

    private readonly Lazy<(PdfFontSet? Fonts, string? Problem)> found;

    public DocumentFonts(IOptions<DocumentOptions> options) : this(options.Value.FontFiles, DefaultFolders())
    {
    }

    public DocumentFonts(IReadOnlyList<string> fontFiles, IReadOnlyList<string> folders) =>
        found = new(() => Locate(fontFiles, folders), LazyThreadSafetyMode.ExecutionAndPublication);

    public PdfFontSet? Fonts => found.Value.Fonts;

    public string? Problem => found.Value.Problem;

    public static IReadOnlyList<string> DefaultFolders()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return
        [
            "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".fonts"), Path.Combine(home, ".local", "share", "fonts"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Windows) is { Length: > 0 } windows ? windows : @"C:\Windows", "Fonts"),
            "/Library/Fonts", "/System/Library/Fonts",
        ];
    }

    private static (PdfFontSet?, string?) Locate(IReadOnlyList<string> fontFiles, IReadOnlyList<string> folders)
    {
        var configured = fontFiles.Where(f => !string.IsNullOrWhiteSpace(f)).ToList();
        if (configured.Count > 0)
        {
            var unreadable = configured.FirstOrDefault(f => !File.Exists(f) || OpenTypeFile.ReadNames(f) is null);
            if (unreadable is not null)
            {
                return (null, $"Documents:FontFiles names '{unreadable}', which is not a readable TrueType or OpenType font file. " +
                    "Agreement documents cannot be made until it is corrected.");
            }
            var names = OpenTypeFile.ReadNames(configured[0])!;
            return (PdfFontSet.FromFiles(names.Family, configured[0], configured.ElementAtOrDefault(1)), null);
        }

        var candidates = folders.Where(Directory.Exists)
            .SelectMany(folder => SafeFiles(folder))
            .Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
            .Select(f => (Path: f, Names: OpenTypeFile.ReadNames(f)))
            .Where(f => f.Names is not null)
            .ToList();
        foreach (var family in Families)
        {
            var faces = candidates.Where(c => string.Equals(c.Names!.Family, family, StringComparison.OrdinalIgnoreCase)).ToList();
            var regular = faces.FirstOrDefault(c => c.Names!.Subfamily is "Regular" or "Book" or "Normal" or "Roman").Path;
            if (regular is null)
            {
                continue;
            }
            var bold = faces.FirstOrDefault(c => c.Names!.Subfamily == "Bold").Path;
            return (PdfFontSet.FromFiles(family, regular, bold), null);
        }
        return (null, "No font for agreement documents was found: install one of " + string.Join(", ", Families) +
            " (on Debian or Ubuntu: apt-get install fonts-dejavu-core), or set Documents:FontFiles to a regular and a bold .ttf file.");
    }

    private static IEnumerable<string> SafeFiles(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>/health: whether agreement documents can be made (a font was found).</summary>
public sealed class DocumentFontsHealthCheck(DocumentFonts fonts) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(fonts.Fonts is { } set
            ? HealthCheckResult.Healthy($"Agreement documents use {set.Description}")
            : HealthCheckResult.Degraded(fonts.Problem));
}

/// <summary>Agreement documents cannot be made: no font (the message says what to do).</summary>
public sealed class DocumentFontsMissingException(string message) : Exception(message);
