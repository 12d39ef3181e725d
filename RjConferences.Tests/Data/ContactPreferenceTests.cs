using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Each party's consent to be contacted and the way they chose, validated where it is typed (an email address for email, a UK
/// mobile number for text messages, a postal address with its postcode for letters), saved with the referral and corrected on
/// the case page; a young person's own preference is never stored (their parent or guardian is contacted).
/// </summary>
public sealed class ContactPreferenceTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private static FieldErrors Check(Action<PartyForm> change)
    {
        var party = new PartyForm { Role = "harmed", HarmedType = "staff", FirstName = "Olivia", LastName = "Brown" };
        change(party);
        return ReferralValidator.PartyDetails(party, "Party");
    }

    [Theory]
    [InlineData(null, null, null, null, null, null)]
    [InlineData(false, null, null, null, null, null)]
    [InlineData(true, null, null, null, null, "Party.ContactBy:Choose how they would like to be contacted")]
    [InlineData(true, "fax", null, null, null, "Party.ContactBy:Choose email, text message, letter or only through the school")]
    [InlineData(true, "email", null, null, null, "Party.Email:Enter the email address to contact them by, or choose another way")]
    [InlineData(true, "email", "olivia@langdon.example", null, null, null)]
    [InlineData(true, "text", null, null, null, "Party.Phone:Enter the mobile number to send text messages to, or choose another way")]
    [InlineData(true, "text", null, "020 7946 0000", null, "Party.Phone:Enter a UK mobile number for text messages, like 07700 900 982 or +44 7700 900 982")]
    [InlineData(true, "text", null, "07700 900 982", null, null)]
    [InlineData(true, "text", null, "+44 (0)7700-900982", null, "Party.Phone:Enter a UK mobile number for text messages, like 07700 900 982 or +44 7700 900 982")]
    [InlineData(true, "text", null, "+44 7700 900982", null, null)]
    [InlineData(true, "letter", null, null, null, "Party.Address:Enter the postal address to send letters to, or choose another way")]
    [InlineData(true, "letter", null, null, "12 High Street\nLondon", "Party.Address:Enter the postal address with its postcode on the last line, like SW1A 1AA")]
    [InlineData(true, "letter", null, null, "12 High Street\nLondon\nE14 0RT", null)]
    [InlineData(true, "letter", null, null, "12 High Street, London E14 0RT", null)]
    [InlineData(true, "school", null, null, null, null)]
    public void A_way_needs_its_address_or_number_in_a_form_a_message_can_go_to(bool? consent, string? way, string? email, string? phone, string? address, string? error)
    {
        var errors = Check(p => { p.ContactConsent = consent; p.ContactBy = way; p.Email = email; p.Phone = phone; p.Address = address; });

        Assert.Equal(error is null ? [] : [error], errors.SelectMany(e => e.Value.Select(m => $"{e.Key}:{m}")));
    }

    [Fact]
    public async Task Preferences_are_saved_with_the_referral_and_corrected_on_the_case_but_never_for_a_young_person()
    {
        var form = ReferralForms.Valid(world.SchoolId);
        var young = form.YoungPeople.Single();
        young.ContactConsent = true; // from a tampered form: a young person is contacted through their parent or guardian
        young.ContactBy = "email";
        var parent = form.Supporters.Single();
        parent.Phone = "07700 900 982";
        parent.ContactConsent = true;
        parent.ContactBy = "text";
        var harmed = form.HarmedParties.Single();
        harmed.HarmedType = "staff";
        harmed.ContactConsent = false;
        harmed.ContactBy = "email"; // no consent: no way is kept

        var saved = await world.Referrals.SaveAsync(form, world.Officer.Id);

        var details = (await world.Cases.GetAsync(saved.CaseId!.Value, world.Officer.Id))!;
        var stored = details.Parties.ToDictionary(p => p.PartyRole, p => (p.ContactConsent, p.ContactBy, p.ContactPreference));
        Assert.Equal((null, null, "Contacted through their parent or guardian"), stored["responsible"]);
        Assert.Equal((true, "text", "Agreed to be contacted by text message"), stored["supporter"]);
        Assert.Equal((false, null, "Not to be contacted"), stored["harmed"]);

        // The parent moves to letters: refused without a postcode, saved with one.
        var supporter = details.Parties.Single(p => p.PartyRole == "supporter");
        PartyEdit Edit(string address) => new()
        {
            PartyId = supporter.Id,
            Party = new PartyForm
            {
                FirstName = supporter.FirstName, LastName = supporter.LastName, Phone = supporter.Phone, Address = address,
                ContactConsent = true, ContactBy = "letter",
            },
        };
        var refused = await world.Changes.EditPartyAsync(details.Id, Edit("4 Oak Road\nLondon"), details.Version, world.OfficerPrincipal);
        Assert.Equal(["Enter the postal address with its postcode on the last line, like SW1A 1AA"], refused.Errors["Party.Address"]);
        Assert.True((await world.Changes.EditPartyAsync(details.Id, Edit("4 Oak Road\nLondon\nE14 0RT"), details.Version, world.OfficerPrincipal)).Saved);
        var after = (await world.Cases.GetAsync(details.Id, world.Officer.Id))!.Parties.Single(p => p.PartyRole == "supporter");
        Assert.Equal((true, "letter", "Agreed to be contacted by letter"), (after.ContactConsent, after.ContactBy, after.ContactPreference));
    }
}
