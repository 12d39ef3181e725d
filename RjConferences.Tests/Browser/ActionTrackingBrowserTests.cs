using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Features.FollowUps;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// PC Jones's conference on Tuesday 16 June 2026 agreed one action: a letter of apology due 30 June.
/// The app's clock is at Thursday 2 July 2026, 10:00 in London: the action is overdue.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ActionTrackingBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private AppHost app = null!;
    private HeldConference conference = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        var recorded = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId,
            conference.Agreement(conference.Action("Write a letter to Olivia to say sorry.", dueOn: new DateOnly(2026, 6, 30))), world.OfficerPrincipal);
        Assert.True(recorded.Saved);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 2, 9, 0, 0, TimeSpan.Zero));
        app = new AppHost(world.Database, world.Clock);
        await app.Services.GetRequiredService<DailyJob>().RunAsync();
    }

    public async Task DisposeAsync()
    {
        app.Dispose();
        await world.DisposeAsync();
    }

    private static ILocator Group(IPage page, string name) => page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true });

    private static async Task FillDateAsync(IPage page, string legend, int day, int month)
    {
        var group = Group(page, legend);
        await group.GetByLabel("Day").FillAsync(day.ToString());
        await group.GetByLabel("Month").FillAsync(month.ToString());
        await group.GetByLabel("Year").FillAsync("2026");
    }

    private async Task<IPage> AgreementPageAsync()
    {
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(world.Officer);
        await page.GotoInteractiveAsync($"/conferences/{conference.ConferenceId}/agreement");
        await Assertions.Expect(page.GetByTestId("action-progress")).ToBeVisibleAsync();
        return page;
    }

    private async Task MarkMissedAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark action 1 missed" }).ClickAsync();
        await FillDateAsync(page, "Date missed", 1, 7);
        await page.GetByLabel("Why the action was missed").FillAsync("He was off school and did not write it.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as missed" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("Action 1 has been marked missed. Choose what happens now.");
        await Assertions.Expect(page.GetByTestId("missed-decision")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_facilitator_finds_the_overdue_action_extends_it_after_a_miss_completes_it_and_records_that_the_harmed_party_was_told()
    {
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(world.Officer);
        await Assertions.Expect(page.GetByTestId("overdue-actions")).ToContainTextAsync("action 1 – written apology, due 30 June 2026, Langdon Park");
        await page.AssertAccessibleAsync();
        await page.GetByTestId("overdue-actions").GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("action-status")).ToContainTextAsync("Overdue");
        await page.AssertAccessibleAsync();

        await Group(page, "Does the harmed party want to be told whether the agreement is kept?").GetByLabel("Yes").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the harmed party's wish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("The harmed party's wish has been saved.");

        await MarkMissedAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend the due date of action 1" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new due date" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Enter the new due date");
        await page.AssertAccessibleAsync();
        await FillDateAsync(page, "New due date", 10, 7);
        await page.GetByLabel("Reason for extending the due date").FillAsync("More time to write it after his absence.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new due date" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("The due date of action 1 has been extended.");
        await Assertions.Expect(page.GetByTestId("action-status")).ToContainTextAsync("Was due 30 June 2026, missed 1 July 2026; extended by pc.jones");
        await Assertions.Expect(page.GetByTestId("action-status")).ToContainTextAsync("10 July 2026");
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark action 1 completed" }).ClickAsync();
        await FillDateAsync(page, "Date completed", 2, 7);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as completed" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("Every action is completed: the agreement is completed.");
        await Assertions.Expect(page.GetByTestId("agreement-state")).ToHaveTextAsync("Completed: every action was done");
        await page.AssertAccessibleAsync();

        // My work and the case page prompt for telling the harmed party; the case page shows when they were told.
        await page.GotoInteractiveAsync("/");
        await Assertions.Expect(page.GetByTestId("harmed-to-tell")).ToContainTextAsync("the agreement was completed on 2 July 2026");
        await Assertions.Expect(page.GetByTestId("overdue-actions")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        await page.GetByTestId("harmed-to-tell").GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Agreement completed");
        await Assertions.Expect(page.GetByTestId("harmed-told-due")).ToContainTextAsync("Tell them that it was completed");
        await page.AssertAccessibleAsync();
        await FillDateAsync(page, "Date the harmed party was told", 2, 7);
        await page.GetByLabel("By phone").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record that the harmed party was told" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-message")).ToContainTextAsync("It has been recorded that the harmed party was told.");
        await Assertions.Expect(page.GetByTestId("harmed-told")).ToContainTextAsync("The harmed party was told on 2 July 2026 that the agreement was completed by phone (recorded by");
        await Assertions.Expect(page.GetByTestId("harmed-told-due")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task After_a_miss_the_facilitator_chooses_a_new_conference_and_can_book_it()
    {
        var page = await AgreementPageAsync();
        await page.AssertAccessibleAsync();
        await MarkMissedAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Hold a new conference" }).ClickAsync();
        await page.GetByLabel("Reason").FillAsync("Both families asked to meet again.");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold a new conference" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("The agreement is recorded as broken and the case is ready to schedule a new conference.");
        await Assertions.Expect(page.GetByTestId("agreement-state")).ToHaveTextAsync("Broken: a new conference is to be held");
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Book the new conference from the case page" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Ready to schedule");
        await Assertions.Expect(page.GetByTestId("agreement-progress")).ToContainTextAsync("Broken: a new conference is to be held");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Book a conference", Level = 1 })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task After_a_miss_the_facilitator_records_the_agreement_as_failed_and_the_case_closes_as_escalated()
    {
        var page = await AgreementPageAsync();
        await MarkMissedAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Record the agreement as failed" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the agreement as failed" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Give the reason the agreement failed");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Reason").FillAsync("He refused to write the letter; the school asked for formal action.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the agreement as failed" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("The agreement is recorded as failed and the case is closed as escalated to formal action.");
        await Assertions.Expect(page.GetByTestId("agreement-state")).ToHaveTextAsync("Failed: the case was escalated to formal action");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mark action 1 completed" })).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        await page.GotoInteractiveAsync($"/cases/{conference.CaseId}");
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Closed");
        await Assertions.Expect(page.GetByTestId("closure")).ToContainTextAsync("Closed: Escalated to formal action");
        await Assertions.Expect(page.GetByTestId("closure")).ToContainTextAsync("He refused to write the letter");
        await page.AssertAccessibleAsync();
    }
}
