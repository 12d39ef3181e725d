using RjConferences.Features.Reports;

namespace RjConferences.Tests.Support;

/// <summary>
/// Hand-built report results for the page, chart and export tests (the arithmetic itself is ReportQueries'
/// and is tested on its own). The academic year 2025 to 2026, all boroughs, trend by month.
/// </summary>
public static class ReportSamples
{
    public static readonly ReportSelection Selection = new(new DateOnly(2025, 9, 1), new DateOnly(2026, 8, 31));

    public static HeadlineFigure Count(string key, string label, long n) => new(key, label, FigureKind.Count, n, null, n);

    public static HeadlineFigure Rate(string key, string label, long numerator, long denominator) =>
        new(key, label, FigureKind.Rate, numerator, denominator, denominator == 0 ? null : (double)numerator / denominator);

    public static HeadlineFigure Median(string key, string label, double? days, long cases) => new(key, label, FigureKind.MedianDays, 0, cases, days);

    public static FunnelStage Stage(string key, string label, long count, long referred, long? previous, params StageLeavers[] left) =>
        new(key, label, count, referred == 0 ? null : (double)count / referred,
            previous is null or 0 ? null : (double)count / previous.Value, left);

    /// <summary>
    /// 50 referrals: 45 eligible (2 not admitted, 3 gravity too high), 40 consented (5 refused), 31 held
    /// (4 not suitable, 5 not held), 31 agreements, 25 completed (6 failed), 20 with no CJS entry at 12 months
    /// (1 entered the CJS; 4 still waiting for the check).
    /// </summary>
    public static IReadOnlyList<FunnelStage> Funnel { get; } =
    [
        Stage("referred", "Referred", 50, 50, null),
        Stage("eligible", "Eligible", 45, 50, 50, new StageLeavers("not_admitted", "Not eligible: the offence was not admitted", 2),
            new StageLeavers("gravity_too_high", "Not eligible: the gravity score is above the maximum", 3)),
        Stage("consented", "Consented", 40, 50, 45, new StageLeavers("consent_refused", "Consent refused", 5)),
        Stage("conference_held", "Conference held", 31, 50, 40, new StageLeavers("not_suitable", "Not suitable", 4), new StageLeavers("not_held", "Conference not held", 5)),
        Stage("agreement_reached", "Agreement reached", 31, 50, 31, new StageLeavers("no_agreement", "No agreement", 0)),
        Stage("agreement_completed", "Agreement completed", 25, 50, 31, new StageLeavers("agreement_failed", "Agreement failed", 6)),
        Stage("no_cjs_entry", "No CJS entry at 12 months", 20, 50, 25, new StageLeavers("entered_cjs", "Entered the CJS", 1)),
    ];

    /// <summary>A group whose eligible stage has its rate's Wilson interval, and <paramref name="rriInterval"/> as its index's.</summary>
    public static GroupRates Group(string group, long referred, long eligible, double? rri, Interval? rriInterval = null) => new(group, referred, referred < 30,
    [
        new GroupStageRate("referred", referred, referred, referred == 0 ? null : 1, referred == 0 ? null : 1),
        new GroupStageRate("eligible", eligible, referred, referred == 0 ? null : (double)eligible / referred, rri, Intervals.Wilson(eligible, referred), rriInterval),
    ]);

    public static BreakdownRow Row(string name, long referrals) => new(name, referrals, referrals, referrals / 2, referrals / 2, referrals / 3, 2, 3);

    public static ReportResult Result(ReportSelection? selection = null, IReadOnlyList<BreakdownRow>? bySchool = null) => new(
        selection ?? Selection,
        [
            Count("referrals", "Referrals", 50),
            Count("handled_internally", "Referrals the school handled internally", 3),
            Count("eligible", "Eligible referrals", 45),
            Count("conferences_held", "Conferences held", 31),
            Rate("diversion_rate", "Diversion rate", 31, 50),
            Rate("entered_cjs", "Entered the CJS within 12 months", 19, 50),
            Median("days_to_conference", "Median days from referral to conference", 12.5, 31),
            Median("days_to_first_contact", "Median days from referral to first victim contact", 4, 2),
            Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5)", 0, 0),
        ],
        Funnel,
        [
            Group("Asian", 8, 7, 0.93),
            Group("Black", 12, 11, 0.97),
            Group("Mixed", 0, 0, null),
            Group("White", 30, 28, 1),
            Group("Other", 0, 0, null),
            Group("Not stated", 0, 0, null),
        ],
        [
            new TrendPoint("September 2025", new DateOnly(2025, 9, 1), 10, 4, 3, 4),
            new TrendPoint("October 2025", new DateOnly(2025, 10, 1), 25, 20, 18, 24, 2),
            new TrendPoint("November 2025", new DateOnly(2025, 11, 1), 15, 7, 10, 22, 12),
        ],
        [Row("Newham", 30), Row("Hackney", 20)],
        bySchool ?? [Row("Langdon Park", 28), Row("=HYPERLINK(\"http://example.org\",\"Click\")", 2)],
        [Row("Minor assault", 40), Row("Theft", 10)])
    {
        Activity =
        [
            new ActivityPoint("September 2025", new DateOnly(2025, 9, 1), 10, 2, 0, 0, 1),
            new ActivityPoint("October 2025", new DateOnly(2025, 10, 1), 25, 12, 3, 6, 9),
            new ActivityPoint("November 2025", new DateOnly(2025, 11, 1), 15, 17, 8, 0, 14),
        ],
    };
}
