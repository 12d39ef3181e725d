using System.Globalization;
using Dapper;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class SchedulingAdminBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private static ILocator MainNav(IPage page) => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    private static async Task FillDateAsync(IPage page, string group, DateOnly date)
    {
        var fields = page.GetByRole(AriaRole.Group, new() { Name = group, Exact = true });
        await fields.GetByLabel("Day").FillAsync(date.Day.ToString(CultureInfo.InvariantCulture));
        await fields.GetByLabel("Month").FillAsync(date.Month.ToString(CultureInfo.InvariantCulture));
        await fields.GetByLabel("Year").FillAsync(date.Year.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_administrator_records_a_facilitators_training_adds_a_room_and_adds_a_term()
    {
        var admin = await TestUsers.CreateAsync(app.Services, "ada@rj.example", [Roles.Administrator]);
        await TestUsers.CreateAsync(app.Services, "sam.patel@newham.example", [Roles.Facilitator], ["Newham/Langdon Park"]);
        var today = LondonTime.Today(app.Time);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(admin);

        // 1. The training register: record Sam's training; a refresher date before completion is refused first.
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Training" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Facilitator training", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "sam.patel" })).ToContainTextAsync("No training recorded");
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "sam.patel" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Training record: sam.patel" })).ToBeVisibleAsync();
        await page.GetByLabel("Training provider").FillAsync("Restorative Justice Council");
        await FillDateAsync(page, "Date completed", today.AddMonths(-6));
        await FillDateAsync(page, "Refresher due", today.AddMonths(-7));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save training record" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("Refresher due date must be after the date completed");
        await page.AssertAccessibleAsync();

        await FillDateAsync(page, "Refresher due", today.AddYears(2));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save training record" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("training-saved")).ToHaveTextAsync("The training record has been saved.");
        await Assertions.Expect(page.GetByTestId("error-summary")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to facilitator training" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "sam.patel" })).ToContainTextAsync("Current");
        await page.AssertFitsAPhoneAsync("training");

        // 2. Rooms: add Room 2 (capacity 10) at Langdon Park in Newham (not the Langdon Park in Tower Hamlets).
        long langdonPark;
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            langdonPark = await connection.ExecuteScalarAsync<long>(
                "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham' AND s.name = 'Langdon Park'");
        }
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "Rooms" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rooms", Level = 1 })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("School", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = langdonPark.ToString(CultureInfo.InvariantCulture) });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rooms at Langdon Park, Newham" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("rooms-empty")).ToBeVisibleAsync();
        await page.GetByLabel("Name of the room").FillAsync("Room 2");
        await page.GetByLabel("Capacity").FillAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add room" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("rooms-status")).ToHaveTextAsync("Room 2 has been added.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Room 2" })).ToContainTextAsync("10");
        await page.AssertAccessibleAsync();

        // 3. School days: add a term to Newham.
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "School days" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "School days", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Start of the school day")).ToHaveValueAsync("08:30");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Borough").SelectOptionAsync(new SelectOptionValue { Label = "Newham" });
        await page.GetByLabel("Name of the term").FillAsync("Spring 1");
        await FillDateAsync(page, "First day of term", new DateOnly(2029, 1, 8));
        await FillDateAsync(page, "Last day of term", new DateOnly(2029, 2, 9));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add term" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("terms-status")).ToHaveTextAsync("Spring 1 has been added to Newham.");
        await Assertions.Expect(page.GetByLabel("Terms starting in")).ToHaveValueAsync("2029");
        await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Spring 1" })).ToContainTextAsync("8 January 2029");
        await page.AssertAccessibleAsync();
    }
}
