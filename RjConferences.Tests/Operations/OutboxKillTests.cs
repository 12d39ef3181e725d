using Dapper;
using MimeKit;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;
using Xunit.Abstractions;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The sender killed with SIGKILL (kill -9) in the middle of delivering a batch, twice: the real app as a process of its own
/// (<see cref="AppServer"/>) on the Smtp channel, sending to a real SMTP server (aiosmtpd), started again after each kill.
/// Every message arrives (by its Message-ID), and at most the one in flight at each kill arrives twice: its lease (5 s here,
/// <c>Notifications:LeaseSeconds</c>) runs out and the next run sends it again under the same Message-ID. The messages are
/// queued at a moment long past, so they are due whatever the machine's date (the app runs on the machine's clock).
/// </summary>
[RunsLong(30)]
public sealed class OutboxKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Count = 300;
    private const int Kills = 2;

    private readonly TestDatabase database = new();
    // 20 ms a message, as a real relay takes: one sender's connection delivers hundreds a second to a server that answers at
    // once, so the whole batch could be gone before a kill lands, and the kills would prove nothing.
    private readonly TestSmtpServer smtp = new(delayMilliseconds: 20);

    public void Dispose()
    {
        smtp.Dispose();
        database.Dispose();
    }

    [Fact]
    public async Task After_kill_9_mid_batch_every_message_arrives_and_at_most_the_one_in_flight_per_kill_arrives_twice()
    {
        var queuedAt = new DateTimeOffset(2000, 1, 3, 9, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var batch = 0; batch < Count; batch += 100)
        {
            ids.AddRange(await database.Db.WriteAsync(async (connection, transaction) =>
            {
                var queued = new List<Guid>();
                for (var n = batch; n < batch + 100; n++)
                {
                    queued.Add(await Outbox.EnqueueAsync(connection, transaction, new OutboxMessage("conference_invitation", $"facilitator{n}@school.example",
                        null, "RJ conference RJ-2000-0001, Monday 3 January 2000, 11:00", "A conference is booked."), queuedAt));
                }
                return queued;
            }));
        }
        await using var app = new AppServer("sender", database.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = "Smtp",
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Smtp:UseTls"] = "false",
            ["Notifications:Sender:Enabled"] = "true",
            ["Notifications:PollSeconds"] = "1",
            ["Notifications:LeaseSeconds"] = "5",
            ["FollowUps:DailyJob:Enabled"] = "false",
        });

        var killedAt = new List<int>();
        for (var kill = 0; kill < Kills; kill++)
        {
            await app.StartAsync();
            // Killed once it has sent another 40 or so: it is in the middle of the batch, with most still to go.
            var target = smtp.Messages.Count + 40;
            await WaitUntilAsync(() => Task.FromResult(smtp.Messages.Count >= target || !app.Running), TimeSpan.FromSeconds(20), $"the app to send {target} messages\n{app.Log}");
            await app.KillAsync();
            killedAt.Add(smtp.Messages.Count);
        }
        Assert.True(killedAt[^1] < Count, $"The last kill came after every message was sent ({string.Join(", ", killedAt)}): it proves nothing.");

        await app.StartAsync();
        await WaitUntilAsync(async () => await SentAsync() == Count, TimeSpan.FromSeconds(25), $"every message to be recorded sent\n{app.Log}");
        await app.KillAsync();

        var received = new List<string>();
        foreach (var file in smtp.Messages)
        {
            received.Add((await MimeMessage.LoadAsync(file)).MessageId ?? "(none)");
        }
        var duplicates = received.Count - received.Distinct().Count();
        output.WriteLine($"{Count} messages, killed with SIGKILL after {string.Join(" and ", killedAt)} had arrived; {received.Count} arrived, {duplicates} twice.");
        Assert.Equal(ids.Select(id => $"{id:D}@rjconferences").Order(), received.Distinct().Order());
        Assert.InRange(duplicates, 0, Kills);
    }

    private async Task<long> SentAsync()
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE status = 'sent'");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew(); // a timeout on the monotonic clock, not a date
        while (!await condition())
        {
            if (waited.Elapsed > limit) throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}");
            await Task.Delay(10);
        }
    }
}
