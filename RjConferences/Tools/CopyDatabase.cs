using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using RjConferences.Security;

namespace RjConferences.Tools;

/// <summary>
/// The <c>copy-database --to-postgres "&lt;connection string&gt;"</c> command: moves a partnership from SQLite (the
/// app's configured database) to an empty PostgreSQL database, every row of every table with its ids, so that the
/// audit chain, the report facts and the name keys are the same rows on both.
/// <para>
/// In order: the target is migrated with the app's PostgreSQL migrations (the source was migrated when the command
/// started), and both must then have the same migrations applied. Tables are discovered from <c>sqlite_master</c>
/// (without SQLite's own tables and the migration journal) and must be the target's tables with the same columns.
/// In one PostgreSQL transaction, the target's tables are locked and checked to be empty (see
/// <see cref="ReplaceableTables"/>); then every table is written with binary COPY in foreign-key order (parents before
/// the tables that refer to them, from both databases' foreign keys), each SQLite value converted to its target
/// column's type; each identity column is restarted after the highest copied id; and the transaction commits. Any
/// failure rolls it back, leaving the target migrated and empty. The source is read in one read transaction, so the
/// copy is one consistent state of it even while the app is running (stop the app for the move, all the same: what
/// it writes after that state is not copied).
/// </para>
/// <para>
/// After the commit the command checks that each table has as many rows on the target as were read from the source,
/// and that the audit chain verifies on the target (<see cref="AuditLog.VerifyAsync"/>).
/// </para>
/// Exit codes: 0 copied and verified; 1 refused (a non-empty target, different migrations or tables), failed, or
/// not verified; 2 a command line that cannot be used (no connection string, or one that cannot be read, or the app
/// not configured for SQLite). Messages name the target by <see cref="Db.Description"/>, never with its password.
/// </summary>
public static class CopyDatabase
{
    public const string Usage = "Usage: copy-database --to-postgres \"Host=…;Database=…;Username=…;Password=…\"   (the target must be empty)";

    /// <summary>The migration journal: each database keeps its own (the scripts and checksums differ by dialect).</summary>
    private const string JournalTable = "schema_migrations";

