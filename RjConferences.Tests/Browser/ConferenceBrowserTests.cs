using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ConferenceBrowserTests : IDisposable
{
    private readonly BrowserFixture browser;
    private readonly AppHost app;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));

    public ConferenceBrowserTests(BrowserFixture browser)
    {
        this.browser = browser;
        // Monday 15 June 2026, 08:00 in London, in term: the dates below stay the same whenever the test runs.
        app = new AppHost(clock: clock);
    }

    public void Dispose() => app.Dispose();


    /// <summary>PC Jones, a Referrer and a Facilitator with current training, two rooms at Langdon Park, and two ready cases.</summary>
    private async Task<(TestUser Officer, Guid First, Guid Second)> SetUpAsync()
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 1', 8), (@school, 'Room 2', 10);
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@Id, 'Restorative Justice Council', '2025-01-10', '2027-01-10', '2026-01-01T00:00:00.0000000Z');
                """, new { school, officer.Id });
        }
        var (referrals, changes, cases) = (app.Services.GetRequiredService<ReferralService>(), app.Services.GetRequiredService<CaseChanges>(),
            app.Services.GetRequiredService<CaseRepository>());
        var (first, _) = await SchedulingWorld.ReadyCaseAsync(referrals, changes, cases, school, officer, "Kwame", "Mensah");
        var (second, _) = await SchedulingWorld.ReadyCaseAsync(referrals, changes, cases, school, officer, "Zofia", "Nowak", "2012-05-05");
        return (officer, first, second);
    }

    private static async Task FillDateAsync(IPage page, string legend, string day, string month, string year)
    {
        var group = page.GetByRole(AriaRole.Group, new() { Name = legend, Exact = true });
        await group.GetByLabel("Day").FillAsync(day);
        await group.GetByLabel("Month").FillAsync(month);
        await group.GetByLabel("Year").FillAsync(year);
    }

    private static async Task OpenBookingPageAsync(IPage page, Guid caseId)
    {
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Ready to schedule");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Book a conference", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Facilitator", new() { Exact = true })).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(".+"));
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_referrer_books_a_conference_sees_a_clash_refused_picks_a_free_time_and_downloads_the_invitation()
    {
        var (officer, first, second) = await SetUpAsync();
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.AssertAccessibleAsync();

        // The first case: Room 2 on Tuesday 16 June at 10:00, with PC Jones (already chosen) and everyone in the case.
        await OpenBookingPageAsync(page, first);
        await page.GetByLabel("Room", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Room 2 (seats 10)" });
        await FillDateAsync(page, "Date", "16", "6", "2026");
        await page.GetByLabel("Start time").FillAsync("10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Conference booked" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("booked-time")).ToHaveTextAsync("Tuesday 16 June 2026, 10:00–11:00");
        await page.AssertAccessibleAsync();

        // The second case at the same time in the same room is refused, naming the room and the times only.
        await OpenBookingPageAsync(page, second);
        await page.GetByLabel("Room", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Room 2 (seats 10)" });
        await FillDateAsync(page, "Date", "16", "6", "2026");
        await page.GetByLabel("Start time").FillAsync("10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToContainTextAsync("Room 2 is booked 10:00–11:00");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary).Not.ToContainTextAsync("Mensah");
        await page.AssertAccessibleAsync();

        // "Find times": the next free times for Room 2, PC Jones and the second case's people; the first fills in the date and time.
        await page.GetByRole(AriaRole.Button, new() { Name = "Find times" }).ClickAsync();
        var times = page.GetByRole(AriaRole.List, new() { Name = "Free times" }).GetByRole(AriaRole.Button);
        await Assertions.Expect(times).ToHaveCountAsync(5);
        await Assertions.Expect(times.First).ToHaveTextAsync("Monday 15 June, 08:30");
        await Assertions.Expect(times.Nth(1)).ToHaveTextAsync("Monday 15 June, 12:00"); // then the afternoon, then the next day
        await Assertions.Expect(times.Nth(2)).ToHaveTextAsync("Tuesday 16 June, 08:30");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show more times" }).ClickAsync();
        await Assertions.Expect(times).ToHaveCountAsync(10);
        await Assertions.Expect(times.Nth(5)).ToHaveTextAsync("Wednesday 17 June, 12:00");
        await Assertions.Expect(page.GetByTestId("slot-status")).ToContainTextAsync("10 free times");
        await page.AssertAccessibleAsync();
        await times.First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("slot-status")).ToHaveTextAsync("Date and start time set to Monday 15 June, 08:30.");
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "Date", Exact = true }).GetByLabel("Day")).ToHaveValueAsync("15");
        await Assertions.Expect(page.GetByLabel("Start time")).ToHaveValueAsync("08:30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("booked-time")).ToHaveTextAsync("Monday 15 June 2026, 08:30–09:30");
        await page.AssertAccessibleAsync();
        await page.AssertFitsAPhoneAsync("conference-booked");

        // The invitation: an .ics file with the request and no child's name.
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download the calendar invitation (.ics)" }).ClickAsync());
        Assert.EndsWith(".ics", download.SuggestedFilename);
        var ics = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("BEGIN:VCALENDAR", ics);
        Assert.Contains("METHOD:REQUEST", ics);
        foreach (var name in new[] { "Zofia", "Nowak", "Kwame", "Mensah" })
        {
            Assert.DoesNotContain(name, ics, StringComparison.OrdinalIgnoreCase);
        }

        // Both conferences are in PC Jones's week.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "My conferences" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My conferences", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("week-conference")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("day-2026-06-16")).ToContainTextAsync("10:00–11:00");
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_conference_at_the_first_0130_on_the_night_the_clocks_go_back_shows_as_BST_to_GMT()
    {
        // Friday 1 October 2027: the clocks go back at 02:00 BST on Sunday 31 October.
        clock.SetUtcNow(new DateTimeOffset(2027, 10, 1, 8, 0, 0, TimeSpan.Zero));
        var (officer, first, _) = await SetUpAsync();
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE facilitator_training SET refresher_due_on = '2028-01-10' WHERE user_id = @Id", new { officer.Id });
        }
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);

        await OpenBookingPageAsync(page, first);
        await page.GetByLabel("Room", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Room 2 (seats 10)" });
        await FillDateAsync(page, "Date", "31", "10", "2027");
        await page.GetByLabel("Start time").FillAsync("01:30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        var which = page.GetByRole(AriaRole.Group, new() { Name = "Which 01:30? The clocks go back that night, so it happens twice." });
        await Assertions.Expect(which).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await which.GetByLabel("01:30 BST, the first time (before the clocks go back)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("booking-warnings")).ToContainTextAsync("weekend");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Book anyway" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("booked-time")).ToHaveTextAsync("Sunday 31 October 2027, 01:30 BST – 01:30 GMT");
        await page.AssertAccessibleAsync();
        await page.GotoInteractiveAsync($"/cases/{first}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sunday 31 October 2027, 01:30 BST – 01:30 GMT" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }
}
