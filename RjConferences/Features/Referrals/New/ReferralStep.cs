using System.Text.RegularExpressions;

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

public static partial class ReferralSteps
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

    /// <summary>Where the "Back" link goes; null where there is none.</summary>
    public static ReferralStep? Back(ReferralStep step) => step switch
    {
        ReferralStep.SchoolMatter => ReferralStep.Offence,
        ReferralStep.InternalMatter => ReferralStep.SchoolMatter,
        ReferralStep.Admission => ReferralStep.SchoolMatter,
        ReferralStep.Parties => ReferralStep.Admission,
        ReferralStep.Check => ReferralStep.Parties,
        _ => null,
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

    /// <summary>The first step that has any of <paramref name="errors"/>, and its messages only: the others' fields are not on that screen.</summary>
    public static (ReferralStep Step, FieldErrors Errors) FirstWithErrors(FieldErrors errors)
    {
        var first = errors.Keys.Select(ForField).Min();
        var shown = new FieldErrors();
        foreach (var (field, messages) in errors.Where(e => ForField(e.Key) == first))
        {
            messages.ForEach(m => shown.Add(field, m));
        }
        return (first, shown);
    }

    /// <summary>
    /// The messages for the error summary: a party's messages ("Enter the first name") are the same
    /// for every party, so the summary says whose they are ("Supporter 1: Enter the first name").
    /// </summary>
    public static FieldErrors? ForSummary(FieldErrors? errors)
    {
        if (errors is null)
        {
            return null;
        }
        var named = new FieldErrors();
        foreach (var (field, messages) in errors)
        {
            var party = PartyField().Match(field);
            var who = !party.Success ? null : party.Groups[1].Value switch
            {
                "YoungPeople" => "Young person",
                "HarmedParties" => "Harmed party",
                _ => "Supporter",
            } + " " + (int.Parse(party.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + 1);
            messages.ForEach(m => named.Add(field, who is null ? m : $"{who}: {m}"));
        }
        return named;
    }

    [GeneratedRegex(@"^(YoungPeople|HarmedParties|Supporters)\[(\d{1,4})\]")]
    private static partial Regex PartyField();
}
