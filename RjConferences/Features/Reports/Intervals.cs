namespace RjConferences.Features.Reports;

/// <summary>A 95% confidence interval.</summary>
public sealed record Interval(double Low, double High)
{
    /// <summary>For a relative rate index: the interval lies wholly above or wholly below 1, so the difference from the reference group is unlikely to be chance alone.</summary>
    public bool ExcludesOne => Low > 1 || High < 1;
}

/// <summary>
/// The 95% confidence intervals of the disproportionality table: how far a rate or a relative rate index could be from
/// what it is by chance, given how few cases it rests on.
/// </summary>
public static class Intervals
{
    /// <summary>The standard normal quantile for a two-sided 95% interval.</summary>
    public const double Z = 1.959963984540054;

    /// <summary>
    /// The Wilson score interval of the rate <paramref name="count"/> / <paramref name="base"/>: unlike the textbook
    /// p ± z·√(p(1−p)/n) it stays within 0–1 and is sound for small bases and for rates of 0 or 1. Null when the base is 0.
    /// </summary>
    public static Interval? Wilson(long count, long @base)
    {
        if (@base <= 0) return null;
        double n = @base, p = count / n, z2 = Z * Z;
        var denominator = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / denominator;
        var half = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// The interval of a relative rate index (count / base) ÷ (referenceCount / referenceBase) by the log method (Katz):
    /// ln(RRI) ± z·√(1/count − 1/base + 1/referenceCount − 1/referenceBase). When a rate is 100% (count = base) that
    /// formula gives a width of 0, so then 0.5 is added to every count and 1 to every base (the Haldane–Anscombe
    /// correction) for the interval. Null when either rate is 0 or has no base: an index of 0 has no logarithm.
    /// </summary>
    public static Interval? RelativeRateIndex(long count, long @base, long referenceCount, long referenceBase)
    {
        if (count <= 0 || @base <= 0 || referenceCount <= 0 || referenceBase <= 0) return null;
        var correction = count == @base || referenceCount == referenceBase ? 0.5 : 0;
        double x = count + correction, n = @base + 2 * correction, x0 = referenceCount + correction, n0 = referenceBase + 2 * correction;
        var logIndex = Math.Log(x / n / (x0 / n0));
        var standardError = Math.Sqrt(1 / x - 1 / n + 1 / x0 - 1 / n0);
        return new Interval(Math.Exp(logIndex - Z * standardError), Math.Exp(logIndex + Z * standardError));
    }
}
