using System.Data.Common;
using Npgsql;

namespace RjConferences.Data;

/// <summary>
/// Opens one connection per operation, to SQLite (the embedded default) or PostgreSQL. Never keep a connection in a
/// scoped service: in Blazor Server a scope lives as long as the user's circuit.
/// </summary>
public sealed class Db : IDisposable
{
    public const int BusyTimeoutMilliseconds = 5000;

    private readonly NpgsqlDataSource? postgres;

    public Db(string connectionString, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        ConnectionString = connectionString;
        Provider = provider;
        Dialect = SqlDialect.For(provider);
        if (provider == DatabaseProvider.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            DatabasePath = "";
            Description = $"the PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
            postgres = NpgsqlDataSource.Create(connectionString);
        }
        else
        {
            DatabasePath = new SqliteConnectionStringBuilder(connectionString).DataSource;
            Description = $"the database '{(DatabasePath is "" or ":memory:" ? DatabasePath : Path.GetFullPath(DatabasePath))}'";
        }
    }

    public string ConnectionString { get; }

    public DatabaseProvider Provider { get; }

    /// <summary>The SQL that differs between the providers.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>The SQLite database file, as given in the connection string; empty on PostgreSQL.</summary>
    public string DatabasePath { get; }

    /// <summary>Where the data is, for messages: the file, or the PostgreSQL database and host (never the password).</summary>
    public string Description { get; }

    /// <summary>Whether the SQLite database file is there (an in-memory or PostgreSQL database always is).</summary>
    public bool Exists => Provider == DatabaseProvider.Postgres || DatabasePath is "" or ":memory:" || File.Exists(DatabasePath);

    /// <summary>
    /// For tests that count what a page costs: when set, the connections this Db opens and the
    /// commands run on them are counted (see <see cref="DbUsage"/>). Null in the app, where it costs nothing.
    /// SQLite only.
    /// </summary>
    public DbUsage? Usage { get; set; }

