using System.Text;

namespace RjConferences.Features.Agreements;

/// <summary>
/// The agreement document as PDF: draws an <see cref="AgreementDocument"/> with <see cref="PdfLayout"/>.
/// Touches no database, so it can be tested and benchmarked on its own. The words are for a
/// 12-year-old as much as for an adult: short sentences, "you" and "we".
/// </summary>
public sealed class AgreementPdf(PdfFontSet fonts)
{
    public const string NameFallback = "[name in a script this font cannot show: see the case record]";
    public const string TextFallback = "[text in a script this font cannot show: see the case record]";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public PdfFontSet Fonts => fonts;

    public byte[] Render(AgreementDocument d)
    {
        using var pdf = new PdfLayout(fonts.Family, Text);
        pdf.Info.Title = $"Restorative justice agreement {d.Reference}";
        pdf.Info.Creator = "RjConferences";
        var firstOnly = d.HarmedFirstNameOnly;
        string Person(DocumentPerson person) => Name(person.Shown(firstOnly));

        pdf.Title("Restorative justice agreement");
        pdf.Paragraph($"Safer Schools Partnership, {d.BoroughName}", pdf.Body, after: 10);
        pdf.Field("Case reference", d.Reference);
        pdf.Field("School", d.SchoolName);
        pdf.Field("Borough", d.BoroughName);
        pdf.Field("Date of the meeting", Date(d.ConferenceDate));

        pdf.Heading("Who this agreement is about");
        foreach (var party in d.Parties)
        {
            pdf.Bullet($"{Person(party.Person)}: {party.Role}");
        }
        foreach (var facilitator in d.Facilitators)
        {
            pdf.Bullet($"{Person(facilitator)}: facilitator (led the meeting)");
        }

        pdf.Heading("What happened");
        var young = d.Parties.Count(p => p.Signs == SignatureRole.YoungPerson) > 1 ? "The young people" : "The young person";
        pdf.Paragraph($"This is what happened on {Date(d.OffenceDate)} ({d.Location}). {young} admitted doing it:");
        pdf.Paragraph(d.WhatHappened, indent: 12);

        pdf.Heading("What we agreed");
        pdf.Paragraph("At the meeting, everyone talked about what happened, who was affected and how to put things right. " +
            "These are the things that were agreed. Each one has a date, and a person who checks that it has been done.");
        // What will be done gets most of the width (a long action stays readable and short); who does
        // it, by when and who checks it share one column.
        pdf.Table(
            [new("No.", 0.06), new("What will be done", 0.64), new("Who and when", 0.30)],
            d.Actions.Select(a => (IReadOnlyList<PdfCell>)
            [
                new PdfCell((a.Number.ToString(CultureInfo.InvariantCulture), pdf.Bold)),
                new PdfCell([(a.TypeLabel, pdf.Bold), (a.Text, pdf.Body), .. Extra(a).Select(e => (e, pdf.Body))]),
                new PdfCell([($"{Person(a.DoneBy)}, by {ShortDate(a.DueOn)}", pdf.Body), ($"Checked by {Person(a.CheckedBy)}", pdf.Body)]),
            ]));

        pdf.Heading("If the agreement is not kept");
        pdf.Paragraph("The person who checks each action will tell the facilitator if it has been done by its date.");
        pdf.Paragraph("If something is not done, the facilitator will talk with you about why. Sometimes everyone can agree a new date.");
        pdf.Paragraph("If the agreement is still not kept, the police and the school may deal with what happened in another way. " +
            "This could mean a formal police outcome, which could be on a record.");

        pdf.Heading("This agreement is voluntary");
        pdf.Paragraph("Everyone took part in the meeting because they chose to. Nobody has to sign this agreement. " +
            "You can ask questions, or talk to someone you trust, before you sign. If you change your mind, tell the facilitator.");

        var signatures = Enum.GetValues<SignatureRole>().SelectMany(role =>
        {
            var who = role == SignatureRole.Facilitator
                ? d.Facilitators.ToList()
                : d.Parties.Where(p => p.Signs == role).Select(p => p.Person).ToList();
            var label = role switch
            {
                SignatureRole.YoungPerson => "Young person",
                SignatureRole.ParentOrGuardian => "Parent or guardian",
                SignatureRole.HarmedParty => "Person harmed",
                _ => "Facilitator",
            };
            return who.Count == 0 ? new[] { $"{label}:" } : who.Select(person => $"{label}: {Person(person)}").ToArray();
        }).ToList();
        const string signing = "By signing, you agree to what is written in this agreement.";
        string[] privacy =
        [
            $"This agreement has personal information about the people in it. The Safer Schools Partnership in {d.BoroughName} " +
            "keeps it in a secure system. We use it only to help the agreement work, to check that it is kept, and to check later " +
            "whether restorative justice helped.",
            "Only people who need to see it can see it, and we record each time someone looks at it or prints it. " +
            "We keep it only for as long as we need it. Then we delete it, or remove the names.",
            "You have the right to see the information we hold about you, and to ask us to correct it: ask the facilitator. " +
            "Please keep this paper safe and do not share it with anyone else.",
        ];
        pdf.Heading("Signatures");
        pdf.Paragraph(signing, after: 4);
        for (var i = 0; i < signatures.Count; i++)
        {
            if (i == signatures.Count - 1)
            {
                // The last signature and the note on information stay together, so that the note
                // never spills alone onto an almost empty last page.
                pdf.KeepTogether(pdf.SignatureHeight + pdf.HeadingHeight + privacy.Sum(p => pdf.ParagraphHeight(p)));
            }
            pdf.SignatureLine(signatures[i]);
        }

        pdf.Heading("How we look after your information");
        foreach (var paragraph in privacy)
        {
            pdf.Paragraph(paragraph);
        }

        return pdf.Finish($"{d.Reference} · Agreement document version {d.Version} · Private: keep this safe");
    }

