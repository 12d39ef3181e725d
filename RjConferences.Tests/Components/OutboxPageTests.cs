using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Features.Notifications;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// The administrator's Outbox page over a real database: queued, sent and failed messages, newest first; a failed one tried
/// again, a queued one cancelled (after asking), each audited; a message someone else moved meanwhile is left as it is.
/// </summary>
public class OutboxPageTests : CaseTestContext
{
    private readonly string folder = Directory.CreateTempSubdirectory("rj-pickup-").FullName;

    private Task<Guid> EnqueueAsync(string to, string subject) =>
        Database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueAsync(connection, transaction,
            new OutboxMessage("conference_reminder", to, null, subject, "A conference tomorrow at 11:00."), Clock.GetUtcNow()));

    private Task SetStatusAsync(Guid id, string status, string? error = null) =>
        Database.Db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "UPDATE outbox SET status = @status, last_error = @error, attempts = 1 WHERE id = @id", new { status, error, id }, transaction));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task An_administrator_sees_each_message_and_its_outcome_tries_a_failed_one_again_and_cancels_a_queued_one()
    {
        var admin = await UserAsync("admin@example.org", [Roles.Administrator]);
        SignIn(admin, Roles.Administrator);
        var queued = await EnqueueAsync("one@school.example", "Reminder: conference on 16 June 2026");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var failed = await EnqueueAsync("two@school.example", "Reminder: conference on 17 June 2026");
        await SetStatusAsync(failed, "failed", "The recipient's address is not an email address.");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var sent = await EnqueueAsync("three@school.example", "Reminder: conference on 18 June 2026");
        await SetStatusAsync(sent, "sent");

        var page = Render<OutboxPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=outbox-row]").Count));
        var rows = page.FindAll("[data-testid=outbox-row]").Select(r => r.TextContent).ToList();
        Assert.Contains("18 June", rows[0]); // newest first
        Assert.Contains("Failed", rows[1]);
        Assert.Contains("The recipient's address is not an email address.", rows[1]);
        Assert.Contains("Queued", rows[2]);

        // Try the failed one again: queued, due at once, audited.
        await page.FindAll("button").Single(b => b.TextContent.StartsWith("Try again", StringComparison.Ordinal)).ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("will be sent again shortly", page.Find("[data-testid=outbox-message]").TextContent));
        await using (var connection = await Database.Db.OpenAsync())
        {
            Assert.Equal(("queued", 0L), await connection.QuerySingleAsync<(string, long)>("SELECT status, attempts FROM outbox WHERE id = @failed", new { failed }));
        }

        // Cancel the first queued one, after being asked.
        await page.FindAll("[data-testid=outbox-row] button").First(b => b.TextContent.StartsWith("Cancel", StringComparison.Ordinal)).ClickAsync(new());
        await page.FindAll("button").Single(b => b.TextContent.StartsWith("Yes, cancel", StringComparison.Ordinal)).ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("was cancelled: it will not be sent", page.Find("[data-testid=outbox-message]").TextContent));

        await using (var connection = await Database.Db.OpenAsync())
        {
            Assert.Equal(["cancelled", "queued", "sent"], (await connection.QueryAsync<string>("SELECT status FROM outbox ORDER BY status")).ToList());
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM audit_events WHERE action = 'admin_change' AND entity_type = 'outbox_message' AND user_id = @id", new { id = admin.Id }));
        }

        // The Failed filter lists none now.
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Failed").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("No messages failed.", page.Find("[data-testid=outbox-summary]").TextContent));
    }

    [Fact]
    public async Task A_message_that_was_sent_meanwhile_is_not_cancelled_and_the_page_says_so()
    {
        var admin = await UserAsync("admin@example.org", [Roles.Administrator]);
        SignIn(admin, Roles.Administrator);
        var id = await EnqueueAsync("one@school.example", "Reminder: conference on 16 June 2026");
        var page = Render<OutboxPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=outbox-row]")));

        await SetStatusAsync(id, "sent"); // the sender got there first
        await page.FindAll("[data-testid=outbox-row] button").Single(b => b.TextContent.StartsWith("Cancel", StringComparison.Ordinal)).ClickAsync(new());
        await page.FindAll("button").Single(b => b.TextContent.StartsWith("Yes, cancel", StringComparison.Ordinal)).ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("was not cancelled", page.Find("[data-testid=outbox-message]").TextContent));
        Assert.Contains("Sent", page.Find("[data-testid=outbox-row]").TextContent);
        await using var connection = await Database.Db.OpenAsync();
        Assert.Equal("sent", await connection.ExecuteScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", new { id }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'admin_change' AND entity_type = 'outbox_message'"));
    }
}
