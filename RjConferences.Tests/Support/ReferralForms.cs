using RjConferences.Features.Referrals;

namespace RjConferences.Tests.Support;

public static class ReferralForms
{
    /// <summary>A complete, eligible referral (see <see cref="TestReferral"/>), with names used by the scheduling tests.</summary>
    public static ReferralForm Valid(long schoolId, string dateOfBirth = "2013-01-20", int gravity = 1, bool admitted = true,
        string firstName = "Kwame", string lastName = "Mensah", DateOnly? offenceDate = null) =>
        new TestReferral(schoolId, offenceDate ?? new DateOnly(2026, 6, 10))
        {
            FirstName = firstName, LastName = lastName, DateOfBirth = DateOnly.Parse(dateOfBirth), Gravity = gravity, Admitted = admitted,
            HarmedFirstName = "Olivia", HarmedLastName = "Brown", ParentFirstName = "Ama",
        }.ToForm();
}
