using RjConferences.Features.Agreements;

namespace RjConferences.Tests.Support;

/// <summary>Agreement documents to render, without a database, and the fonts the tests use.</summary>
public static class AgreementSamples
{
    /// <summary>The fonts found on this machine, as the app finds them without configuration.</summary>
    public static DocumentFonts SystemDocumentFonts { get; } = new([], DocumentFonts.DefaultFolders());

    /// <summary>The system's font (DejaVu Sans where ./test.sh installed it); fails the test plainly when there is none.</summary>
    public static PdfFontSet Fonts => SystemDocumentFonts.Fonts ?? throw new InvalidOperationException(SystemDocumentFonts.Problem);

    public static AgreementPdf Pdf => new(Fonts);

    public static readonly DateOnly ConferenceDate = new(2026, 6, 16);

    public static DocumentAction Action(int number, string text, string type = "Written apology", int dueInDays = 14,
        long? pence = null, decimal? hours = null) =>
        new(number, type, text, new DocumentPerson("Kwame Mensah", "Kwame"), ConferenceDate.AddDays(dueInDays),
            new DocumentPerson("PC Jones"), pence, hours);

    /// <summary>A typical agreement: a young person, a parent, a harmed pupil, a facilitator and three actions.</summary>
    public static AgreementDocument Typical(int actions = 3) => new()
    {
        Reference = "RJ-2026-00042",
        BoroughName = "Newham",
        SchoolName = "Langdon Park",
        ConferenceDate = ConferenceDate,
        OffenceDate = new DateOnly(2026, 6, 10),
        Location = "on school premises",
        WhatHappened = "Kwame pushed Olivia in the lunch queue. She fell and hurt her wrist, and her phone screen cracked.",
        Parties =
        [
            new(new DocumentPerson("Kwame Mensah", "Kwame"), "the young person who caused the harm", SignatureRole.YoungPerson),
            new(new DocumentPerson("Ama Mensah", "Ama"), "parent or guardian of the young person", SignatureRole.ParentOrGuardian),
            new(new DocumentPerson("Olivia Brown", "Olivia", Harmed: true), "the person who was harmed", SignatureRole.HarmedParty),
        ],
        Facilitators = [new DocumentPerson("PC Jones")],
        Actions = Enumerable.Range(1, actions).Select(n => (n % 3) switch
        {
            1 => Action(n, $"Write a letter to Olivia saying sorry for pushing her, and what he will do differently (action {n})."),
            2 => Action(n, $"Pay towards the repair of the phone screen (action {n}).", "Compensation", 28, pence: 2550),
            _ => Action(n, $"Help the site team tidy the playground after lunch on Fridays (action {n}).", "Work for the school or community", 42, hours: 3),
        }).ToList(),
    };
}
