// The reports' server time with a million cases (issue 8): ReportQueries.RunAsync for one academic
// year across all boroughs, as an Administrator assigned every borough, against the same aggregates
// written as bare SQL (Dapper, GROUP BY over the same table) in the same run.
//
//   dotnet run -c Release --project benchmarks/RjConferences.ReportsBenchmark -- [--db <file>] [--cases <N>] [--runs <N>] [--warmup <N>]
//       [--year <first year of the academic year, e.g. 2024>] [--compare-sources]
//
// The database (default benchmarks/data/reports-<N>.db) is created and filled by generate-synthetic's
// code when it holds fewer than N cases, and reused as it is otherwise. --compare-sources also computes
// the report once straight from the source tables (the view case_report_facts_source) and checks that
// it gives the same figures as the stored facts.

using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RjConferences;
using RjConferences.Components;
using RjConferences.Data;
using RjConferences.Tools;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Reports;
using RjConferences.Security;

var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["cases"] = "1000000", ["runs"] = "30", ["warmup"] = "5" };
var compareSources = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--compare-sources") { compareSources = true; continue; }
    if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal) || !(args[i][2..] is "db" or "cases" or "runs" or "warmup" or "year"))
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Options: --db <file> --cases <N> --runs <N> --warmup <N> --year <YYYY> --compare-sources");
        return 2;
    }
    options[args[i][2..]] = args[++i];
}
var cases = int.Parse(options["cases"], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
var runs = int.Parse(options["runs"], CultureInfo.InvariantCulture);
var warmup = int.Parse(options["warmup"], CultureInfo.InvariantCulture);
var path = Path.GetFullPath(options.GetValueOrDefault("db") ?? Path.Combine("benchmarks", "data", $"reports-{cases}.db"));
Directory.CreateDirectory(Path.GetDirectoryName(path)!);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.Configuration["ConnectionStrings:Default"] = $"Data Source={path}";
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddRjConferences();
await using var app = builder.Build();
var migrating = Stopwatch.StartNew();
await app.Services.GetRequiredService<Migrator>().MigrateAsync();
var db = app.Services.GetRequiredService<Db>();
var clock = app.Services.GetRequiredService<TimeProvider>();
Console.WriteLine($"Database: {path} (migrated in {migrating.Elapsed.TotalSeconds:N1} s)");

await SyntheticData.EnsureCasesAsync(app.Services, cases, Console.Out);

// An Administrator assigned every borough, so scoped to all 78 schools.
const string adminEmail = "bench.reports.admin@benchmark.example";
Guid admin;
await using (var connection = await db.OpenAsync())
{
    admin = await connection.ExecuteScalarAsync<Guid?>("SELECT id FROM users WHERE normalized_email = @e", new { e = adminEmail.ToUpperInvariant() }) ?? Guid.Empty;
}
if (admin == Guid.Empty)
{
    await using var scope = app.Services.CreateAsyncScope();
    await using var connection = await db.OpenAsync();
    var boroughs = (await connection.QueryAsync<long>("SELECT id FROM boroughs")).ToList();
    var created = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(new NewAccount("Benchmark administrator", adminEmail,
        [Roles.Administrator, Roles.YouthJusticeReviewer], [], boroughs, UserAccounts.GeneratePassword(), MustChangePassword: true), actorId: null);
    admin = created.UserId ?? throw new InvalidOperationException(string.Join("; ", created.Errors.SelectMany(e => e.Value)));
}

// The last academic year (September to August) that has ended, unless --year says otherwise.
var today = LondonTime.Today(clock);
var firstYear = options.TryGetValue("year", out var y) ? int.Parse(y, CultureInfo.InvariantCulture) : (today.Month >= 9 ? today.Year - 1 : today.Year - 2);
var selection = new ReportSelection(new DateOnly(firstYear, 9, 1), new DateOnly(firstYear + 1, 8, 31));
var finalMonths = app.Services.GetRequiredService<IOptions<FollowUpOptions>>().Value.IntervalsMonths.Max();
var reports = app.Services.GetRequiredService<ReportQueries>();
await using (var connection = await db.OpenAsync())
{
    var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
    var inYear = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM case_report_facts WHERE referred_on BETWEEN @From AND @To",
        new { selection.From, selection.To });
    Console.WriteLine($"Cases: {total:N0}; in the academic year {selection.From:yyyy-MM-dd} to {selection.To:yyyy-MM-dd}: {inYear:N0}; " +
        $"file: {new FileInfo(path).Length / 1024.0 / 1024.0:N0} MiB");
}
Console.WriteLine($"{warmup} warm-up runs, then {runs} timed runs of each, alternating; user: an Administrator assigned all 15 boroughs (78 schools).");

