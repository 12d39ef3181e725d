namespace RjConferences.Features.Referrals;

/// <summary>Everything the case page shows. Classes with setters so Dapper maps SQLite's types freely.</summary>
public sealed class CaseDetails
{
    public Guid Id { get; set; }
    public string Reference { get; set; } = "";
    public long SchoolId { get; set; }
    public string SchoolName { get; set; } = "";
    public string BoroughName { get; set; } = "";
    public string Status { get; set; } = "";
    public string Location { get; set; } = "";
    public DateTimeOffset OffenceAt { get; set; }
    public DateOnly OffenceDate { get; set; }
    public long OffenceCategoryId { get; set; }
    public string OffenceCategory { get; set; } = "";
    public int Gravity { get; set; }
    public string? Description { get; set; }
    public bool Admitted { get; set; }
    public DateOnly? AdmittedOn { get; set; }
    public string? AdmittedTo { get; set; }
    public string OutcomeRoute { get; set; } = "";
    public bool Eligible { get; set; }
    public DateTimeOffset ReferredAt { get; set; }
    public DateOnly ReferredOn { get; set; }
    public string ReferredByName { get; set; } = "";
    public DateOnly? VictimFirstOfferedOn { get; set; }
    public string? WithdrawnReason { get; set; }
    public int Version { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosureOutcome { get; set; }
    public string? ClosureReason { get; set; }
    public string? CjsOutcomeType { get; set; }
    public DateOnly? CjsEnteredOn { get; set; }
    public DateTimeOffset? AnonymisedAt { get; set; }

    public List<PartyDetails> Parties { get; set; } = [];
    public List<(string Code, Guid? PartyId)> IneligibilityReasons { get; set; } = [];
    public List<AssessmentDetails> Assessments { get; set; } = [];
    public List<ConsentDetails> Consents { get; set; } = [];
    public List<CaseEventDetails> Timeline { get; set; } = [];
    public List<PreviousReferral> PreviousReferrals { get; set; } = [];

    /// <summary>The day by which the harmed party should have been offered restorative justice.</summary>
    public DateOnly VictimContactDueOn { get; set; }
    public bool VictimContactOverdue { get; set; }

    public AssessmentDetails? LatestAssessment => Assessments.LastOrDefault();

    public IEnumerable<PartyDetails> YoungPeople => Parties.Where(p => p.PartyRole == "responsible");
}

public sealed class PartyDetails
{
    public Guid Id { get; set; }
    public string PartyRole { get; set; } = "";
    public string? HarmedType { get; set; }
    public string? SupporterType { get; set; }
    public Guid? SupportsPartyId { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? OrganisationName { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public int? AgeAtOffence { get; set; }
    public string? Gender { get; set; }
    public string? EthnicGroup { get; set; }
    public int? YearGroup { get; set; }
    public bool? SpecialEducationalNeeds { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Address { get; set; }
    public bool? ContactConsent { get; set; }
    public string? ContactBy { get; set; }
    public DateTimeOffset? DetailsRemovedAt { get; set; }

    public bool IsYoungPerson => Notifications.PartyContacts.IsYoungPerson(PartyRole, HarmedType);

    /// <summary>The contact preference as the case page says it.</summary>
    public string ContactPreference => IsYoungPerson ? "Contacted through their parent or guardian"
        : ContactConsent switch
        {
            true => ContactBy == "school" ? "Agreed to be contacted, only through the school"
                : $"Agreed to be contacted by {Vocabulary.Label(Vocabulary.ContactWays, ContactBy).ToLowerInvariant()}",
            false => "Not to be contacted",
            null => "Not asked whether they may be contacted",
        };

    public string DisplayName => PartyNames.Display(FirstName, LastName, OrganisationName, DetailsRemovedAt is not null);

    public string RoleLabel => PartyRole switch
    {
        "responsible" => "Young person responsible",
        "harmed" => "Harmed party" + (HarmedType is null ? "" : $" ({Vocabulary.Label(Vocabulary.HarmedTypes, HarmedType).ToLowerInvariant()})"),
        "supporter" => Vocabulary.Label(Vocabulary.SupporterTypes, SupporterType),
        "school_staff" => "School staff",
        "officer" => "Officer",
        _ => PartyRole,
    };

    /// <summary>Whose consent a conference needs: each young person, each harmed party, and each parent or guardian.</summary>
    public bool ConsentRequired => PartyRole is "responsible" or "harmed" || (PartyRole == "supporter" && SupporterType is "parent" or "guardian");
}

public sealed class AssessmentDetails
{
    public Guid Id { get; set; }
    public string AssessedByName { get; set; } = "";
    public DateTimeOffset AssessedAt { get; set; }
    public string RiskToParties { get; set; } = "";
    public string PowerImbalance { get; set; } = "";
    public string AcceptanceOfResponsibility { get; set; } = "";
    public string HarmedPartyWishes { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string? Reason { get; set; }
}

public sealed class ConsentDetails
{
    public Guid Id { get; set; }
    public Guid PartyId { get; set; }
    public string Purpose { get; set; } = "";
    public string Decision { get; set; } = "";
    public DateOnly DecidedOn { get; set; }
    public string Method { get; set; } = "";
    public string TakenByName { get; set; } = "";
    public DateOnly? WithdrawnOn { get; set; }

    public bool InForce => Decision == "given" && WithdrawnOn is null;
}

public sealed class CaseEventDetails
{
    public DateTimeOffset OccurredAt { get; set; }
    public string? UserName { get; set; }
    public string Kind { get; set; } = "";
    public string Summary { get; set; } = "";
    public string? FromStatus { get; set; }
    public string? ToStatus { get; set; }
}

public sealed class PreviousReferral
{
    public Guid Id { get; set; }
    public string Reference { get; set; } = "";
    public DateOnly ReferredOn { get; set; }
    public string Status { get; set; } = "";
}

/// <summary>One row of the case list.</summary>
public sealed class CaseListItem
{
    public Guid Id { get; set; }
    public string Reference { get; set; } = "";
    public string SchoolName { get; set; } = "";
    public string BoroughName { get; set; } = "";
    public string Status { get; set; } = "";
    public DateOnly ReferredOn { get; set; }
    public string OffenceCategory { get; set; } = "";
    public string? YoungPeople { get; set; }
}

/// <summary>Search and filters of /cases. Sort is one of the fixed keys of <see cref="CaseRepository"/>.</summary>
public sealed record CaseQuery(
    string? Search = null, string? Status = null, long? SchoolId = null, long? BoroughId = null,
    DateOnly? From = null, DateOnly? To = null, string Sort = "referred", bool Descending = true, int Page = 1);
