using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MimeKit;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Features.Conferences;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// In Chromium: a conference booked through the app's booking service queues its invitation; the app's own background
/// sender (running in the app, as on any instance) delivers it to the pickup folder; the administrator sees it sent on the
/// Outbox page, reached from the menu.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OutboxBrowserTests : IDisposable
{
    private readonly BrowserFixture browser;
    private readonly string folder = Directory.CreateTempSubdirectory("rj-pickup-").FullName;
    private readonly AppHost app;

    public OutboxBrowserTests(BrowserFixture browser)
    {
        this.browser = browser;
        app = new AppHost(settings: new Dictionary<string, string?>
        {
            ["Notifications:PickupFolder"] = folder,
            ["Notifications:PollSeconds"] = "1",
            ["Notifications:Sender:Enabled"] = "true", // the app's own sender, as on any instance
        });
    }

    public void Dispose()
    {
        app.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_booked_conferences_invitation_is_sent_by_the_app_and_the_administrator_sees_it_on_the_outbox_page()
    {
        var admin = await TestUsers.CreateAsync(app.Services, "ada@rj.example", [Roles.Administrator]);
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        long room;
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            room = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 1', 8) RETURNING id
                """, new { school });
            await connection.ExecuteAsync("""
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@Id, 'Restorative Justice Council', '2025-01-10', '2027-01-10', '2026-01-01T00:00:00.0000000Z')
                """, new { officer.Id });
        }
        var (caseId, parties) = await SchedulingWorld.ReadyCaseAsync(app.Services.GetRequiredService<ReferralService>(),
            app.Services.GetRequiredService<CaseChanges>(), app.Services.GetRequiredService<CaseRepository>(), school, officer);
        var booking = await app.Services.GetRequiredService<ConferenceBooking>().BookAsync(caseId, new BookingForm
        {
            Date = DateInput.From(LondonTime.Today(app.Time).AddDays(2)), StartTime = "11:00", LengthMinutes = 60, RoomId = room,
            FacilitatorId = officer.Id, ParticipantIds = parties.Select(p => p.Id).ToHashSet(), ConfirmedWarnings = true,
        }, SchedulingWorld.Principal(officer, Roles.Referrer, Roles.Facilitator));
        Assert.True(booking.Errors.IsEmpty, string.Join("; ", booking.Errors.SelectMany(e => e.Value)));

        // The app's sender delivers it within a poll or two.
        var file = await WaitForAsync(() => Directory.GetFiles(folder, "*.eml").SingleOrDefault());
        var mime = await MimeMessage.LoadAsync(file);
        Assert.Equal("pc.jones@newham.example", mime.To.Mailboxes.Single().Address);
        Assert.StartsWith("RJ conference RJ-", mime.Subject, StringComparison.Ordinal);
        Assert.Contains("METHOD:REQUEST", await new StreamReader(((MimePart)mime.Attachments.Single()).Content!.Open()).ReadToEndAsync());

        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(admin);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Outbox" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Outbox", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        var row = page.GetByTestId("outbox-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("pc.jones@newham.example");
        await Assertions.Expect(row).ToContainTextAsync("Sent");
        await Assertions.Expect(page.GetByTestId("pickup-folder")).ToHaveTextAsync(folder);
        await page.AssertAccessibleAsync();
        await page.ScreenshotIfAskedAsync("outbox");
    }

    private static async Task<string> WaitForAsync(Func<string?> find)
    {
        for (var i = 0; i < 150; i++)
        {
            if (find() is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The app's outbox sender did not deliver the message within 15 seconds.");
    }
}