    /// <summary>
    /// Tables whose rows an app started on an empty database writes by itself, with nobody signed in (the first-run
    /// setup link, the data-protection keys, the daily job's runs and lease, wrong sign-ins for unknown addresses):
    /// a target that has only these is still empty, and their rows are replaced by the source's. Every other table
    /// must have no rows, or, for the reference tables the migrations fill (boroughs, schools, roles, offence
    /// categories, bank holidays, settings, term dates), exactly as many as a freshly migrated database has; those
    /// rows are replaced by the source's too, so that ids and any edits match the source.
    /// </summary>
    public static readonly IReadOnlySet<string> ReplaceableTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "setup_tokens", "data_protection_keys", "job_runs", "job_leases", "unknown_account_failures",
    };

    /// <summary>Tables that hold what people did: any row in them and the target is refused before it is even migrated.</summary>
    private static readonly string[] PeopleTables = ["users", "cases", "audit_events"];

    private static readonly Regex PasswordPattern = new(
        @"(?:^|;)\s*(?:password|pwd)\s*=\s*(?<value>""[^""]*""|'[^']*'|[^;]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>One table to copy: its columns (in the source's order) with the target's type of each.</summary>
    private sealed record Table(string Name, IReadOnlyList<Column> Columns);

    private sealed record Column(string Name, string TargetType, bool Identity, bool Serial);

    /// <summary>Why the copy stops before or instead of writing; the message is for the operator.</summary>
    private sealed class Refusal(string message) : Exception(message);

    public static async Task<int> RunAsync(IServiceProvider services, string? targetConnectionString, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        var source = services.GetRequiredService<Db>();
        if (source.Provider != DatabaseProvider.Sqlite)
        {
            await error.WriteLineAsync(
                "copy-database copies the app's SQLite database; the app is configured for PostgreSQL (Database:Provider). " +
                "Run it with Database:Provider=Sqlite and ConnectionStrings:Default naming the SQLite file. Nothing was done.");
            return 2;
        }
        if (string.IsNullOrWhiteSpace(targetConnectionString))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        string targetDatabase;
        try
        {
            targetDatabase = new NpgsqlConnectionStringBuilder(targetConnectionString).Database ?? "";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            await error.WriteLineAsync(
                $"The connection string of --to-postgres cannot be read: {Scrub(e.Message, targetConnectionString)} Nothing was done.\n{Usage}");
            return 2;
        }
        if (targetDatabase.Length == 0)
        {
            await error.WriteLineAsync(
                $"The connection string of --to-postgres names no database: give the new, empty database as Database=…. Nothing was done.\n{Usage}");
            return 2;
        }

        using var target = new Db(targetConnectionString, DatabaseProvider.Postgres);
        try
        {
            return await CopyAsync(source, target, output, cancellationToken);
        }
        catch (Refusal e)
        {
            await error.WriteLineAsync(Scrub(e.Message, targetConnectionString));
            return 1;
        }
        catch (Exception e) when (e is StartupException || Db.IsDatabaseError(e) || e is System.Net.Sockets.SocketException or TimeoutException
                                      or InvalidOperationException or FormatException or NotSupportedException or IOException)
        {
            await error.WriteLineAsync(Scrub(
                $"Copying {source.Description} to {target.Description} failed: {e.Message}", targetConnectionString));
            return 1;
        }
    }

    private static async Task<int> CopyAsync(Db source, Db target, TextWriter output, CancellationToken ct)
    {
        await CheckTargetBeforeMigratingAsync(target, ct);
        var applied = await new Migrator(target, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync(ct);
        await output.WriteLineAsync($"Copying {source.Description} to {target.Description}" +
            (applied.Count == 0 ? "." : $" (migrated it first: {applied.Count} migrations applied)."));

        var fresh = await FreshRowCountsAsync(ct);

        await using var sqlite = (SqliteConnection)await source.OpenAsync(ct);
        // One read transaction: every table is read from the same state of the source.
        await using var snapshot = sqlite.BeginTransaction(deferred: true);
        await using var postgres = (NpgsqlConnection)await target.OpenAsync(ct);

        var sourceJournal = (await sqlite.QueryAsync<string>($"SELECT name FROM {JournalTable}", transaction: snapshot)).ToHashSet(StringComparer.Ordinal);
        var targetJournal = (await postgres.QueryAsync<string>($"SELECT name FROM {JournalTable}")).ToHashSet(StringComparer.Ordinal);
        if (!sourceJournal.SetEquals(targetJournal))
        {
            var onlySource = sourceJournal.Except(targetJournal).Order(StringComparer.Ordinal).ToList();
            var onlyTarget = targetJournal.Except(sourceJournal).Order(StringComparer.Ordinal).ToList();
            throw new Refusal(
                "The source and the target do not have the same migrations applied" +
                (onlySource.Count > 0 ? $"; only the source has {string.Join(", ", onlySource)}" : "") +
                (onlyTarget.Count > 0 ? $"; only the target has {string.Join(", ", onlyTarget)}" : "") +
                ". Run this version of the app's migrate command on both. Nothing was copied.");
        }

        var tables = await ReadTablesAsync(sqlite, snapshot, postgres, ct);
        var order = await CopyOrderAsync(sqlite, snapshot, postgres, tables.Keys, ct);

        var sourceCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var transaction = await postgres.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct))
        {
            // No app instance writes to the target while it is checked and filled.
            await postgres.ExecuteAsync(
                $"LOCK TABLE {string.Join(", ", order.Select(Quote))} IN ACCESS EXCLUSIVE MODE", transaction: transaction);
            await CheckEmptyAsync(postgres, transaction, order, fresh, target.Description);
            // Only reference rows of the migrations and replaceable rows are there: the source's take their place.
            await postgres.ExecuteAsync($"TRUNCATE {string.Join(", ", order.Select(Quote))}", transaction: transaction);

            foreach (var name in order)
            {
                var table = tables[name];
                var copied = await CopyTableAsync(sqlite, snapshot, postgres, table, ct);
                sourceCounts[name] = copied;
                await output.WriteLineAsync($"  {name,-28} {copied,12:N0} rows");
            }
            foreach (var table in order.Select(n => tables[n]))
            {
                await RestartIdentitiesAsync(postgres, transaction, table);
            }
            await transaction.CommitAsync(ct);
        }

        // Verify what was committed, on new connections: as many rows in each table as the source had, and an intact chain.
        var mismatches = new List<string>();
        foreach (var name in order)
        {
            var count = await postgres.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quote(name)}");
            if (count != sourceCounts[name])
            {
                mismatches.Add($"{name}: {sourceCounts[name]:N0} in the source, {count:N0} in the target");
            }
        }
        var chain = await new AuditLog(target, TimeProvider.System).VerifyAsync(ct);
        if (mismatches.Count > 0 || !chain.Intact)
        {
            throw new Refusal(
                $"The copy to {target.Description} was committed but does not verify: " +
                string.Join("; ", mismatches.Concat(chain.Intact ? [] : [$"audit chain broken at event {chain.FirstBrokenId}: {chain.Problem}"])) +
                ". Do not use the target: drop it, create a new empty database and copy again.");
        }
        await output.WriteLineAsync(
            $"Verified: every table has as many rows as the source; audit chain intact on the target: {chain.EventsChecked:N0} events checked.");
        // A bulk load leaves the planner without statistics and the visibility map empty (every index-only scan, such as
        // the case list's name search, would visit the table): VACUUM (ANALYZE) now, as after a pg_restore, rather than
        // whenever autovacuum comes round.
        await postgres.ExecuteAsync("VACUUM (ANALYZE)", commandTimeout: 0);
        await output.WriteLineAsync("Vacuumed and analysed the target (planner statistics, visibility map).");
        await output.WriteLineAsync(
            $"Copied {sourceCounts.Values.Sum():N0} rows in {order.Count} tables from {source.Description} to {target.Description}.");
        return 0;
    }

    /// <summary>
    /// Before the migrations touch the target: a database with other tables but no migration journal is not this
    /// app's, and one whose people tables have rows is not empty (refused without migrating it to this version).
    /// </summary>
    private static async Task CheckTargetBeforeMigratingAsync(Db target, CancellationToken ct)
    {
        DbConnection connection;
        try
        {
            connection = await target.OpenAsync(ct);
        }
        catch (Exception e) when (Db.IsDatabaseError(e) || e is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new Refusal(
                $"Cannot open {target.Description}: {e.Message} Check that the server is running and reachable, that the database " +
                "exists (create it empty first), and the user and password of --to-postgres. Nothing was done.");
        }
        await using (connection)
        {
            var tables = (await connection.QueryAsync<string>("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW')
                """)).ToHashSet(StringComparer.Ordinal);
            if (tables.Count == 0)
            {
                return;
            }
            if (!tables.Contains(JournalTable))
            {
                throw new Refusal(
                    $"{Capitalise(target.Description)} is not empty: it has {tables.Count} tables or views (for example '{tables.Order(StringComparer.Ordinal).First()}') " +
                    "but is not an RjConferences database. Give a new, empty database. Nothing was done.");
            }
            foreach (var table in PeopleTables.Where(tables.Contains))
            {
                var rows = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quote(table)}");
                if (rows > 0)
                {
                    throw new Refusal(
                        $"{Capitalise(target.Description)} is not empty: {table} has {rows:N0} rows. copy-database fills a new, empty database only " +
                        "and never overwrites data. Nothing was done.");
                }
            }
        }
    }

    /// <summary>
    /// How many rows each table has in a freshly migrated database (the reference rows the migrations insert):
    /// an SQLite database migrated in a temporary folder, by the same numbered migrations as the target's.
    /// </summary>
    private static async Task<Dictionary<string, long>> FreshRowCountsAsync(CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rjconferences-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var fresh = new Db(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "fresh.db"), Pooling = false }.ToString());
            await new Migrator(fresh, Migration.Embedded(DatabaseProvider.Sqlite)).MigrateAsync(ct);
            await using var connection = await fresh.OpenAsync(ct);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in await SourceTableNamesAsync((SqliteConnection)connection, null))
            {
                counts[table] = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quote(table)}");
            }
            return counts;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { /* the temporary folder is cleaned by the OS */ }
        }
    }

    private static async Task<IReadOnlyList<string>> SourceTableNamesAsync(SqliteConnection connection, SqliteTransaction? transaction) =>
        (await connection.QueryAsync<string>($"""
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> '{JournalTable}'
            ORDER BY name
            """, transaction: transaction)).ToList();

    /// <summary>Every table of the source, with the target's type of each column; refuses when the two schemas differ.</summary>
    private static async Task<Dictionary<string, Table>> ReadTablesAsync(SqliteConnection sqlite, SqliteTransaction snapshot,
        NpgsqlConnection postgres, CancellationToken ct)
    {
        var targetColumns = (await postgres.QueryAsync<(string Table, string Column, string Type, string Identity, string Generated, string? Default)>("""
                SELECT c.table_name, c.column_name, c.data_type, c.is_identity, c.is_generated, c.column_default
                FROM information_schema.columns AS c
                JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                ORDER BY c.table_name, c.ordinal_position
                """))
            .Where(c => c.Table != JournalTable)
            .GroupBy(c => c.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var tables = new Dictionary<string, Table>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var name in await SourceTableNamesAsync(sqlite, snapshot))
        {
            ct.ThrowIfCancellationRequested();
            if (!targetColumns.TryGetValue(name, out var columns))
            {
                problems.Add($"table {name} is not in the target");
                continue;
            }
            var sourceColumns = (await sqlite.QueryAsync<string>($"SELECT name FROM pragma_table_info('{name.Replace("'", "''")}')",
                transaction: snapshot)).ToList();
            var byName = columns.ToDictionary(c => c.Column, StringComparer.Ordinal);
            var missing = sourceColumns.Where(c => !byName.ContainsKey(c)).ToList();
            var extra = columns.Where(c => !sourceColumns.Contains(c.Column, StringComparer.Ordinal)).Select(c => c.Column).ToList();
            if (missing.Count > 0 || extra.Count > 0)
            {
                problems.Add($"table {name} has different columns" +
                    (missing.Count > 0 ? $" (only the source has {string.Join(", ", missing)})" : "") +
                    (extra.Count > 0 ? $" (only the target has {string.Join(", ", extra)})" : ""));
                continue;
            }
            var generated = sourceColumns.Where(c => byName[c].Generated == "ALWAYS").ToList();
            if (generated.Count > 0)
            {
                problems.Add($"table {name} has generated columns on the target ({string.Join(", ", generated)})");
                continue;
            }
            tables[name] = new Table(name, sourceColumns.Select(c => new Column(c, byName[c].Type, byName[c].Identity == "YES",
                byName[c].Default?.StartsWith("nextval(", StringComparison.Ordinal) == true)).ToList());
        }
        problems.AddRange(targetColumns.Keys.Where(t => !tables.ContainsKey(t) && !problems.Any(p => p.StartsWith($"table {t} ", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).Select(t => $"table {t} is not in the source"));
        if (problems.Count > 0)
        {
            throw new Refusal($"The source and the target do not have the same tables: {string.Join("; ", problems)}. Nothing was copied.");
        }
        return tables;
    }

    /// <summary>
    /// The tables in an order where every table comes after the tables it refers to (by the foreign keys of either
    /// database), so that each row's references are there when it is written; ties in name order.
    /// </summary>
    private static async Task<IReadOnlyList<string>> CopyOrderAsync(SqliteConnection sqlite, SqliteTransaction snapshot,
        NpgsqlConnection postgres, IEnumerable<string> names, CancellationToken ct)
    {
        var parents = names.ToDictionary(n => n, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var table in parents.Keys)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var parent in await sqlite.QueryAsync<string>(
                         $"SELECT DISTINCT \"table\" FROM pragma_foreign_key_list('{table.Replace("'", "''")}')", transaction: snapshot))
            {
                parents[table].Add(parent);
            }
        }
        foreach (var (child, parent) in await postgres.QueryAsync<(string Child, string Parent)>("""
                     SELECT DISTINCT c.conrelid::regclass::text, c.confrelid::regclass::text
                     FROM pg_constraint AS c
                     WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
                     """))
        {
            if (parents.TryGetValue(child.Trim('"'), out var set))
            {
                set.Add(parent.Trim('"'));
            }
        }

        var order = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (order.Count < parents.Count)
        {
            // A table referring to itself is written in the source's row order (parents were written first there too).
            var ready = parents.Keys.Where(t => !done.Contains(t) && parents[t].All(p => p == t || done.Contains(p) || !parents.ContainsKey(p)))
                .Order(StringComparer.Ordinal).ToList();
            if (ready.Count == 0)
            {
                var cycle = parents.Keys.Where(t => !done.Contains(t)).Order(StringComparer.Ordinal);
                throw new Refusal($"The tables {string.Join(", ", cycle)} refer to each other in a cycle; copy-database cannot order them. Nothing was copied.");
            }
            order.AddRange(ready);
            done.UnionWith(ready);
        }
        return order;
    }

    /// <summary>
    /// Refuses a target with rows beyond a freshly migrated database's reference rows and the
    /// <see cref="ReplaceableTables"/>, naming every table that has them.
    /// </summary>
    private static async Task CheckEmptyAsync(NpgsqlConnection postgres, IDbTransaction transaction, IReadOnlyList<string> tables,
        IReadOnlyDictionary<string, long> fresh, string description)
    {
        var found = new List<string>();
        foreach (var table in tables)
        {
            var rows = await postgres.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quote(table)}", transaction: transaction);
            var seeded = fresh.GetValueOrDefault(table);
            if (ReplaceableTables.Contains(table) && !PeopleTables.Contains(table))
            {
                continue;
            }
            if (rows != seeded)
            {
                found.Add(seeded == 0
                    ? $"{table} has {rows:N0} rows"
                    : $"{table} has {rows:N0} rows where a new database has {seeded:N0}");
            }
        }
        if (found.Count > 0)
        {
            throw new Refusal(
                $"{Capitalise(description)} is not empty: {string.Join(", ", found)}. copy-database fills a new, empty database only " +
                "and never overwrites data: create a new database (CREATE DATABASE …) and give that. Nothing was copied.");
        }
    }

    /// <summary>Writes every row of <paramref name="table"/> with binary COPY; returns how many.</summary>
    private static async Task<long> CopyTableAsync(SqliteConnection sqlite, SqliteTransaction snapshot, NpgsqlConnection postgres,
        Table table, CancellationToken ct)
    {
        var columnList = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        var types = table.Columns.Select(c => TypeOf(table.Name, c)).ToArray();
        await using var read = sqlite.CreateCommand();
        read.Transaction = snapshot;
        read.CommandText = $"SELECT {columnList} FROM {Quote(table.Name)}";
        await using var reader = await read.ExecuteReaderAsync(ct);
        await using var writer = await postgres.BeginBinaryImportAsync(
            $"COPY {Quote(table.Name)} ({columnList}) FROM STDIN (FORMAT BINARY)", ct);
        long rows = 0;
        while (await reader.ReadAsync(ct))
        {
            await writer.StartRowAsync(ct);
            for (var i = 0; i < types.Length; i++)
            {
                var value = reader.GetValue(i);
                if (value is DBNull)
                {
                    await writer.WriteNullAsync(ct);
                    continue;
                }
                object converted;
                try
                {
                    converted = Convert(value, types[i]);
                }
                catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
                {
                    throw new Refusal(
                        $"{table.Name}.{table.Columns[i].Name} of row {rows + 1} holds '{value}', which is not a {table.Columns[i].TargetType}: {e.Message} " +
                        "Nothing was copied.");
                }
                await writer.WriteAsync(converted, types[i], ct);
            }
            rows++;
        }
        await writer.CompleteAsync(ct);
        return rows;
    }

    private static NpgsqlDbType TypeOf(string table, Column column) => column.TargetType switch
    {
        "text" => NpgsqlDbType.Text,
        "character varying" => NpgsqlDbType.Varchar,
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "smallint" => NpgsqlDbType.Smallint,
        "boolean" => NpgsqlDbType.Boolean,
        "timestamp with time zone" => NpgsqlDbType.TimestampTz,
        "date" => NpgsqlDbType.Date,
        "double precision" => NpgsqlDbType.Double,
        "real" => NpgsqlDbType.Real,
        "numeric" => NpgsqlDbType.Numeric,
        "bytea" => NpgsqlDbType.Bytea,
        _ => throw new NotSupportedException($"The target column {table}.{column.Name} has the type {column.TargetType}, which copy-database does not convert to."),
    };

    /// <summary>
    /// An SQLite value (long, double, string or byte[]) as the target column's type: 0/1 as a boolean, the app's UTC
    /// ISO-8601 text as a UTC timestamptz, yyyy-MM-dd text as a date. Text stays text exactly (audit_events.occurred_at
    /// is text on both, because its hash covers that text).
    /// </summary>
    internal static object Convert(object value, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Text or NpgsqlDbType.Varchar => value switch
        {
            string s => s,
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            _ => throw new InvalidCastException($"A {value.GetType().Name} is not text."),
        },
        NpgsqlDbType.Bigint => ToLong(value),
        NpgsqlDbType.Integer => checked((int)ToLong(value)),
        NpgsqlDbType.Smallint => checked((short)ToLong(value)),
        NpgsqlDbType.Boolean => ToLong(value) switch
        {
            0 => false,
            1 => true,
            _ => throw new FormatException("A flag must be 0 or 1."),
        },
        NpgsqlDbType.TimestampTz => value is string s
            ? DateTime.TryParseExact(s, TypeHandlers.UtcFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var exact)
                ? exact
                : TypeHandlers.FromUtcText(s).UtcDateTime
            : throw new InvalidCastException("An instant is stored as UTC ISO-8601 text."),
        NpgsqlDbType.Date => value is string s
            ? DateOnly.ParseExact(s, TypeHandlers.DateFormat, CultureInfo.InvariantCulture)
            : throw new InvalidCastException("A date is stored as yyyy-MM-dd text."),
        NpgsqlDbType.Double => value switch
        {
            double d => d,
            long l => (double)l,
            _ => throw new InvalidCastException($"A {value.GetType().Name} is not a number."),
        },
        NpgsqlDbType.Real => value switch
        {
            double d => (float)d,
            long l => (float)l,
            _ => throw new InvalidCastException($"A {value.GetType().Name} is not a number."),
        },
        NpgsqlDbType.Numeric => value switch
        {
            double d => (decimal)d,
            long l => (decimal)l,
            string s => decimal.Parse(s, CultureInfo.InvariantCulture),
            _ => throw new InvalidCastException($"A {value.GetType().Name} is not a number."),
        },
        NpgsqlDbType.Bytea => value as byte[] ?? throw new InvalidCastException($"A {value.GetType().Name} is not bytes."),
        _ => throw new NotSupportedException($"copy-database does not convert to {type}."),
    };

    private static long ToLong(object value) => value switch
    {
        long l => l,
        double d when d == Math.Floor(d) => checked((long)d),
        _ => throw new InvalidCastException($"A {value.GetType().Name} ('{value}') is not a whole number."),
    };

    /// <summary>
    /// Each identity (or serial) column continues after the highest copied id, so the target's next row gets a new id.
    /// ALTER TABLE … RESTART is part of the transaction (setval is not: it would stay even if the copy rolled back).
    /// </summary>
    private static async Task RestartIdentitiesAsync(NpgsqlConnection postgres, IDbTransaction transaction, Table table)
    {
        foreach (var column in table.Columns.Where(c => c.Identity || c.Serial))
        {
            var next = await postgres.ExecuteScalarAsync<long>(
                $"SELECT coalesce(max({Quote(column.Name)}), 0) + 1 FROM {Quote(table.Name)}", transaction: transaction);
            if (column.Identity)
            {
                await postgres.ExecuteAsync(
                    $"ALTER TABLE {Quote(table.Name)} ALTER COLUMN {Quote(column.Name)} RESTART WITH {next.ToString(CultureInfo.InvariantCulture)}",
                    transaction: transaction);
            }
            else
            {
                await postgres.ExecuteAsync("SELECT setval(pg_get_serial_sequence(@table, @column), @next, false)",
                    new { table = Quote(table.Name), column = column.Name, next }, transaction);
            }
        }
    }

    /// <summary>An identifier quoted for SQL (both SQLite and PostgreSQL take double quotes).</summary>
    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary><paramref name="message"/> without the password of <paramref name="connectionString"/>, should a driver's message repeat it.</summary>
    internal static string Scrub(string message, string connectionString)
    {
        foreach (Match match in PasswordPattern.Matches(connectionString))
        {
            var secret = match.Groups["value"].Value.Trim();
            if (secret.Length > 1 && secret[0] is '"' or '\'' && secret[^1] == secret[0])
            {
                secret = secret[1..^1];
            }
            if (secret.Length > 0)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
        }
        return message;
    }
}
