using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using RjConferences.Data;
using RjConferences.Features.Notifications;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The transactional outbox on a real database (SQLite, and PostgreSQL in the second pass) and the pickup channel on a real
/// folder: a message is sent exactly when the change that wrote it commits, once, under a stable Message-ID; temporary
/// failures are retried with back-off, permanent ones recorded; two senders racing never deliver the same message twice.
/// </summary>
public sealed class OutboxTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = TestClock.Fixed();
    private readonly string folder = Directory.CreateTempSubdirectory("rj-pickup-").FullName;
    private readonly ServiceProvider services;

    public OutboxTests()
    {
        services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            ["Notifications:PickupFolder"] = folder,
            ["Notifications:From"] = "RjConferences <rj@partnership.example>",
        });
    }

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private OutboxSender Sender() => ActivatorUtilities.CreateInstance<OutboxSender>(services);

    private static OutboxMessage Invitation(string to = "facilitator@school.example") =>
        new("conference_invitation", to, "Sam Facilitator", "Restorative justice conference on 17 June 2026",
            "A conference is booked for Wednesday 17 June 2026 at 11:00.", "<p>A conference is booked for <b>Wednesday 17 June 2026</b> at 11:00.</p>",
            Attachment: new OutboxAttachment("conference.ics", "text/calendar; method=REQUEST", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"));

    private Task<Guid> EnqueueAsync(OutboxMessage message) =>
        database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueAsync(connection, transaction, message, clock.GetUtcNow()));

    private async Task<(string Status, long Attempts, string? Error, DateTimeOffset Next)> RowAsync(Guid id)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(string, long, string?, DateTimeOffset)>(
            "SELECT status, attempts, last_error, next_attempt_at FROM outbox WHERE id = @id", new { id });
    }

    [Fact]
    public async Task A_change_that_rolls_back_sends_nothing_and_one_that_commits_is_delivered_once_with_its_own_message_id()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.Db.WriteAsync<int>(async (connection, transaction) =>
        {
            await Outbox.EnqueueAsync(connection, transaction, Invitation(), clock.GetUtcNow());
            throw new InvalidOperationException("the booking failed after the message was written");
        }));
        var id = await EnqueueAsync(Invitation());

        Assert.Equal(1, await Sender().RunOnceAsync());
        Assert.Equal(0, await Sender().RunOnceAsync()); // nothing left: sent once

        Assert.Equal([$"{id:D}.eml"], Directory.GetFiles(folder).Select(Path.GetFileName));
        var mime = await MimeMessage.LoadAsync(Path.Combine(folder, $"{id:D}.eml"));
        Assert.Equal($"{id:D}@rjconferences", mime.MessageId);
        Assert.Equal("Restorative justice conference on 17 June 2026", mime.Subject);
        Assert.Equal("\"Sam Facilitator\" <facilitator@school.example>", mime.To.ToString());
        Assert.Equal("rj@partnership.example", mime.From.Mailboxes.Single().Address);
        Assert.Contains("Wednesday 17 June 2026 at 11:00", mime.TextBody);
        Assert.Contains("<b>Wednesday 17 June 2026</b>", mime.HtmlBody);
        Assert.Equal("conference.ics", mime.Attachments.Single().ContentDisposition!.FileName);
        var row = await RowAsync(id);
        Assert.Equal(("sent", 1L, (string?)null), (row.Status, row.Attempts, row.Error));
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox"));
        // The send is audited as a disclosure to its recipient.
        Assert.Equal(("disclose", "facilitator@school.example"), await connection.QuerySingleAsync<(string, string)>(
            "SELECT action, recipient FROM audit_events WHERE action = 'disclose'"));
    }

    [Fact]
    public async Task A_temporary_failure_is_tried_again_later_with_back_off_and_then_delivered()
    {
        var id = await EnqueueAsync(Invitation());
        // The pickup folder's place is taken by a file: the write fails, as a full or unmounted disk would.
        Directory.Delete(folder);
        await File.WriteAllTextAsync(folder, "not a folder");
        try
        {
            Assert.Equal(0, await Sender().RunOnceAsync());
            var (status, attempts, error, next) = await RowAsync(id);
            Assert.Equal(("queued", 1L), (status, attempts));
            Assert.NotNull(error);
            Assert.Equal(clock.GetUtcNow().AddMinutes(1), next);

            clock.Advance(TimeSpan.FromSeconds(30)); // not due yet
            Assert.Equal(0, await Sender().RunOnceAsync());
            clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(0, await Sender().RunOnceAsync()); // due, fails again: the wait doubles
            Assert.Equal((2L, clock.GetUtcNow().AddMinutes(2)), ((await RowAsync(id)).Attempts, (await RowAsync(id)).Next));
        }
        finally
        {
            File.Delete(folder);
            Directory.CreateDirectory(folder);
        }
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await Sender().RunOnceAsync());
        Assert.Equal(("sent", 3L), ((await RowAsync(id)).Status, (await RowAsync(id)).Attempts));
        Assert.True(File.Exists(Path.Combine(folder, $"{id:D}.eml")));
    }

    [Fact]
    public async Task An_address_that_is_not_one_fails_at_once_with_the_reason_and_is_not_tried_again()
    {
        var id = await EnqueueAsync(Invitation(to: "not an address"));

        Assert.Equal(0, await Sender().RunOnceAsync());
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await Sender().RunOnceAsync());

        var (status, attempts, error, _) = await RowAsync(id);
        Assert.Equal(("failed", 1L, "The recipient's address is not an email address."), (status, attempts, error));
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Two_senders_racing_deliver_every_message_exactly_once()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await EnqueueAsync(Invitation(to: $"person{i}@school.example")));
        }
        var a = Sender();
        var b = Sender();

        var sent = await Task.WhenAll(Task.Run(() => a.RunOnceAsync()), Task.Run(() => b.RunOnceAsync()), Task.Run(() => Sender().RunOnceAsync()));

        Assert.Equal(40, sent.Sum());
        Assert.Equal(40, Directory.GetFiles(folder, "*.eml").Length);
        await using var connection = await database.Db.OpenAsync();
        // Each claimed once (a claim counts an attempt), each sent, each audited once.
        Assert.Equal([("sent", 1L)], (await connection.QueryAsync<(string, long)>("SELECT DISTINCT status, attempts FROM outbox")).ToList());
        Assert.Equal(40, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'disclose'"));
    }

    [Fact]
    public async Task A_sender_that_died_holding_a_message_leaves_it_to_another_once_its_lease_runs_out()
    {
        var id = await EnqueueAsync(Invitation());
        // A sender claims it and dies (its lease is written, the message never sent).
        await database.Db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "UPDATE outbox SET lease_holder = 'dead', lease_until = @until, attempts = 1 WHERE id = @id",
            new { until = clock.GetUtcNow() + OutboxSender.Lease, id }, transaction));

        Assert.Equal(0, await Sender().RunOnceAsync()); // the lease is live
        clock.Advance(OutboxSender.Lease);
        Assert.Equal(1, await Sender().RunOnceAsync());

        Assert.Equal(("sent", 2L), ((await RowAsync(id)).Status, (await RowAsync(id)).Attempts));
    }
}