ReportResult report = null!;
BareFigures bare = null!;
for (var i = 0; i < warmup; i++)
{
    report = await reports.RunAsync(admin, selection, CancellationToken.None);
    bare = await BareSql.RunAsync(db, admin, selection, finalMonths);
}
var reportTimes = new double[runs];
var bareTimes = new double[runs];
var floorTimes = new double[runs];
for (var i = 0; i < runs; i++)
{
    var start = Stopwatch.GetTimestamp();
    report = await reports.RunAsync(admin, selection, CancellationToken.None);
    reportTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    start = Stopwatch.GetTimestamp();
    bare = await BareSql.RunAsync(db, admin, selection, finalMonths);
    bareTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    start = Stopwatch.GetTimestamp();
    await BareSql.ScanAsync(db, admin, selection);
    floorTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}
Array.Sort(reportTimes);
Array.Sort(bareTimes);
Array.Sort(floorTimes);

var same = bare.Matches(report, out var difference);
Console.WriteLine();
Console.WriteLine("| What | p50 ms | p95 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|");
Console.WriteLine(Row("ReportQueries.RunAsync (whole report)", reportTimes));
Console.WriteLine(Row("the same aggregates as bare SQL (Dapper, GROUP BY)", bareTimes));
Console.WriteLine(Row("for scale: one SQL pass over the same rows, no grouping (count and max of the three columns)", floorTimes));
Console.WriteLine();
var ratio = Percentile(reportTimes, 0.5) / Percentile(bareTimes, 0.5);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ratio report / bare SQL at p50: {ratio:F2}"));
Console.WriteLine(same ? "Bare SQL and the report agree on every compared figure." : $"Bare SQL and the report DIFFER: {difference}");
var headline = report.Headlines.ToDictionary(h => h.Key);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Figures: {headline["referrals"].Numerator:N0} referrals, {headline["conferences_held"].Numerator:N0} conferences held, diversion rate " +
    $"{headline["diversion_rate"].Numerator:N0} / {headline["diversion_rate"].Denominator:N0} = {headline["diversion_rate"].Value:P1}, " +
    $"median days to conference {headline["median_days_to_conference"].Value}"));

if (compareSources)
{
    var start = Stopwatch.GetTimestamp();
    var fromSources = await reports.RunFromSourceTablesAsync(admin, selection, CancellationToken.None);
    Console.WriteLine($"The report straight from the source tables (no stored facts): {Stopwatch.GetElapsedTime(start).TotalMilliseconds:N0} ms; " +
        (Json(fromSources) == Json(report) ? "same figures as from the stored facts." : "FIGURES DIFFER from the stored facts."));
}

var met = Percentile(reportTimes, 0.95) <= 300 && ratio <= 2 && same;
Console.WriteLine(met ? "Target met: p95 at most 300 ms and at most 2 times the bare SQL." : "Target missed.");
return met ? 0 : 1;

static string Row(string name, double[] sorted) => string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {Percentile(sorted, 0.50):F1} | {Percentile(sorted, 0.95):F1} | {sorted[^1]:F1} |");

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static string Json(ReportResult r) => System.Text.Json.JsonSerializer.Serialize(r);

/// <summary>The figures the bare SQL computes, to check it did the same work as the report.</summary>
internal sealed record BareFigures(long Referrals, long Eligible, long Held, long DiversionNumerator, long DiversionDenominator, long Groups, long Months,
    long Schools, long Categories, long InternalMatters)
{
    public bool Matches(ReportResult r, out string difference)
    {
        var h = r.Headlines.ToDictionary(x => x.Key);
        var expected = new BareFigures(h["referrals"].Numerator, h["eligible"].Numerator, h["conferences_held"].Numerator, h["diversion_rate"].Numerator,
            h["diversion_rate"].Denominator ?? 0, r.Disproportionality.Count(g => g.Referred > 0), r.Trend.Count(t => t.Referrals > 0),
            r.BySchool.Count(s => s.Referrals > 0), r.ByOffenceCategory.Count(c => c.Referrals > 0), h["school_internal"].Numerator);
        difference = $"report {expected} / bare SQL {this}";
        return expected == this;
    }
}

/// <summary>
/// The report's aggregates as plain SQL over the same table, the same rows (scope, period) and the same
/// definitions (the packed columns' bits): headline sums, leavers by stage and reason, ineligibility
/// reasons, stage counts by ethnic group, by month, by school, by borough, by offence category, the two
/// histograms for the medians, and the school-internal count.
/// </summary>
internal static class BareSql
{
    private const string Stage = "(flow & 7)";
    private const string Done = "((flow >> 11) & 255) >= @Final";
    private const string Cjs = "((flow >> 19) & 1)";

