using Microsoft.Data.Sqlite;
using Npgsql;
using RjConferences.Data;

namespace RjConferences.Tests.Support;

/// <summary>
/// A fresh database for one test, migrated by the real migrator, on the provider the run is for: SQLite (a file) by
/// default, PostgreSQL when <c>RJ_TEST_PROVIDER=Postgres</c> (a new database on the server of <c>RJ_TEST_POSTGRES</c>;
/// ./test.sh starts a throwaway server and runs the suite once per provider). The first database of a run is
/// migrated and kept as a template; later ones are copies of it (a file copy, or PostgreSQL's CREATE DATABASE …
/// TEMPLATE), which is much faster than migrating each.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    public const string ProviderVariable = "RJ_TEST_PROVIDER";
    public const string PostgresVariable = "RJ_TEST_POSTGRES";

    private static readonly Lazy<string> SqliteTemplate = new(CreateSqliteTemplate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> PostgresTemplate = new(CreatePostgresTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// How CREATE DATABASE copies its template: PostgreSQL 15's default, WAL_LOG, writes every block of the copy to the
    /// WAL (about 190 ms for the migrated template here); FILE_COPY copies the files (about 30 ms). Over the thousand
    /// tests of the PostgreSQL pass that was two and a half minutes. Older servers have only the file copy.
    /// </summary>
    private static readonly Lazy<string> CopyStrategy = new(
        () => AdminScalar("SHOW server_version_num") is { } version && int.Parse(version) >= 150000 ? " STRATEGY FILE_COPY" : "",
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The provider of this test run.</summary>
    public static DatabaseProvider Provider { get; } =
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "Postgres", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.Postgres
            : DatabaseProvider.Sqlite;

    public static bool IsPostgres => Provider == DatabaseProvider.Postgres;

    /// <summary>SQL for a fresh random id, for rows that tests write in bulk straight into the tables.</summary>
    public static string RandomIdSql => IsPostgres ? "gen_random_uuid()::text" : "lower(hex(randomblob(16)))";

    /// <summary>SQL for <paramref name="prefix"/> followed by <paramref name="number"/> zero-padded to <paramref name="width"/> digits.</summary>
    public static string PaddedSql(string prefix, string number, int width) =>
        IsPostgres ? $"'{prefix}' || lpad(CAST({number} AS text), {width}, '0')" : $"printf('{prefix}%0{width}d', {number})";

    /// <summary>
    /// A copy of a database made once per run: <paramref name="seed"/> fills a copy of the migrated template (given a connection
    /// string without pooling, so that nothing stays connected to it) the first time <paramref name="key"/> is asked for, and every
    /// database of that key is a copy of the result. For the fixed part of a test world (accounts, rooms) that many tests build
    /// alike: on PostgreSQL, building it on a new database cost about a quarter of a second a test, most of it in the first
    /// statements of each new server connection; a copy costs what the migrated template's does.
    /// </summary>
    public static TestDatabase FromTemplate(string key, Func<string, Task> seed) =>
        new(template: WorldTemplates.GetOrAdd(key, _ => new Lazy<string>(() => CreateWorldTemplate(seed), LazyThreadSafetyMode.ExecutionAndPublication)).Value);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> WorldTemplates = new();

    /// <param name="provider">The provider, when a test needs one whatever the run's (a test of several instances needs PostgreSQL).</param>
    /// <param name="folder">Where the SQLite file goes (a folder to create, e.g. on a <see cref="TinyDisk"/>); default a new temporary one.</param>
    public TestDatabase(bool migrated = true, DatabaseProvider? provider = null, string? folder = null) : this(migrated, provider, folder, null)
    {
    }

    private TestDatabase(string template) : this(true, null, null, template)
    {
    }

    private TestDatabase(bool migrated, DatabaseProvider? provider, string? folder, string? template)
    {
        Folder = folder ?? Path.Combine(Path.GetTempPath(), "rjconferences-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "test.db");
        if ((provider ?? Provider) == DatabaseProvider.Postgres)
        {
            DatabaseName = "rj_test_" + Guid.NewGuid().ToString("N");
            AdminExecute(migrated
                ? $"CREATE DATABASE {DatabaseName} TEMPLATE {template ?? PostgresTemplate.Value}{CopyStrategy.Value}"
                : $"CREATE DATABASE {DatabaseName} TEMPLATE template0 ENCODING 'UTF8'{CopyStrategy.Value}");
            ConnectionString = PostgresConnectionString(DatabaseName);
            Db = new Db(ConnectionString, DatabaseProvider.Postgres);
        }
        else
        {
            if (migrated)
            {
                File.Copy(template ?? SqliteTemplate.Value, FilePath);
            }
            // Pooled, as the app's own connection string is: an SQLite connection parses the whole schema when it
            // opens, and without the pool every connection a test opened paid for that again. Dispose clears the
            // pools, so the file can go.
            ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath }.ToString();
            Db = new Db(ConnectionString);
        }
    }

    public string Folder { get; }

    /// <summary>The SQLite file (on PostgreSQL, a path in <see cref="Folder"/> that nothing uses).</summary>
    public string FilePath { get; }

    /// <summary>The PostgreSQL database's name; null on SQLite.</summary>
    public string? DatabaseName { get; }

    public string ConnectionString { get; }

    public Db Db { get; }

    public DatabaseProvider DatabaseProvider => Db.Provider;

    /// <summary>An SQLite connection string for a file (tests of SQLite-only things: files, folders, backups).</summary>
    public static string ConnectionStringFor(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    /// <summary>The settings that point the app at a connection string: its provider, then the string itself.</summary>
    public static DatabaseProvider ProviderOf(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

    public void Dispose()
    {
        Db.Dispose();
        if (DatabaseName is not null)
        {
            // FORCE: a background task or an undisposed pool may still hold a connection; the database goes anyway.
            try { AdminExecute($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)"); }
            catch (NpgsqlException) { /* the server is gone at the end of a run; test.sh removes its folder */ }
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a background task; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>
    /// Another connection that holds a lock until disposed, as a stuck instance would: on SQLite the single write lock
    /// (BEGIN IMMEDIATE); on PostgreSQL the advisory lock <paramref name="advisory"/> or, with <paramref name="sql"/>, the row
    /// locks its statement takes. Unpooled: it must not go back to a pool still holding the lock.
    /// </summary>
    public async Task<System.Data.Common.DbConnection> HoldLockAsync(DbLock advisory, string? sql = null)
    {
        if (DatabaseName is null)
        {
            var sqlite = new SqliteConnection(ConnectionStringFor(FilePath));
            await sqlite.OpenAsync();
            await Dapper.SqlMapper.ExecuteAsync(sqlite, "BEGIN IMMEDIATE");
            return sqlite;
        }
        var postgres = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await postgres.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(postgres, "START TRANSACTION"); // not "BEGIN": Dapper takes a one-word text for a procedure
        await Dapper.SqlMapper.ExecuteAsync(postgres, sql ?? "SELECT pg_advisory_xact_lock(@key)", new { key = (long)advisory });
        return postgres;
    }

    /// <summary>The server of this run, from RJ_TEST_POSTGRES (e.g. "Host=127.0.0.1;Port=5433;Username=postgres").</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set: give it a PostgreSQL server, e.g. \"Host=127.0.0.1;Port=5433;Username=postgres\" (./test.sh starts one and sets it).");

    /// <summary>A connection string to database <paramref name="name"/> on the run's server; idle pooled connections close within seconds, so a dropped database leaves none behind.</summary>
    public static string PostgresConnectionString(string name) =>
        new NpgsqlConnectionStringBuilder(PostgresServer)
        {
            Database = name,
            MaxPoolSize = 20,
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        }.ToString();

    /// <summary>Runs a statement on the server's maintenance database (CREATE / DROP DATABASE).</summary>
    public static void AdminExecute(string sql) => AdminScalar(sql);

    /// <summary>
    /// The maintenance database's connections, pooled: every test's database is made and dropped on one, and a new server process
    /// for each cost about 30 ms of the server's CPU (two a test, some 2,000 a run). Nothing is left on them between statements
    /// (no reset needed), and they hold no database that CREATE DATABASE … TEMPLATE or DROP DATABASE waits for.
    /// </summary>
    private static readonly Lazy<string> AdminConnectionString = new(() => new NpgsqlConnectionStringBuilder(PostgresServer)
    {
        Database = "postgres",
        NoResetOnClose = true,
    }.ToString());

    /// <summary>Runs a statement on the server's maintenance database and returns its first value, if any.</summary>
    private static string? AdminScalar(string sql)
    {
        using var connection = new NpgsqlConnection(AdminConnectionString.Value);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }

    /// <summary>A migrated template filled by <paramref name="seed"/>: an SQLite file with its WAL folded in, or a PostgreSQL database.</summary>
    private static string CreateWorldTemplate(Func<string, Task> seed)
    {
        if (IsPostgres)
        {
            var name = "rj_world_" + Guid.NewGuid().ToString("N");
            AdminExecute($"CREATE DATABASE {name} TEMPLATE {PostgresTemplate.Value}{CopyStrategy.Value}");
            seed(new NpgsqlConnectionStringBuilder(PostgresConnectionString(name)) { Pooling = false }.ToString()).GetAwaiter().GetResult();
            return name;
        }
        var folder = Path.Combine(Path.GetTempPath(), "rjconferences-tests", "world-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "world.db");
        File.Copy(SqliteTemplate.Value, path);
        seed(ConnectionStringFor(path)).GetAwaiter().GetResult();
        FoldWal(new Db(ConnectionStringFor(path)));
        return path;
    }

    /// <summary>Folds the WAL of <paramref name="db"/>'s file into the main file, so that a plain copy of it carries everything.</summary>
    private static void FoldWal(Db db)
    {
        using (db)
        using (var connection = db.OpenAsync().GetAwaiter().GetResult())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;";
            command.ExecuteNonQuery();
        }
    }

    private static string CreateSqliteTemplate()
    {
        TypeHandlers.Register();
        var folder = Path.Combine(Path.GetTempPath(), "rjconferences-tests", "template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "template.db");
        var db = new Db(ConnectionStringFor(path));
        new Migrator(db, Migration.Embedded()).MigrateAsync().GetAwaiter().GetResult();
        FoldWal(db);
        SqliteConnection.ClearAllPools();
        return path;
    }

    private static string CreatePostgresTemplate()
    {
        TypeHandlers.Register();
        var name = "rj_template_" + Guid.NewGuid().ToString("N");
        AdminExecute($"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'{CopyStrategy.Value}");
        // No pooling: CREATE DATABASE … TEMPLATE needs the template to have no connections left.
        using (var db = new Db(new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name, Pooling = false }.ToString(), DatabaseProvider.Postgres))
        {
            new Migrator(db, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync().GetAwaiter().GetResult();
        }
        return name;
    }
}
