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
using RjConferences.Benchmarks.Shared;
using Npgsql;
using NpgsqlTypes;

var providers = BenchProviders.Parse(ref args);
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["cases"] = "1000000", ["runs"] = "30", ["warmup"] = "5" };
var compareSources = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--compare-sources") { compareSources = true; continue; }
    if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal) || !(args[i][2..] is "db" or "cases" or "runs" or "warmup" or "year" or "pg-database"))
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Options: --db <file> --cases <N> --runs <N> --warmup <N> --year <YYYY> --compare-sources " +
            $"--pg-database <name> {BenchProviders.Usage}");
        return 2;
    }
    options[args[i][2..]] = args[++i];
}
var cases = int.Parse(options["cases"], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
var runs = int.Parse(options["runs"], CultureInfo.InvariantCulture);
var warmup = int.Parse(options["warmup"], CultureInfo.InvariantCulture);
var path = Path.GetFullPath(options.GetValueOrDefault("db") ?? Path.Combine("benchmarks", "data", $"reports-{cases}.db"));
Directory.CreateDirectory(Path.GetDirectoryName(path)!);

// The SQLite database is always made (and reused) first: PostgreSQL's is a copy of it.
await using var sqliteApp = await AppAsync(DatabaseProvider.Sqlite, $"Data Source={path}");
var migrating = Stopwatch.StartNew();
await sqliteApp.Services.GetRequiredService<Migrator>().MigrateAsync();
Console.WriteLine($"Database: {path} (migrated in {migrating.Elapsed.TotalSeconds:N1} s)");
await SyntheticData.EnsureCasesAsync(sqliteApp.Services, cases, Console.Out);
await AdminAsync(sqliteApp);

var measured = new List<(string Provider, Measured Result)>();
if (providers.Sqlite) measured.Add(("SQLite", await MeasureAsync(sqliteApp)));
if (providers.Postgres is { } server)
{
    var database = options.GetValueOrDefault("pg-database") ?? $"rjbench_reports_{cases}";
    var connection = await PostgresLoad.EnsureAsync(path, server, database,
        ["cases", "case_report_facts", "case_activity", "school_internal_matters"], Console.Out);
    await using var postgresApp = await AppAsync(DatabaseProvider.Postgres, connection);
    await postgresApp.Services.GetRequiredService<Migrator>().MigrateAsync();
    measured.Add(("PostgreSQL", await MeasureAsync(postgresApp)));
}

Console.WriteLine();
Console.WriteLine($"Conditions: {BenchProviders.Conditions()}");
Console.WriteLine();
Console.WriteLine("| What | " + string.Join(" | ", measured.Select(m => $"{m.Provider} p50 ms | {m.Provider} p95 ms | {m.Provider} max ms")) + " |");
Console.WriteLine("|---|" + string.Concat(measured.Select(_ => "---:|---:|---:|")));
void Line(string name, Func<Measured, double[]?> times)
{
    if (measured.All(m => times(m.Result) is null)) return;
    Console.WriteLine($"| {name} | " + string.Join(" | ", measured.Select(m => times(m.Result) is { } t ? Cells(t) : " | | ")) + " |");
}
Line("ReportQueries.RunAsync (whole report)", m => m.Report);
Line("the same aggregates as bare SQL (Dapper, GROUP BY)", m => m.Bare);
Line("for scale: one SQL pass over the same rows, no grouping (count and max of the three columns)", m => m.Floor);
Line("the facts read and tallied only: a data reader (Npgsql: SequentialAccess, GetInt64)", m => m.ReaderRead);
Line("the facts read and tallied only: binary COPY (COPY (SELECT ...) TO STDOUT (FORMAT BINARY))", m => m.CopyRead);
Console.WriteLine();
var met = true;
foreach (var (provider, m) in measured)
{
    var ratio = Percentile(m.Report, 0.5) / Percentile(m.Bare, 0.5);
    var p95 = Percentile(m.Report, 0.95);
    var ok = p95 <= 300 && ratio <= 2 && m.Same;
    met &= ok;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{provider}: {m.Cases:N0} cases, {m.InYear:N0} in the year, {m.Size}; ratio report / bare SQL at p50: {ratio:F2}; " +
        $"report p95 {p95:F1} ms. ") + (m.Same ? "Bare SQL and the report agree on every compared figure. " : $"Bare SQL and the report DIFFER: {m.Difference}. ") +
        (ok ? "Target met." : "Target missed."));
    Console.WriteLine($"  Figures: {m.Figures}");
    if (m.FromSources is not null) Console.WriteLine($"  {m.FromSources}");
}
if (measured.Count == 2)
{
    Console.WriteLine(measured[0].Result.Json == measured[1].Result.Json
        ? "SQLite and PostgreSQL give the same report (every figure)."
        : "SQLite and PostgreSQL reports DIFFER.");
    met &= measured[0].Result.Json == measured[1].Result.Json;
}
Console.WriteLine(met ? "Target met: p95 at most 300 ms and at most 2 times the bare SQL." : "Target missed.");
return met ? 0 : 1;

