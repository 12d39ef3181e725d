using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RjConferences.Data;
using RjConferences.Features.Demo;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// A new, empty PostgreSQL database on the server of RJ_TEST_POSTGRES, dropped at the end; created here whatever the
/// run's provider, because copy-database goes from SQLite to PostgreSQL.
/// </summary>
public sealed class PostgresTarget : IDisposable
{
    public PostgresTarget()
    {
        Name = "rj_copy_" + Guid.NewGuid().ToString("N");
        TestDatabase.AdminExecute($"CREATE DATABASE {Name} TEMPLATE template0 ENCODING 'UTF8'");
        ConnectionString = TestDatabase.PostgresConnectionString(Name);
        Db = new Db(ConnectionString, DatabaseProvider.Postgres);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public Db Db { get; }

    public async Task MigrateAsync() => await new Migrator(Db, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync();

    public void Dispose()
    {
        Db.Dispose();
        NpgsqlConnection.ClearAllPools();
        try { TestDatabase.AdminExecute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)"); }
        catch (NpgsqlException) { /* the server is gone at the end of a run */ }
    }
}

/// <summary>A demonstration database (seed-demo's data, at the tests' fixed date) copied once to PostgreSQL by the command.</summary>
public sealed class CopiedDemo : IAsyncLifetime
{
    public TestDatabase Source { get; } = new();

    public PostgresTarget Target { get; } = new();

    public AppProcess.Result Copy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // seed-demo's own code, in process, at the tests' fixed date (the command would use today's date).
        await using (var services = TestUsers.Services(Source))
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var seeded = await DemoData.RunAsync(services, output, error);
            Assert.True(seeded == 0, $"seed-demo failed: {output}{error}");
        }
        // The target as an app started on the new database leaves it: migrated, with a first-run setup link.
        await Target.MigrateAsync();
        await using (var connection = await Target.Db.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO setup_tokens (token_hash, created_at) VALUES ('target-only', now())");
        }
        Copy = await AppProcess.RunAsync(Source.ConnectionString, null, "copy-database", "--to-postgres", Target.ConnectionString);
    }

