
namespace RjConferences.Features.Reports;

/// <summary>How the page writes the report's figures (the exact figures: suppression is for exports).</summary>
public static class ReportFormat
{
    /// <summary>Below this many referred cases a group's rates are noted as unreliable.</summary>
    public const int SmallBase = 30;

    private static CultureInfo Culture => AppSetup.Culture;

    /// <summary>"62%", "62.5%"; "no cases" when there is nothing to divide by.</summary>
    public static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("0.#", Culture) + "%" : "no cases";

    public const string NotAvailable = "not available for these filters";

    public static string Number(long n) => n.ToString("N0", Culture);

    /// <summary>"62% — 31 of 50".</summary>
    public static string Rate(double? share, long numerator, long denominator) =>
        denominator == 0 ? "no cases" : $"{Percent(share)} — {Number(numerator)} of {Number(denominator)}";

    public static string Days(double? days) => days is { } d ? $"{d.ToString("0.#", Culture)} {(d == 1 ? "day" : "days")}" : "no cases";

    public static string Index(double? rri) => rri is { } r ? r.ToString("0.00", Culture) : "–";

    /// <summary>A rate's 95% interval: "95% CI 49.0–94.3%".</summary>
    public static string RateInterval(Interval? interval) =>
        interval is { } i ? $"95% CI {(i.Low * 100).ToString("0.0", Culture)}–{(i.High * 100).ToString("0.0", Culture)}%" : "";

    /// <summary>A relative rate index's 95% interval: "0.85–0.99".</summary>
    public static string IndexInterval(Interval? interval) =>
        interval is { } i ? $"{Index(i.Low)}–{Index(i.High)}" : "";

    /// <summary>"1 September 2025 to 31 August 2026".</summary>
    public static string Period(ReportSelection selection) =>
        $"{LondonTime.FormatDate(selection.From)} to {LondonTime.FormatDate(selection.To)}";

    /// <summary>The headline figure as the page shows it: the value, and what it rests on.</summary>
    public static (string Value, string? Detail) Headline(HeadlineFigure figure) => figure.Kind switch
    {
        // A count without a value cannot be given for this selection (the school's internal matters record no age or gender).
        FigureKind.Count when figure.Value is null => (NotAvailable, null),
        FigureKind.Rate => (Percent(figure.Value), $"{Number(figure.Numerator)} of {Number(figure.Denominator ?? 0)}"),
        FigureKind.MedianDays => (Days(figure.Value), $"over {Number(figure.Denominator ?? 0)} {((figure.Denominator ?? 0) == 1 ? "case" : "cases")}"),
        _ => (Number(figure.Numerator), null),
    };

    /// <summary>A change in a count: "+5", "−3", "no change" (a true minus sign, read as "minus").</summary>
    public static string Change(long current, long previous) => (current - previous) switch
    {
        0 => "no change",
        > 0 and var d => "+" + Number(d),
        var d => "\u2212" + Number(-d),
    };

    /// <summary>
    /// A headline figure a year earlier and the change, as the page writes them: a count ("45", "+5"), a rate in percentage
    /// points ("58% — 29 of 50", "+4 percentage points"), a median in days ("14 days", "−2 days"). The change is empty when
    /// either year has nothing to compare.
    /// </summary>
    public static (string Previous, string Change) Compare(HeadlineFigure current, HeadlineFigure previous)
    {
        var (value, detail) = Headline(previous);
        var before = detail is null ? value : $"{value} — {detail}";
        string change = (current.Kind, current.Value, previous.Value) switch
        {
            (_, null, _) or (_, _, null) => "",
            (FigureKind.Rate, { } now, { } then) => Signed((now - then) * 100, "percentage point", "percentage points"),
            (FigureKind.MedianDays, { } now, { } then) => Signed(now - then, "day", "days"),
            _ => Change(current.Numerator, previous.Numerator),
        };
        return (before, change);
    }

    private static string Signed(double difference, string one, string many)
    {
        var rounded = Math.Round(difference, 1, MidpointRounding.AwayFromZero);
        if (rounded == 0) return "no change";
        var size = Math.Abs(rounded).ToString("0.#", Culture);
        return (rounded > 0 ? "+" : "\u2212") + size + " " + (Math.Abs(rounded) == 1 ? one : many);
    }

    /// <summary>The diversion rate of a trend point or breakdown row.</summary>
    public static string Diversion(long diverted, long checks) => Rate(ReportTables.Share(diverted, checks), diverted, checks);

    /// <summary>
    /// The diversion rate of a cohort month or quarter, and how many of its cases are still waiting for their 12-month
    /// check: "75% — 18 of 24; 6 waiting for the 12-month check", or "not yet: 14 waiting for the 12-month check".
    /// </summary>
    public static string Diversion(TrendPoint point)
    {
        var waiting = point.AwaitingCheck == 0 ? null
            : $"{Number(point.AwaitingCheck)} {(point.AwaitingCheck == 1 ? "case" : "cases")} waiting for the 12-month check";
        return point.DiversionDenominator > 0
            ? Diversion(point.DiversionNumerator, point.DiversionDenominator) + (waiting is null ? "" : $"; {waiting}")
            : waiting is null ? "no cases" : $"not yet: {waiting}";
    }
}
