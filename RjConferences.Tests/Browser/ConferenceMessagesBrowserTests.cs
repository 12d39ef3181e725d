using Dapper;
using Ical.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MimeKit;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// In Chromium, against a real SMTP server (aiosmtpd on loopback) and the app's own background sender: a facilitator books a
/// conference, moves it and cancels it through the case page, and each change reaches the facilitator's and the consenting
/// parent's mailboxes — the invitation (METHOD:REQUEST), the update (the same UID, a higher SEQUENCE) and the cancellation
/// (METHOD:CANCEL), each calendar file read back with Ical.Net. The parent's messages name no child and no case.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConferenceMessagesBrowserTests : IDisposable
{
    private const string Parent = "ama.parent@family.example";
    private const string Officer = "pc.jones@school.example";
    private readonly BrowserFixture browser;
    private readonly TestSmtpServer smtp = new();
    private readonly AppHost app;

    public ConferenceMessagesBrowserTests(BrowserFixture browser)
    {
        this.browser = browser;
        // The running clock starts on Monday 15 June 2026, 10:00 in London (TestClock.Start): the dates below never move.
        app = new AppHost(settings: new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = "Smtp",
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Smtp:UseTls"] = "false",
            ["Notifications:Smtp:From"] = "rj@partnership.example",
            ["Notifications:PollSeconds"] = "1",
            ["Notifications:Sender:Enabled"] = "true",
        });
    }

    public void Dispose()
    {
        app.Dispose();
        smtp.Dispose();
    }

    [Fact]
    public async Task Booking_moving_and_cancelling_a_conference_send_the_invitation_the_update_and_the_cancellation_by_email()
    {
        var officer = await TestUsers.CreateAsync(app.Services, Officer, [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        var (caseId, _) = await SchedulingWorld.ReadyCaseAsync(app.Services.GetRequiredService<ReferralService>(),
            app.Services.GetRequiredService<CaseChanges>(), app.Services.GetRequiredService<CaseRepository>(), school, officer);
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 2', 10);
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@Id, 'Restorative Justice Council', '2025-01-10', '2027-01-10', '2026-01-01T00:00:00.0000000Z');
                UPDATE parties SET email = @Parent, contact_consent = @yes, contact_by = 'email'
                WHERE case_id = @caseId AND supporter_type = 'parent';
                """, new { school, officer.Id, Parent, yes = true, caseId });
        }
        var reference = await CaseReferenceAsync(caseId);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);

        // 1. Book Tuesday 16 June, 10:00, in Room 2.
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Book a conference", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await FillDateAsync(page, "16", "6", "2026");
        await page.GetByLabel("Start time").FillAsync("10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("booked-time")).ToHaveTextAsync("Tuesday 16 June 2026, 10:00–11:00");
        await page.AssertAccessibleAsync();

        var booked = await ReceivedAsync(2);
        var (staffInvite, staffEvent, staffMethod) = await ReadAsync(booked, Officer);
        Assert.Equal("REQUEST", staffMethod);
        Assert.Equal(0, staffEvent.Sequence);
        Assert.Contains(reference, staffInvite.Subject);
        Assert.Equal(new DateTime(2026, 6, 16, 9, 0, 0, DateTimeKind.Utc), staffEvent.DtStart!.AsUtc);
        var (parentInvite, parentEvent, parentMethod) = await ReadAsync(booked, Parent);
        Assert.Equal("REQUEST", parentMethod);
        Assert.Equal(staffEvent.Uid, parentEvent.Uid);
        AssertNamesNoChildAndNoCase(parentInvite, reference);
        Assert.Contains("Tuesday 16 June 2026", parentInvite.TextBody);
        Assert.Contains(Officer, parentInvite.TextBody); // whom to contact: the facilitator

        // 2. Move it to Wednesday 17 June, 11:00, giving the reason.
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Change the time" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change the time of the conference", Level = 1 })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await FillDateAsync(page, "17", "6", "2026");
        await page.GetByLabel("Start time").FillAsync("11:00");
        await page.GetByLabel("Reason for the new time").FillAsync("The room is needed for exams.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new time" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New time saved" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        var moved = (await ReceivedAsync(4)).Except(booked).ToList();
        var (staffUpdate, updateEvent, updateMethod) = await ReadAsync(moved, Officer);
        Assert.Equal("REQUEST", updateMethod);
        Assert.Equal(staffEvent.Uid, updateEvent.Uid);
        Assert.True(updateEvent.Sequence > staffEvent.Sequence, "A new time carries a higher SEQUENCE, so calendars replace the entry.");
        Assert.Equal(new DateTime(2026, 6, 17, 10, 0, 0, DateTimeKind.Utc), updateEvent.DtStart!.AsUtc);
        Assert.NotEqual(staffInvite.MessageId, staffUpdate.MessageId);
        var (parentUpdate, parentUpdateEvent, _) = await ReadAsync(moved, Parent);
        Assert.Equal(updateEvent.Sequence, parentUpdateEvent.Sequence);
        AssertNamesNoChildAndNoCase(parentUpdate, reference);

        // 3. Cancel it, giving the reason.
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the conference" }).ClickAsync();
        await page.GetByLabel("Reason for cancelling").FillAsync("The harmed party withdrew.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel conference" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The conference has been cancelled.")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        var cancelled = (await ReceivedAsync(6)).Except(booked).Except(moved).ToList();
        var (_, cancelEvent, cancelMethod) = await ReadAsync(cancelled, Officer);
        Assert.Equal("CANCEL", cancelMethod);
        Assert.Equal(staffEvent.Uid, cancelEvent.Uid);
        Assert.True(cancelEvent.Sequence > updateEvent.Sequence);
        var (parentCancel, _, parentCancelMethod) = await ReadAsync(cancelled, Parent);
        Assert.Equal("CANCEL", parentCancelMethod);
        AssertNamesNoChildAndNoCase(parentCancel, reference);

        // Each send is a disclosure on the case's audit trail, naming the recipient.
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            var disclosed = (await connection.QueryAsync<string>(
                "SELECT recipient FROM audit_events WHERE entity_type = 'case' AND entity_id = @id AND action = 'disclose'", new { id = caseId.ToString() })).ToList();
            Assert.Equal(3, disclosed.Count(r => r.Contains(Parent, StringComparison.OrdinalIgnoreCase)));
            Assert.Equal(3, disclosed.Count(r => r.Contains(Officer, StringComparison.OrdinalIgnoreCase)));
        }
    }

    private async Task<string> CaseReferenceAsync(Guid caseId)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT reference FROM cases WHERE id = @caseId", new { caseId }) ?? "";
    }

    private static async Task FillDateAsync(IPage page, string day, string month, string year)
    {
        var group = page.GetByRole(AriaRole.Group, new() { Name = "Date", Exact = true });
        await group.GetByLabel("Day").FillAsync(day);
        await group.GetByLabel("Month").FillAsync(month);
        await group.GetByLabel("Year").FillAsync(year);
    }

    /// <summary>Waits (up to 20 seconds) until the SMTP server has accepted <paramref name="count"/> messages in all, and returns them all.</summary>
    private async Task<IReadOnlyList<string>> ReceivedAsync(int count)
    {
        for (var i = 0; i < 200; i++)
        {
            if (smtp.Messages.Count >= count)
            {
                await Task.Delay(300); // nothing more should follow: a second copy would show in the count below
                Assert.Equal(count, smtp.Messages.Count);
                return smtp.Messages;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The SMTP server had {smtp.Messages.Count} of {count} messages after 20 seconds.");
    }

    /// <summary>The one message among <paramref name="files"/> to <paramref name="to"/>, with its calendar event and METHOD.</summary>
    private static async Task<(MimeMessage Message, Ical.Net.CalendarComponents.CalendarEvent Event, string Method)> ReadAsync(IEnumerable<string> files, string to)
    {
        var messages = new List<MimeMessage>();
        foreach (var file in files)
        {
            messages.Add(await MimeMessage.LoadAsync(file));
        }
        var message = messages.Single(m => m.To.Mailboxes.Any(a => a.Address == to));
        var part = (MimePart)message.Attachments.Single();
        Assert.Equal("text/calendar", part.ContentType.MimeType);
        using var reader = new StreamReader(part.Content!.Open());
        var calendar = Calendar.Load(await reader.ReadToEndAsync())!;
        return (message, calendar.Events.Single(), calendar.Method!);
    }

    /// <summary>
    /// A participant's message says when, where and whom to contact: never the child's name nor the case reference. (The
    /// parent, Ama Mensah, is greeted by her own name in the body; the subject and the calendar file carry no name at all.)
    /// </summary>
    private static void AssertNamesNoChildAndNoCase(MimeMessage message, string reference)
    {
        using var reader = new StreamReader(((MimePart)message.Attachments.Single()).Content!.Open());
        var ics = reader.ReadToEnd();
        foreach (var text in new[] { message.Subject, message.TextBody, message.HtmlBody, ics })
        {
            Assert.DoesNotContain("Kwame", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(reference, text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain("Mensah", message.Subject, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Mensah", ics, StringComparison.OrdinalIgnoreCase);
    }
}
