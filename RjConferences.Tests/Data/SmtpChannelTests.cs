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
/// leaves it queued for a later attempt, and it goes once the server takes it. Over STARTTLS with authentication, to a relay
/// with a self-signed certificate named by its SHA-256: delivered with the right password; a wrong password, or a certificate
/// nobody named, sends nothing and leaves the message queued with the reason. One connection serves a run, and a connection
/// the server dropped is opened again.
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

    private ServiceProvider Services(int port, IDictionary<string, string?>? tls = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = "Smtp",
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Smtp:UseTls"] = "false",
            ["Notifications:From"] = "RjConferences <rj@partnership.example>",
        };
        foreach (var (key, value) in tls ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return TestServices.Build(database, clock, settings);
    }

    /// <summary>The settings of a relay over STARTTLS with a login, trusting <paramref name="thumbprint"/> when given.</summary>
    private static Dictionary<string, string?> Tls(string password, string? thumbprint) => new()
    {
        ["Notifications:Smtp:UseTls"] = "true",
        ["Notifications:Smtp:UserName"] = "rj-sender",
        ["Notifications:Smtp:Password"] = password,
        ["Notifications:Smtp:CertificateThumbprint"] = thumbprint,
    };

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

    [Fact]
    public async Task Over_STARTTLS_with_the_right_password_a_message_reaches_a_relay_whose_certificate_is_named_by_its_thumbprint()
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        using var relay = new TestSmtpServer(certificate: certificate, userName: "rj-sender", password: "correct horse");
        // Written as an operator would copy it: lower case, in pairs with colons.
        var thumbprint = string.Join(":", TestSmtpServer.Sha256(certificate).ToLowerInvariant().Chunk(2).Select(c => new string(c)));
        var id = await EnqueueAsync("facilitator@school.example");

        using var services = Services(relay.Port, Tls("correct horse", thumbprint));
        Assert.Equal(1, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        Assert.Equal(("sent", 1L, (string?)null), await RowAsync(id));
        var mime = await MimeMessage.LoadAsync(relay.Messages.Single());
        Assert.Equal($"{id:D}@rjconferences", mime.MessageId);
    }

    [Fact]
    public async Task A_wrong_password_sends_nothing_and_leaves_the_message_queued_with_the_reason()
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        using var relay = new TestSmtpServer(certificate: certificate, userName: "rj-sender", password: "correct horse");
        var id = await EnqueueAsync("facilitator@school.example");

        using var services = Services(relay.Port, Tls("battery staple", TestSmtpServer.Sha256(certificate)));
        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        var (status, attempts, error) = await RowAsync(id);
        Assert.Equal(("queued", 1L), (status, attempts)); // temporary: it goes once the password is put right
        Assert.Contains("did not accept the user name and password", error);
        Assert.Contains("535", error);
        Assert.Empty(relay.Messages);
    }

    [Fact]
    public async Task A_certificate_nobody_named_is_refused_and_nothing_is_sent_to_that_server()
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        using var relay = new TestSmtpServer(certificate: certificate, userName: "rj-sender", password: "correct horse");
        using var another = TestSmtpServer.SelfSignedCertificate("CN=another.relay.test");
        var unnamed = await EnqueueAsync("facilitator@school.example");

        // No thumbprint: the certificate does not chain to a root this machine trusts, so the normal validation refuses it.
        using (var services = Services(relay.Port, Tls("correct horse", thumbprint: null)))
        {
            Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());
        }
        var (status, _, error) = await RowAsync(unnamed);
        Assert.Equal("queued", status);
        Assert.Contains("certificate is not trusted", error);
        Assert.Contains("RemoteCertificateChainErrors", error);
        Assert.Contains(TestSmtpServer.Sha256(certificate), error); // for the operator to compare with the relay's own

        // Another certificate's thumbprint does not make this one trusted either.
        clock.Advance(TimeSpan.FromMinutes(1));
        using (var services = Services(relay.Port, Tls("correct horse", TestSmtpServer.Sha256(another))))
        {
            Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());
        }
        Assert.Equal(("queued", 2L), ((await RowAsync(unnamed)).Status, (await RowAsync(unnamed)).Attempts));
        Assert.Empty(relay.Messages);
    }

    [Fact]
    public void A_thumbprint_that_is_not_a_sha256_is_refused_at_start_up()
    {
        using var services = Services(smtp.Port, new Dictionary<string, string?> { ["Notifications:Smtp:CertificateThumbprint"] = "AB:CD" });

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationOptions>>().Value);

        Assert.Contains("Notifications:Smtp:CertificateThumbprint", refused.Message);
    }

    [Fact]
    public async Task One_connection_serves_a_run_and_one_the_server_dropped_is_opened_again()
    {
        for (var i = 0; i < 3; i++) await EnqueueAsync($"facilitator{i}@school.example");
        using var services = Services(smtp.Port);
        var sender = services.GetRequiredService<OutboxSender>();
        Assert.Equal(3, await sender.RunOnceAsync());
        Assert.Single(smtp.Peers.Distinct()); // three messages, one connection

        // The channel's connection is dropped by the server between two messages (here: the server restarts on its port).
        var channel = services.GetRequiredService<IMessageChannel>();
        ClaimedMessage Claimed(string to) => new(Guid.NewGuid(), clock.GetUtcNow(), "conference_invitation", null, "email", to, null,
            "RJ conference RJ-2026-0001", "A conference is booked.", null, null, null, null, 1);
        await channel.DeliverAsync(Claimed("first@school.example"), default);
        smtp.Dispose();
        using var again = new TestSmtpServer(port: smtp.Port);
        await channel.DeliverAsync(Claimed("second@school.example"), default);
        await channel.RunEndedAsync(default);
        Assert.Single(again.Messages);
    }

    [Fact]
    public async Task The_mail_server_down_for_ten_minutes_messages_wait_backing_off_and_then_each_goes_exactly_once()
    {
        var port = smtp.Port;
        smtp.Dispose(); // the mail server stops
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++) ids.Add(await EnqueueAsync($"facilitator{i}@school.example"));
        using var services = Services(port);
        var sender = services.GetRequiredService<OutboxSender>();

        // Ten minutes of the background sender's polls (every 5 s): each message is tried at 0, 1, 3 and 7 minutes and waits.
        var start = clock.GetUtcNow();
        while (clock.GetUtcNow() < start.AddMinutes(10))
        {
            Assert.Equal(0, await sender.RunOnceAsync());
            clock.Advance(TimeSpan.FromSeconds(5));
        }
        await using (var connection = await database.Db.OpenAsync())
        {
            var rows = (await connection.QueryAsync<(string Status, long Attempts, string? Error, DateTimeOffset Next)>(
                "SELECT status, attempts, last_error, next_attempt_at FROM outbox")).ToList();
            Assert.Equal(20, rows.Count);
            Assert.All(rows, r => Assert.Equal(("queued", 4L, start.AddMinutes(15)), (r.Status, r.Attempts, r.Next)));
            Assert.All(rows, r => Assert.Contains("could not take it now", r.Error));
        }

        // The server is back at 10 minutes; the messages go at their next attempt, each once.
        using var back = new TestSmtpServer(port: port);
        while (clock.GetUtcNow() < start.AddMinutes(20))
        {
            await sender.RunOnceAsync();
            clock.Advance(TimeSpan.FromSeconds(5));
        }
        var received = new List<string>();
        foreach (var file in back.Messages) received.Add((await MimeMessage.LoadAsync(file)).MessageId ?? "");
        Assert.Equal(ids.Select(id => $"{id:D}@rjconferences").Order(), received.Order());
        await using (var connection = await database.Db.OpenAsync())
        {
            Assert.Equal(20, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 5"));
        }
    }
}