    private static readonly string Sums = $"""
        count(*), sum({Stage} >= 2), sum({Stage} >= 3), sum({Stage} >= 4), sum({Stage} >= 5), sum({Stage} >= 6),
        sum({Stage} = 6 AND {Done} AND {Cjs} = 0), sum({Done}), sum({Done} AND {Cjs} = 0)
        """;

    /// <summary>The floor: SQLite reading the same rows and columns once, aggregating nothing worth having.</summary>
    public static async Task<long> ScanAsync(Db db, Guid userId, ReportSelection selection)
    {
        await using var connection = await db.OpenAsync();
        var everySchool = await connection.ExecuteScalarAsync<bool>(
            "SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @ScopeUserId) = (SELECT count(*) FROM schools)", new { ScopeUserId = userId });
        var (sql, parameters) = ReportQueries.FactsQuery(userId, selection, "count(*), max(dims), max(flow), max(days)", scopeIsEverySchool: everySchool);
        return (await connection.QuerySingleAsync<(long Count, long, long, long)>(sql, new DynamicParameters(parameters))).Count;
    }

    public static async Task<BareFigures> RunAsync(Db db, Guid userId, ReportSelection selection, int finalMonths)
    {
        await using var connection = await db.OpenAsync();
        // The same WHERE as the report: without the per-row scope condition when the user is assigned every school.
        var everySchool = await connection.ExecuteScalarAsync<bool>(
            "SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @ScopeUserId) = (SELECT count(*) FROM schools)", new { ScopeUserId = userId });
        var (where, parameters) = ReportQueries.FactsQuery(userId, selection, "1", scopeIsEverySchool: everySchool);
        where = where[where.IndexOf("WHERE", StringComparison.Ordinal)..];
        var p = new DynamicParameters(parameters);
        p.Add("Final", finalMonths);
        string Q(string select, string? groupBy = null) => $"SELECT {select} FROM case_report_facts {where}{(groupBy is null ? "" : " GROUP BY " + groupBy)}";

        var totals = await connection.QuerySingleAsync<(long Referrals, long Eligible, long Consented, long Held, long Reached, long Completed, long NoCjs,
            long Done, long Diverted)>(Q($"""
                count(*), sum({Stage} >= 2), sum({Stage} >= 3), sum({Stage} >= 4), sum({Stage} >= 5), sum({Stage} >= 6),
                sum({Stage} = 6 AND {Done} AND {Cjs} = 0), sum({Done}), sum({Done} AND {Cjs} = 0)
                """), p);
        await connection.QueryAsync(Q($"""
            sum(((flow >> 20) & 3) = 2), sum(((flow >> 20) & 3) > 0), sum(((flow >> 22) & 7) >= 4), sum(((flow >> 22) & 7) > 0),
            sum(((flow >> 7) & 1) > 0), sum(((flow >> 7) & 2) > 0), sum(((flow >> 7) & 4) > 0), sum(((flow >> 7) & 8) > 0),
            sum({Stage} = 6 AND {Cjs} = 1)
            """), p);
        await connection.QueryAsync(Q($"{Stage}, (flow >> 3) & 15, count(*)", "1, 2"), p);
        var groups = (await connection.QueryAsync(Q($"ethnic_group, {Sums}, sum({Stage} = 6 AND {Done})", "ethnic_group"), p)).Count();
        var months = (await connection.QueryAsync(Q($"substr(referred_on, 1, 7), {Sums}", "1"), p)).Count();
        var schools = (await connection.QueryAsync(Q($"school_id, {Sums}", "school_id"), p)).Count();
        await connection.QueryAsync(Q($"borough_id, {Sums}", "borough_id"), p);
        var categories = (await connection.QueryAsync(Q($"offence_category_id, {Sums}", "offence_category_id"), p)).Count();
        await connection.QueryAsync(Q("days & 65535, count(*)", "1"), p);
        await connection.QueryAsync(Q("(days >> 16) & 65535, count(*)", "1"), p);
        var internalMatters = await connection.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM school_internal_matters
            WHERE recorded_on >= @From AND recorded_on <= @To AND {SchoolScope.SqlFilter}
            """, p);
        return new BareFigures(totals.Referrals, totals.Eligible, totals.Held, totals.Diverted, totals.Done, groups, months, schools, categories, internalMatters);
    }
}
