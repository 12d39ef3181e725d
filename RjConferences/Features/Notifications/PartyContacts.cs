namespace RjConferences.Features.Notifications;

/// <summary>Where a message to a party goes: the channel (email, text, letter), the address or number, and whom it is for.</summary>
public sealed record PartyContact(Guid PartyId, string Channel, string Address, string Name);

/// <summary>
/// The one rule for messaging a case's parties. A party is messaged only when they agreed to be contacted and chose email,
/// text message or letter, and the address or number for it is recorded ("only through the school" means the school tells
/// them, so nothing is sent). A young person — the young person responsible, or a pupil who was harmed — is never contacted
/// directly: their parent or guardian is, on the parent's or guardian's own consent and choice.
/// </summary>
public static class PartyContacts
{
    private sealed record Party(Guid Id, string PartyRole, string? HarmedType, string? SupporterType, Guid? SupportsPartyId, string? FirstName,
        string? LastName, string? OrganisationName, string? Phone, string? Email, string? Address, bool? ContactConsent, string? ContactBy);

    /// <summary>Whom a message to <paramref name="partyId"/> goes to, and how; empty when nobody may be or can be messaged.</summary>
    public static async Task<IReadOnlyList<PartyContact>> ForAsync(DbConnection connection, IDbTransaction? transaction, Guid caseId, Guid partyId)
    {
        var parties = (await connection.QueryAsync<Party>("""
            SELECT id, party_role, harmed_type, supporter_type, supports_party_id, first_name, last_name, organisation_name,
                   phone, email, address, contact_consent, contact_by
            FROM parties WHERE case_id = @caseId AND details_removed_at IS NULL
            """, new { caseId }, transaction)).ToList();
        if (parties.FirstOrDefault(p => p.Id == partyId) is not { } party) return [];
        var recipients = IsYoungPerson(party)
            ? parties.Where(p => p.SupportsPartyId == party.Id && p.SupporterType is "parent" or "guardian")
            : [party];
        return recipients.Select(Contact).OfType<PartyContact>().ToList();
    }

    /// <summary>A young person is contacted through their parent or guardian.</summary>
    public static bool IsYoungPerson(string partyRole, string? harmedType) => partyRole == "responsible" || partyRole == "harmed" && harmedType == "pupil";

    private static bool IsYoungPerson(Party p) => IsYoungPerson(p.PartyRole, p.HarmedType);

    private static PartyContact? Contact(Party p)
    {
        if (p.ContactConsent != true) return null;
        var address = p.ContactBy switch
        {
            "email" => p.Email,
            "text" => p.Phone,
            "letter" => p.Address,
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(address)) return null;
        var name = p.OrganisationName is { Length: > 0 } organisation && p.FirstName is null
            ? organisation
            : string.Join(' ', new[] { p.FirstName, p.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return new PartyContact(p.Id, p.ContactBy!, address.Trim(), name);
    }
}