    public Task DisposeAsync()
    {
        Target.Dispose();
        Source.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// copy-database --to-postgres: an SQLite database into an empty PostgreSQL one, every row with its ids; a non-empty
/// target or a bad connection string refused with a clear message. SQLite to PostgreSQL whatever the run's provider,
/// so these run once, in the SQLite pass.
/// </summary>
[Trait("Category", "SqliteOnly")]
public class CopyDatabaseTests(CopiedDemo demo) : IClassFixture<CopiedDemo>
{
    private const string Password = "Never-Print-Me-7731";

    [Fact]
    public async Task Copies_every_row_of_every_table_with_its_ids()
    {
        Assert.True(demo.Copy.ExitCode == 0, demo.Copy.Output + demo.Copy.Error);
        Assert.Contains("audit chain intact on the target", demo.Copy.Output);
        Assert.Contains($"to the PostgreSQL database '{demo.Target.Name}'", demo.Copy.Output);

        await using var sqlite = await demo.Source.Db.OpenAsync();
        await using var postgres = await demo.Target.Db.OpenAsync();
        var tables = (await sqlite.QueryAsync<string>("""
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'
            ORDER BY name
            """)).ToList();
        Assert.Contains("case_report_facts", tables);
        Assert.Contains("case_name_keys", tables);
        var copiedRows = 0;
        foreach (var table in tables)
        {
            var source = await RowsAsync(sqlite, postgres, table, fromPostgres: false);
            var target = await RowsAsync(sqlite, postgres, table, fromPostgres: true);
            Assert.True(source.Count == target.Count, $"{table}: {source.Count} rows in SQLite, {target.Count} in PostgreSQL");
            foreach (var (key, row) in source)
            {
                Assert.True(target.TryGetValue(key, out var copied), $"{table}: row {key} is missing in PostgreSQL");
                Assert.True(row == copied, $"{table}, row {key}:\n  SQLite:     {row}\n  PostgreSQL: {copied}");
            }
            copiedRows += source.Count;
        }
        Assert.Contains($"Copied {copiedRows:N0} rows in {tables.Count} tables", demo.Copy.Output);
        Assert.True(await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM cases") > 0);
        Assert.True(await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events") > 0);
        Assert.True(await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM case_name_keys") > 0);
        // The target's own setup link was replaced by the source's rows (none after seed-demo's accounts).
        Assert.Equal(0, await postgres.ExecuteScalarAsync<long>("SELECT count(*) FROM setup_tokens WHERE token_hash = 'target-only'"));
        // Ready to serve: vacuumed and analysed after the load (statistics for the planner, the visibility map for index-only scans).
        Assert.Contains("Vacuumed and analysed the target", demo.Copy.Output);
        Assert.Equal(0, await postgres.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM pg_stat_user_tables
            WHERE relname IN ('cases', 'case_name_keys', 'case_report_facts') AND (last_vacuum IS NULL OR last_analyze IS NULL)
            """));
    }

    [Fact]
    public async Task Report_facts_and_name_keys_are_identical_and_what_PostgreSQL_computes_from_the_copied_rows()
    {
        Assert.True(demo.Copy.ExitCode == 0, demo.Copy.Error);
        await using var sqlite = await demo.Source.Db.OpenAsync();
        await using var postgres = await demo.Target.Db.OpenAsync();
        const string facts = "SELECT case_id, referred_on, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group FROM case_report_facts ORDER BY case_id";
        Assert.Equal(Text(await sqlite.QueryAsync(facts)), Text(await postgres.QueryAsync(facts)));
        const string keys = "SELECT party_id, name_key, name_start, case_id, reference, school_id, status FROM case_name_keys ORDER BY party_id, name_key";
        Assert.Equal(Text(await sqlite.QueryAsync(keys)), Text(await postgres.QueryAsync(keys)));

        // The copied derived rows are also what PostgreSQL's own definitions give from the copied source rows.
        Assert.True(await ReportFactsCheck.AssertStoredEqualSourceAsync(demo.Target.Db) > 0);
        const string fresh = "SELECT party_id, name_key FROM young_person_name_keys ORDER BY party_id, name_key";
        const string stored = "SELECT party_id, name_key FROM case_name_keys ORDER BY party_id, name_key";
        Assert.Equal(Text(await postgres.QueryAsync(fresh)), Text(await postgres.QueryAsync(stored)));

        static string Text(IEnumerable<dynamic> rows) => string.Join("\n", rows.Select(r =>
            string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => v switch
            {
                DateTime d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                null => "∅",
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            }))));
    }

    [Fact]
    public async Task The_audit_chain_verifies_on_the_target_with_the_verify_audit_command()
    {
        Assert.True(demo.Copy.ExitCode == 0, demo.Copy.Error);
        await using var sqlite = await demo.Source.Db.OpenAsync();
        var events = await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events");

        var verify = await AppProcess.RunAsync(demo.Target.ConnectionString, null, "verify-audit");

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains($"Audit chain intact: {events} events checked.", verify.Output);
    }

    [Fact]
    public async Task The_app_on_the_target_reads_a_case_and_new_rows_get_ids_after_the_copied_ones()
    {
        Assert.True(demo.Copy.ExitCode == 0, demo.Copy.Error);
        await using var sqlite = await demo.Source.Db.OpenAsync();
        // A case and a user whose schools include it (a user outside its scope would be refused, and audited).
        var (caseId, reference, userId) = await sqlite.QueryFirstAsync<(string, string, string)>("""
            SELECT c.id, c.reference, s.user_id FROM cases AS c JOIN user_school_scope AS s ON s.school_id = c.school_id
            ORDER BY c.referred_at, s.user_id LIMIT 1
            """);

        await using (var services = TestServices.Build(demo.Target.ConnectionString))
        {
            Assert.Equal(DatabaseProvider.Postgres, services.GetRequiredService<Db>().Provider);
            var found = await services.GetRequiredService<CaseRepository>().GetAsync(Guid.Parse(caseId), Guid.Parse(userId), audit: false);
            Assert.NotNull(found);
            Assert.Equal(reference, found.Reference);

        }

        // Inside a transaction that is rolled back, so that the other tests still see the copy as it was.
        await using var postgres = (NpgsqlConnection)await demo.Target.Db.OpenAsync();
        await using var transaction = await postgres.BeginTransactionAsync();
        // Every identity column continues after the highest copied id.
        var identities = (await postgres.QueryAsync<(string Table, string Column)>("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            ORDER BY table_name
            """, transaction: transaction)).ToList();
        Assert.Contains(identities, i => i.Table == "term_dates");
        foreach (var (table, column) in identities)
        {
            var max = await postgres.ExecuteScalarAsync<long>($"SELECT coalesce(max({column}), 0) FROM {table}", transaction: transaction);
            var next = await postgres.ExecuteScalarAsync<long>($"SELECT nextval(pg_get_serial_sequence('{table}', '{column}'))", transaction: transaction);
            Assert.True(next > max, $"{table}.{column}: next id {next}, highest copied {max}");
        }
        var maxRoom = await postgres.ExecuteScalarAsync<long>("SELECT max(id) FROM rooms", transaction: transaction);
        var room = await postgres.ExecuteScalarAsync<long>(
            "INSERT INTO rooms (school_id, name, capacity) VALUES (1, 'After the copy', 12) RETURNING id", transaction: transaction);
        Assert.True(room > maxRoom);
        // An audited action continues the copied chain (its ids are the chain's own, not the identity's).
        var last = await postgres.QueryFirstAsync<(long Id, string Hash)>("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1", transaction: transaction);
        await new AuditLog(demo.Target.Db, new RunningClock()).RecordAsync(postgres, transaction, new AuditEvent(AuditAction.Consult, "case", caseId, Guid.Parse(userId)));
        var appended = await postgres.QueryFirstAsync<(long Id, string PreviousHash)>(
            "SELECT id, previous_hash FROM audit_events ORDER BY id DESC LIMIT 1", transaction: transaction);
        Assert.Equal((last.Id + 1, last.Hash), appended);

        await transaction.RollbackAsync();
    }

    public static TheoryData<string, string, string> NonEmptyTargets => new()
    {
        // A person's account: refused before the target is even migrated.
        { "users", """
            INSERT INTO users (id, email, normalized_email, display_name, security_stamp, concurrency_stamp, created_at)
            VALUES ('00000000-0000-0000-0000-000000000001', 'a@example.org', 'A@EXAMPLE.ORG', 'A', 's', 'c', now())
            """, "users has 1 rows" },
        // A row in a table the migrations leave empty.
        { "rooms", "INSERT INTO rooms (school_id, name, capacity) VALUES (1, 'Hall', 30)", "rooms has 1 rows" },
        // Reference rows that are no longer as the migrations left them.
        { "term_dates", "INSERT INTO term_dates (borough_id, name, starts_on, ends_on) VALUES (1, 'Extra', DATE '2029-01-08', DATE '2029-02-09')",
          "term_dates has 271 rows where a new database has 270" },
    };

    [Theory]
    [MemberData(nameof(NonEmptyTargets))]
    public async Task A_non_empty_target_is_refused_and_left_unchanged(string table, string sql, string expected)
    {
        using var source = new TestDatabase();
        await new AuditLog(source.Db, new RunningClock()).RecordAsync(new AuditEvent(AuditAction.SignInFailed));
        using var target = new PostgresTarget();
        await target.MigrateAsync();
        await using (var connection = await target.Db.OpenAsync())
        {
            await connection.ExecuteAsync(sql);
        }
        var before = await SnapshotAsync(target.Db);

        var result = await AppProcess.RunAsync(source.ConnectionString, null, "copy-database", "--to-postgres", target.ConnectionString);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains($"The PostgreSQL database '{target.Name}'", result.Error);
        Assert.Contains("is not empty", result.Error);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("Copied", result.Output);
        Assert.Equal(before, await SnapshotAsync(target.Db));
        Assert.Contains(table, before);
    }

    [Fact]
    public async Task A_database_of_another_app_is_refused_and_not_migrated()
    {
        using var source = new TestDatabase();
        using var target = new PostgresTarget();
        await using (var connection = await target.Db.OpenAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE invoices (id bigint PRIMARY KEY); INSERT INTO invoices VALUES (1)");
        }

        var result = await AppProcess.RunAsync(source.ConnectionString, null, "copy-database", "--to-postgres", target.ConnectionString);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains("is not an RjConferences database", result.Error);
        await using var check = await target.Db.OpenAsync();
        Assert.Equal(["invoices"], await check.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"));
    }

    public static TheoryData<string, int, string> BadTargets => new()
    {
        // Nothing listens on port 1.
        { $"Host=127.0.0.1;Port=1;Database=rj;Username=postgres;Password={Password};Timeout=5", 1,
          "Cannot open the PostgreSQL database 'rj' on 127.0.0.1:1" },
        // A keyword Npgsql does not know.
        { $"Host=127.0.0.1;Database=rj;Colour=blue;Password={Password}", 2, "The connection string of --to-postgres cannot be read" },
        // No database named: never the user's default database.
        { $"Host=127.0.0.1;Username=postgres;Password={Password}", 2, "names no database" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public async Task A_bad_connection_string_is_refused_clearly_without_its_password(string connectionString, int exitCode, string expected)
    {
        using var source = new TestDatabase();

        var result = await AppProcess.RunAsync(source.ConnectionString, null, "copy-database", "--to-postgres", connectionString);

        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain(Password, result.Output + result.Error);
        Assert.DoesNotContain("Unhandled", result.Error);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_on_the_server_is_named_in_the_message()
    {
        using var source = new TestDatabase();
        var missing = "rj_missing_" + Guid.NewGuid().ToString("N");
        var connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresConnectionString(missing)) { Password = Password }.ToString();

        var result = await AppProcess.RunAsync(source.ConnectionString, null, "copy-database", "--to-postgres", connectionString);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains($"Cannot open the PostgreSQL database '{missing}'", result.Error);
        Assert.Contains("does not exist", result.Error);
        Assert.DoesNotContain(Password, result.Output + result.Error);
    }

    /// <summary>
    /// Every row of <paramref name="table"/>, keyed by its primary key, each as one line of text in which a value
    /// reads the same on both databases: SQLite's 0/1 flags and PostgreSQL's booleans, SQLite's UTC text and
    /// PostgreSQL's timestamptz (to the microsecond it keeps), yyyy-MM-dd text and date.
    /// </summary>
    private static async Task<Dictionary<string, string>> RowsAsync(DbConnection sqlite, DbConnection postgres, string table, bool fromPostgres)
    {
        var types = (await postgres.QueryAsync<(string Column, string Type)>(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table",
                new { table }))
            .ToDictionary(c => c.Column, c => c.Type);
        var keyColumns = (await sqlite.QueryAsync<string>(
            $"SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk")).ToList();
        Assert.True(keyColumns.Count > 0, $"{table} has no primary key to match its rows by");
        var columns = types.Keys.Order(StringComparer.Ordinal).ToList();
        await using var command = (fromPostgres ? postgres : sqlite).CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var values = columns.Select((c, i) => $"{c}={Canonical(reader.IsDBNull(i) ? null : reader.GetValue(i), types[c])}").ToList();
            var key = string.Join("|", keyColumns.Select(k => values[columns.IndexOf(k)]));
            rows.Add(key, string.Join(" | ", values));
        }
        return rows;
    }

    private static string Canonical(object? value, string type)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return (value, type) switch
        {
            (null, _) => "∅",
            (long l, "boolean") => l switch { 0 => "false", 1 => "true", _ => $"flag {l}" },
            (bool b, _) => b ? "true" : "false",
            (string s, "timestamp with time zone") => Microseconds(TypeHandlers.FromUtcText(s).UtcDateTime),
            (DateTime d, "timestamp with time zone") => Microseconds(d.ToUniversalTime()),
            (DateTime d, "date") => d.ToString("yyyy-MM-dd", invariant),
            (DateOnly d, _) => d.ToString("yyyy-MM-dd", invariant),
            (byte[] b, _) => Convert.ToHexString(b),
            (double d, _) => d.ToString("R", invariant),
            (long or int or short, _) => Convert.ToString(value, invariant)!,
            (string s, _) => s,
            _ => $"{value.GetType().Name}:{Convert.ToString(value, invariant)}",
        };

        static string Microseconds(DateTime utc) =>
            new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The target's tables and each one's rows, as text, to show that a refused copy changed nothing.</summary>
    private static async Task<string> SnapshotAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        var lines = new List<string>();
        foreach (var table in await connection.QueryAsync<string>(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"))
        {
            var rows = await connection.QueryAsync<string>($"SELECT t::text FROM \"{table}\" AS t ORDER BY 1");
            lines.Add($"{table}: {string.Join("; ", rows)}");
        }
        return string.Join("\n", lines);
    }
}
