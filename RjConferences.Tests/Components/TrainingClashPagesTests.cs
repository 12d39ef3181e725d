using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Admin;
using RjConferences.Features.Conferences;
using RjConferences.Features.MyWork;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// Issue 12, 4.2 through the pages: the training page asks before saving a refresher date that leaves booked
/// conferences uncovered, and the case page's conference and My work then show the problem. Sam Patel
/// facilitates on 7 July 2026 at 10:00 in London; the clock is Monday 15 June 2026, 08:00.
/// </summary>
public class TrainingClashPagesTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private TestUser admin = null!;
    private Guid conferenceId;
    private string reference = "";

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        admin = await TestUsers.CreateAsync(world.Services, "ada@rj.example", [Roles.Administrator], ["Newham/Langdon Park"]);
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        AddAuthorization().SetAuthorized("ada").SetRoles(Roles.Administrator)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, admin.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));

        var (caseId, parties) = await world.ReadyCaseAsync();
        var booked = await world.Booking.BookAsync(caseId, world.Form(parties, new(2026, 7, 7), "10:00", facilitator: world.Colleague), world.OfficerPrincipal);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        conferenceId = booked.ConferenceId!.Value;
        reference = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Reference;
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    private static void Button<T>(IRenderedComponent<T> page, string text) where T : IComponent =>
        page.FindAll("button").Single(b => b.TextContent == text).Click();

    private async Task<DateOnly> DueOnAsync() => (await world.Services.GetRequiredService<FacilitatorTraining>().GetAsync(world.Colleague.Id))!.RefresherDueOn!.Value;

    [Fact]
    public async Task The_training_page_names_the_conferences_before_saving_and_Save_anyway_saves_and_keeps_showing_them()
    {
        var page = Render<TrainingEditPage>(p => p.Add(x => x.UserId, world.Colleague.Id));
        page.WaitForAssertion(() => page.Find("#field-RefresherDueOn"));
        Assert.Empty(page.FindAll("[data-testid=training-clashes]"));
        page.Find("#field-RefresherDueOn").Change("30");
        page.Find("#field-RefresherDueOn-month").Change("6");
        page.Find("#field-RefresherDueOn-year").Change("2026");

        Button(page, "Save training record");

        page.WaitForAssertion(() => Assert.Contains("Not saved yet", page.Find("[data-testid=training-clashes-unsaved]").TextContent));
        var warning = page.Find("[data-testid=training-clashes-unsaved]").TextContent;
        Assert.Contains($"Tuesday 7 July 2026, 10:00–11:00: {reference} at Langdon Park, Newham", warning, StringComparison.Ordinal);
        Assert.Contains("sam.patel would not have current training on the day of 1 booked conference", warning, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=training-saved]"));
        Assert.Equal(new DateOnly(2027, 1, 10), await DueOnAsync());

        Button(page, "Save anyway");

        page.WaitForAssertion(() => Assert.Equal("The training record has been saved.", page.Find("[data-testid=training-saved]").TextContent));
        Assert.Equal(new DateOnly(2026, 6, 30), await DueOnAsync());
        Assert.Empty(page.FindAll("[data-testid=training-clashes-unsaved]"));
        Assert.Contains(reference, page.Find("[data-testid=training-clashes]").TextContent, StringComparison.Ordinal);

        // Opened again later, the page still shows the conference the training does not cover.
        var again = Render<TrainingEditPage>(p => p.Add(x => x.UserId, world.Colleague.Id));
        again.WaitForAssertion(() => Assert.Contains(reference, again.Find("[data-testid=training-clashes]").TextContent, StringComparison.Ordinal));
    }

    private async Task<ConferenceView> ConferenceAsync() => (await world.Queries.GetAsync(conferenceId, world.Officer.Id))!;

    [Fact]
    public async Task The_case_pages_conference_and_My_work_show_that_the_facilitators_training_will_not_be_current()
    {
        await world.TrainAsync(world.Colleague, new(2025, 1, 10), new(2026, 6, 30));

        var conference = await ConferenceAsync();
        var details = Render<ConferenceDetails>(p => p.Add(x => x.Conference, conference));
        Assert.Contains("sam.patel's restorative justice training is not current on 7 July 2026: the refresher was due on 30 June 2026.",
            details.Find("[data-testid=conference-training-problem]").TextContent, StringComparison.Ordinal);

        var mine = Render<TrainingNotCurrent>(p => p.Add(x => x.UserId, world.Colleague.Id));
        mine.WaitForAssertion(() => Assert.Single(mine.FindAll("[data-testid=training-not-current] li")));
        Assert.Contains($"{reference} – Tuesday 7 July 2026, 10:00–11:00", mine.Find("[data-testid=training-not-current] li").TextContent, StringComparison.Ordinal);
        Assert.EndsWith("/" + (await world.Queries.GetAsync(conferenceId, world.Officer.Id))!.CaseId, mine.Find("[data-testid=training-not-current] a").GetAttribute("href"));

        var administrator = Render<TrainingNotCurrent>(p => p.Add(x => x.UserId, admin.Id).Add(x => x.Everyone, true));
        administrator.WaitForAssertion(() => Assert.Single(administrator.FindAll("[data-testid=training-not-current] li")));

        // PC Jones is not on it: nothing for him.
        Assert.Empty(await world.Queries.TrainingNotCurrentAsync(world.Officer.Id, everyone: false));

        // With the refresher recorded, the warnings go.
        await world.TrainAsync(world.Colleague, new(2026, 6, 1), new(2029, 6, 1));
        var renewed = await ConferenceAsync();
        var after = Render<ConferenceDetails>(p => p.Add(x => x.Conference, renewed));
        Assert.Contains("sam.patel", after.Markup, StringComparison.Ordinal);
        Assert.Empty(after.FindAll("[data-testid=conference-training-problem]"));
        Assert.Empty(await world.Queries.TrainingNotCurrentAsync(world.Colleague.Id, everyone: false));
    }
}
