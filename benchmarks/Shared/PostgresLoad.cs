// Shared by the benchmark harnesses (linked into each project): the --provider / --postgres options, and a
// minimal loader that copies a benchmark's SQLite database into a freshly migrated PostgreSQL database with
// binary COPY, so that both providers are measured on the same data in one run.
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using RjConferences.Data;

namespace RjConferences.Benchmarks.Shared;

/// <summary>Which providers a harness measures: <c>--provider sqlite|postgres|both</c>, <c>--postgres "&lt;conn&gt;"</c> or RJ_BENCH_POSTGRES.</summary>
public sealed record BenchProviders(bool Sqlite, string? Postgres)
{
    public const string Usage = "--provider sqlite|postgres|both (default: both when --postgres \"<conn>\" or RJ_BENCH_POSTGRES is given, else sqlite)";

    public bool Both => Sqlite && Postgres is not null;

    /// <summary>Takes --provider and --postgres out of <paramref name="args"/>; the rest is returned for the harness's own options.</summary>
    public static BenchProviders Parse(ref string[] args)
    {
        string? provider = null, postgres = Environment.GetEnvironmentVariable("RJ_BENCH_POSTGRES");
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--provider" && i + 1 < args.Length) provider = args[++i].ToLowerInvariant();
            else if (args[i] == "--postgres" && i + 1 < args.Length) postgres = args[++i];
            else rest.Add(args[i]);
        }
        args = [.. rest];
        if (string.IsNullOrWhiteSpace(postgres)) postgres = null;
        provider ??= postgres is null ? "sqlite" : "both";
        return provider switch
        {
            "sqlite" => new BenchProviders(true, null),
            "postgres" or "postgresql" => new BenchProviders(false, postgres ?? throw new ArgumentException("--provider postgres needs --postgres \"<conn>\" or RJ_BENCH_POSTGRES")),
            "both" => new BenchProviders(true, postgres ?? throw new ArgumentException("--provider both needs --postgres \"<conn>\" or RJ_BENCH_POSTGRES")),
            _ => throw new ArgumentException($"Unknown provider '{provider}'. {Usage}"),
        };
    }

    /// <summary>The load average and time, to print with the figures (the machine is shared).</summary>
    public static string Conditions()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[..3] : ["?", "?", "?"];
        return $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {string.Join(" ", load)}, {Environment.ProcessorCount} cores";
    }
}

/// <summary>
/// Copies a SQLite database into PostgreSQL: a database of its own (dropped and created again when it does not hold
/// the same load), migrated by the app's migrator, then every table PostgreSQL has that SQLite holds rows in — the
/// small ones always, the large ones only when named — with binary COPY, foreign keys and triggers off for the load
/// (session_replication_role = replica), identity sequences moved past the copied ids, and VACUUM (ANALYZE) at the end.
/// </summary>
public static class PostgresLoad
{
    /// <summary>Tables with at most this many rows are always copied (the registry, users, settings...).</summary>
    public const long SmallTable = 20_000;

    /// <summary>
    /// Makes <paramref name="database"/> on the server of <paramref name="serverConnection"/> a copy of the SQLite file's
    /// tables (small ones, and <paramref name="largeTables"/>; every table when it is null), reusing it when it already holds this load. Returns its connection string.
    /// </summary>
    public static async Task<string> EnsureAsync(string sqlitePath, string serverConnection, string database, IReadOnlyCollection<string>? largeTables,
        TextWriter log, bool reuse = true)
    {
        var target = new NpgsqlConnectionStringBuilder(serverConnection) { Database = database, Pooling = true, MaxPoolSize = 100 }.ToString();
        var admin = new NpgsqlConnectionStringBuilder(serverConnection) { Database = "postgres", Pooling = false }.ToString();
        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await sqlite.OpenAsync();
        var cases = await sqlite.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
        // The last migration is part of the load: a migration that rebuilds derived tables from source tables the load left out
        // (0017 recomputed the report facts from the view) would empty them in a reused database, so a new one reloads it.
        var lastMigration = Migration.Embedded(DatabaseProvider.Postgres)[^1].Name;
        var signature = $"{Path.GetFullPath(sqlitePath)}|{cases}|{(largeTables is null ? "*" : string.Join(",", largeTables.Order()))}|{lastMigration}";

        await using (var server = new NpgsqlConnection(admin))
        {
            await server.OpenAsync();
            var exists = await server.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @database)", new { database });
            if (exists && reuse)
            {
                await using var existing = new NpgsqlConnection(target);
                await existing.OpenAsync();
                // Two statements: PostgreSQL resolves every table of a statement before running it, so a CASE cannot
                // guard a read of a table that a load interrupted before its end never made.
                var loaded = await existing.ExecuteScalarAsync<bool>("SELECT to_regclass('bench_load') IS NOT NULL")
                    ? await existing.ExecuteScalarAsync<string?>("SELECT signature FROM bench_load")
                    : null;
                if (loaded == signature)
                {
                    await log.WriteLineAsync($"PostgreSQL: reusing database '{database}' ({cases:N0} cases, loaded from {Path.GetFileName(sqlitePath)}).");
                    NpgsqlConnection.ClearAllPools();
                    return target;
                }
            }
            if (exists)
            {
                await server.ExecuteAsync($"DROP DATABASE \"{database}\" WITH (FORCE)");
                // The signature check's pooled connection was to the dropped database: the server ended it, and the pool
                // would hand it out again for the load ("terminating connection due to administrator command").
                NpgsqlConnection.ClearAllPools();
            }
            await server.ExecuteAsync($"CREATE DATABASE \"{database}\"");
        }

