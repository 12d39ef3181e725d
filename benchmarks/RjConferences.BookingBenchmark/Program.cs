// Booking commits per second: 2 app instances (two WebApplication builds, each with its own services and connection
// pool, over one database) × 20 concurrent writers each, booking conferences that never clash through the app's
// ConferenceBooking.BookAsync for a fixed time; then checks that no room or facilitator is double-booked and that the
// audit chain verifies. SQLite (one file shared by both instances) and PostgreSQL side by side.
//
//   dotnet run -c Release --project benchmarks/RjConferences.BookingBenchmark -- [--seconds 15] [--writers 20] [--instances 2] [--cases 12000]
//       [--provider sqlite|postgres|both] [--postgres "<conn>"]
//
// The data (rooms, facilitators, a booking user, ready-to-schedule cases with three parties each) is seeded into a
// temporary SQLite database; PostgreSQL gets a copy of it (database rjbench_booking, made anew each run).
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RjConferences;
using RjConferences.Benchmarks.Shared;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Conferences;
using RjConferences.Security;

var providers = BenchProviders.Parse(ref args);
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["seconds"] = "15", ["writers"] = "20", ["instances"] = "2", ["cases"] = "12000" };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !(args[i][2..] is "seconds" or "writers" or "instances" or "cases"))
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Options: --seconds <N> --writers <N> --instances <N> --cases <N> {BenchProviders.Usage}");
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
var seconds = int.Parse(options["seconds"], CultureInfo.InvariantCulture);
var writers = int.Parse(options["writers"], CultureInfo.InvariantCulture);
var instances = int.Parse(options["instances"], CultureInfo.InvariantCulture);
var caseCount = int.Parse(options["cases"], CultureInfo.InvariantCulture);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = AppSetup.Culture;
TypeHandlers.Register();

var folder = Path.Combine(Path.GetTempPath(), "rjconferences-booking-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
var file = Path.Combine(folder, "bench.db");
try
{
    BookingWorld seed;
    using (var db = new Db($"Data Source={file}"))
    {
        await new Migrator(db, Migration.Embedded()).MigrateAsync();
        var seeding = Stopwatch.StartNew();
        seed = await BookingWorld.SeedAsync(db, caseCount);
        Console.WriteLine($"Seeded {seed.Cases.Count:N0} ready-to-schedule cases, {seed.Rooms.Count} rooms and facilitators in {seeding.Elapsed.TotalSeconds:N1} s.");
    }
    SqliteConnection.ClearAllPools();
    var runs = new List<(string Provider, Result Result)>();
    // PostgreSQL first: it needs the SQLite file as seeded, before the SQLite run books into it.
    string? postgres = null;
    if (providers.Postgres is { } server)
    {
        postgres = await PostgresLoad.EnsureAsync(file, server, "rjbench_booking", null, Console.Out, reuse: false);
    }
    if (providers.Sqlite) runs.Add(("SQLite", await RunAsync(DatabaseProvider.Sqlite, $"Data Source={file}", seed)));
    if (postgres is not null) runs.Add(("PostgreSQL", await RunAsync(DatabaseProvider.Postgres, postgres, seed)));

    Console.WriteLine();
    Console.WriteLine($"Conditions: {BenchProviders.Conditions()}");
    Console.WriteLine($"{instances} instances × {writers} writers, {seconds} s each provider, bookings that never clash (each a new conference, its case and 3 participants):");
    Console.WriteLine();
    Console.WriteLine("| Provider | commits | commits/s | p50 ms | p95 ms | max ms | refused or failed | double bookings | audit chain |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var (provider, r) in runs)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {provider} | {r.Commits:N0} | {r.Commits / r.Seconds:F1} | {Percentile(r.Times, 0.5):F1} | {Percentile(r.Times, 0.95):F1} | {(r.Times.Length > 0 ? r.Times[^1] : double.NaN):F1} | {r.Failed} | {r.DoubleBookings} | {r.Audit} |"));
    }
    foreach (var (provider, r) in runs)
    {
        foreach (var e in r.Errors.Take(3)) Console.WriteLine($"{provider}: {e}");
    }
    return runs.All(r => r.Result.DoubleBookings == 0 && r.Result.Audit.StartsWith("intact", StringComparison.Ordinal) && r.Result.Commits > 0) ? 0 : 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