    private static IEnumerable<string> Extra(DocumentAction a)
    {
        if (a.AmountPence is { } pence) yield return $"Amount: {TextFormat.Pounds(pence)}";
        if (a.Hours is { } hours) yield return $"Time: {TextFormat.Hours(hours)}";
    }

    private static string Date(DateOnly date) => date.ToString("dddd d MMMM yyyy", EnGb);

    private static string ShortDate(DateOnly date) => date.ToString("d MMMM yyyy", EnGb);

    /// <summary>A name as the font can show it: unchanged, or with the part in a script it cannot show replaced by a note.</summary>
    public string Name(string name) => Showable(name, NameFallback);

    /// <summary>Any text as the font can show it; each run in a script it cannot show is replaced by a note.</summary>
    public string Text(string text) => Showable(text, TextFallback);

    private string Showable(string text, string fallback)
    {
        text = TextFormat.Normalise(text);
        var all = true;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!fonts.CanShow(rune.Value))
            {
                all = false;
                break;
            }
        }
        if (all)
        {
            return text;
        }
        var result = new StringBuilder(text.Length);
        var between = new StringBuilder();
        var inForeignRun = false;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var showable = true;
            foreach (var rune in element.EnumerateRunes())
            {
                showable &= fonts.CanShow(rune.Value);
            }
            if (!showable)
            {
                if (!inForeignRun)
                {
                    result.Append(fallback);
                }
                inForeignRun = true;
                between.Clear();
            }
            else if (inForeignRun && element is " " or "-" or "'" or "." or ",")
            {
                between.Append(element);   // may still be inside the foreign words ("محمد علي")
            }
            else
            {
                result.Append(between);
                between.Clear();
                inForeignRun = false;
                result.Append(element);
            }
        }
        result.Append(between);
        return result.ToString();
    }
}

internal static class TextFormat
{
    public static string Pounds(long pence) => (pence / 100m).ToString("£#,##0.00", CultureInfo.GetCultureInfo("en-GB"));

    public static string Hours(decimal hours) =>
        hours == 1 ? "1 hour" : hours.ToString("0.##", CultureInfo.InvariantCulture) + " hours";

    /// <summary>NFC (so "e" + combining accent becomes "é", which the font has), "\n" line ends, no control or bidi characters.</summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n").Replace('\r', '\n').Normalize(NormalizationForm.FormC))
        {
            builder.Append(c == '\n' ? c : char.IsControl(c) || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') ? ' ' : c);
        }
        return builder.ToString();
    }
}
