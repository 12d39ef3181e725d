using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>An agreement as the document shows it, with the ids the callers need.</summary>
public sealed record SourcedAgreement(Guid AgreementId, Guid ConferenceId, Guid CaseId, int AgreementVersion, AgreementDocument Document);

/// <summary>
/// Fills an <see cref="AgreementDocument"/> from the database: the case, the people invited to the
/// conference, the facilitators and the numbered actions. Reads only within the user's school scope.
/// </summary>
public sealed class AgreementDocumentSource(Db db)
{
    /// <summary>The agreement of a conference the user may see; null when there is none or it is outside their scope.</summary>
    public async Task<SourcedAgreement?> GetAsync(Guid conferenceId, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await LoadAsync(connection, null, conferenceId, userId);
    }

    /// <summary>
    /// The agreement of a conference, read on the caller's connection (and transaction, when inside a
    /// write). With <paramref name="scopeUserId"/>, only within that user's school scope.
    /// </summary>
    internal static async Task<SourcedAgreement?> LoadAsync(DbConnection connection, IDbTransaction? transaction, Guid conferenceId, Guid? scopeUserId)
    {
        var scope = scopeUserId is null ? "" : $"AND k.{SchoolScope.SqlFilter}";
        var head = await connection.QuerySingleOrDefaultAsync<HeadRow>($"""
            SELECT a.id AS agreement_id, a.version AS agreement_version, c.id AS conference_id, c.starts_at,
                   f.display_name AS facilitator_name, cf.display_name AS co_facilitator_name,
                   k.id AS case_id, k.reference, k.offence_date, k.location, k.description, s.name AS school_name, b.name AS borough_name
            FROM agreements AS a
            JOIN conferences AS c ON c.id = a.conference_id
            JOIN cases AS k ON k.id = c.case_id
            JOIN schools AS s ON s.id = k.school_id
            JOIN boroughs AS b ON b.id = s.borough_id
            JOIN users AS f ON f.id = c.facilitator_id
            LEFT JOIN users AS cf ON cf.id = c.co_facilitator_id
            WHERE a.conference_id = @conferenceId {scope}
            """, new { conferenceId, ScopeUserId = scopeUserId }, transaction);
        if (head is null)
        {
            return null;
        }
        var parties = (await connection.QueryAsync<PartyRow>("""
            SELECT p.id, p.party_role, p.harmed_type, p.supporter_type, p.supports_party_id, p.first_name, p.last_name,
                   p.organisation_name, p.details_removed_at, cp.attended, cp.party_id IS NOT NULL AS invited
            FROM parties AS p
            LEFT JOIN conference_participants AS cp ON cp.party_id = p.id AND cp.conference_id = @conferenceId
            WHERE p.case_id = @CaseId
            ORDER BY p.sort_order
            """, new { conferenceId, head.CaseId }, transaction)).ToList();
        var byId = parties.ToDictionary(p => p.Id);
        var people = parties.ToDictionary(p => p.Id, p => Person(p, byId));
        var actions = (await connection.QueryAsync<ActionRow>("""
            SELECT a.number, a.action_type, a.text, a.done_by_party_id, a.due_on, a.checked_by_party_id,
                   u.display_name AS checked_by_user_name, a.amount_pence, a.hours
            FROM agreement_actions AS a
            LEFT JOIN users AS u ON u.id = a.checked_by_user_id
            WHERE a.agreement_id = @AgreementId
            ORDER BY a.number
            """, new { head.AgreementId }, transaction)).ToList();

        var document = new AgreementDocument
        {
            Reference = head.Reference,
            BoroughName = head.BoroughName,
            SchoolName = head.SchoolName,
            ConferenceDate = LondonTime.DateOf(head.StartsAt),
            OffenceDate = head.OffenceDate,
            Location = Vocabulary.Label(Vocabulary.Locations, head.Location).ToLowerInvariant(),
            WhatHappened = string.IsNullOrWhiteSpace(head.Description) ? "(No description was recorded.)" : head.Description.Trim(),
            Parties = parties.Where(p => p.Invited).Select(p => new DocumentParty(people[p.Id], Role(p, byId), Signs(p, byId))).ToList(),
            Facilitators = new[] { head.FacilitatorName, head.CoFacilitatorName }.OfType<string>().Select(n => new DocumentPerson(n)).ToList(),
            Actions = actions.Select(a => new DocumentAction(
                a.Number, Vocabulary.Label(AgreementVocabulary.ActionTypes, a.ActionType), a.Text, people[a.DoneByPartyId], a.DueOn,
                a.CheckedByPartyId is { } checker ? people[checker] : new DocumentPerson(a.CheckedByUserName ?? ""),
                a.AmountPence, a.Hours is { } hours ? (decimal)hours : null)).ToList(),
        };
        return new SourcedAgreement(head.AgreementId, head.ConferenceId, head.CaseId, head.AgreementVersion, document);
    }