static async Task<WebApplication> AppAsync(DatabaseProvider provider, string connectionString)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
    builder.Configuration["ConnectionStrings:Default"] = connectionString;
    builder.Configuration[DataServices.ProviderKey] = provider.ToString();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddRjConferences();
    return await Task.FromResult(builder.Build());
}

// An Administrator assigned every borough, so scoped to all 78 schools; created when missing.
static async Task<Guid> AdminAsync(WebApplication app)
{
    const string adminEmail = "bench.reports.admin@benchmark.example";
    var db = app.Services.GetRequiredService<Db>();
    await using (var connection = await db.OpenAsync())
    {
        if (await connection.ExecuteScalarAsync<Guid?>("SELECT id FROM users WHERE normalized_email = @e", new { e = adminEmail.ToUpperInvariant() }) is { } id)
        {
            return id;
        }
    }
    await using var scope = app.Services.CreateAsyncScope();
    List<long> boroughs;
    await using (var connection = await db.OpenAsync())
    {
        boroughs = (await connection.QueryAsync<long>("SELECT id FROM boroughs")).ToList();
    }
    var created = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(new NewAccount("Benchmark administrator", adminEmail,
        [Roles.Administrator, Roles.YouthJusticeReviewer], [], boroughs, UserAccounts.GeneratePassword(), MustChangePassword: true), actorId: null);
    return created.UserId ?? throw new InvalidOperationException(string.Join("; ", created.Errors.SelectMany(e => e.Value)));
}

async Task<Measured> MeasureAsync(WebApplication app)
{
    var db = app.Services.GetRequiredService<Db>();
    var clock = app.Services.GetRequiredService<TimeProvider>();
    var admin = await AdminAsync(app);
    // The last academic year (September to August) that has ended, unless --year says otherwise.
    var today = LondonTime.Today(clock);
    var firstYear = options.TryGetValue("year", out var y) ? int.Parse(y, CultureInfo.InvariantCulture) : (today.Month >= 9 ? today.Year - 1 : today.Year - 2);
    var selection = new ReportSelection(new DateOnly(firstYear, 9, 1), new DateOnly(firstYear + 1, 8, 31));
    var finalMonths = app.Services.GetRequiredService<IOptions<FollowUpOptions>>().Value.IntervalsMonths.Max();
    var reports = app.Services.GetRequiredService<ReportQueries>();
    long total, inYear;
    string size;
    await using (var connection = await db.OpenAsync())
    {
        total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
        inYear = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM case_report_facts WHERE referred_on BETWEEN @From AND @To",
            new { selection.From, selection.To });
        size = db.Provider == DatabaseProvider.Postgres
            ? $"database {await connection.ExecuteScalarAsync<long>("SELECT pg_database_size(current_database())") / 1024.0 / 1024.0:N0} MiB"
            : $"file {new FileInfo(path).Length / 1024.0 / 1024.0:N0} MiB";
    }
    Console.WriteLine($"{db.Provider}: {warmup} warm-up runs, then {runs} timed runs of each, alternating; user: an Administrator assigned all 15 boroughs (78 schools).");

    var postgres = db.Provider == DatabaseProvider.Postgres;
    ReportResult report = null!;
    BareFigures bare = null!;
    for (var i = 0; i < warmup; i++)
    {
        report = await reports.RunAsync(admin, selection, CancellationToken.None);
        bare = await BareSql.RunAsync(db, admin, selection, finalMonths);
        if (postgres)
        {
            await BareSql.ReadFactsAsync(db, admin, selection, finalMonths, copy: false);
            await BareSql.ReadFactsAsync(db, admin, selection, finalMonths, copy: true);
        }
    }
    var reportTimes = new double[runs];
    var bareTimes = new double[runs];
    var floorTimes = new double[runs];
    var readerTimes = new double[runs];
    var copyTimes = new double[runs];
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
        if (postgres)
        {
            start = Stopwatch.GetTimestamp();
            await BareSql.ReadFactsAsync(db, admin, selection, finalMonths, copy: false);
            readerTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            await BareSql.ReadFactsAsync(db, admin, selection, finalMonths, copy: true);
            copyTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }
    foreach (var t in new[] { reportTimes, bareTimes, floorTimes, readerTimes, copyTimes }) Array.Sort(t);

    var same = bare.Matches(report, out var difference);
    var headline = report.Headlines.ToDictionary(h => h.Key);
    var figures = string.Create(CultureInfo.InvariantCulture,
        $"{headline["referrals"].Numerator:N0} referrals, {headline["conferences_held"].Numerator:N0} conferences held, diversion rate " +
        $"{headline["diversion_rate"].Numerator:N0} / {headline["diversion_rate"].Denominator:N0} = {headline["diversion_rate"].Value:P1}, " +
        $"median days to conference {headline["median_days_to_conference"].Value}");
    string? fromSources = null;
    if (compareSources)
    {
        var start = Stopwatch.GetTimestamp();
        var sources = await reports.RunFromSourceTablesAsync(admin, selection, CancellationToken.None);
        fromSources = $"The report straight from the source tables (no stored facts): {Stopwatch.GetElapsedTime(start).TotalMilliseconds:N0} ms; " +
            (Json(sources) == Json(report) ? "same figures as from the stored facts." : "FIGURES DIFFER from the stored facts.");
    }
    return new Measured(reportTimes, bareTimes, floorTimes, postgres ? readerTimes : null, postgres ? copyTimes : null, same, difference, figures,
        Json(report), fromSources, total, inYear, size);
}

