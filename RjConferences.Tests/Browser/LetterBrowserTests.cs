using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Notifications;
using RjConferences.Security;
using RjConferences.Tests.Support;
using UglyToad.PdfPig;

namespace RjConferences.Tests.Browser;

/// <summary>
/// In Chromium: the administrator gives Langdon Park its postal address; PC Jones completes the agreement of his conference of
/// Tuesday 16 June 2026, whose harmed party — a member of staff, who asked to be told by letter at home — wants to know; the
/// app's sender puts the letter on the school's print list; PC Jones finds it under "Letters to print", downloads the PDF (the
/// window-envelope address, the school's return address, no child's name) and marks it posted; the case then records that the
/// harmed party was told, by letter. The app's clock is at Thursday 2 July 2026, 10:00 in London.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LetterBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string HomeAddress = "14 Cedar Road\nLondon\nE16 2AB";
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
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            // Olivia Brown, the harmed party, is a teaching assistant: she agreed to be contacted, by letter at home.
            await connection.ExecuteAsync("""
                UPDATE parties SET harmed_type = 'staff', address = @HomeAddress, contact_consent = @yes, contact_by = 'letter' WHERE id = @Id
                """, new { HomeAddress, yes = true, conference.Harmed.Id });
        }
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 2, 9, 0, 0, TimeSpan.Zero));
        app = new AppHost(world.Database, world.Clock);
        await app.Services.GetRequiredService<DailyJob>().RunAsync();
    }

    public async Task DisposeAsync()
    {
        app.Dispose();
        await world.DisposeAsync();
    }

    private static ILocator MainNav(IPage page) => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    [Fact]
    public async Task A_completed_agreement_becomes_a_letter_on_the_print_list_which_is_downloaded_posted_and_recorded_on_the_case()
    {
        // 1. The administrator sets Langdon Park's postal address: the return address on its letters.
        var admin = await TestUsers.CreateAsync(app.Services, "ada@rj.example", [Roles.Administrator]);
        var adminPage = await browser.NewPageAsync(app);
        await adminPage.SignInAsync(admin);
        await MainNav(adminPage).GetByRole(AriaRole.Link, new() { Name = "Rooms" }).ClickAsync();
        await adminPage.WaitForInteractiveAsync();
        await adminPage.GetByLabel("School", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = world.SchoolId.ToString(CultureInfo.InvariantCulture) });
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "Postal address of Langdon Park" })).ToBeVisibleAsync();
        await adminPage.GetByLabel("Postal address", new() { Exact = true }).FillAsync("Langdon Park School\nHay Currie Street\nLondon");
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "Save postal address" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("error-summary")).ToContainTextAsync("postcode"); // refused: no postcode on the last line
        await adminPage.AssertAccessibleAsync();
        await adminPage.GetByLabel("Postal address", new() { Exact = true }).FillAsync("Langdon Park School\nHay Currie Street\nLondon\nE14 6DE");
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "Save postal address" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("school-address-status")).ToHaveTextAsync("The postal address of Langdon Park has been saved.");
        await adminPage.AssertAccessibleAsync();

        // 2. PC Jones records the harmed party's wish and completes the one action: the agreement is completed.
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(world.Officer);
        await page.GotoInteractiveAsync($"/conferences/{conference.ConferenceId}/agreement");
        await page.GetByRole(AriaRole.Group, new() { Name = "Does the harmed party want to be told whether the agreement is kept?", Exact = true })
            .GetByLabel("Yes").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the harmed party's wish" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("progress-message")).ToContainTextAsync("The harmed party's wish has been saved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark action 1 completed" }).ClickAsync();
        var completed = page.GetByRole(AriaRole.Group, new() { Name = "Date completed", Exact = true });
        await completed.GetByLabel("Day").FillAsync("2");
        await completed.GetByLabel("Month").FillAsync("7");
        await completed.GetByLabel("Year").FillAsync("2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as completed" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("agreement-state")).ToHaveTextAsync("Completed: every action was done");
        await Assertions.Expect(page.GetByTestId("harmed-message")).ToContainTextAsync("A letter telling the harmed party that the agreement was completed is on its way");
        await Assertions.Expect(page.GetByTestId("harmed-told-due")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        // 3. The sender routes the letter to the school's print list (the embedded default has no postal service).
        await app.Services.GetRequiredService<OutboxSender>().RunOnceAsync();
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("harmed-message")).ToContainTextAsync("is on the school office's list of letters to print");
        await Assertions.Expect(page.GetByTestId("harmed-told-due")).ToHaveCountAsync(0); // nobody is asked to tell them another way
        await page.AssertAccessibleAsync();

        // 4. "Letters to print": the letter, its PDF, then marked as posted.
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Letters to print" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Letters to print", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        var row = page.GetByTestId("print-list-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Olivia Brown");
        await Assertions.Expect(row).ToContainTextAsync("Langdon Park");
        await Assertions.Expect(row).ToContainTextAsync("The restorative justice agreement was completed");
        await page.AssertAccessibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "Download PDF" }).ClickAsync());
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        Assert.DoesNotContain("Olivia", download.SuggestedFilename);
        if (Environment.GetEnvironmentVariable("RJ_SCREENSHOTS") is { Length: > 0 } screenshots)
        {
            await download.SaveAsAsync(Path.Combine(screenshots, "letter.pdf"));
        }
        using (var pdf = PdfDocument.Open(await download.PathAsync()))
        {
            var text = string.Join(" ", pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
            foreach (var expected in new[] { "Olivia", "Brown", "Cedar", "E16", "2AB", "Hay", "Currie", "E14", "6DE", "completed" })
            {
                Assert.Contains(expected, text);
            }
            foreach (var secret in new[] { "Kwame", "Mensah", "apology" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Mark as posted" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, mark as posted" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("print-list-message")).ToContainTextAsync("The letter to Olivia Brown");
        await Assertions.Expect(page.GetByTestId("print-list-message")).ToContainTextAsync("is marked as posted.");
        await Assertions.Expect(page.GetByTestId("print-list-summary")).ToHaveTextAsync("No letters are waiting to be printed.");
        await page.AssertAccessibleAsync();

        // 5. The case records that the harmed party was told, by letter, on the day it was posted.
        await page.GotoInteractiveAsync($"/cases/{conference.CaseId}");
        await Assertions.Expect(page.GetByTestId("harmed-told")).ToContainTextAsync("The harmed party was told on 2 July 2026 that the agreement was completed (sent by letter).");
        await Assertions.Expect(page.GetByTestId("harmed-told-due")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
    }
}
