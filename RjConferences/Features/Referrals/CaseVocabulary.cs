namespace RjConferences.Features.Referrals;

/// <summary>One stored code and the words users read for it.</summary>
public sealed record Choice(string Code, string Label, string? Hint = null);

/// <summary>The case statuses of domain.md's lifecycle.</summary>
public static class CaseStatus
{
    public const string Referred = "referred";
    public const string NotEligible = "not_eligible";
    public const string Assessing = "assessing";
    public const string NotSuitable = "not_suitable";
    public const string AwaitingConsent = "awaiting_consent";
    public const string Withdrawn = "withdrawn";
    public const string ReadyToSchedule = "ready_to_schedule";
    public const string ConferenceScheduled = "conference_scheduled";
    public const string ConferenceHeld = "conference_held";
    public const string AgreementActive = "agreement_active";
    public const string NoAgreement = "no_agreement";
    public const string AgreementCompleted = "agreement_completed";
    public const string AgreementFailed = "agreement_failed";
    public const string FollowUp = "follow_up";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<Choice> All =
    [
        new(Referred, "Referred"), new(NotEligible, "Not eligible"), new(Assessing, "Assessing"),
        new(NotSuitable, "Not suitable"), new(AwaitingConsent, "Awaiting consent"), new(Withdrawn, "Withdrawn"),
        new(ReadyToSchedule, "Ready to schedule"), new(ConferenceScheduled, "Conference scheduled"),
        new(ConferenceHeld, "Conference held"), new(AgreementActive, "Agreement active"),
        new(NoAgreement, "No agreement"), new(AgreementCompleted, "Agreement completed"),
        new(AgreementFailed, "Agreement failed"), new(FollowUp, "Follow-up"), new(Closed, "Closed"),
    ];

    public static string Label(string code) => All.FirstOrDefault(c => c.Code == code)?.Label ?? code;
}

public static class Vocabulary
{
    public static readonly IReadOnlyList<Choice> Locations =
    [
        new("on_school_premises", "On school premises"),
        new("immediate_vicinity", "In the immediate vicinity of the school"),
        new("journey_to_or_from_school", "On the journey to or from school"),
        new("elsewhere", "Elsewhere"),
    ];

    public static readonly IReadOnlyList<Choice> OutcomeRoutes =
    [
        new("community_resolution", "Community resolution"),
        new("outcome_22", "Outcome 22", "Deferred prosecution: a diversionary, educational or intervention activity"),
        new("not_decided", "Not yet decided"),
    ];

    public static readonly IReadOnlyList<Choice> Gravity =
    [
        new("1", "1 – Very minor", "Low-level harm or loss, for example a push with no injury or damage under £50"),
        new("2", "2 – Minor", "Some harm or loss, for example a minor injury or damage up to about £500"),
        new("3", "3 – Serious", "Significant harm, a weapon, or a hate element: normally not for a school conference"),
        new("4", "4 – Very serious", "Grave harm: dealt with through the formal criminal justice process"),
    ];

    public static readonly IReadOnlyList<Choice> Genders =
    [
        new("female", "Female"), new("male", "Male"), new("other", "Other"), new("prefer_not_to_say", "Prefer not to say"),
    ];

    /// <summary>The 2021 census ethnic groups for England and Wales; Group is the high-level group for reports.</summary>
    public static readonly IReadOnlyList<EthnicGroup> EthnicGroups =
    [
        new("asian_bangladeshi", "Bangladeshi", "Asian"), new("asian_chinese", "Chinese", "Asian"),
        new("asian_indian", "Indian", "Asian"), new("asian_pakistani", "Pakistani", "Asian"),
        new("asian_other", "Any other Asian background", "Asian"),
        new("black_african", "African", "Black"), new("black_caribbean", "Caribbean", "Black"),
        new("black_other", "Any other Black, Black British or Caribbean background", "Black"),
        new("mixed_white_asian", "White and Asian", "Mixed"), new("mixed_white_black_african", "White and Black African", "Mixed"),
        new("mixed_white_black_caribbean", "White and Black Caribbean", "Mixed"),
        new("mixed_other", "Any other Mixed or multiple ethnic background", "Mixed"),
        new("white_british", "English, Welsh, Scottish, Northern Irish or British", "White"), new("white_irish", "Irish", "White"),
        new("white_gypsy_traveller", "Gypsy or Irish Traveller", "White"), new("white_roma", "Roma", "White"),
        new("white_other", "Any other White background", "White"),
        new("other_arab", "Arab", "Other"), new("other_any", "Any other ethnic group", "Other"),
        new("prefer_not_to_say", "Prefer not to say", "Not stated"),
    ];

    public static readonly IReadOnlyList<string> EthnicGroupHeadings = ["Asian", "Black", "Mixed", "White", "Other", "Not stated"];

    public static readonly IReadOnlyList<Choice> HarmedTypes =
    [
        new("pupil", "A pupil"), new("staff", "A member of staff"), new("member_of_public", "A member of the public"),
        new("organisation", "An organisation", "For example the school or a shop"),
    ];

    /// <summary>How a party agreed to be contacted about the conference and its outcome (<see cref="Notifications.PartyContacts"/>).</summary>
    public static readonly IReadOnlyList<Choice> ContactWays =
    [
        new("email", "Email"), new("text", "Text message"), new("letter", "Letter"),
        new("school", "Only through the school", "The school passes messages on; the app sends them nothing"),
    ];

    public static readonly IReadOnlyList<Choice> SupporterTypes =
    [
        new("parent", "Parent"), new("guardian", "Guardian"), new("other", "Other supporter"),
    ];

    public static readonly IReadOnlyList<Choice> ConsentPurposes =
    [
        new("take_part", "Taking part in a conference"),
        new("share_agreement_with_school", "Sharing the agreement with the school"),
    ];

    public static readonly IReadOnlyList<Choice> ConsentMethods =
    [
        new("in_person", "In person"), new("phone", "By phone"), new("written", "In writing"),
    ];

    public static readonly IReadOnlyList<Choice> IneligibilityReasons =
    [
        new("not_admitted", "The offence was not admitted"),
        new("gravity_too_high", "The gravity score is above the maximum for a conference"),
        new("under_10", "Under 10 on the offence date: below the age of criminal responsibility"),
        new("over_17", "18 or over on the offence date: not a youth case"),
    ];

    public static string Label(IReadOnlyList<Choice> choices, string? code) =>
        code is null ? "" : choices.FirstOrDefault(c => c.Code == code)?.Label ?? code;

    public static string EthnicLabel(string? code) => EthnicGroups.FirstOrDefault(e => e.Code == code)?.Label ?? "";

    public static bool IsCode(IReadOnlyList<Choice> choices, string? code) => code is not null && choices.Any(c => c.Code == code);
}

public sealed record EthnicGroup(string Code, string Label, string Group);
