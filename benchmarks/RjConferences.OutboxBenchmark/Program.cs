// Outbox delivery: enqueues --messages emails (each with a calendar file, as an invitation has) and times the app's
// OutboxSender delivering all of them with the Smtp channel to a real SMTP server on loopback (aiosmtpd, Debian's
// python3-aiosmtpd, the tests' TestSmtpServer), then checks each arrived once. Then a booking's response time with the
// mail server down against up: two app instances in one run, each over its own copy of the same data with its outbox
// sender running (every second), one sending to a port nothing listens on, one to the live server; bookings alternate
// between them. SQLite and PostgreSQL side by side.
//
//   dotnet run -c Release --project benchmarks/RjConferences.OutboxBenchmark -- [--messages 2000] [--bookings 150]
//       [--provider sqlite|postgres|both] [--postgres "<conn>"]
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using RjConferences;
using RjConferences.Benchmarks.Shared;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Conferences;
using RjConferences.Features.Notifications;
using RjConferences.Security;
using RjConferences.Tests.Support;

var providers = BenchProviders.Parse(ref args);
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["messages"] = "2000", ["bookings"] = "150" };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !(args[i][2..] is "messages" or "bookings"))
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Options: --messages <N> --bookings <N> {BenchProviders.Usage}");
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
var messageCount = int.Parse(options["messages"], CultureInfo.InvariantCulture);
var bookingCount = int.Parse(options["bookings"], CultureInfo.InvariantCulture);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = AppSetup.Culture;
TypeHandlers.Register();

var folder = Path.Combine(Path.GetTempPath(), "rjconferences-outbox-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
using var smtp = new TestSmtpServer();
var deadPort = TestSmtpServer.FreePort();
try
{
    // The throughput databases: an empty migrated SQLite file, and a PostgreSQL copy of it.
    var empty = Path.Combine(folder, "outbox.db");
    using (var db = new Db($"Data Source={empty}")) await new Migrator(db, Migration.Embedded()).MigrateAsync();
    // The booking databases: the same seeded world twice (mail server up, mail server down).
    var world = Path.Combine(folder, "world.db");
    BookingWorld seed;
    using (var db = new Db($"Data Source={world}"))
    {
        await new Migrator(db, Migration.Embedded()).MigrateAsync();
        seed = await BookingWorld.SeedAsync(db, bookingCount);
    }
    SqliteConnection.ClearAllPools();
    File.Copy(world, Path.Combine(folder, "world-up.db"));
    File.Copy(world, Path.Combine(folder, "world-down.db"));

    var throughput = new List<(string Provider, Delivery Result)>();
    var latency = new List<(string Provider, Latency Result)>();
    if (providers.Sqlite)
    {
        throughput.Add(("SQLite", await DeliverAsync(DatabaseProvider.Sqlite, $"Data Source={empty}")));
        latency.Add(("SQLite", await BookAsync(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "world-up.db")}",
            $"Data Source={Path.Combine(folder, "world-down.db")}", seed)));
    }
    if (providers.Postgres is { } server)
    {
        var outbox = await PostgresLoad.EnsureAsync(empty, server, "rjbench_outbox", null, Console.Out, reuse: false);
        throughput.Add(("PostgreSQL", await DeliverAsync(DatabaseProvider.Postgres, outbox)));
        var up = await PostgresLoad.EnsureAsync(world, server, "rjbench_outbox_up", null, Console.Out, reuse: false);
        var down = await PostgresLoad.EnsureAsync(world, server, "rjbench_outbox_down", null, Console.Out, reuse: false);
        latency.Add(("PostgreSQL", await BookAsync(DatabaseProvider.Postgres, up, down, seed)));
    }

    Console.WriteLine();
    Console.WriteLine($"Conditions: {BenchProviders.Conditions()}");
    Console.WriteLine($"Delivery of {messageCount:N0} queued emails (each with a calendar file) by one OutboxSender to aiosmtpd on loopback, no TLS:");
    Console.WriteLine();
    Console.WriteLine("| Provider | messages | seconds | messages/s | arrived once | duplicates | still queued |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var (provider, r) in throughput)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {provider} | {r.Sent:N0} | {r.Seconds:F2} | {r.Sent / r.Seconds:F0} | {r.ArrivedOnce:N0} | {r.Duplicates} | {r.Queued} |"));
    }
    Console.WriteLine();
    Console.WriteLine($"A booking's response time (ConferenceBooking.BookAsync, one at a time, alternating), {bookingCount} bookings each, outbox sender running every second:");
    Console.WriteLine();
    Console.WriteLine("| Provider | mail server | p50 ms | p95 ms | max ms | invitations queued | delivered |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var (provider, r) in latency)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {provider} | up | {Percentile(r.Up, 0.5):F1} | {Percentile(r.Up, 0.95):F1} | {r.Up[^1]:F1} | {r.UpQueued:N0} | {r.UpSent:N0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {provider} | down | {Percentile(r.Down, 0.5):F1} | {Percentile(r.Down, 0.95):F1} | {r.Down[^1]:F1} | {r.DownQueued:N0} | {r.DownSent:N0} |"));
    }
    return throughput.All(t => t.Result.ArrivedOnce == messageCount && t.Result.Duplicates == 0) && latency.All(l => l.Result.DownSent == 0) ? 0 : 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

WebApplication App(DatabaseProvider provider, string connectionString, int smtpPort, bool sender)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
    builder.Configuration["ConnectionStrings:Default"] = connectionString;
    builder.Configuration[DataServices.ProviderKey] = provider.ToString();
    builder.Configuration["Notifications:Channel"] = "Smtp";
    builder.Configuration["Notifications:Smtp:Host"] = "127.0.0.1";
    builder.Configuration["Notifications:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture);
    builder.Configuration["Notifications:Smtp:UseTls"] = "false";
    builder.Configuration["Notifications:PollSeconds"] = "1";
    builder.Configuration[NotificationServices.SenderEnabled] = sender ? "true" : "false";
    builder.Logging.SetMinimumLevel(LogLevel.Critical);
    builder.AddRjConferences();
    return builder.Build();
}

