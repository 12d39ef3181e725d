using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RjConferences.Features.Agreements;

/// <summary>A person named in the agreement document.</summary>
/// <param name="FirstName">For the "first name only" option; null for an organisation.</param>
/// <param name="Harmed">A harmed party: shown by first name only when the document asks for it.</param>
public sealed record DocumentPerson(string Name, string? FirstName = null, bool Harmed = false)
{
    public string Shown(bool harmedFirstNameOnly) =>
        Harmed && harmedFirstNameOnly && !string.IsNullOrWhiteSpace(FirstName) ? FirstName : Name;
}

/// <summary>A party of the case and the words that say who they are ("the young person", "parent of Kwame").</summary>
public sealed record DocumentParty(DocumentPerson Person, string Role, SignatureRole? Signs);

/// <summary>Who signs the agreement, in the order the signature lines are printed.</summary>
public enum SignatureRole
{
    YoungPerson,
    ParentOrGuardian,
    HarmedParty,
    Facilitator,
}

/// <summary>One numbered action: what, who does it, by when, who checks it.</summary>
public sealed record DocumentAction(
    int Number, string TypeLabel, string Text, DocumentPerson DoneBy, DateOnly DueOn, DocumentPerson CheckedBy,
    long? AmountPence = null, decimal? Hours = null);

/// <summary>
/// Everything the agreement document shows, and nothing else: a plain model, filled from the
/// database by <see cref="AgreementDocumentSource"/> and drawn by <see cref="AgreementPdf"/>.
/// </summary>
public sealed record AgreementDocument
{
    public required string Reference { get; init; }
    public required string BoroughName { get; init; }
    public required string SchoolName { get; init; }
    public required DateOnly ConferenceDate { get; init; }
    public required DateOnly OffenceDate { get; init; }
    public required string Location { get; init; }
    /// <summary>What happened, as the young person admitted it (the case's description).</summary>
    public required string WhatHappened { get; init; }
    public required IReadOnlyList<DocumentParty> Parties { get; init; }
    public required IReadOnlyList<DocumentPerson> Facilitators { get; init; }
    public required IReadOnlyList<DocumentAction> Actions { get; init; }

    /// <summary>The document version printed in the footer (not part of <see cref="ContentHash"/>).</summary>
    public int Version { get; init; } = 1;

    /// <summary>Print the harmed person's first name only (not part of <see cref="ContentHash"/>: the same version in another form).</summary>
    public bool HarmedFirstNameOnly { get; init; }

    private static readonly JsonSerializerOptions HashJson = new() { WriteIndented = false };

    /// <summary>
    /// SHA-256 (lower-case hex) of what the document shows, without its version number and without
    /// the first-name-only choice: two documents with the same hash say the same thing.
    /// </summary>
    public string ContentHash()
    {
        var content = new
        {
            Reference, BoroughName, SchoolName, ConferenceDate = ConferenceDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            OffenceDate = OffenceDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Location, WhatHappened,
            Parties, Facilitators,
            Actions = Actions.Select(a => new
            {
                a.Number, a.TypeLabel, a.Text, a.DoneBy, DueOn = a.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                a.CheckedBy, a.AmountPence, Hours = a.Hours?.ToString(CultureInfo.InvariantCulture),
            }),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(content, HashJson))));
    }
}
