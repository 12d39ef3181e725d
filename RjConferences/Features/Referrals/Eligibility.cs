namespace RjConferences.Features.Referrals;

/// <summary>
/// Whether a referral can go to a restorative conference (domain.md): the offence was admitted,
/// the gravity is at most the configured maximum, and every responsible young person was aged
/// 10–17 on the offence date.
/// </summary>
public static class Eligibility
{
    public const int YoungestAge = 10;
    public const int OldestAge = 17;

    public sealed record Reason(string Code, Guid? PartyId = null);

    /// <summary>Age in whole years on <paramref name="on"/>; a birthday on that day counts (29 February birthdays turn on 1 March in other years).</summary>
    public static int AgeOn(DateOnly dateOfBirth, DateOnly on)
    {
        var age = on.Year - dateOfBirth.Year;
        if (on.Month < dateOfBirth.Month || (on.Month == dateOfBirth.Month && on.Day < dateOfBirth.Day))
        {
            age--;
        }
        return age;
    }

    public static IReadOnlyList<Reason> Evaluate(bool admitted, int gravity, int maxGravity, DateOnly offenceDate,
        IEnumerable<(Guid PartyId, DateOnly DateOfBirth)> youngPeople)
    {
        var reasons = new List<Reason>();
        if (!admitted)
        {
            reasons.Add(new Reason("not_admitted"));
        }
        if (gravity > maxGravity)
        {
            reasons.Add(new Reason("gravity_too_high"));
        }
        foreach (var (partyId, dateOfBirth) in youngPeople)
        {
            var age = AgeOn(dateOfBirth, offenceDate);
            if (age < YoungestAge)
            {
                reasons.Add(new Reason("under_10", partyId));
            }
            else if (age > OldestAge)
            {
                reasons.Add(new Reason("over_17", partyId));
            }
        }
        return reasons;
    }
}

public sealed class ReferralOptions
{
    /// <summary>The highest gravity score that can go to a conference (Referrals:MaxGravity).</summary>
    public int MaxGravity { get; set; } = 2;
}
