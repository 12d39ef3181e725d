namespace RjConferences.Features.Referrals.New;

/// <summary>The screens of the new-referral journey. Held in the page's state, never in the URL.</summary>
public enum ReferralStep
{
    Offence,
    SchoolMatter,
    InternalMatter,
    Admission,
    Parties,
    Check,
    InternalRecorded,
    Recorded,
}

public static class ReferralSteps
{
    public static string Title(ReferralStep step) => step switch
    {
        ReferralStep.Offence => "The offence",
        ReferralStep.SchoolMatter => "School matter or police matter",
        ReferralStep.InternalMatter => "This is a school matter",
        ReferralStep.Admission => "The admission and outcome route",
        ReferralStep.Parties => "The people involved",
        ReferralStep.Check => "Check your answers",
        ReferralStep.InternalRecorded => "Recorded as a school matter",
        ReferralStep.Recorded => "Referral recorded",
        _ => "New referral",
    };

    /// <summary>The step whose screen holds the field of a validation key, so a failed save can show each message at its field.</summary>
    public static ReferralStep ForField(string field) => field switch
    {
        "SchoolWouldDealInternally" => ReferralStep.SchoolMatter,
        "Admitted" or "AdmittedOn" or "AdmittedTo" or "OutcomeRoute" => ReferralStep.Admission,
        _ when field.StartsWith("YoungPeople", StringComparison.Ordinal)
            || field.StartsWith("HarmedParties", StringComparison.Ordinal)
            || field.StartsWith("Supporters", StringComparison.Ordinal) => ReferralStep.Parties,
        _ => ReferralStep.Offence,
    };
}
