namespace RjConferences.Features.Reports;

// The contract between the report page (filters, charts, tables, CSV) and the report computation
// (ReportQueries). Both sides keep to these types; change them only together.

/// <summary>How the page describes the period; <see cref="ReportSelection"/> carries the resolved dates.</summary>
public enum PeriodKind { Month, Quarter, AcademicYear, Custom }

/// <summary>Trend points by calendar month or by quarter.</summary>
public enum TrendGranularity { Month, Quarter }

/// <summary>
/// A validated selection: cases referred (referred_on, London date) from <see cref="From"/> to
/// <see cref="To"/> inclusive, narrowed by the optional filters. Ids and codes here are known to
/// exist and to be inside the user's scope (checked by the page's validator before the report runs).
/// </summary>
public sealed record ReportSelection(
    DateOnly From,
    DateOnly To,
    long? BoroughId = null,
    long? SchoolId = null,
    long? OffenceCategoryId = null,
    string? OutcomeRoute = null,      // community_resolution | outcome_22 | not_decided
    string? AgeBand = null,           // "10-13" | "14-15" | "16-17" (age at the offence)
    string? Gender = null,            // female | male | other | prefer_not_to_say
    string? EthnicGroup = null,       // a high-level heading: Asian | Black | Mixed | White | Other | Not stated
    TrendGranularity Trend = TrendGranularity.Month,
    string ReferenceGroup = "White"); // the relative rate index compares each group with this one

/// <summary>How a headline figure is read: a count, a share (numerator / denominator), or a median in days over N cases.</summary>
public enum FigureKind { Count, Rate, MedianDays }

/// <summary>
/// One headline figure. Count: <see cref="Numerator"/> is the count. Rate: Numerator / Denominator
/// (Value is the share 0..1, null when the denominator is 0). MedianDays: Value is the median in
/// days (null when no case), Denominator the number of cases it is built on.
/// </summary>
public sealed record HeadlineFigure(string Key, string Label, FigureKind Kind, long Numerator, long? Denominator, double? Value);

/// <summary>Why cases left the funnel at a stage, and how many.</summary>
public sealed record StageLeavers(string Reason, string Label, long Count);

/// <summary>
/// One stage of referred → eligible → consented → conference held → agreement reached →
/// agreement completed → no CJS entry at 12 months. Shares are 0..1, null when the base is 0.
/// </summary>
public sealed record FunnelStage(
    string Key, string Label, long Count, double? ShareOfReferred, double? ShareOfPrevious,
    IReadOnlyList<StageLeavers> LeftBeforeThisStage);

/// <summary>
/// A funnel stage's rate for one ethnic group and its relative rate index against the reference group, each with its 95%
/// confidence interval (<see cref="Intervals"/>; null where it cannot be worked out).
/// </summary>
public sealed record GroupStageRate(string StageKey, long Count, long Base, double? Rate, double? RelativeRateIndex,
    Interval? RateInterval = null, Interval? IndexInterval = null);

/// <summary>
/// One high-level ethnic group (or "Not stated"). <see cref="SmallBase"/> is true when the group has
/// fewer than 30 referred cases: the page notes that its rates are unreliable.
/// </summary>
public sealed record GroupRates(string Group, long Referred, bool SmallBase, IReadOnlyList<GroupStageRate> Stages);

/// <summary>
/// One month or quarter of the cohort trend; the diversion rate is DiversionNumerator / DiversionDenominator.
/// <see cref="AwaitingCheck"/>: its cases with an agreement whose 12-month check is not recorded yet (they are not in the
/// rate until it is).
/// </summary>
public sealed record TrendPoint(string Label, DateOnly Start, long Referrals, long ConferencesHeld, long DiversionNumerator, long DiversionDenominator,
    long AwaitingCheck = 0);

/// <summary>
/// One month or quarter of activity: what was recorded in it, whichever month its cases were referred in (a monthly return's
/// figures). <see cref="Referrals"/> is the same count as the cohort's: a case is received in the month it is referred.
/// </summary>
public sealed record ActivityPoint(string Label, DateOnly Start, long Referrals, long ConferencesHeld, long AgreementsCompleted,
    long ChecksRecorded, long CasesClosed);

/// <summary>One row of the by-borough / by-school / by-offence-category tables; a school's row names its <see cref="Borough"/>.</summary>
public sealed record BreakdownRow(
    string Name, long Referrals, long Eligible, long ConferencesHeld, long AgreementsReached,
    long AgreementsCompleted, long DiversionNumerator, long DiversionDenominator, string? Borough = null);

/// <summary>Everything the report page shows for one selection.</summary>
public sealed record ReportResult(
    ReportSelection Selection,
    IReadOnlyList<HeadlineFigure> Headlines,
    IReadOnlyList<FunnelStage> Funnel,
    IReadOnlyList<GroupRates> Disproportionality,
    IReadOnlyList<TrendPoint> Trend,
    IReadOnlyList<BreakdownRow> ByBorough,
    IReadOnlyList<BreakdownRow> BySchool,
    IReadOnlyList<BreakdownRow> ByOffenceCategory)
{
    /// <summary>The same selection a year earlier (the period moved back 12 months), for the comparison; null when not worked out.</summary>
    public ReportResult? PreviousYear { get; init; }

    /// <summary>Activity by month or quarter (the trend's points), for this selection; empty for <see cref="PreviousYear"/>.</summary>
    public IReadOnlyList<ActivityPoint> Activity { get; init; } = [];
}
