using Microsoft.Playwright;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class AgreementBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private AppHost app = null!;
    private HeldConference conference = null!;

    public async Task InitializeAsync()
    {
        // PC Jones's conference on Tuesday 16 June 2026 at 10:00; the app's clock is at 10:30 that day.
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        app = new AppHost(world.Database, world.Clock);
    }

    public async Task DisposeAsync()
    {
        app.Dispose();
        await world.DisposeAsync();
    }

    private static ILocator Group(IPage page, string name) => page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true });

    private static async Task FillActionAsync(ILocator row, string type, string text, string day, string month)
    {
        await row.GetByLabel("Type of action").SelectOptionAsync(new SelectOptionValue { Label = type });
        await row.GetByLabel("What exactly will be done").FillAsync(text);
        var due = row.GetByRole(AriaRole.Group, new() { Name = "Due date" });
        await due.GetByLabel("Day").FillAsync(day);
        await due.GetByLabel("Month").FillAsync(month);
        await due.GetByLabel("Year").FillAsync("2026");
    }

    [Fact]
    public async Task The_facilitator_records_an_outcome_with_three_actions_and_downloads_the_agreement_as_pdf()
    {
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(world.Officer);

        // The outcome: held, everyone came, an agreement of three actions.
        await page.GotoInteractiveAsync($"/conferences/{conference.ConferenceId}/outcome");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Outcome of the conference", Level = 1 })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await Group(page, "Was the conference held?").GetByLabel("Yes").CheckAsync();
        await Assertions.Expect(Group(page, "Who came to the conference?").GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(3);
        await Group(page, "Was an agreement reached?").GetByLabel("Yes").CheckAsync();
        await Group(page, "Was a school exclusion avoided?").GetByLabel("Yes").CheckAsync();
        var rows = page.GetByTestId("action-row");
        await FillActionAsync(rows.Nth(0), "Written apology", "Write a letter to Olivia to say sorry for pushing her.", "30", "6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add another action" }).ClickAsync();
        await FillActionAsync(rows.Nth(1), "Compensation", "Pay towards the repair of Olivia's phone screen.", "14", "7");
        await rows.Nth(1).GetByLabel("Amount in pounds (£)").FillAsync("25.50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add another action" }).ClickAsync();
        await FillActionAsync(rows.Nth(2), "Work for the school or community", "Help the site team tidy the playground on Fridays.", "28", "7");
        await rows.Nth(2).GetByLabel("Hours of work").FillAsync("3");
        await Group(page, "Does the harmed party feel safer?").GetByLabel("Yes").CheckAsync();
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the outcome" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("outcome-message")).ToContainTextAsync("The outcome has been saved with an agreement of 3 actions.");
        await page.AssertAccessibleAsync();

        // The agreement page: a recipient is required before the download.
        await page.GetByTestId("outcome-message").GetByRole(AriaRole.Link, new() { Name = "Print or send the agreement" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Agreement", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("current-version")).ToHaveTextAsync("No version has been made yet: the first download makes version 1.");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Download the agreement (PDF)" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Choose who the agreement is for")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Printed for signature").CheckAsync();

        var link = page.GetByRole(AriaRole.Link, new() { Name = "Download the agreement (PDF)" });
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal($"agreement-{await ReferenceAsync()}-v1.pdf", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF"u8.ToArray(), bytes[..4]);
        var text = PdfReading.Read(bytes).Text();
        foreach (var action in new[] { "Write a letter to Olivia to say sorry for pushing her.", "Pay towards the repair of Olivia's phone screen.",
                     "Help the site team tidy the playground on Fridays.", "Amount: £25.50", "Time: 3 hours", "30 June 2026" })
        {
            Assert.Contains(action, text);
        }
        await Assertions.Expect(page.GetByTestId("current-version")).ToContainTextAsync("Current version: 1, made 16 Jun 2026 10:30 by pc.jones");
        await page.AssertAccessibleAsync();

        // The same address answers application/pdf (and the same version) to the signed-in browser.
        var response = await page.Context.APIRequest.GetAsync((await link.GetAttributeAsync("href"))!);
        Assert.Equal(200, response.Status);
        Assert.Equal("application/pdf", response.Headers["content-type"]);
        Assert.Equal("%PDF"u8.ToArray(), (await response.BodyAsync())[..4]);
    }

    [Fact]
    public async Task An_earlier_version_of_the_agreement_is_listed_as_superseded_and_downloads_as_that_version()
    {
        // Version 1 was printed for signature; then an action changed and version 2 was made.
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        var documents = world.Documents();
        Assert.Equal(1, (await documents.DownloadAsync(conference.ConferenceId, "printed_for_signature", false, world.Officer.Id)).Version);
        var context = (await world.Outcomes().LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
        var actions = context.Actions.Select(a => a.Form).ToList();
        var signed = actions[0].Text!;
        actions[0].Text = "Write a card to Olivia to say sorry.";
        Assert.True((await world.Outcomes().ChangeActionsAsync(conference.ConferenceId, actions, context.AgreementVersion, world.OfficerPrincipal)).Saved);
        Assert.Equal(2, (await documents.DownloadAsync(conference.ConferenceId, "school", false, world.Officer.Id)).Version);

        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(world.Officer);
        await page.GotoInteractiveAsync($"/conferences/{conference.ConferenceId}/agreement");
        var versions = page.GetByTestId("document-versions");
        await Assertions.Expect(versions.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Assertions.Expect(versions.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("Current");
        await Assertions.Expect(versions.GetByRole(AriaRole.Row).Nth(2)).ToContainTextAsync("Superseded 16 Jun 2026 10:30");
        await page.AssertAccessibleAsync();

        await page.GetByLabel("Sent to the parent or guardian").CheckAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            versions.GetByRole(AriaRole.Link, new() { Name = "Download version 1 (PDF)" }).ClickAsync());
        Assert.Equal($"agreement-{await ReferenceAsync()}-v1.pdf", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF"u8.ToArray(), bytes[..4]);
        var text = PdfReading.Read(bytes).Text();
        Assert.Contains("Agreement document version 1", text);
        Assert.Contains(signed, text);
        Assert.DoesNotContain("Write a card to Olivia", text);
        await page.AssertAccessibleAsync();
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal("agreement document version 1, superseded", await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection,
            "SELECT justification FROM audit_events WHERE action = 'disclose' AND recipient = 'parent_or_guardian' ORDER BY id DESC LIMIT 1"));
    }

    private async Task<string> ReferenceAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "SELECT reference FROM cases WHERE id = @CaseId", new { conference.CaseId }) ?? "";
    }
}