async Task<Delivery> DeliverAsync(DatabaseProvider provider, string connectionString)
{
    foreach (var file in smtp.Messages) File.Delete(file);
    await using var app = App(provider, connectionString, smtp.Port, sender: false);
    var db = app.Services.GetRequiredService<Db>();
    var now = DateTimeOffset.UtcNow;
    var ics = string.Join("\r\n", ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//RjConferences//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
        "UID:benchmark@rjconferences", "SEQUENCE:0", "DTSTAMP:20260615T090000Z", "DTSTART:20260617T100000Z", "DTEND:20260617T110000Z",
        "SUMMARY:RJ conference RJ-2026-0001", "LOCATION:Langdon Park School, Room 1", "END:VEVENT", "END:VCALENDAR", ""]);
    for (var batch = 0; batch < messageCount; batch += 100)
    {
        await db.WriteAsync(async (connection, transaction) =>
        {
            for (var n = batch; n < Math.Min(messageCount, batch + 100); n++)
            {
                await Outbox.EnqueueAsync(connection, transaction, new OutboxMessage("conference_invitation", $"facilitator{n}@school.example", $"Facilitator {n}",
                    "RJ conference RJ-2026-0001, Wednesday 17 June 2026, 11:00", "A restorative justice conference is booked for Wednesday 17 June 2026 at 11:00.",
                    "<p>A restorative justice conference is booked for <b>Wednesday 17 June 2026</b> at 11:00.</p>",
                    Attachment: new OutboxAttachment("RJ-2026-0001.ics", "text/calendar; method=REQUEST", ics)), now);
            }
        });
    }
    var sender = app.Services.GetRequiredService<OutboxSender>();
    var clock = Stopwatch.StartNew();
    var sent = await sender.RunOnceAsync();
    var seconds = clock.Elapsed.TotalSeconds;
    var ids = new List<string>();
    foreach (var file in smtp.Messages)
    {
        using var stream = File.OpenRead(file);
        ids.Add((await HeaderList.LoadAsync(stream))[HeaderId.MessageId] ?? "");
    }
    long queued;
    await using (var connection = await db.OpenAsync())
    {
        queued = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE status <> 'sent'");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {sent:N0} messages delivered in {seconds:F2} s."));
    return new Delivery(sent, seconds, ids.Distinct().Count(), ids.Count - ids.Distinct().Count(), queued);
}

async Task<Latency> BookAsync(DatabaseProvider provider, string upConnection, string downConnection, BookingWorld seed)
{
    await using var up = App(provider, upConnection, smtp.Port, sender: true);
    await using var down = App(provider, downConnection, deadPort, sender: true);
    foreach (var app in new[] { up, down })
    {
        foreach (var service in app.Services.GetServices<IHostedService>().OfType<OutboxSenderService>()) await service.StartAsync(default);
    }
    var user = new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, seed.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Referrer), new Claim(ClaimTypes.Role, Roles.Facilitator)], "benchmark"));
    var firstDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(40);
    var times = new Dictionary<WebApplication, List<double>> { [up] = [], [down] = [] };
    for (var j = 0; j < seed.Cases.Count; j++)
    {
        var (caseId, parties) = seed.Cases[j];
        var r = j % seed.Rooms.Count;
        var t = j / seed.Rooms.Count;
        var form = new BookingForm
        {
            Date = DateInput.From(firstDay.AddDays(t / 7)),
            StartTime = new TimeOnly(8, 30).AddMinutes(75 * (t % 7)).ToString("HH:mm", CultureInfo.InvariantCulture),
            LengthMinutes = 60, RoomId = seed.Rooms[r], FacilitatorId = seed.Facilitators[r], ParticipantIds = [.. parties], ConfirmedWarnings = true,
        };
        // Alternate which goes first, so neither gains from the other's warm caches.
        foreach (var app in j % 2 == 0 ? new[] { up, down } : [down, up])
        {
            var start = Stopwatch.GetTimestamp();
            var result = await app.Services.GetRequiredService<ConferenceBooking>().BookAsync(caseId, form, user);
            times[app].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (result.ConferenceId is null) throw new InvalidOperationException($"A booking was refused: {string.Join("; ", result.Errors.SelectMany(e => e.Value))}");
        }
    }
    await Task.Delay(TimeSpan.FromSeconds(3)); // the senders' next polls
    async Task<(long Queued, long Sent)> CountAsync(WebApplication app)
    {
        await using var connection = await app.Services.GetRequiredService<Db>().OpenAsync();
        return await connection.QuerySingleAsync<(long, long)>("SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox");
    }
    var (upQueued, upSent) = await CountAsync(up);
    var (downQueued, downSent) = await CountAsync(down);
    foreach (var app in new[] { up, down })
    {
        foreach (var service in app.Services.GetServices<IHostedService>().OfType<OutboxSenderService>()) await service.StopAsync(default);
    }
    var upTimes = times[up].Order().ToArray();
    var downTimes = times[down].Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {upTimes.Length + downTimes.Length} bookings."));
    return new Latency(upTimes, downTimes, upQueued, upSent, downQueued, downSent);
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

internal sealed record Delivery(int Sent, double Seconds, int ArrivedOnce, int Duplicates, long Queued);

internal sealed record Latency(double[] Up, double[] Down, long UpQueued, long UpSent, long DownQueued, long DownSent);
