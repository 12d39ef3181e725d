
namespace RjConferences.Features.Referrals;

/// <summary>What a referrer enters in the new-referral steps. The browser is untrusted: the server validates all of it.</summary>
public sealed class ReferralForm
{
    /// <summary>Chosen when the form is opened: saving twice (a double click) creates one referral.</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();

    // The offence
    public long? SchoolId { get; set; }
    public string? Location { get; set; }
    public DateInput OffenceDate { get; set; } = new();
    public string? OffenceTime { get; set; }
    public long? OffenceCategoryId { get; set; }
    public int? Gravity { get; set; }
    public string? Description { get; set; }

    // School matter or police matter
    public bool? SchoolWouldDealInternally { get; set; }

    // Admission and outcome route
    public bool? Admitted { get; set; }
    public DateInput AdmittedOn { get; set; } = new();
    public string? AdmittedTo { get; set; }
    public string? OutcomeRoute { get; set; }

    // Victim contact: the harmed party should be offered restorative justice within 5 working days (optional here).
    public DateInput VictimFirstOfferedOn { get; set; } = new();

    // Parties
    public List<PartyForm> YoungPeople { get; set; } = [new() { Role = "responsible" }];
    public List<PartyForm> HarmedParties { get; set; } = [new() { Role = "harmed" }];
    public List<PartyForm> Supporters { get; set; } = [new() { Role = "supporter", SupporterType = "parent" }];

    public IEnumerable<PartyForm> AllParties => YoungPeople.Concat(HarmedParties).Concat(Supporters);
}

public sealed class PartyForm
{
    /// <summary>Links a supporter to the young person they support, before either is saved.</summary>
    public Guid Key { get; set; } = Guid.NewGuid();
    public string Role { get; set; } = "responsible";
    public string? HarmedType { get; set; }
    public string? SupporterType { get; set; }
    public Guid? SupportsKey { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? OrganisationName { get; set; }
    public DateInput DateOfBirth { get; set; } = new();
    public string? Gender { get; set; }
    public string? EthnicGroup { get; set; }
    public int? YearGroup { get; set; }
    public bool? SpecialEducationalNeeds { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Address { get; set; }

    /// <summary>Whether they agreed to be contacted about the conference and its outcome; null while not asked.</summary>
    public bool? ContactConsent { get; set; }

    /// <summary>How (<see cref="Vocabulary.ContactWays"/>), when they agreed.</summary>
    public string? ContactBy { get; set; }

    /// <summary>A young person is contacted through their parent or guardian, never directly.</summary>
    public bool IsYoungPerson => Notifications.PartyContacts.IsYoungPerson(Role, HarmedType);

    /// <summary>The way to store: only with consent, never for a young person.</summary>
    public string? StoredContactBy => ContactConsent == true && !IsYoungPerson ? ContactBy : null;

    public bool? StoredContactConsent => IsYoungPerson ? null : ContactConsent;

    public bool IsOrganisation => Role == "harmed" && HarmedType == "organisation";

    public string DisplayName => PartyNames.Display(FirstName, LastName, IsOrganisation ? OrganisationName ?? "" : null, detailsRemoved: false);
}
