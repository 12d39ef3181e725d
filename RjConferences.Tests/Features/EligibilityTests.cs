using RjConferences.Features.Referrals;

namespace RjConferences.Tests.Features;

public class EligibilityTests
{
    private static readonly DateOnly OffenceDate = new(2026, 3, 10);

    private static IReadOnlyList<string> Reasons(DateOnly dateOfBirth, bool admitted = true, int gravity = 2, int max = 2) =>
        Eligibility.Evaluate(admitted, gravity, max, OffenceDate, [(Guid.Empty, dateOfBirth)]).Select(r => r.Code).ToList();

    [Theory]
    [InlineData("2016-03-11", "under_10")] // 9, turning 10 the day after
    [InlineData("2016-03-10", null)]       // 10th birthday on the offence date counts
    [InlineData("2008-03-11", null)]       // 17, turning 18 the day after
    [InlineData("2008-03-10", "over_17")]  // 18th birthday on the offence date
    [InlineData("2000-01-01", "over_17")]
    [InlineData("2012-07-01", null)]
    public void Age_on_the_offence_date_decides_eligibility(string dateOfBirth, string? reason)
    {
        var reasons = Reasons(DateOnly.Parse(dateOfBirth));
        Assert.Equal(reason is null ? [] : [reason], reasons);
    }

    [Fact]
    public void A_leap_day_birthday_turns_a_year_older_on_1_March()
    {
        var dob = new DateOnly(2016, 2, 29);
        Assert.Equal(9, Eligibility.AgeOn(dob, new DateOnly(2026, 2, 28)));
        Assert.Equal(10, Eligibility.AgeOn(dob, new DateOnly(2026, 3, 1)));
    }

    [Fact]
    public void An_offence_not_admitted_is_not_eligible()
    {
        Assert.Equal(["not_admitted"], Reasons(new DateOnly(2012, 1, 1), admitted: false));
    }

    [Theory]
    [InlineData(1, 2, true)]
    [InlineData(2, 2, true)]
    [InlineData(3, 2, false)]
    [InlineData(3, 3, true)]
    [InlineData(4, 3, false)]
    public void Gravity_must_be_at_most_the_configured_maximum(int gravity, int max, bool eligible)
    {
        Assert.Equal(eligible, Reasons(new DateOnly(2012, 1, 1), gravity: gravity, max: max).Count == 0);
    }

    [Fact]
    public void Every_reason_is_reported_and_each_young_person_is_named()
    {
        var tooYoung = Guid.NewGuid();
        var tooOld = Guid.NewGuid();
        var reasons = Eligibility.Evaluate(false, 4, 2, OffenceDate, [(tooYoung, new DateOnly(2020, 1, 1)), (Guid.NewGuid(), new DateOnly(2012, 1, 1)), (tooOld, new DateOnly(1990, 1, 1))]);

        Assert.Equal(
            [new("not_admitted"), new("gravity_too_high"), new("under_10", tooYoung), new("over_17", tooOld)],
            reasons);
    }
}
