using RjConferences.Features.Reports;

namespace RjConferences.Tests.Features;

/// <summary>
/// The disproportionality table's 95% intervals against examples worked by hand (z = 1.96, four decimals; the code
/// uses z = 1.959964, so the answers agree to about 0.0001).
/// </summary>
public class IntervalsTests
{
    [Fact]
    public void Wilson_interval_of_8_out_of_10()
    {
        // p = 0.8, n = 10, z² = 3.8416: denominator 1 + 3.8416/10 = 1.38416; centre (0.8 + 3.8416/20) / 1.38416 = 0.99208 / 1.38416 = 0.71673;
        // half-width 1.96 × √(0.8 × 0.2 / 10 + 3.8416 / 400) / 1.38416 = 1.96 × √0.025604 / 1.38416 = 1.96 × 0.16001 / 1.38416 = 0.22658.
        var interval = Intervals.Wilson(8, 10)!;
        Assert.Equal(0.4902, interval.Low, 4);
        Assert.Equal(0.9433, interval.High, 4);
    }

    [Fact]
    public void Wilson_interval_of_a_rate_of_0_or_1_stays_within_0_and_1_and_is_not_empty()
    {
        // 0 of 10: centre = half-width = (3.8416 / 20) / 1.38416 = 0.13877, so 0 to 0.2775 (the textbook p ± z·√(p(1−p)/n) would give 0 to 0).
        var none = Intervals.Wilson(0, 10)!;
        Assert.Equal(0, none.Low, 10);
        Assert.Equal(0.2775, none.High, 4);
        // 10 of 10: the mirror image, 0.7225 to 1.
        var all = Intervals.Wilson(10, 10)!;
        Assert.Equal(0.7225, all.Low, 4);
        Assert.Equal(1, all.High, 10);
        // 1 of 3: p = 1/3, denominator 2.28053, centre (0.33333 + 0.64027) / 2.28053 = 0.42692, half 1.96 × √(0.07407 + 0.10671) / 2.28053 = 0.36542.
        var small = Intervals.Wilson(1, 3)!;
        Assert.Equal(0.0615, small.Low, 4);
        Assert.Equal(0.7923, small.High, 4);
    }

    [Fact]
    public void No_base_gives_no_interval()
    {
        Assert.Null(Intervals.Wilson(0, 0));
        Assert.Null(Intervals.RelativeRateIndex(3, 10, 0, 0));
    }

    [Fact]
    public void Relative_rate_index_interval_that_includes_1_is_not_marked()
    {
        // 30 of 100 against 20 of 100: RRI 1.5; SE(ln) = √(1/30 − 1/100 + 1/20 − 1/100) = √0.063333 = 0.25166;
        // ln 1.5 = 0.40547 ± 1.96 × 0.25166 = ± 0.49325: exp(−0.08778) = 0.9160 to exp(0.89872) = 2.4564.
        var interval = Intervals.RelativeRateIndex(30, 100, 20, 100)!;
        Assert.Equal(0.9160, interval.Low, 4);
        Assert.Equal(2.4564, interval.High, 4);
        Assert.False(interval.ExcludesOne);
    }

    [Fact]
    public void Relative_rate_index_interval_wholly_above_or_below_1_is_marked()
    {
        // 60 of 100 against 20 of 100: RRI 3; SE(ln) = √(1/60 − 1/100 + 1/20 − 1/100) = √0.046667 = 0.21602;
        // ln 3 = 1.09861 ± 0.42340: exp(0.67521) = 1.9645 to exp(1.52201) = 4.5815.
        var above = Intervals.RelativeRateIndex(60, 100, 20, 100)!;
        Assert.Equal(1.9645, above.Low, 3);
        Assert.Equal(4.5814, above.High, 3);
        Assert.True(above.ExcludesOne);
        // The other way round, 20 of 100 against 60 of 100: RRI 1/3, interval 1/4.5814 to 1/1.9645 = 0.2183 to 0.5090.
        var below = Intervals.RelativeRateIndex(20, 100, 60, 100)!;
        Assert.Equal(0.2183, below.Low, 4);
        Assert.Equal(0.5090, below.High, 4);
        Assert.True(below.ExcludesOne);
    }

    [Fact]
    public void A_rate_of_100_percent_gets_the_half_correction_instead_of_an_interval_of_no_width()
    {
        // 1 of 1 against 2 of 2: the plain formula gives √(1/1 − 1/1 + 1/2 − 1/2) = 0, an interval 1.00–1.00 from three cases.
        // With 0.5 added to each count and 1 to each base: (1.5/2) / (2.5/3) = 0.9, SE = √(1/1.5 − 1/2 + 1/2.5 − 1/3) = √0.23333 = 0.48305;
        // ln 0.9 = −0.10536 ± 0.94677: exp(−1.05213) = 0.3492 to exp(0.84141) = 2.3196.
        var interval = Intervals.RelativeRateIndex(1, 1, 2, 2)!;
        Assert.Equal(0.3492, interval.Low, 4);
        Assert.Equal(2.3196, interval.High, 4);
        Assert.False(interval.ExcludesOne);
        // 10 of 10 against 5 of 10: (10.5/11) / (5.5/11) = 1.9091, SE = √(1/10.5 − 1/11 + 1/5.5 − 1/11) = √0.09524 = 0.30861:
        // 1.0427 to 3.4955, wholly above 1.
        var above = Intervals.RelativeRateIndex(10, 10, 5, 10)!;
        Assert.Equal(1.0427, above.Low, 4);
        Assert.Equal(3.4955, above.High, 4);
        Assert.True(above.ExcludesOne);
    }

    [Fact]
    public void A_rate_of_0_has_no_relative_rate_index_interval()
    {
        // ln 0 is undefined: the index (0) is shown, its interval is not.
        Assert.Null(Intervals.RelativeRateIndex(0, 10, 5, 10));
        Assert.Null(Intervals.RelativeRateIndex(5, 10, 0, 10));
    }
}
