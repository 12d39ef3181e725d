using Dapper;
using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RjConferences.Components.Forms;
using RjConferences.Components.Pages;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.MyWork;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// The My work sections "Conferences waiting for their outcome" and "Referrals waiting for a suitability
/// assessment" over a real database. PC Jones and Sam Patel facilitate at Langdon Park (Newham); the
/// stranger works in Hackney. The clock starts at Monday 15 June 2026, 08:00 in London.
/// </summary>
public class MyWorkSectionsTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private BunitAuthorizationContext auth = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        auth = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    private async Task<string> ReferenceAsync(Guid caseId) => (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Reference;

    private static List<(string Text, string Href)> Items<T>(IRenderedComponent<T> cut, string testId) where T : IComponent =>
        cut.FindAll($"[data-testid={testId}] li").Select(li => (li.TextContent.Trim(), li.QuerySelector("a")!.GetAttribute("href")!)).ToList();

    /// <summary>
    /// On Tuesday 16 June: 09:00 PC Jones with Sam Patel, 10:30 Sam Patel alone, 12:00 PC Jones (outcome
    /// recorded), 15:00 PC Jones (still to come). Now is 13:30.
    /// </summary>
    private async Task<(HeldConference AtNine, Guid AtHalfPastTen)> ConferenceDayAsync()
    {
        var atNine = await world.ConferenceDueAsync("Amara", "Okoye", coFacilitator: world.Colleague, time: "09:00", moveClock: false);
        var (caseId, parties) = await world.ReadyCaseAsync("Leon", "Baptiste");
        var atHalfPastTen = await world.Booking.BookAsync(caseId, world.Form(parties, AgreementWorld.ConferenceDay, "10:30", facilitator: world.Colleague), world.OfficerPrincipal);
        Assert.True(atHalfPastTen.Saved, string.Join("; ", atHalfPastTen.Errors.SelectMany(e => e.Value)));
        var atNoon = await world.ConferenceDueAsync("Priya", "Shah", time: "12:00", moveClock: false);
        await world.ConferenceDueAsync("Tom", "Byrne", time: "15:00", moveClock: false);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 16, 12, 30, 0, TimeSpan.Zero));
        var recorded = await world.Outcomes().RecordOutcomeAsync(atNoon.ConferenceId, atNoon.Agreement(), world.OfficerPrincipal);
        Assert.True(recorded.Saved, string.Join("; ", recorded.Errors.SelectMany(e => e.Value)));
        return (atNine, atHalfPastTen.ConferenceId!.Value);
    }

    [Fact]
    public async Task A_facilitator_sees_only_their_past_conferences_still_waiting_for_an_outcome_with_a_link_to_record_it()
    {
        var (atNine, _) = await ConferenceDayAsync();

        var cut = Render<ConferencesAwaitingOutcome>(p => p.Add(x => x.UserId, world.Officer.Id));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=awaiting-outcome] li")));
        var item = Assert.Single(Items(cut, "awaiting-outcome"));
        Assert.Equal($"conferences/{atNine.ConferenceId}/outcome", item.Href);
        Assert.Contains(await ReferenceAsync(atNine.CaseId), item.Text, StringComparison.Ordinal);
        Assert.Contains("Tuesday 16 June 2026, 09:00", item.Text, StringComparison.Ordinal); // London time (08:00 UTC)
        Assert.Contains("1 conference has taken place without an outcome", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Amara", cut.Markup, StringComparison.Ordinal); // no child's name on the home page
    }

    [Fact]
    public async Task A_co_facilitator_sees_the_conference_too_oldest_first()
    {
        var (atNine, atHalfPastTen) = await ConferenceDayAsync();

        var cut = Render<ConferencesAwaitingOutcome>(p => p.Add(x => x.UserId, world.Colleague.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=awaiting-outcome] li").Count));
        Assert.Equal([$"conferences/{atNine.ConferenceId}/outcome", $"conferences/{atHalfPastTen}/outcome"], Items(cut, "awaiting-outcome").Select(i => i.Href));
    }

    [Fact]
    public async Task Before_a_conference_starts_nothing_is_waiting_for_its_outcome()
    {
        await world.ConferenceDueAsync(time: "09:00", moveClock: false);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 16, 7, 59, 0, TimeSpan.Zero)); // 08:59 in London

        var cut = Render<ConferencesAwaitingOutcome>(p => p.Add(x => x.UserId, world.Officer.Id));

        cut.WaitForAssertion(() => Assert.Contains("No conferences are waiting for their outcome.", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=awaiting-outcome] li"));
    }

    /// <summary>
    /// Langdon Park: a new referral (15 June 08:00), one whose consents came before any assessment (10:00),
    /// one assessed suitable; Hackney: the stranger's new referral.
    /// </summary>
    private async Task<(Guid Referred, Guid Assessing, Guid Hackney)> ReferralsAsync()
    {
        var referred = await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, firstName: "Amara", lastName: "Okoye"), world.Officer.Id);
        world.Clock.Advance(TimeSpan.FromHours(2));
        var consented = await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, firstName: "Leon", lastName: "Baptiste"), world.Officer.Id);
        foreach (var party in (await world.Cases.GetAsync(consented.CaseId!.Value, world.Officer.Id))!.Parties)
        {
            await world.Changes.RecordConsentAsync(consented.CaseId.Value, new ConsentForm
            {
                PartyId = party.Id, Purpose = "take_part", Decision = "given", DecidedOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "in_person",
            }, world.OfficerPrincipal);
        }
        Assert.Equal(CaseStatus.Assessing, (await world.Cases.GetAsync(consented.CaseId.Value, world.Officer.Id))!.Status);
        world.Clock.Advance(TimeSpan.FromHours(1));
        await world.ReadyCaseAsync("Priya", "Shah");
        var hackney = await world.Referrals.SaveAsync(ReferralForms.Valid(world.OtherSchoolId, firstName: "Tom", lastName: "Byrne"), world.Stranger.Id);
        return (referred.CaseId!.Value, consented.CaseId.Value, hackney.CaseId!.Value);
    }

    [Fact]
    public async Task Referrals_not_yet_assessed_in_the_users_schools_are_listed_oldest_first_with_links_to_the_cases()
    {
        var (referred, assessing, _) = await ReferralsAsync();

        var cut = Render<ReferralsAwaitingAssessment>(p => p.Add(x => x.UserId, world.Officer.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=awaiting-assessment] li").Count));
        var items = Items(cut, "awaiting-assessment");
        Assert.Equal([$"cases/{referred}", $"cases/{assessing}"], items.Select(i => i.Href));
        Assert.StartsWith(await ReferenceAsync(referred), items[0].Text, StringComparison.Ordinal);
        Assert.Contains("Langdon Park, referred 15 June 2026", items[0].Text, StringComparison.Ordinal);
        Assert.StartsWith(await ReferenceAsync(assessing), items[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Referrals_outside_the_users_schools_are_not_listed()
    {
        var (_, _, hackney) = await ReferralsAsync();

        var cut = Render<ReferralsAwaitingAssessment>(p => p.Add(x => x.UserId, world.Stranger.Id));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=awaiting-assessment] li")));
        Assert.Equal([$"cases/{hackney}"], Items(cut, "awaiting-assessment").Select(i => i.Href));
    }

    /// <summary>
    /// "Follow-up checks due" says how many checks are waiting and how many of them are overdue, and lists the first ten,
    /// overdue first. Before, it counted the overdue among the 50 checks it had read while listing 10, and called that
    /// "overdue on this page". Over the synthetic cases, for a reviewer of every borough.
    /// </summary>
    [Fact, Trait("Category", "SqliteOnly")] // generate-synthetic writes SQLite
    public async Task A_reviewer_is_told_how_many_checks_are_waiting_and_how_many_are_overdue_and_sees_the_first_ten_overdue_first()
    {
        await RjConferences.Tools.SyntheticData.GenerateAsync(world.Database.Db, 2500,
            await RjConferences.Tools.SyntheticData.EnsureUserAsync(world.Services), world.Clock.GetUtcNow());
        List<(Guid Id, string Reference)> waiting;
        TestUser reviewer;
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            var boroughs = (await connection.QueryAsync<string>("SELECT name FROM boroughs")).ToArray();
            reviewer = await TestUsers.CreateAsync(world.Services, "yjs.everywhere@example.org", [Roles.YouthJusticeReviewer], boroughs: boroughs);
            waiting = (await connection.QueryAsync<(Guid, string)>("""
                SELECT f.id, c.reference FROM follow_up_checks AS f JOIN cases AS c ON c.id = f.case_id
                WHERE f.checked_on IS NULL AND c.status IN ('agreement_active', 'agreement_completed', 'follow_up')
                ORDER BY f.due_on DESC, c.reference DESC
                """)).ToList();
            Assert.True(waiting.Count > 55, $"{waiting.Count} checks waiting");
            // The three due last are overdue (and only they: the generator flags those the daily job would have): they come first all the same.
            await connection.ExecuteAsync("UPDATE follow_up_checks SET overdue_flagged_at = NULL");
            await connection.ExecuteAsync("UPDATE follow_up_checks SET overdue_flagged_at = @at WHERE id IN @ids",
                new { at = world.Clock.GetUtcNow(), ids = waiting.Take(3).Select(w => w.Id.ToString()).ToList() });
        }

        var cut = Render<ReviewerChecks>(p => p.Add(x => x.UserId, reviewer.Id));

        cut.WaitForAssertion(() => Assert.Equal($"{waiting.Count:N0} checks are waiting, 3 overdue. The first {ReviewerChecks.Shown} are below. Record follow-up checks",
            cut.Find("[data-testid=checks-waiting]").TextContent.Trim()));
        var items = cut.FindAll("[data-testid=checks-due] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(ReviewerChecks.Shown, items.Count);
        Assert.All(items.Take(3), i => Assert.EndsWith("Overdue", i, StringComparison.Ordinal));
        Assert.Equal(waiting.Take(3).Select(w => w.Reference).Order(StringComparer.Ordinal), items.Take(3).Select(i => i.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.All(items.Skip(3), i => Assert.DoesNotContain("Overdue", i, StringComparison.Ordinal));

        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE follow_up_checks SET overdue_flagged_at = @at WHERE checked_on IS NULL", new { at = world.Clock.GetUtcNow() });
        }
        var all = Render<ReviewerChecks>(p => p.Add(x => x.UserId, reviewer.Id));

        all.WaitForAssertion(() => Assert.StartsWith($"{waiting.Count:N0} checks are waiting, 50 or more of them overdue.",
            all.Find("[data-testid=checks-waiting]").TextContent.Trim(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_home_page_shows_a_facilitator_both_sections_and_a_referrer_only_the_referrals()
    {
        var (atNine, _) = await ConferenceDayAsync();

        SignIn(world.Officer, Roles.Facilitator);
        var home = Render<Home>();
        home.WaitForAssertion(() => Assert.Single(home.FindAll("[data-testid=awaiting-outcome] li")));
        Assert.Equal($"conferences/{atNine.ConferenceId}/outcome", Items(home, "awaiting-outcome")[0].Href);
        Assert.Contains("Referrals waiting for a suitability assessment", home.Markup, StringComparison.Ordinal);

        SignIn(world.Officer, Roles.Referrer);
        var referrerHome = Render<Home>();
        referrerHome.WaitForAssertion(() => Assert.Contains("Referrals waiting for a suitability assessment", referrerHome.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("Conferences waiting for their outcome", referrerHome.Markup, StringComparison.Ordinal);
    }

    private void SignIn(TestUser user, params string[] roles)
    {
        auth.SetAuthorized(user.Email);
        auth.SetRoles(roles);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
    }
}
