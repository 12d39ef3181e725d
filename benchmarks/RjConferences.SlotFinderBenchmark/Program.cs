// The slot finder benchmark: ConferenceQueries.FindTimesAsync ("Find times" on the booking page)
// over a temporary database with 100,000 conferences, for a facilitator and a room that are fully
// booked on the first school days. Prints p50, p95 and max of 200 timed runs after a warm-up, and
// the query plan of the slot finder's query.
//
//   dotnet run -c Release --project benchmarks/RjConferences.SlotFinderBenchmark [-- --keep] [--provider sqlite|postgres|both] [--postgres "<conn>"]
//
// With PostgreSQL, the seeded SQLite database is copied into the PostgreSQL database rjbench_slot_finder (made anew) and measured there too.
//
// --keep leaves the database in the temporary folder (its path is printed) to look at afterwards.
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RjConferences.Components;
using RjConferences.Data;
using RjConferences.Features.Conferences;
using RjConferences.Security;
using RjConferences.SlotFinderBenchmark;
using RjConferences.Benchmarks.Shared;

const int Conferences = 100_000, WarmUpRuns = 20, TimedRuns = 200, BusySchoolDays = 12;
const double TargetMilliseconds = 50;
// Monday 14 September 2026, 08:00 in London, in term; the conferences run for a year from 16 March 2026.
var now = new DateTimeOffset(2026, 9, 14, 7, 0, 0, TimeSpan.Zero);
var firstDay = new DateOnly(2026, 3, 16);

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = RjConferences.AppSetup.Culture;
TypeHandlers.Register();
var providers = BenchProviders.Parse(ref args);
var folder = Path.Combine(Path.GetTempPath(), "rjconferences-slot-finder-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
// The app's own connection settings (pooled, WAL, synchronous=FULL, foreign keys) and migrations.
var sqliteDb = new Db(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db") }.ToString());
Db? postgresDb = null;
try
{
    await new Migrator(sqliteDb, Migration.Embedded()).MigrateAsync();
    var seeding = Stopwatch.StartNew();
    var target = await BenchmarkData.SeedAsync(sqliteDb, now, firstDay, Conferences, BusySchoolDays);
    Console.WriteLine($"Seeded {target.Conferences:N0} conferences in {seeding.Elapsed.TotalSeconds:N1} s ({new FileInfo(sqliteDb.DatabasePath).Length / 1024 / 1024:N0} MB database at {sqliteDb.DatabasePath}).");
    Console.WriteLine($"Facilitator and room fully booked on the first {target.BusyDays} school days from {LondonTime.Format(now)}.");

    var results = new List<(string Provider, double[] Times, int Slots)>();
    if (providers.Sqlite)
    {
        var (times, slots) = await MeasureAsync(sqliteDb, target);
        results.Add(("SQLite", times, slots));
    }
    if (providers.Postgres is { } server)
    {
        SqliteConnection.ClearAllPools();
        // The same data in PostgreSQL: every table copied from the SQLite database just seeded (made anew each run).
        var connection = await PostgresLoad.EnsureAsync(sqliteDb.DatabasePath, server, "rjbench_slot_finder", null, Console.Out, reuse: false);
        postgresDb = new Db(connection, DatabaseProvider.Postgres);
        var (times, slots) = await MeasureAsync(postgresDb, target);
        results.Add(("PostgreSQL", times, slots));
    }

    Console.WriteLine();
    Console.WriteLine($"Conditions: {BenchProviders.Conditions()}");
    Console.WriteLine($"FindTimesAsync over {TimedRuns} runs after {WarmUpRuns} warm-up runs, {target.Conferences:N0} conferences (target p95 < {TargetMilliseconds} ms):");
    Console.WriteLine();
    Console.WriteLine("| Provider | p50 ms | p95 ms | max ms | slots found |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var (provider, times, slots) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {provider} | {Percentile(times, 50):F2} | {Percentile(times, 95):F2} | {times[^1]:F2} | {slots} |"));
    }
    if (results.Any(r => r.Slots != 5))
    {
        Console.Error.WriteLine("Expected 5 slots from every provider.");
        return 2;
    }
    return results.All(r => Percentile(r.Times, 95) < TargetMilliseconds) ? 0 : 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    sqliteDb.Dispose();
    postgresDb?.Dispose();
    if (args.Contains("--keep"))
    {
        Console.WriteLine($"Kept {folder}");
    }
    else
    {
        Directory.Delete(folder, recursive: true);
    }
}

async Task<(double[] Times, int Slots)> MeasureAsync(Db db, Target target)
{
    var clock = new FixedClock(now);
    var queries = new ConferenceQueries(db, new AuditLog(db, clock), clock, Options.Create(new ConferenceOptions()));
    var user = new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, target.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Referrer), new Claim(ClaimTypes.Role, Roles.Facilitator)], "benchmark"));
    var form = new BookingForm { RoomId = target.RoomId, FacilitatorId = target.FacilitatorId, LengthMinutes = 60, ParticipantIds = target.PartyIds.ToHashSet() };

    IReadOnlyList<DateTimeOffset> slots = [];
    for (var i = 0; i < WarmUpRuns; i++)
    {
        slots = await queries.FindTimesAsync(target.CaseId, form, user);
    }
    var times = new double[TimedRuns];
    for (var i = 0; i < TimedRuns; i++)
    {
        var watch = Stopwatch.StartNew();
        slots = await queries.FindTimesAsync(target.CaseId, form, user);
        times[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    Console.WriteLine($"{db.Provider}: p50 {Percentile(times, 50):N2} ms, p95 {Percentile(times, 95):N2} ms, max {times[^1]:N2} ms; slots found: " +
        string.Join("; ", slots.Select(s => LondonTime.ToLondon(s).ToString("ddd d MMM HH:mm", RjConferences.AppSetup.Culture))));

    await using (var connection = await db.OpenAsync())
    {
        var personKeys = (await ConferenceBooking.PersonKeysAsync(connection, null, form.ParticipantIds)).Select(p => p.PersonKey).ToList();
        var parameters = new { to = now.AddDays(40), from = now, form.RoomId, form.FacilitatorId, form.CoFacilitatorId, personKeys, excluding = (Guid?)null };
        Console.WriteLine($"Query plan of the slot finder's query ({db.Provider}):");
        var plan = db.Provider == DatabaseProvider.Postgres
            ? await connection.QueryAsync<string>("EXPLAIN " + ConferenceQueries.BusySql(SqlDialect.Postgres), parameters)
            : (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + ConferenceQueries.BusySql(SqlDialect.Sqlite), parameters)).Select(r => r.Detail);
        foreach (var row in plan)
        {
            Console.WriteLine($"  {row}");
        }
    }
    return (times, slots.Count);
}

static double Percentile(double[] sorted, double p) => sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];

/// <summary>The benchmark's "now": fixed, so that the busy days and the slots found are the same every run.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
