using Microsoft.Extensions.Diagnostics.HealthChecks;
using RjConferences.Features.Agreements;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>Finding the font for agreement documents, and reporting plainly when there is none.</summary>
public class DocumentFontsTests
{
    /// <summary>Where DejaVu Sans is installed (./test.sh installs fonts-dejavu-core when it is missing).</summary>
    private static readonly string DejaVuFolder = DocumentFonts.DefaultFolders().Where(Directory.Exists)
        .SelectMany(f => Directory.EnumerateFiles(f, "DejaVuSans.ttf", SearchOption.AllDirectories))
        .Select(Path.GetDirectoryName).FirstOrDefault()
        ?? throw new InvalidOperationException("DejaVu Sans is not installed: run ./test.sh, or apt-get install fonts-dejavu-core.");
    private static readonly string DejaVuSans = Path.Combine(DejaVuFolder, "DejaVuSans.ttf");
    private static readonly string DejaVuSansBold = Path.Combine(DejaVuFolder, "DejaVuSans-Bold.ttf");

    [Fact]
    public void A_system_font_is_found_by_family_name_with_its_bold_face()
    {
        var fonts = new DocumentFonts([], [DejaVuFolder]);

        Assert.Null(fonts.Problem);
        Assert.StartsWith("DejaVu Sans (", fonts.Fonts!.Description);
        Assert.Contains("DejaVuSans.ttf", fonts.Fonts.Description);
        Assert.Contains("DejaVuSans-Bold.ttf", fonts.Fonts.Description);
        Assert.True(fonts.Fonts.CanShow('ễ'));
        Assert.False(fonts.Fonts.CanShow('王'));
        Assert.False(fonts.Fonts.CanShow('م'));   // DejaVu Sans has Arabic letters, but PDFsharp cannot join them right to left
    }

    [Fact]
    public void The_files_named_in_configuration_are_used_before_any_system_font()
    {
        var fonts = new DocumentFonts([DejaVuSans, DejaVuSansBold], []);

        Assert.Null(fonts.Problem);
        Assert.Equal($"DejaVu Sans ({DejaVuSans}, {DejaVuSansBold})", fonts.Fonts!.Description);
        Assert.Equal("%PDF"u8.ToArray(), new AgreementPdf(fonts.Fonts).Render(AgreementSamples.Typical())[..4]);
    }

    [Fact]
    public void A_configured_file_that_is_missing_is_reported_by_name_and_not_replaced_silently()
    {
        var fonts = new DocumentFonts(["/no/such/font.ttf"], [DejaVuFolder]);

        Assert.Null(fonts.Fonts);
        Assert.Contains("Documents:FontFiles names '/no/such/font.ttf'", fonts.Problem);
    }

    [Fact]
    public async Task With_no_font_health_reports_it_and_a_download_says_so_plainly()
    {
        var empty = Directory.CreateTempSubdirectory("rj-no-fonts-");
        try
        {
            var fonts = new DocumentFonts([], [empty.FullName]);

            var health = await new DocumentFontsHealthCheck(fonts).CheckHealthAsync(new HealthCheckContext());
            using var renderer = new AgreementRenderer(fonts);
            var render = await Assert.ThrowsAsync<DocumentFontsMissingException>(() => renderer.RenderAsync(AgreementSamples.Typical()));

            Assert.Equal(HealthStatus.Degraded, health.Status);
            Assert.StartsWith("No font for agreement documents was found: install one of DejaVu Sans, Liberation Sans, Arial, Segoe UI", health.Description);
            Assert.Contains("apt-get install fonts-dejavu-core", health.Description);
            Assert.Equal(health.Description, renderer.Problem);
            Assert.Equal(health.Description, render.Message);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void Nested_composite_glyphs_are_flattened_so_that_pdfsharps_subsetting_keeps_every_accent()
    {
        var font = File.ReadAllBytes(DejaVuSans);
        var glyph = OpenTypeFile.GlyphOf(font, 'ễ');
        Assert.Contains(OpenTypeFile.Parts(font, glyph), p => p.Composite);   // "ê" + tilde, where "ê" is "e" + circumflex

        var flattened = OpenTypeFile.FlattenNestedComposites(font);

        var parts = OpenTypeFile.Parts(flattened, OpenTypeFile.GlyphOf(flattened, 'ễ'));
        Assert.True(parts.Count >= 3, $"ễ has {parts.Count} parts");
        Assert.DoesNotContain(parts, p => p.Composite);
        Assert.Equal(OpenTypeFile.ReadCoverage(font), OpenTypeFile.ReadCoverage(flattened));
        Assert.Equal(OpenTypeFile.Parts(font, OpenTypeFile.GlyphOf(font, 'é')), OpenTypeFile.Parts(flattened, OpenTypeFile.GlyphOf(flattened, 'é')));
    }
}
