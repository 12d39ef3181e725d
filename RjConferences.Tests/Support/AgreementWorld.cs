using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Support;

/// <summary>A booked conference whose time has come, and the services of outcomes and agreement documents.</summary>
public sealed record HeldConference(Guid CaseId, Guid ConferenceId, PartyDetails YoungPerson, PartyDetails Harmed, PartyDetails Parent);

public static class AgreementWorld
{
    /// <summary>The conference day: Tuesday 16 June 2026, 10:00–11:00 London time.</summary>
    public static readonly DateOnly ConferenceDay = new(2026, 6, 16);

    public static AgreementOutcomes Outcomes(this SchedulingWorld world) => world.Services.GetRequiredService<AgreementOutcomes>();

    /// <summary>The app's agreement documents; with <paramref name="fonts"/>, the same over other fonts (a machine without them).</summary>
    public static AgreementDocuments Documents(this SchedulingWorld world, DocumentFonts? fonts = null) => fonts is null
        ? world.Services.GetRequiredService<AgreementDocuments>()
        : new(world.Services.GetRequiredService<RjConferences.Data.Db>(), world.Audit, world.Clock, new AgreementRenderer(fonts));

    public static AgreementDocumentSource Source(this SchedulingWorld world) => world.Services.GetRequiredService<AgreementDocumentSource>();

    /// <summary>
    /// A ready case booked for Tuesday 16 June 2026 at <paramref name="time"/> (London) with PC Jones and an optional
    /// co-facilitator; the clock is moved on to half an hour after the start (never back).
    /// </summary>
    public static async Task<HeldConference> ConferenceDueAsync(this SchedulingWorld world, string firstName = "Kwame", string lastName = "Mensah",
        TestUser? coFacilitator = null, string time = "10:00", bool moveClock = true)
    {
        var (caseId, parties) = await world.ReadyCaseAsync(firstName, lastName);
        var form = world.Form(parties, ConferenceDay, time);
        form.CoFacilitatorId = coFacilitator?.Id;
        var booked = await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        if (moveClock)
        {
            var start = ConferenceDay.ToDateTime(TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).AddHours(-1); // BST
            var due = new DateTimeOffset(start, TimeSpan.Zero).AddMinutes(30);
            if (world.Clock.GetUtcNow() < due) world.Clock.SetUtcNow(due);
        }
        return new HeldConference(caseId, booked.ConferenceId!.Value,
            parties.Single(p => p.PartyRole == "responsible"), parties.Single(p => p.PartyRole == "harmed"), parties.Single(p => p.PartyRole == "supporter"));
    }

    public static ActionForm Action(this HeldConference conference, string text, string type = "written_apology", DateOnly? dueOn = null,
        string? checkedBy = null, string? amount = null, string? hours = null) => new()
    {
        Type = type, Text = text, DoneBy = conference.YoungPerson.Id, DueOn = DateInput.From(dueOn ?? ConferenceDay.AddDays(14)),
        CheckedBy = checkedBy ?? Checker.Party(conference.Parent.Id), Amount = amount, Hours = hours,
    };

    /// <summary>Held, everyone came, an agreement of the given actions (three by default), exclusion avoided.</summary>
    public static OutcomeForm Agreement(this HeldConference conference, params ActionForm[] actions) => new()
    {
        Held = true,
        Attended = [conference.YoungPerson.Id, conference.Harmed.Id, conference.Parent.Id],
        AgreementReached = true,
        ExclusionAvoided = true,
        Actions = actions.Length > 0 ? [.. actions] :
        [
            conference.Action("Write a letter to Olivia to say sorry."),
            conference.Action("Pay for the cracked phone screen.", "compensation", ConferenceDay.AddDays(28), amount: "25.50"),
            conference.Action("Help the site team tidy the playground.", "work", ConferenceDay.AddDays(42), hours: "3"),
        ],
        Satisfaction = 4,
        FeelsSafer = true,
    };

    public static ClaimsPrincipal Principal(this SchedulingWorld world, TestUser user, params string[] roles) =>
        SchedulingWorld.Principal(user, roles.Length > 0 ? roles : [Roles.Facilitator]);
}
