using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>What the facilitator enters after a conference. The server checks all of it.</summary>
public sealed class OutcomeForm
{
    public bool? Held { get; set; }

    /// <summary>Not held: the invited people who did not come.</summary>
    public HashSet<Guid> Absent { get; set; } = [];

    /// <summary>Not held: why (required, as when recording "not held" from the conference).</summary>
    public string? NotHeldReason { get; set; }

    /// <summary>Held: the invited people who came.</summary>
    public HashSet<Guid> Attended { get; set; } = [];

    public bool? AgreementReached { get; set; }
    public bool? ExclusionAvoided { get; set; }
    public List<ActionForm> Actions { get; set; } = [];

    /// <summary>The harmed party's feedback, all optional: satisfied 1–5, and three yes/no questions.</summary>
    public int? Satisfaction { get; set; }
    public bool? FeelsSafer { get; set; }
    public bool? FeltPrepared { get; set; }
    public bool? WouldRecommend { get; set; }

    /// <summary>The young person's reflection, optional.</summary>
    public string? Reflection { get; set; }
}

/// <summary>One action of the agreement as typed. Amount and hours are text, checked on the server.</summary>
public sealed class ActionForm
{
    /// <summary>The stored action this row changes; null for a new row.</summary>
    public Guid? Id { get; set; }
    public string? Type { get; set; }
    public string? Text { get; set; }
    public Guid? DoneBy { get; set; }
    public DateInput DueOn { get; set; } = new();
    /// <summary>"party:{id}" or "user:{id}" (see <see cref="Checker"/>).</summary>
    public string? CheckedBy { get; set; }
    /// <summary>Compensation: pounds, like "25" or "25.50".</summary>
    public string? Amount { get; set; }
    /// <summary>Work: hours, like "3" or "2.5".</summary>
    public string? Hours { get; set; }
}

/// <summary>Who checks an action: a party of the case or a user (the facilitator), as one form value.</summary>
public static class Checker
{
    public static string Party(Guid id) => $"party:{id:D}";

    public static string User(Guid id) => $"user:{id:D}";

    public static bool TryParse(string? value, out Guid? partyId, out Guid? userId)
    {
        partyId = userId = null;
        if (value is null) return false;
        if (value.StartsWith("party:", StringComparison.Ordinal) && Guid.TryParse(value[6..], out var p)) { partyId = p; return true; }
        if (value.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(value[5..], out var u)) { userId = u; return true; }
        return false;
    }
}

public static class AgreementVocabulary
{
    public const int MaxActionText = 5000;
    public const int MaxReflection = 2000;
    public const int MaxReason = TextLimits.Reason;
    public const int MaxActions = 60;
    public const long MaxAmountPence = 1_000_000;   // £10,000
    public const decimal MaxHours = 100;

    /// <summary>How the harmed party was told the agreement's outcome, when the facilitator records it (the app's own messages record theirs).</summary>
    public static readonly IReadOnlyList<Choice> ToldWays =
    [
        new("in_person", "In person"), new("phone", "By phone"), new("school", "Through the school"), new("email", "By email"),
        new("letter", "By letter"),
    ];

    public static readonly IReadOnlyList<Choice> ActionTypes =
    [
        new("written_apology", "Written apology", "A letter or card saying sorry"),
        new("verbal_apology", "Verbal apology", "Saying sorry in person"),
        new("repair_or_replace", "Repair or replace damage"),
        new("compensation", "Compensation", "Paying an amount of money"),
        new("work", "Work for the school or community", "A number of hours of work"),
        new("programme", "Attend a programme", "For example a course or group sessions"),
        new("behaviour_commitment", "Behaviour commitment", "A promise about how to behave"),
        new("other", "Other"),
    ];

    /// <summary>Who a document is for: every download names one, and it is audited as the recipient.</summary>
    public static readonly IReadOnlyList<Choice> Recipients =
    [
        new("printed_for_signature", "Printed for signature"),
        new("parent_or_guardian", "Sent to the parent or guardian"),
        new("harmed_party", "Sent to the harmed party"),
        new("school", "Sent to the school"),
    ];

    public static readonly IReadOnlyList<Choice> ActionStatuses =
    [
        new("pending", "Pending"), new("completed", "Completed"), new("missed", "Missed"),
    ];
}