async Task<Result> RunAsync(DatabaseProvider provider, string connectionString, BookingWorld seed)
{
    var apps = new List<WebApplication>();
    for (var i = 0; i < instances; i++)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration["ConnectionStrings:Default"] = connectionString;
        builder.Configuration[DataServices.ProviderKey] = provider.ToString();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.AddRjConferences();
        apps.Add(builder.Build());
    }
    await apps[0].Services.GetRequiredService<Migrator>().MigrateAsync();
    var user = new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, seed.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Referrer), new Claim(ClaimTypes.Role, Roles.Facilitator)], "benchmark"));
    var next = -1;
    var commits = 0;
    var failed = 0;
    var times = new System.Collections.Concurrent.ConcurrentBag<double>();
    var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
    // Bookings start 40 days from now: slot t of room r is day t / 7 at 08:30 + 75 min × (t % 7), an hour long (15 minutes apart, the buffer).
    var firstDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(40);
    var stop = DateTime.UtcNow.AddSeconds(seconds);
    var clock = Stopwatch.StartNew();
    var tasks = apps.SelectMany(app => Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
    {
        var booking = app.Services.GetRequiredService<ConferenceBooking>();
        while (DateTime.UtcNow < stop)
        {
            var j = Interlocked.Increment(ref next);
            if (j >= seed.Cases.Count) break;
            var (caseId, parties) = seed.Cases[j];
            var r = j % seed.Rooms.Count;
            var t = j / seed.Rooms.Count;
            var form = new BookingForm
            {
                Date = DateInput.From(firstDay.AddDays(t / 7)),
                StartTime = new TimeOnly(8, 30).AddMinutes(75 * (t % 7)).ToString("HH:mm", CultureInfo.InvariantCulture),
                LengthMinutes = 60, RoomId = seed.Rooms[r], FacilitatorId = seed.Facilitators[r], ParticipantIds = [.. parties], ConfirmedWarnings = true,
            };
            var start = Stopwatch.GetTimestamp();
            try
            {
                var result = await booking.BookAsync(caseId, form, user);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (result.ConferenceId is not null)
                {
                    Interlocked.Increment(ref commits);
                    times.Add(elapsed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    errors.Enqueue($"refused: {string.Join("; ", result.Errors.SelectMany(e => e.Value))} {result.Refused}");
                }
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref failed);
                errors.Enqueue($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }
    }))).ToList();
    await Task.WhenAll(tasks);
    var elapsedSeconds = clock.Elapsed.TotalSeconds;

    var db = apps[0].Services.GetRequiredService<Db>();
    long doubleBookings;
    await using (var connection = await db.OpenAsync())
    {
        doubleBookings = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM conferences a JOIN conferences b ON a.id < b.id
            WHERE a.status = 'scheduled' AND b.status = 'scheduled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
              AND (a.room_id = b.room_id OR a.facilitator_id = b.facilitator_id)
            """);
    }
    var audit = await apps[0].Services.GetRequiredService<AuditLog>().VerifyAsync();
    foreach (var app in apps) await app.DisposeAsync();
    var sorted = times.ToArray();
    Array.Sort(sorted);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {commits:N0} bookings in {elapsedSeconds:F1} s, {failed} refused or failed."));
    return new Result(commits, elapsedSeconds, sorted, failed, doubleBookings,
        audit.Intact ? $"intact ({audit.EventsChecked:N0} events)" : $"BROKEN at {audit.FirstBrokenId}: {audit.Problem}", [.. errors]);
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

internal sealed record Result(int Commits, double Seconds, double[] Times, int Failed, long DoubleBookings, string Audit, string[] Errors);
