using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;

namespace RjConferences.Tests.Support;

public static class ReferralForms
{
    /// <summary>A complete, eligible referral: a young person who admitted a minor assault, a parent, and a harmed pupil.</summary>
    public static ReferralForm Valid(long schoolId, string dateOfBirth = "2013-01-20", int gravity = 1, bool admitted = true,
        string firstName = "Kwame", string lastName = "Mensah", DateOnly? offenceDate = null)
    {
        var offence = offenceDate ?? new DateOnly(2026, 6, 10);
        var young = new PartyForm
        {
            Role = "responsible", FirstName = firstName, LastName = lastName, DateOfBirth = DateInput.From(DateOnly.Parse(dateOfBirth)),
            Gender = "male", EthnicGroup = "black_african", YearGroup = 8, SpecialEducationalNeeds = false,
        };
        return new ReferralForm
        {
            SchoolId = schoolId, Location = "on_school_premises", OffenceDate = DateInput.From(offence),
            OffenceTime = "13:15", OffenceCategoryId = 1, Gravity = gravity, Description = "Pushed another pupil in the lunch queue.",
            SchoolWouldDealInternally = false, Admitted = admitted,
            AdmittedOn = admitted ? DateInput.From(offence.AddDays(1)) : new DateInput(), AdmittedTo = admitted ? "PC Jones" : null,
            OutcomeRoute = "community_resolution",
            YoungPeople = [young],
            HarmedParties = [new PartyForm { Role = "harmed", HarmedType = "pupil", FirstName = "Olivia", LastName = "Brown" }],
            Supporters = [new PartyForm { Role = "supporter", SupporterType = "parent", SupportsKey = young.Key, FirstName = "Ama", LastName = lastName, Phone = "07700 900982" }],
        };
    }
}