static string Cells(double[] sorted) => string.Create(CultureInfo.InvariantCulture,
    $"{Percentile(sorted, 0.50):F1} | {Percentile(sorted, 0.95):F1} | {sorted[^1]:F1}");

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static string Json(ReportResult r) => System.Text.Json.JsonSerializer.Serialize(r);

/// <summary>One provider's timings (sorted) and what it computed.</summary>
internal sealed record Measured(double[] Report, double[] Bare, double[] Floor, double[]? ReaderRead, double[]? CopyRead, bool Same, string Difference,
    string Figures, string Json, string? FromSources, long Cases, long InYear, string Size);

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

    // A count of the rows where a condition holds: SQLite sums its 0/1 comparisons; PostgreSQL's comparisons are booleans,
    // which it does not sum, so the same count is count(*) FILTER (WHERE ...), PostgreSQL's own form of it.
    private static string If(bool postgres, string condition) => postgres ? $"count(*) FILTER (WHERE {condition})" : $"sum({condition})";

    private static string Sums(bool pg) => $"""
        count(*), {If(pg, $"{Stage} >= 2")}, {If(pg, $"{Stage} >= 3")}, {If(pg, $"{Stage} >= 4")}, {If(pg, $"{Stage} >= 5")}, {If(pg, $"{Stage} >= 6")},
        {If(pg, $"{Stage} = 6 AND {Done} AND {Cjs} = 0")}, {If(pg, Done)}, {If(pg, $"{Done} AND {Cjs} = 0")}
        """;

    private static Task<bool> EverySchoolAsync(System.Data.Common.DbConnection connection, Guid userId) => connection.ExecuteScalarAsync<bool>(
        "SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @ScopeUserId) = (SELECT count(*) FROM schools)", new { ScopeUserId = userId });

    /// <summary>The floor: the database reading the same rows and columns once, aggregating nothing worth having.</summary>
    public static async Task<long> ScanAsync(Db db, Guid userId, ReportSelection selection)
    {
        await using var connection = await db.OpenAsync();
        var everySchool = await EverySchoolAsync(connection, userId);
        var (sql, parameters) = ReportQueries.FactsQuery(userId, selection, "count(*), max(dims), max(flow), max(days)", scopeIsEverySchool: everySchool);
        return (await connection.QuerySingleAsync<(long Count, long, long, long)>(sql, new DynamicParameters(parameters))).Count;
    }

    /// <summary>
    /// PostgreSQL only: the report's facts query read and tallied, with nothing else, in two ways: a data reader
    /// (what ReportQueries did at first) and a binary COPY of the same query. Which is faster decides ReportQueries' loop.
    /// </summary>
    public static async Task<long> ReadFactsAsync(Db db, Guid userId, ReportSelection selection, int finalMonths, bool copy)
    {
        await using var connection = (NpgsqlConnection)await db.OpenAsync();
        var everySchool = await EverySchoolAsync(connection, userId);
        var (sql, parameters) = ReportQueries.FactsQuery(userId, selection, scopeIsEverySchool: everySchool);
        var tally = new ReportTally(finalMonths, selection.From, selection.To);
        long rows = 0;
        if (copy)
        {
            // COPY takes no parameters: the two dates are written as literals (this harness's own values, never user input).
            sql = sql.Replace("@From", $"DATE '{selection.From:yyyy-MM-dd}'").Replace("@To", $"DATE '{selection.To:yyyy-MM-dd}'");
            await using var export = await connection.BeginBinaryExportAsync($"COPY ({sql}) TO STDOUT (FORMAT BINARY)");
            while (await export.StartRowAsync() != -1)
            {
                tally.Add(new CaseFact(export.Read<long>(NpgsqlDbType.Bigint), export.Read<long>(NpgsqlDbType.Bigint), export.Read<long>(NpgsqlDbType.Bigint)));
                rows++;
            }
        }
        else
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("From", NpgsqlDbType.Date, selection.From);
            command.Parameters.AddWithValue("To", NpgsqlDbType.Date, selection.To);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
            while (await reader.ReadAsync())
            {
                tally.Add(new CaseFact(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
                rows++;
            }
        }
        return rows;
    }

    public static async Task<BareFigures> RunAsync(Db db, Guid userId, ReportSelection selection, int finalMonths)
    {
        await using var connection = await db.OpenAsync();
        var pg = db.Provider == DatabaseProvider.Postgres;
        // The same WHERE as the report: without the per-row scope condition when the user is assigned every school.
        var everySchool = await EverySchoolAsync(connection, userId);
        var (where, parameters) = ReportQueries.FactsQuery(userId, selection, "1", scopeIsEverySchool: everySchool);
        where = where[where.IndexOf("WHERE", StringComparison.Ordinal)..];
        var p = new DynamicParameters(parameters);
        p.Add("Final", finalMonths);
        string Q(string select, string? groupBy = null) => $"SELECT {select} FROM case_report_facts {where}{(groupBy is null ? "" : " GROUP BY " + groupBy)}";
        var sums = Sums(pg);
        var month = pg ? "date_trunc('month', referred_on)" : "substr(referred_on, 1, 7)";

        var totals = await connection.QuerySingleAsync<(long Referrals, long Eligible, long Consented, long Held, long Reached, long Completed, long NoCjs,
            long Done, long Diverted)>(Q(sums), p);
        await connection.QueryAsync(Q($"""
            {If(pg, "((flow >> 20) & 3) = 2")}, {If(pg, "((flow >> 20) & 3) > 0")}, {If(pg, "((flow >> 22) & 7) >= 4")}, {If(pg, "((flow >> 22) & 7) > 0")},
            {If(pg, "((flow >> 7) & 1) > 0")}, {If(pg, "((flow >> 7) & 2) > 0")}, {If(pg, "((flow >> 7) & 4) > 0")}, {If(pg, "((flow >> 7) & 8) > 0")},
            {If(pg, $"{Stage} = 6 AND {Cjs} = 1")}
            """), p);
        await connection.QueryAsync(Q($"{Stage}, (flow >> 3) & 15, count(*)", "1, 2"), p);
        var groups = (await connection.QueryAsync(Q($"ethnic_group, {sums}, {If(pg, $"{Stage} = 6 AND {Done}")}", "ethnic_group"), p)).Count();
        var months = (await connection.QueryAsync(Q($"{month}, {sums}", "1"), p)).Count();
        var schools = (await connection.QueryAsync(Q($"school_id, {sums}", "school_id"), p)).Count();
        await connection.QueryAsync(Q($"borough_id, {sums}", "borough_id"), p);
        var categories = (await connection.QueryAsync(Q($"offence_category_id, {sums}", "offence_category_id"), p)).Count();
        await connection.QueryAsync(Q("days & 65535, count(*)", "1"), p);
        await connection.QueryAsync(Q("(days >> 16) & 65535, count(*)", "1"), p);
        var internalMatters = await connection.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM school_internal_matters
            WHERE recorded_on >= @From AND recorded_on <= @To AND {SchoolScope.SqlFilter}
            """, p);
        return new BareFigures(totals.Referrals, totals.Eligible, totals.Held, totals.Diverted, totals.Done, groups, months, schools, categories, internalMatters);
    }
}
