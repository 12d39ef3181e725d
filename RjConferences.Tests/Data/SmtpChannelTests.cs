using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using RjConferences.Data;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The outbox's Smtp channel against a real SMTP server on loopback (aiosmtpd): a message is delivered with its Message-ID
/// and calendar file; the server's 5xx refusal fails it for good with the server's words; a 4xx or a server that is down
/// leaves it queued for a later attempt, and it goes once the server takes it.
/// </summary>
public sealed class SmtpChannelTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = TestClock.Fixed();
    private readonly TestSmtpServer smtp = new();

    public void Dispose()
    {
        smtp.Dispose();
        database.Dispose();
    }

    private ServiceProvider Services(int port) => TestServices.Build(database, clock, new Dictionary<string, string?>
    {
        ["Notifications:Channel"] = "Smtp",
        ["Notifications:Smtp:Host"] = "127.0.0.1",
        ["Notifications:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Notifications:Smtp:UseTls"] = "false",
        ["Notifications:From"] = "RjConferences <rj@partnership.example>",
    });

    private Task<Guid> EnqueueAsync(string to) =>
        database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueAsync(connection, transaction,
            new OutboxMessage("conference_invitation", to, null, "RJ conference RJ-2026-0001, Wednesday 17 June 2026, 11:00",
                "A conference is booked.", Attachment: new OutboxAttachment("RJ-2026-0001.ics", "text/calendar; method=REQUEST", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")),
            clock.GetUtcNow()));

    private async Task<(string Status, long Attempts, string? Error)> RowAsync(Guid id)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(string, long, string?)>("SELECT status, attempts, last_error FROM outbox WHERE id = @id", new { id });
    }

    [Fact]
    public async Task A_message_is_delivered_a_refused_mailbox_fails_for_good_and_a_busy_one_is_tried_again()
    {
        using var services = Services(smtp.Port);
        var delivered = await EnqueueAsync("facilitator@school.example");
        var refused = await EnqueueAsync("reject.me@school.example");
        var busy = await EnqueueAsync("busy.mailbox@school.example");

        Assert.Equal(1, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        var mime = await MimeMessage.LoadAsync(smtp.Messages.Single());
        Assert.Equal($"{delivered:D}@rjconferences", mime.MessageId);
        Assert.Equal("facilitator@school.example", mime.To.Mailboxes.Single().Address);
        Assert.Equal("RJ-2026-0001.ics", mime.Attachments.Single().ContentDisposition!.FileName);
        Assert.Equal(("sent", 1L, (string?)null), await RowAsync(delivered));
        var (status, _, error) = await RowAsync(refused);
        Assert.Equal("failed", status);
        Assert.Contains("550", error);
        Assert.Contains("No such mailbox here", error);
        (status, _, error) = await RowAsync(busy);
        Assert.Equal("queued", status);
        Assert.Contains("451", error);
    }

    [Fact]
    public void The_smtp_channel_without_a_server_is_refused_with_the_setting_to_give()
    {
        using var services = TestServices.Build(database, clock, new Dictionary<string, string?> { ["Notifications:Channel"] = "Smtp" });

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationOptions>>().Value);

        Assert.Contains("Notifications:Smtp:Host", refused.Message);
    }

    [Fact]
    public async Task When_the_mail_server_is_down_the_message_waits_and_goes_once_it_is_back()
    {
        var id = await EnqueueAsync("facilitator@school.example");
        using (var down = Services(TestSmtpServer.FreePort()))
        {
            Assert.Equal(0, await down.GetRequiredService<OutboxSender>().RunOnceAsync());
        }
        var (status, attempts, error) = await RowAsync(id);
        Assert.Equal(("queued", 1L), (status, attempts));
        Assert.NotNull(error);

        clock.Advance(TimeSpan.FromMinutes(1));
        using var up = Services(smtp.Port);
        Assert.Equal(1, await up.GetRequiredService<OutboxSender>().RunOnceAsync());
        Assert.Equal(("sent", 2L, (string?)null), await RowAsync(id));
        Assert.Single(smtp.Messages);
    }
}
