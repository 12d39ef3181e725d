namespace RjConferences.Features.FollowUps;

/// <summary>FollowUps: in configuration.</summary>
public sealed class FollowUpOptions
{
    /// <summary>Months after the conference at which the young person is checked (the last one closes the case).</summary>
    public int[] IntervalsMonths { get; set; } = [3, 6, 12];

    /// <summary>Days after its due date when an unrecorded check is flagged overdue.</summary>
    public int OverdueAfterDays { get; set; } = 28;

    /// <summary>Years after closure when a case is anonymised.</summary>
    public int RetentionYears { get; set; } = 6;

    /// <summary>London time of day when the daily job runs.</summary>
    public TimeOnly RunAt { get; set; } = new(2, 0);
}
