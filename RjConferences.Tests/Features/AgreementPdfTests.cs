using System.Globalization;
using RjConferences.Features.Agreements;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>The agreement document as PDF, read back with PdfPig. No database: AgreementPdf draws a plain model.</summary>
public class AgreementPdfTests
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    private static IReadOnlyList<PdfPageText> Render(AgreementDocument document) => PdfReading.Read(AgreementSamples.Pdf.Render(document));

    private static void AssertPageNumbers(IReadOnlyList<PdfPageText> pages)
    {
        foreach (var page in pages)
        {
            Assert.Contains($"Page {page.Number} of {pages.Count}", page.Text);
        }
    }

    /// <summary>No letter is drawn off the page or into its margins.</summary>
    private static void AssertInsideMargins(IReadOnlyList<PdfPageText> pages)
    {
        foreach (var page in pages)
        {
            foreach (var letter in page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)))
            {
                var box = letter.BoundingBox;
                Assert.True(box.Left >= PdfLayout.Margin - 1 && box.Right <= page.Width - PdfLayout.Margin + 1 && box.Bottom >= 20 && box.Top <= page.Height - 20,
                    $"'{letter.Value}' on page {page.Number} is drawn at {box}, outside the text area");
            }
        }
    }

    [Fact]
    public void A_typical_agreement_has_every_name_action_due_date_the_reference_and_page_numbers_on_two_pages()
    {
        var document = AgreementSamples.Typical();

        var pages = Render(document);

        Assert.Equal(2, pages.Count);
        AssertPageNumbers(pages);
        var text = pages.Text();
        var words = pages.Words();
        Assert.Contains("RJ-2026-00042", pages[0].Text);
        Assert.All(pages, p => Assert.Contains("RJ-2026-00042 · Agreement document version 1", p.Text));
        foreach (var name in new[] { "Kwame Mensah", "Ama Mensah", "Olivia Brown", "PC Jones" })
        {
            Assert.Contains(name, text);
        }
        foreach (var action in document.Actions)
        {
            PdfReading.AssertWordsInOrder(words, action.Text);
            Assert.Contains(action.DueOn.ToString("d MMMM yyyy", EnGb), text);
        }
        foreach (var words_ in new[] { "Newham", "Langdon Park", "Tuesday 16 June 2026", "Amount: £25.50", "Time: 3 hours",
                     "If the agreement is not kept", "This agreement is voluntary", "How we look after your information" })
        {
            Assert.Contains(words_, text);
        }
        PdfReading.AssertWordsInOrder(words, document.WhatHappened);
        foreach (var signature in new[] { "Young person: Kwame Mensah", "Parent or guardian: Ama Mensah", "Person harmed: Olivia Brown", "Facilitator: PC Jones" })
        {
            Assert.Contains(signature, text);
        }
        AssertInsideMargins(pages);
    }

    [Fact]
    public void Forty_actions_break_across_pages_with_every_action_and_due_date_kept_and_the_header_repeated()
    {
        var document = AgreementSamples.Typical(40);

        var pages = Render(document);

        Assert.True(pages.Count <= 7, $"{pages.Count} pages");
        AssertPageNumbers(pages);
        var words = pages.Words();
        foreach (var action in document.Actions)
        {
            PdfReading.AssertWordsInOrder(words, action.Text);
        }
        var text = pages.Text();
        Assert.All(document.Actions.Select(a => a.DueOn).Distinct(), due => Assert.Contains(due.ToString("d MMMM yyyy", EnGb), text));
        // The table's header row is on every page the table runs over.
        Assert.True(pages.Count(p => p.Text.Contains("What will be done")) >= 5);
        AssertInsideMargins(pages);
    }

    [Fact]
    public void One_action_of_5000_characters_runs_over_several_pages_with_no_word_lost()
    {
        var text = string.Join(' ', Enumerable.Range(1, 2000).Select(i => $"w{i}"))[..5000].TrimEnd();
        var document = AgreementSamples.Typical() with { Actions = [AgreementSamples.Action(1, text)] };

        var pages = Render(document);

        // The action's column has most of the page's width: it was 6 pages when the column had less than half.
        Assert.True(pages.Count < 6, $"{pages.Count} pages");
        AssertPageNumbers(pages);
        PdfReading.AssertWordsInOrder(pages.Words(), text);
        Assert.Contains(pages, p => p.Text.Contains("cont."));
        AssertInsideMargins(pages);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void The_note_on_information_stays_with_the_signatures_and_never_fills_an_almost_empty_last_page(int actions)
    {
        foreach (var what in new[] { "short", "long" })
        {
            var document = AgreementSamples.Typical(actions) with
            {
                WhatHappened = what == "short" ? "Kwame pushed Olivia." : string.Concat(Enumerable.Repeat("Kwame pushed Olivia in the lunch queue and she fell. ", 3 * actions)),
            };

            var pages = Render(document);

            var last = pages[^1].Text;
            Assert.Contains("Signature", last);
            Assert.Contains("How we look after your information", last);
            Assert.True(pages[^1].Words.Count > 100, $"{actions} actions, {what}: the last page has only {pages[^1].Words.Count} words");
        }
    }

    [Fact]
    public void A_word_longer_than_its_column_is_broken_with_no_character_lost()
    {
        var word = string.Concat(Enumerable.Range(0, 30).Select(i => $"Verylongword{i:D2}"));
        var document = AgreementSamples.Typical(1) with { Actions = [AgreementSamples.Action(1, word)], WhatHappened = word };

        var pages = Render(document);

        var squeezed = string.Concat(pages.Text().Where(c => !char.IsWhiteSpace(c)));
        Assert.Equal(2, squeezed.Split(word).Length - 1);
        AssertInsideMargins(pages);
    }

    [Theory]
    [InlineData("Zoë")]
    [InlineData("Zoe\u0308")]   // e + combining diaeresis: drawn as ë
    [InlineData("O'Brien")]
    [InlineData("Şükrü")]
    [InlineData("Nguyễn Thị Minh Khai")]
    [InlineData("Ørjan")]
    [InlineData("Anna-Maria")]
    public void Latin_names_with_accents_come_out_exactly(string name)
    {
        var document = AgreementSamples.Typical() with
        {
            Parties = [new(new DocumentPerson($"{name} Smith", name), "the young person who caused the harm", SignatureRole.YoungPerson)],
        };

        var text = Render(document).Text();

        Assert.Contains($"{name.Normalize()} Smith: the young person", text);
        Assert.Contains($"Young person: {name.Normalize()} Smith", text);
    }

    [Theory]
    [InlineData("王芳")]
    [InlineData("محمد")]
    public void A_name_in_a_script_the_font_cannot_show_is_replaced_by_a_clear_note(string name)
    {
        var document = AgreementSamples.Typical() with
        {
            Parties = [new(new DocumentPerson(name), "the person who was harmed", SignatureRole.HarmedParty)],
            Actions = [AgreementSamples.Action(1, $"Say sorry to {name} in person.")],
        };

        var pages = Render(document);

        var text = pages.Text();
        Assert.Contains($"{AgreementPdf.NameFallback}: the person who was harmed", text);
        Assert.Contains($"Person harmed: {AgreementPdf.NameFallback}", text);
        PdfReading.AssertWordsInOrder(pages.Words(), $"Say sorry to {AgreementPdf.TextFallback} in person.");
        Assert.DoesNotContain(pages.SelectMany(p => p.Letters), l => l.Value.Any(c => name.Contains(c)));
    }

    [Fact]
    public void Markup_and_pdf_syntax_in_the_text_are_printed_literally()
    {
        const string tricky = "<script>alert('x')</script> %PDF-1.7 %%EOF (brackets) \\ endobj";
        var document = AgreementSamples.Typical() with { WhatHappened = tricky, Actions = [AgreementSamples.Action(1, tricky)] };

        var pages = Render(document);

        Assert.Equal(2, pages.Text().Split("<script>alert('x')</script> %PDF-1.7 %%EOF (brackets) \\ endobj").Length - 1);
    }

    [Fact]
    public void The_harmed_persons_first_name_only_leaves_out_their_surname_everywhere()
    {
        var document = AgreementSamples.Typical() with { HarmedFirstNameOnly = true, Version = 3 };

        var text = Render(document).Text();

        Assert.DoesNotContain("Brown", text);
        Assert.Contains("Olivia: the person who was harmed", text);
        Assert.Contains("Person harmed: Olivia", text);
        Assert.Contains("Kwame Mensah", text);
        Assert.Contains("Agreement document version 3", text);
    }

    [Fact]
    public void The_content_hash_ignores_the_version_and_the_first_name_choice_but_not_an_action()
    {
        var document = AgreementSamples.Typical();

        Assert.Equal(document.ContentHash(), (document with { Version = 7, HarmedFirstNameOnly = true }).ContentHash());
        Assert.NotEqual(document.ContentHash(), (document with { Actions = [.. document.Actions.Take(2)] }).ContentHash());
        Assert.NotEqual(document.ContentHash(), (document with { Actions = [document.Actions[0] with { Text = "Changed." }, .. document.Actions.Skip(1)] }).ContentHash());
    }

    [Fact]
    public async Task Renders_run_in_parallel_no_more_than_the_number_of_cores_at_once()
    {
        using var renderer = new AgreementRenderer(AgreementSamples.SystemDocumentFonts);
        var document = AgreementSamples.Typical();

        var results = await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount * 4).Select(_ => renderer.RenderAsync(document)));

        Assert.All(results, bytes => Assert.Equal("%PDF"u8.ToArray(), bytes[..4]));
        Assert.InRange(renderer.PeakConcurrency, 1, Environment.ProcessorCount);
    }
}