        var watch = Stopwatch.StartNew();
        using (var db = new Db(target, DatabaseProvider.Postgres))
        {
            await new Migrator(db, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync();
        }
        await log.WriteLineAsync($"PostgreSQL: loading '{database}' from {Path.GetFileName(sqlitePath)} (migrated in {watch.Elapsed.TotalSeconds:N1} s)...");

        await using var pg = new NpgsqlConnection(target);
        await pg.OpenAsync();
        await pg.ExecuteAsync("SET session_replication_role = replica; SET maintenance_work_mem = '512MB'; SET synchronous_commit = off");
        var columns = (await pg.QueryAsync<(string Table, string Column, string Type, string Identity)>("""
            SELECT c.table_name, c.column_name, c.data_type, c.is_identity
            FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER' AND c.table_name <> 'schema_migrations'
            ORDER BY c.table_name, c.ordinal_position
            """)).ToList();
        var sqliteTables = (await sqlite.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet(StringComparer.Ordinal);
        long totalRows = 0;
        foreach (var table in columns.GroupBy(c => c.Table))
        {
            if (!sqliteTables.Contains(table.Key)) continue;
            var rows = await sqlite.ExecuteScalarAsync<long>($"SELECT count(*) FROM \"{table.Key}\"");
            if (rows > SmallTable && largeTables is not null && !largeTables.Contains(table.Key)) continue;
            var sqliteColumns = (await sqlite.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table.Key}')")).ToHashSet(StringComparer.Ordinal);
            var copied = table.Where(c => sqliteColumns.Contains(c.Column)).ToList();
            var tableWatch = Stopwatch.StartNew();
            await pg.ExecuteAsync($"DELETE FROM \"{table.Key}\""); // the rows the migrations seed: the copy brings SQLite's, with their ids
            totalRows += await CopyTableAsync(sqlite, pg, table.Key, copied.Select(c => (c.Column, c.Type)).ToList());
            foreach (var identity in copied.Where(c => c.Identity == "YES"))
            {
                await pg.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('\"{table.Key}\"', '{identity.Column}'), (SELECT coalesce(max(\"{identity.Column}\"), 0) + 1 FROM \"{table.Key}\"), false)");
            }
            if (rows > SmallTable) await log.WriteLineAsync($"  {table.Key}: {rows:N0} rows in {tableWatch.Elapsed.TotalSeconds:N1} s");
        }
        var analyzing = Stopwatch.StartNew();
        await pg.ExecuteAsync("SET session_replication_role = DEFAULT");
        // VACUUM as well as ANALYZE: a database that has been running has its visibility map set by autovacuum, so the
        // index-only scans measured here do not visit the table; a fresh bulk load has none until it is vacuumed.
        await using (var analyze = new NpgsqlCommand("VACUUM (ANALYZE)", pg) { CommandTimeout = 0 }) await analyze.ExecuteNonQueryAsync();
        await pg.ExecuteAsync("CREATE TABLE bench_load (signature text NOT NULL); INSERT INTO bench_load VALUES (@signature)", new { signature });
        await log.WriteLineAsync($"PostgreSQL: copied {totalRows:N0} rows in {watch.Elapsed.TotalSeconds:N1} s (VACUUM ANALYZE {analyzing.Elapsed.TotalSeconds:N1} s).");
        NpgsqlConnection.ClearAllPools();
        return target;
    }

    private static Task<long> CopyTableAsync(SqliteConnection sqlite, NpgsqlConnection pg, string table, List<(string Column, string Type)> columns)
    {
        var list = string.Join(", ", columns.Select(c => $"\"{c.Column}\""));
        var writers = columns.Select(c => Writer(c.Type)).ToArray();
        using var command = sqlite.CreateCommand();
        command.CommandText = $"SELECT {list} FROM \"{table}\"";
        // Synchronous on purpose: millions of values, one call each.
        using var reader = command.ExecuteReader();
        using var copy = pg.BeginBinaryImport($"COPY \"{table}\" ({list}) FROM STDIN (FORMAT BINARY)");
        long rows = 0;
        while (reader.Read())
        {
            copy.StartRow();
            for (var i = 0; i < writers.Length; i++)
            {
                if (reader.IsDBNull(i)) copy.WriteNull();
                else writers[i](copy, reader, i);
            }
            rows++;
        }
        copy.Complete();
        return Task.FromResult(rows);
    }

    private static Action<NpgsqlBinaryImporter, SqliteDataReader, int> Writer(string type) => type switch
    {
        "bigint" => (w, r, i) => w.Write(r.GetInt64(i), NpgsqlDbType.Bigint),
        "integer" => (w, r, i) => w.Write(r.GetInt32(i), NpgsqlDbType.Integer),
        "smallint" => (w, r, i) => w.Write(r.GetInt16(i), NpgsqlDbType.Smallint),
        "boolean" => (w, r, i) => w.Write(r.GetInt64(i) != 0, NpgsqlDbType.Boolean),
        "double precision" => (w, r, i) => w.Write(r.GetDouble(i), NpgsqlDbType.Double),
        "date" => (w, r, i) => w.Write(DateOnly.ParseExact(r.GetString(i), "yyyy-MM-dd", CultureInfo.InvariantCulture), NpgsqlDbType.Date),
        "timestamp with time zone" => (w, r, i) => w.Write(TypeHandlers.FromUtcText(r.GetString(i)).UtcDateTime, NpgsqlDbType.TimestampTz),
        "bytea" => (w, r, i) => w.Write((byte[])r.GetValue(i), NpgsqlDbType.Bytea),
        "jsonb" => (w, r, i) => w.Write(r.GetString(i), NpgsqlDbType.Jsonb),
        _ => (w, r, i) => w.Write(Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture), NpgsqlDbType.Text),
    };
}
