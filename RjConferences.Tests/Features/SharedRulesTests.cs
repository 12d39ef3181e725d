using System.Security.Claims;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace RjConferences.Tests.Features;

/// <summary>
/// Every rule that a page asks before it offers an action, driven both ways over a real test database: for
/// each user (one role each, and an administrator who is also a reviewer) and each case status, when the rule
/// says yes the server does not refuse for permission or state; when it says no, the server refuses. So a page
/// that shows an action on the rule never shows one the server refuses, and never hides one it would accept.
/// All users are PC Jones's account (Langdon Park) with different roles, so that scope is never the reason.
/// </summary>
[RunsLong(25)]
public class SharedRulesTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private int slot;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private static readonly string[][] RoleSets =
    [
        [Roles.Referrer], [Roles.Facilitator], [Roles.YouthJusticeReviewer], [Roles.Administrator],
        [Roles.Administrator, Roles.YouthJusticeReviewer], [Roles.Referrer, Roles.Facilitator],
    ];

    private static readonly string[] Statuses =
    [
        CaseStatus.Referred, CaseStatus.ReadyToSchedule, CaseStatus.ConferenceScheduled, CaseStatus.Withdrawn, CaseStatus.Closed,
        CaseStatus.AgreementActive,
    ];

    private ClaimsPrincipal As(string[] roles) => SchedulingWorld.Principal(world.Officer, roles);

    private ClaimsPrincipal Officer => world.OfficerPrincipal;

    private CaseClosing Closing => world.Services.GetRequiredService<CaseClosing>();

    private PreparationMeetings Meetings => world.Services.GetRequiredService<PreparationMeetings>();

    /// <summary>The next free day for a conference, at 10:00 (each booking of a test on its own day, so none collide).</summary>
    private DateOnly NextDay() => AgreementWorld.ConferenceDay.AddDays(1 + slot++);

    private async Task<(Guid CaseId, Guid? ConferenceId)> BookAsync(Guid caseId, IReadOnlyList<PartyDetails> parties)
    {
        var form = world.Form(parties, NextDay(), "10:00");
        form.ConfirmedWarnings = true;
        var booked = await world.Booking.BookAsync(caseId, form, Officer);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        return (caseId, booked.ConferenceId);
    }

    /// <summary>A new case of Langdon Park in <paramref name="status"/>, made through the real services.</summary>
    private async Task<Guid> CaseInAsync(string status)
    {
        switch (status)
        {
            case CaseStatus.Referred:
            case CaseStatus.Withdrawn:
            case CaseStatus.Closed:
                var saved = await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId), world.Officer.Id);
                var caseId = saved.CaseId!.Value;
                if (status != CaseStatus.Referred) Assert.True((await world.Changes.WithdrawCaseAsync(caseId, "The family moved away", Officer)).Saved);
                if (status == CaseStatus.Closed) Assert.True((await Closing.CloseAsync(caseId, "Withdrawn", Officer)).Saved);
                return caseId;
            case CaseStatus.ReadyToSchedule:
                return (await world.ReadyCaseAsync()).CaseId;
            case CaseStatus.ConferenceScheduled:
                var (ready, parties) = await world.ReadyCaseAsync();
                return (await BookAsync(ready, parties)).CaseId;
            case CaseStatus.AgreementActive:
                var (held, heldParties) = await world.ReadyCaseAsync();
                var day = NextDay();
                var form = world.Form(heldParties, day, "10:00");
                form.ConfirmedWarnings = true;
                var booked = await world.Booking.BookAsync(held, form, Officer);
                Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
                world.Clock.SetUtcNow(new DateTimeOffset(day.ToDateTime(new TimeOnly(11, 0)), TimeSpan.Zero)); // after 10:00 in London, in BST or GMT
                var conference = new HeldConference(held, booked.ConferenceId!.Value, heldParties.Single(p => p.PartyRole == "responsible"),
                    heldParties.Single(p => p.PartyRole == "harmed"), heldParties.Single(p => p.PartyRole == "supporter"));
                Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, AgreementOn(conference, day), Officer)).Saved);
                return held;
            default:
                throw new ArgumentOutOfRangeException(nameof(status));
        }
    }

    /// <summary>
    /// For every user and status: the rule's answer, then the server's. A yes is a fresh case, so that each
    /// acceptance starts from the status; every no shares one case of the status (a refusal changes nothing).
    /// </summary>
    private async Task BothWaysAsync(string rule, Func<ClaimsPrincipal, string, bool> allows, Func<Guid, ClaimsPrincipal, Task<SaveResult>> act,
        string[] refusals, string[]? statuses = null)
    {
        var failures = new List<string>();
        foreach (var status in statuses ?? Statuses)
        {
            Guid? shared = null;
            foreach (var roles in RoleSets)
            {
                var user = As(roles);
                var yes = allows(user, status);
                var caseId = yes ? await CaseInAsync(status) : shared ??= await CaseInAsync(status);
                var result = await act(caseId, user);
                var messages = result.Errors.SelectMany(e => e.Value).ToList();
                var refusedByRule = result.Outcome is SaveOutcome.Denied or SaveOutcome.NotFound || messages.Any(m => refusals.Any(m.StartsWith));
                var who = $"{rule}: {string.Join("+", roles)} on a case {status}";
                if (yes && refusedByRule) failures.Add($"{who}: the page offers it but the server refused ({result.Outcome}: {string.Join("; ", messages)})");
                if (!yes && (result.Saved || !refusedByRule)) failures.Add($"{who}: the page does not offer it but the server {(result.Saved ? "accepted" : $"answered {result.Outcome}: {string.Join("; ", messages)}")}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>An agreement of one action due a fortnight after a conference on <paramref name="day"/>.</summary>
    private static OutcomeForm AgreementOn(HeldConference conference, DateOnly day) =>
        conference.Agreement(conference.Action("Write a letter to say sorry.", dueOn: day.AddDays(14)));

    private const string ClosedCase = "A closed case cannot be changed";

    private static string[] Lifecycle => ["A case that is "];

    [Fact]
    public Task Suitability() => BothWaysAsync(nameof(CaseChanges.CanAssess), CaseChanges.CanAssess,
        (caseId, user) => world.Changes.RecordSuitabilityAsync(caseId, new SuitabilityForm
        {
            RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "An apology", Outcome = "suitable",
        }, user),
        ["Only a facilitator can record a suitability assessment", .. Lifecycle]);

    [Fact]
    public Task Consent() => BothWaysAsync(nameof(CaseChanges.CanRecordConsent), CaseChanges.CanRecordConsent,
        async (caseId, user) =>
        {
            var young = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Parties.First(p => p.PartyRole == "responsible");
            return await world.Changes.RecordConsentAsync(caseId, new ConsentForm
            {
                PartyId = young.Id, Purpose = "share_agreement_with_school", Decision = "given", DecidedOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "in_person",
            }, user);
        },
        ["Only a referrer or a facilitator can record consent", "Consent cannot be recorded for a case that is"]);

    [Fact]
    public Task Case_details() => BothWaysAsync(nameof(CaseChanges.CanEdit), CaseChanges.CanEdit,
        async (caseId, user) =>
        {
            var details = (await world.Cases.GetAsync(caseId, world.Officer.Id))!;
            return await world.Changes.EditAsync(caseId, new CaseEdit
            {
                Description = "A phone was taken in the playground and its screen cracked.", Location = "on_school_premises", OutcomeRoute = "community_resolution",
            }, details.Version, user);
        },
        ["Only a referrer or a facilitator can change a case", ClosedCase]);

    [Fact]
    public Task Withdrawing_consent() => BothWaysAsync($"{nameof(CaseChanges.CanEdit)} (withdraw consent)", CaseChanges.CanEdit,
        async (caseId, user) =>
        {
            var consent = await InForceConsentAsync(caseId);
            return await world.Changes.WithdrawConsentAsync(caseId, consent, DateInput.From(new DateOnly(2026, 6, 15)), user);
        },
        ["Only a referrer or a facilitator can record a withdrawal of consent", ClosedCase],
        [CaseStatus.ReadyToSchedule, CaseStatus.ConferenceScheduled, CaseStatus.AgreementActive, CaseStatus.Closed]);

    /// <summary>A consent in force of the case (given to take part before it was booked); for a closed case, one given before it was withdrawn.</summary>
    private async Task<Guid> InForceConsentAsync(Guid caseId)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var consent = await Dapper.SqlMapper.ExecuteScalarAsync<Guid?>(connection,
            "SELECT id FROM consents WHERE case_id = @caseId AND decision = 'given' AND withdrawn_on IS NULL LIMIT 1", new { caseId });
        if (consent is { } id) return id;
        // A closed case of this test was withdrawn from "referred": give it a consent first, by the back door.
        var party = await Dapper.SqlMapper.ExecuteScalarAsync<Guid>(connection, "SELECT id FROM parties WHERE case_id = @caseId LIMIT 1", new { caseId });
        var made = Guid.NewGuid();
        await Dapper.SqlMapper.ExecuteAsync(connection, """
            INSERT INTO consents (id, case_id, party_id, purpose, decision, decided_on, method, taken_by, recorded_at)
            VALUES (@made, @caseId, @party, 'take_part', 'given', '2026-06-12', 'in_person', @officer, '2026-06-15T07:00:00.0000000Z')
            """, new { made, caseId, party, officer = world.Officer.Id });
        return made;
    }

    [Fact]
    public Task Withdrawing_a_case() => BothWaysAsync(nameof(CaseChanges.CanWithdraw), CaseChanges.CanWithdraw,
        (caseId, user) => world.Changes.WithdrawCaseAsync(caseId, "The family moved away", user),
        ["Only a referrer or a facilitator can withdraw a case", ClosedCase, .. Lifecycle]);

    /// <summary>
    /// Closed to withdrawn is the lifecycle's row for an administrator's reopening: a referrer's "Withdraw the case"
    /// must not reopen a closed case that way (the page offered it, and the server made the move).
    /// </summary>
    [Fact]
    public async Task A_closed_case_is_not_withdrawn_nor_its_consent_withdrawn()
    {
        var caseId = await CaseInAsync(CaseStatus.Closed);
        var consent = await InForceConsentAsync(caseId);

        Assert.False(CaseChanges.CanWithdraw(Officer, CaseStatus.Closed));
        Assert.False(CaseChanges.CanEdit(Officer, CaseStatus.Closed));
        Assert.Equal([ClosedCase], (await world.Changes.WithdrawCaseAsync(caseId, "The family moved away", Officer)).Errors.SelectMany(e => e.Value));
        Assert.Equal([ClosedCase], (await world.Changes.WithdrawConsentAsync(caseId, consent, DateInput.From(new DateOnly(2026, 6, 15)), Officer)).Errors.SelectMany(e => e.Value));
        Assert.Equal(CaseStatus.Closed, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    [Fact]
    public Task Closing_a_case() => BothWaysAsync(nameof(CaseClosing.CanClose), CaseClosing.CanClose,
        (caseId, user) => Closing.CloseAsync(caseId, "Nothing more to do", user),
        ["Only a referrer or a facilitator can close a case", .. Lifecycle]);

    [Fact]
    public Task Reopening() => BothWaysAsync(nameof(CaseClosing.CanReopen), (user, status) => CaseClosing.CanReopen(user, status, anonymised: false),
        (caseId, user) => Closing.ReopenAsync(caseId, "Closed by mistake", user),
        ["Only an administrator can reopen a case", "Only a closed case can be reopened"]);

    [Fact]
    public Task Booking() => BothWaysAsync(nameof(ConferenceBooking.CanBook), ConferenceBooking.CanBook,
        async (caseId, user) =>
        {
            var form = world.Form((await world.Cases.GetAsync(caseId, world.Officer.Id))!.Parties, NextDay(), "10:00");
            form.ConfirmedWarnings = true;
            return await world.Booking.BookAsync(caseId, form, user);
        },
        ["Only a referrer or a facilitator can book a conference", "A conference can be booked only when the case is ready to schedule"]);

    [Fact]
    public Task Preparation_meetings() => BothWaysAsync(nameof(PreparationMeetings.CanRecord), PreparationMeetings.CanRecord,
        async (caseId, user) =>
        {
            var party = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Parties.First();
            return await Meetings.RecordAsync(caseId, new PreparationForm
            {
                PartyId = party.Id, MetOn = DateInput.From(LondonTime.Today(world.Clock)), Method = "phone", PartyReady = true,
            }, user);
        },
        ["Only a facilitator can record a preparation meeting", "A case that is "]);

    /// <summary>
    /// The conference's own rules, for every user (and PC Jones's colleague, who does not facilitate it) on a
    /// conference still to come, one whose time has come, and a cancelled one.
    /// </summary>
    [Fact]
    public async Task Conference_actions()
    {
        var failures = new List<string>();
        var users = RoleSets.Select(r => (Name: string.Join("+", r), User: As(r)))
            .Append(("Sam Patel, Facilitator", SchedulingWorld.Principal(world.Colleague, Roles.Facilitator))).ToList();
        foreach (var state in new[] { "to come", "started", "cancelled" })
        {
            foreach (var (name, user) in users)
            {
                foreach (var (rule, allows, act, refusals) in ConferenceRules())
                {
                    var conference = await ConferenceAsync(state);
                    var now = world.Clock.GetUtcNow();
                    var yes = allows(user, conference, now);
                    var result = await act(conference, user);
                    var messages = result.Errors.SelectMany(e => e.Value).ToList();
                    var refusedByRule = result.Outcome is SaveOutcome.Denied or SaveOutcome.NotFound || messages.Any(m => refusals.Any(m.StartsWith));
                    var who = $"{rule}: {name} on a conference {state}";
                    if (yes && refusedByRule) failures.Add($"{who}: offered but refused ({result.Outcome}: {string.Join("; ", messages)})");
                    if (!yes && (result.Saved || !refusedByRule)) failures.Add($"{who}: not offered but the server {(result.Saved ? "accepted" : $"answered {string.Join("; ", messages)}")}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private IEnumerable<(string Rule, Func<ClaimsPrincipal, ConferenceView, DateTimeOffset, bool> Allows, Func<ConferenceView, ClaimsPrincipal, Task<SaveResult>> Act, string[] Refusals)> ConferenceRules()
    {
        string[] changeable = ["Only a referrer or a facilitator can change a conference", "Only a scheduled conference can be changed"];
        yield return (nameof(ConferenceBooking.CanCancel), (u, c, _) => ConferenceBooking.CanCancel(u, c),
            (c, u) => world.Booking.EndAsync(c.Id, "cancelled", "The room is needed", [], u), changeable);
        yield return (nameof(ConferenceBooking.CanRecordNotHeld), ConferenceBooking.CanRecordNotHeld,
            (c, u) => world.Booking.EndAsync(c.Id, "not_held", "The young person was ill", [], u),
            [.. changeable, "A conference can be recorded as not held only once its time has come"]);
        yield return (nameof(ConferenceBooking.CanReschedule), (u, c, _) => ConferenceBooking.CanReschedule(u, c),
            async (c, u) =>
            {
                var details = (await world.Cases.GetAsync(c.CaseId, world.Officer.Id))!;
                var form = world.Form(details.Parties, NextDay(), "10:00");
                form.ConfirmedWarnings = true;
                form.Reason = "The facilitator is away";
                form.CaseVersion = details.Version;
                return await world.Booking.RescheduleAsync(c.Id, form, u);
            },
            ["Only a referrer or a facilitator can book a conference", "Only a scheduled conference can be rescheduled"]);
        yield return (nameof(AgreementOutcomes.CanRecordOutcome), (u, c, now) => AgreementOutcomes.CanRecordOutcome(c, u, now),
            async (c, u) =>
            {
                var parties = (await world.Cases.GetAsync(c.CaseId, world.Officer.Id))!.Parties;
                var held = new HeldConference(c.CaseId, c.Id, parties.Single(p => p.PartyRole == "responsible"), parties.Single(p => p.PartyRole == "harmed"),
                    parties.Single(p => p.PartyRole == "supporter"));
                return await world.Outcomes().RecordOutcomeAsync(c.Id, AgreementOn(held, LondonTime.DateOf(c.StartsAt)), u);
            },
            [AgreementOutcomes.NotPermitted, "This conference was cancelled", "The outcome of this conference has already been recorded", "You can record the outcome once"]);
    }

    /// <summary>A conference of a new case, facilitated by PC Jones: still to come, started (the clock moved to half an hour after it began), or cancelled.</summary>
    private async Task<ConferenceView> ConferenceAsync(string state)
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var day = NextDay();
        var form = world.Form(parties, day, "10:00");
        form.ConfirmedWarnings = true;
        var booked = await world.Booking.BookAsync(caseId, form, Officer);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        var id = booked.ConferenceId!.Value;
        if (state == "started") world.Clock.SetUtcNow(new DateTimeOffset(day.ToDateTime(new TimeOnly(11, 0)), TimeSpan.Zero));
        if (state == "cancelled") Assert.True((await world.Booking.EndAsync(id, "cancelled", "The room is needed", [], Officer)).Saved);
        return (await world.Queries.GetAsync(id, world.Officer.Id))!;
    }
}