    private static bool OnHarmedSide(PartyRow p, Dictionary<Guid, PartyRow> all) =>
        p.PartyRole == "harmed" || (p.SupportsPartyId is { } s && all.TryGetValue(s, out var supported) && supported.PartyRole == "harmed");

    private static DocumentPerson Person(PartyRow p, Dictionary<Guid, PartyRow> all)
    {
        var name = PartyNames.Display(p.FirstName, p.LastName, p.OrganisationName, p.DetailsRemovedAt is not null);
        return p.DetailsRemovedAt is not null || p.OrganisationName is not null ? new DocumentPerson(name) : new DocumentPerson(name, p.FirstName, OnHarmedSide(p, all));
    }

    private static string Role(PartyRow p, Dictionary<Guid, PartyRow> all)
    {
        var whose = Whose(p, all);
        var role = p.PartyRole switch
        {
            "responsible" => "the young person who caused the harm",
            "harmed" => p.HarmedType == "organisation" ? "the organisation that was harmed" : "the person who was harmed",
            "supporter" when p.SupporterType is "parent" or "guardian" => $"parent or guardian of {whose}",
            "supporter" => $"supporter of {whose}",
            "school_staff" => "member of staff at the school",
            "officer" => "police officer",
            _ => p.PartyRole,
        };
        return p.Attended == false ? role + " (was not at the meeting)" : role;
    }

    /// <summary>
    /// Whom a supporter supports: "the young person" or "the person who was harmed" when the case has
    /// one, else that person by first name ("Kwame"), by full name for young people who share a first
    /// name. A harmed person is never named beyond the first name, which every form of the document shows.
    /// </summary>
    private static string Whose(PartyRow p, Dictionary<Guid, PartyRow> all)
    {
        var harmedSide = OnHarmedSide(p, all);
        var fallback = harmedSide ? "the person who was harmed" : "the young person";
        if (p.SupportsPartyId is not { } id || !all.TryGetValue(id, out var supported) || supported.DetailsRemovedAt is not null)
        {
            return fallback;
        }
        var alike = all.Values.Where(o => o.PartyRole == supported.PartyRole && o.DetailsRemovedAt is null).ToList();
        if (alike.Count < 2)
        {
            return fallback;
        }
        if (supported.OrganisationName is { Length: > 0 } organisation)
        {
            return organisation;
        }
        var sharedFirstName = alike.Count(o => string.Equals(o.FirstName, supported.FirstName, StringComparison.OrdinalIgnoreCase)) > 1;
        return !harmedSide && sharedFirstName ? $"{supported.FirstName} {supported.LastName}".Trim() : supported.FirstName ?? fallback;
    }

    private static SignatureRole? Signs(PartyRow p, Dictionary<Guid, PartyRow> all) => p.PartyRole switch
    {
        "responsible" => SignatureRole.YoungPerson,
        "harmed" => SignatureRole.HarmedParty,
        "supporter" when p.SupporterType is "parent" or "guardian" && !OnHarmedSide(p, all) => SignatureRole.ParentOrGuardian,
        _ => null,
    };

    private sealed class HeadRow
    {
        public Guid AgreementId { get; set; }
        public int AgreementVersion { get; set; }
        public Guid ConferenceId { get; set; }
        public DateTimeOffset StartsAt { get; set; }
        public string FacilitatorName { get; set; } = "";
        public string? CoFacilitatorName { get; set; }
        public Guid CaseId { get; set; }
        public string Reference { get; set; } = "";
        public DateOnly OffenceDate { get; set; }
        public string Location { get; set; } = "";
        public string? Description { get; set; }
        public string SchoolName { get; set; } = "";
        public string BoroughName { get; set; } = "";
    }

    private sealed class PartyRow
    {
        public Guid Id { get; set; }
        public string PartyRole { get; set; } = "";
        public string? HarmedType { get; set; }
        public string? SupporterType { get; set; }
        public Guid? SupportsPartyId { get; set; }
        public string? FirstName { get; set; }
        public string? LastName { get; set; }
        public string? OrganisationName { get; set; }
        public DateTimeOffset? DetailsRemovedAt { get; set; }
        public bool? Attended { get; set; }
        public bool Invited { get; set; }
    }

    private sealed class ActionRow
    {
        public int Number { get; set; }
        public string ActionType { get; set; } = "";
        public string Text { get; set; } = "";
        public Guid DoneByPartyId { get; set; }
        public DateOnly DueOn { get; set; }
        public Guid? CheckedByPartyId { get; set; }
        public string? CheckedByUserName { get; set; }
        public long? AmountPence { get; set; }
        public double? Hours { get; set; }
    }
}