    /// <summary>Opens a connection with the settings every connection runs with.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (postgres is not null)
        {
            return await postgres.OpenConnectionAsync(cancellationToken);
        }
        var usage = Usage;
        var connection = usage is null ? new SqliteConnection(ConnectionString) : new CountedConnection(ConnectionString, usage);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Not connection.CreateCommand(): the settings are part of opening, not a statement of the caller's.
            await using var pragmas = new SqliteCommand { Connection = connection };
            // journal_mode=WAL is stored in the file; the others hold for this connection only.
            pragmas.CommandText = $"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
                """;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            usage?.Opened();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction; commits when it returns, rolls back when it throws.
    /// On SQLite the transaction takes the single write lock up front (BEGIN IMMEDIATE), so a read-then-write cannot
    /// fail half-way with SQLITE_BUSY. On PostgreSQL it is READ COMMITTED: the work takes the locks its invariants need
    /// (<see cref="LockAsync"/>, <see cref="SqlDialect.ForUpdate"/>), and a deadlock or serialization failure,
    /// which PostgreSQL resolves by aborting one side, runs the work again from the start (up to three times).
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<DbConnection, IDbTransaction, Task<T>> work,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken);
            try
            {
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Rolled back by the dispose; run the work again on a fresh transaction.
            }
        }
    }

    public Task WriteAsync(
        Func<DbConnection, IDbTransaction, Task> work,
        CancellationToken cancellationToken = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, cancellationToken);

    /// <summary>
    /// Begins a write transaction on an open connection: SQLite's BEGIN IMMEDIATE (Microsoft.Data.Sqlite issues it for
    /// a transaction that is not deferred), PostgreSQL's READ COMMITTED.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    /// <summary>
    /// Begins a read-only transaction that sees one consistent snapshot for all its queries
    /// (SQLite: a deferred transaction; PostgreSQL: REPEATABLE READ).
    /// </summary>
    public static async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <summary>
    /// Takes the named lock until <paramref name="transaction"/> ends, so that the invariant it guards (one audit
    /// chain, no double booking…) holds with several app instances writing at once. On SQLite the write
    /// transaction already holds the database's single write lock, so there is nothing more to take.
    /// </summary>
    public static Task LockAsync(DbConnection connection, IDbTransaction transaction, DbLock name) =>
        connection is SqliteConnection
            ? Task.CompletedTask
            : connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = (long)name }, transaction);

    /// <summary>Whether <paramref name="e"/> says that the database is busy or out of reach for now (worth telling the user to try again).</summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        NpgsqlException n => n.IsTransient || n.InnerException is System.IO.IOException or System.Net.Sockets.SocketException
            || n is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled },
        System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Whether <paramref name="e"/> is a database error (not a bug in the app's own code).</summary>
    public static bool IsDatabaseError(Exception e) => e is DbException;

    /// <summary>
    /// The `backup` command: a consistent copy of the live SQLite database through SQLite's online backup,
    /// safe while the app is running (a plain file copy is not: the WAL holds recent writes). PostgreSQL is backed
    /// up with its own tools (pg_dump; see docs/deployment.md).
    /// </summary>
    public async Task<int> BackupAsync(string? target)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            await Console.Error.WriteLineAsync("On PostgreSQL, back up with pg_dump (see docs/deployment.md); the backup command is for SQLite.");
            return 2;
        }
        if (string.IsNullOrWhiteSpace(target))
        {
            await Console.Error.WriteLineAsync("Usage: backup <file>   (the file must not exist yet)");
            return 2;
        }
        var path = Path.GetFullPath(target);
        if (File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"'{path}' already exists; choose a new file name.");
            return 2;
        }
        await BackupToAsync(path);
        Console.WriteLine($"Backed up {DatabasePath} to {path}");
        return 0;
    }

    /// <summary>
    /// Copies the live SQLite database to the new file <paramref name="path"/> with SQLite's online backup: one consistent
    /// snapshot, taken while the app goes on writing (in WAL mode a reader does not block the writer). SQLite only.
    /// </summary>
    public async Task BackupToAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var source = (SqliteConnection)await OpenAsync(cancellationToken);
        await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        destination.Open();
        source.BackupDatabase(destination);
    }

    public void Dispose() => postgres?.Dispose();
}

/// <summary>The named locks of <see cref="Db.LockAsync"/>; the numbers are PostgreSQL advisory lock keys, fixed for ever.</summary>
public enum DbLock : long
{
    /// <summary>Appending to the audit hash chain: one writer at a time, so the chain never forks.</summary>
    AuditChain = 7_410_001,

    /// <summary>Booking, rescheduling or moving a conference: the clash check and the write happen under it.</summary>
    Bookings = 7_410_002,

    /// <summary>Running the migrations: the first instance to start migrates, the others wait and find nothing to do.</summary>
    Migrations = 7_410_003,

    /// <summary>The first administrator's account: created once, however many instances are asked at once.</summary>
    FirstRun = 7_410_004,

    /// <summary>Changes to the school-day settings, rooms and term dates that check for overlaps before writing.</summary>
    SchoolDays = 7_410_005,

    /// <summary>
    /// Saving a new referral: the double-submit check and the year's next reference number happen under it, so a form
    /// sent twice to two instances saves once and takes one number.
    /// </summary>
    NewReferral = 7_410_006,
}

/// <summary>
/// What a <see cref="Db"/> was asked for while <see cref="Db.Usage"/> was set: connections opened, and every
/// command created on them (a Dapper call is one; a transaction's BEGIN and COMMIT are one each).
/// </summary>
public sealed class DbUsage
{
    private int connections;
    private readonly System.Collections.Concurrent.ConcurrentQueue<SqliteCommand> commands = new();

    public int Connections => connections;

    public int Statements => commands.Count;

    /// <summary>The text of each command, in the order they were created (to say which query came back).</summary>
    public IReadOnlyList<string> Texts => commands.Select(c => c.CommandText).ToList();

    internal void Opened() => Interlocked.Increment(ref connections);

    internal void Created(SqliteCommand command) => commands.Enqueue(command);
}

/// <summary>A connection that tells <see cref="DbUsage"/> of each command created on it (Dapper creates one per call).</summary>
internal sealed class CountedConnection(string connectionString, DbUsage usage) : SqliteConnection(connectionString)
{
    public override SqliteCommand CreateCommand()
    {
        var command = base.CreateCommand();
        usage.Created(command);
        return command;
    }
}
