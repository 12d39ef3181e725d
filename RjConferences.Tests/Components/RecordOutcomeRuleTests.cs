using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using RjConferences.Components.Forms;
using RjConferences.Components.Pages;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.MyWork;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// "Record the outcome" is offered to whoever <see cref="AgreementOutcomes"/> lets record it: the conference's
/// facilitator or co-facilitator, or an administrator (with or without the Facilitator role), and to no one else,
/// not even another facilitator at the same school. Checked on the case page's conference section, in My work and
/// against the server with the same users. PC Jones facilitates at Langdon Park with Sam Patel; on Tuesday 16 June
/// 2026 PC Jones has a conference at 09:00 alone and one at 12:00 with Sam Patel as co-facilitator; now is 12:30.
/// </summary>
public class RecordOutcomeRuleTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private BunitAuthorizationContext auth = null!;
    private TestUser administrator = null!;
    private HeldConference alone = null!, withColleague = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        auth = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        administrator = await TestUsers.CreateAsync(world.Services, "admin@newham.example", [Roles.Administrator, Roles.YouthJusticeReviewer], ["Newham/Langdon Park"]);
        alone = await world.ConferenceDueAsync("Amara", "Okoye", time: "09:00", moveClock: false);
        withColleague = await world.ConferenceDueAsync("Leon", "Baptiste", coFacilitator: world.Colleague, time: "12:00", moveClock: false);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 16, 11, 30, 0, TimeSpan.Zero));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    private ClaimsPrincipal Colleague => SchedulingWorld.Principal(world.Colleague, Roles.Facilitator);

    private ClaimsPrincipal Administrator => SchedulingWorld.Principal(administrator, Roles.Administrator, Roles.YouthJusticeReviewer);

    private ClaimsPrincipal AdministratorOnly => SchedulingWorld.Principal(administrator, Roles.Administrator);

    /// <summary>The case page's conference section of <paramref name="conference"/>'s case, as <paramref name="user"/> sees it: is "Record the outcome" offered?</summary>
    private async Task<bool> OfferedOnCasePageAsync(HeldConference conference, ClaimsPrincipal user)
    {
        var details = (await world.Cases.GetAsync(conference.CaseId, world.Officer.Id))!;
        var cut = Render<ConferenceSection>(p => p.Add(x => x.Case, details).Add(x => x.User, user));
        cut.WaitForAssertion(() => cut.Find("[data-testid=conferences] article"));
        return cut.FindAll("a").Any(a => a.TextContent.Trim() == "Record the outcome" && a.GetAttribute("href") == $"conferences/{conference.ConferenceId}/outcome");
    }

    [Fact]
    public async Task The_conferences_facilitator_sees_record_the_outcome_and_the_server_accepts_it()
    {
        Assert.True(await OfferedOnCasePageAsync(alone, world.OfficerPrincipal));

        var saved = await world.Outcomes().RecordOutcomeAsync(alone.ConferenceId, alone.Agreement(), world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
    }

    [Fact]
    public async Task Another_facilitator_at_the_same_school_is_not_offered_it_and_the_server_refuses_them()
    {
        Assert.False(await OfferedOnCasePageAsync(alone, Colleague));

        var refused = await world.Outcomes().RecordOutcomeAsync(alone.ConferenceId, alone.Agreement(), Colleague);

        Assert.Equal(SaveOutcome.Denied, refused.Outcome);
        Assert.Contains(AgreementOutcomes.NotPermitted, refused.Errors.SelectMany(e => e.Value));
    }

    [Fact]
    public async Task A_co_facilitator_is_offered_it_and_the_server_accepts_it()
    {
        Assert.True(await OfferedOnCasePageAsync(withColleague, Colleague));

        var saved = await world.Outcomes().RecordOutcomeAsync(withColleague.ConferenceId, withColleague.Agreement(), Colleague);

        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
    }

    [Fact]
    public async Task An_administrator_without_the_facilitator_role_is_offered_it_and_the_server_accepts_it()
    {
        Assert.True(await OfferedOnCasePageAsync(alone, Administrator));

        var saved = await world.Outcomes().RecordOutcomeAsync(alone.ConferenceId, alone.Agreement(), Administrator);

        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
    }

    [Fact]
    public async Task Before_the_conference_starts_no_one_is_offered_it_and_the_server_refuses()
    {
        var later = await world.ConferenceDueAsync("Priya", "Shah", time: "15:00", moveClock: false);

        Assert.False(await OfferedOnCasePageAsync(later, world.OfficerPrincipal));
        Assert.False(await OfferedOnCasePageAsync(later, Administrator));
        var refused = await world.Outcomes().RecordOutcomeAsync(later.ConferenceId, later.Agreement(), world.OfficerPrincipal);
        Assert.Contains("You can record the outcome once the conference has started (Tuesday 16 June 2026, 15:00)", refused.Errors.SelectMany(e => e.Value));
    }

    [Fact]
    public async Task In_my_work_an_administrator_without_the_facilitator_role_sees_the_conferences_waiting_for_their_outcome()
    {
        auth.SetAuthorized(administrator.Email);
        auth.SetRoles(Roles.Administrator); // before SetClaims: bUnit rebuilds the principal without earlier claims
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, administrator.Id.ToString()));

        var home = Render<Home>();

        home.WaitForAssertion(() => Assert.Equal(2, home.FindAll("[data-testid=awaiting-outcome] li").Count));
        var links = home.FindAll("[data-testid=awaiting-outcome] a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"conferences/{alone.ConferenceId}/outcome", $"conferences/{withColleague.ConferenceId}/outcome"], links);
        foreach (var conference in new[] { alone, withColleague })
        {
            Assert.True(AgreementOutcomes.CanRecordOutcome((await world.Queries.GetAsync(conference.ConferenceId, administrator.Id))!, AdministratorOnly, world.Clock.GetUtcNow()));
        }
    }

    [Fact]
    public async Task In_my_work_a_facilitator_sees_only_the_conferences_whose_outcome_they_may_record()
    {
        var cut = Render<ConferencesAwaitingOutcome>(p => p.Add(x => x.UserId, world.Colleague.Id));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=awaiting-outcome] li")));
        Assert.Equal($"conferences/{withColleague.ConferenceId}/outcome", cut.Find("[data-testid=awaiting-outcome] a").GetAttribute("href"));
        var now = world.Clock.GetUtcNow();
        Assert.True(AgreementOutcomes.CanRecordOutcome((await world.Queries.GetAsync(withColleague.ConferenceId, world.Colleague.Id))!, Colleague, now));
        Assert.False(AgreementOutcomes.CanRecordOutcome((await world.Queries.GetAsync(alone.ConferenceId, world.Colleague.Id))!, Colleague, now));
    }
}
