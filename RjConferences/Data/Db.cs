using System.Data.Common;
using System.Diagnostics;
using Npgsql;

namespace RjConferences.Data;

/// <summary>
/// Opens one connection per operation, to SQLite (the embedded default) or PostgreSQL. Never keep a connection in a
/// scoped service: in Blazor Server a scope lives as long as the user's circuit.
/// </summary>
public sealed class Db : IDisposable
{
    /// <summary>
    /// How long a statement waits for a lock another connection holds before it gives up (SQLite's busy timeout,
    /// PostgreSQL's lock_timeout): the save is then refused as "busy" (<see cref="DbFailure.Busy"/>) and the user keeps
    /// what they typed, instead of waiting without end.
    /// </summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource? postgres;
    private readonly long lockTimeoutMilliseconds;
    private readonly long memoryMapBytes;
    private readonly string sqliteConnectionString = "";

    /// <param name="lockTimeout">How long to wait for a lock (default <see cref="DefaultLockTimeout"/>). On PostgreSQL a
    /// <c>lock_timeout</c> given in the connection string's Options wins.</param>
    /// <param name="sqliteMemoryMapBytes">
    /// SQLite: how much of the file each connection reads through memory-mapped I/O (<c>PRAGMA mmap_size</c>) instead of
    /// read() into its own page cache; 0, the default, for none (<c>Database:SqliteMemoryMapMegabytes</c>). Off by default
    /// because in WAL mode SQLite unmaps the whole file from a connection whenever it starts a read after anyone else
    /// wrote: with users viewing cases (each view writes its audit row) every pooled connection mapped the file again
    /// about 77 times a second between them and took a page fault on every page it touched after that. At 500 users on
    /// 2 cores: p95 5.0 s and 32.7 ms of CPU per interaction with 1 GiB mapped, against 50 ms and 10.7 ms without, side by
    /// side (docs/capacity.md). A read-mostly database, whose connections keep their mapping, can gain from it.
    /// </param>
    public Db(string connectionString, DatabaseProvider provider = DatabaseProvider.Sqlite, TimeSpan? lockTimeout = null,
        long sqliteMemoryMapBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sqliteMemoryMapBytes);
        memoryMapBytes = sqliteMemoryMapBytes;
        ConnectionString = connectionString;
        Provider = provider;
        Dialect = SqlDialect.For(provider);
        LockTimeout = lockTimeout ?? DefaultLockTimeout;
        lockTimeoutMilliseconds = (long)LockTimeout.TotalMilliseconds;
        if (provider == DatabaseProvider.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            DatabasePath = "";
            Description = $"the PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
            // Sent with the start-up packet: no extra round trip. Without it a write behind a held row or advisory
            // lock waits for ever, and the user's form spins.
            if (builder.Options?.Contains("lock_timeout", StringComparison.OrdinalIgnoreCase) != true)
            {
                builder.Options = $"{builder.Options} -c lock_timeout={lockTimeoutMilliseconds}".Trim();
            }
            // Statements the app runs again and again (every save's audit row, its advisory lock, the case it reads) are
            // prepared on each pooled connection after their second use, so the server parses and plans each once per
            // connection instead of once per run: seed-demo, some 60,000 statements, took 19.6 and 26.0 s with this against
            // 36.5 and 34.3 s without (docs/performance.md). A connection string that sets Max Auto Prepare keeps its own.
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxAutoPrepare = 100;
                builder.AutoPrepareMinUsages = 2;
            }
            // Npgsql's own metrics label each pool with this name: without it, the connection string (host, user) would be the label.
            postgres = new NpgsqlDataSourceBuilder(builder.ToString()) { Name = "rjconferences" }.Build();
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            DatabasePath = builder.DataSource;
            // Microsoft.Data.Sqlite retries a busy statement itself until the command timeout (30 s by default), over and
            // above SQLite's busy_timeout: the timeout is the lock timeout here too, in whole seconds (at least 1), unless
            // the connection string sets its own.
            if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
            {
                builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(LockTimeout.TotalSeconds));
            }
            sqliteConnectionString = builder.ToString();
            Description = $"the database '{(DatabasePath is "" or ":memory:" ? DatabasePath : Path.GetFullPath(DatabasePath))}'";
        }
    }

    public string ConnectionString { get; }

    /// <summary>How long a statement waits for a lock held by another connection (see <see cref="DefaultLockTimeout"/>).</summary>
    public TimeSpan LockTimeout { get; }

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

    /// <summary>The page size of a new SQLite database, in bytes.</summary>
    public const int SqlitePageSize = 8192;

    /// <summary>Opens a connection with the settings every connection runs with.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (postgres is not null)
        {
            return await postgres.OpenConnectionAsync(cancellationToken);
        }
        var connection = new AppSqliteConnection(sqliteConnectionString, Usage);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Not connection.CreateCommand(): the settings are part of opening, not a statement of the caller's.
            await using var pragmas = new SqliteCommand { Connection = connection };
            // page_size and journal_mode=WAL are stored in the file; the others hold for this connection only. The page size
            // takes effect only when the file is still empty (a new database, before its first table): an existing database
            // keeps its own. 8 KiB rather than SQLite's default 4 KiB: generate-synthetic 6-10 % faster (half the WAL frames
            // to write and checkpoint) and the case list and My work no slower at a million cases (docs/performance.md).
            pragmas.CommandText = $"""
                PRAGMA page_size = {SqlitePageSize};
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = {lockTimeoutMilliseconds};
                PRAGMA mmap_size = {memoryMapBytes};
                """;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            Usage?.Opened();
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
        using var activity = AppTelemetry.Source.StartActivity("db write");
        activity?.SetTag("db.system.name", AppTelemetry.SystemName(Provider));
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = "rolled_back";
            try
            {
                await using var connection = await OpenAsync(cancellationToken);
                await using var transaction = await BeginWriteAsync(connection, cancellationToken);
                try
                {
                    var result = await work(connection, transaction);
                    await transaction.CommitAsync(cancellationToken);
                    outcome = "committed";
                    activity?.SetTag("rjconferences.db.attempts", attempt);
                    return result;
                }
                catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
                {
                    // Rolled back by the dispose; run the work again on a fresh transaction.
                    outcome = "retried";
                }
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                throw;
            }
            finally
            {
                if (AppTelemetry.TransactionDuration.Enabled)
                {
                    AppTelemetry.TransactionDuration.Record(AppTelemetry.SecondsSince(started),
                        new("db.system.name", AppTelemetry.SystemName(Provider)), new("outcome", outcome));
                }
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
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        if (connection is not SqliteConnection sqlite)
        {
            return await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        }
        // BEGIN IMMEDIATE waits (up to the busy timeout) for the database's single write lock: that wait is the lock wait.
        var started = Stopwatch.GetTimestamp();
        var transaction = sqlite.BeginTransaction(deferred: false);
        if (AppTelemetry.LockWait.Enabled)
        {
            AppTelemetry.LockWait.Record(AppTelemetry.SecondsSince(started), new("db.system.name", "sqlite"), new("lock", "database"));
        }
        return transaction;
    }

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
    public static async Task LockAsync(DbConnection connection, IDbTransaction transaction, DbLock name)
    {
        if (connection is SqliteConnection) return;
        var started = Stopwatch.GetTimestamp();
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = (long)name }, transaction);
        if (AppTelemetry.LockWait.Enabled)
        {
            AppTelemetry.LockWait.Record(AppTelemetry.SecondsSince(started), new("db.system.name", "postgresql"), new("lock", LockLabel(name)));
        }
    }

    /// <summary>The lock's name as a metric label: snake_case, one of the few <see cref="DbLock"/> names.</summary>
    private static string LockLabel(DbLock name) => name switch
    {
        DbLock.AuditChain => "audit_chain",
        DbLock.Bookings => "bookings",
        DbLock.Migrations => "migrations",
        DbLock.FirstRun => "first_run",
        DbLock.SchoolDays => "school_days",
        DbLock.NewReferral => "new_referral",
        _ => "other",
    };

    /// <summary>Whether <paramref name="e"/> says that the database is busy or out of reach for now (worth telling the user to try again).</summary>
    public static bool IsUnavailable(Exception e) => FailureOf(e) is DbFailure.Busy or DbFailure.Unreachable;

    /// <summary>
    /// Whether <paramref name="e"/> is a failure of the database rather than of the app (<see cref="FailureOf"/> is not
    /// <see cref="DbFailure.None"/>): the write was rolled back whole, and the same save can be sent again later.
    /// </summary>
    public static bool IsNotSaved(Exception e) => FailureOf(e) != DbFailure.None;

    /// <summary>
    /// What kind of database failure <paramref name="e"/> is, so that a save or a page can say why nothing was saved:
    /// the one place that knows the providers' error codes.
    /// </summary>
    public static DbFailure FailureOf(Exception e) => e switch
    {
        // Primary result codes: the low byte of an extended one (SQLITE_IOERR_WRITE is 778 = 10 + 3 × 256).
        SqliteException s => (s.SqliteErrorCode & 0xFF) switch
        {
            5 or 6 => DbFailure.Busy, // SQLITE_BUSY (the busy timeout ran out), SQLITE_LOCKED
            13 => DbFailure.NoRoom, // SQLITE_FULL: the disk (or the database's size limit) is full
            10 or 8 => DbFailure.CannotWrite, // SQLITE_IOERR, SQLITE_READONLY
            _ => DbFailure.None,
        },
        PostgresException p => p.SqlState switch
        {
            PostgresErrorCodes.DiskFull => DbFailure.NoRoom, // 53100
            "58030" or PostgresErrorCodes.ReadOnlySqlTransaction => DbFailure.CannotWrite, // io_error, 25006 (a standby)
            PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled => DbFailure.Busy, // 55P03 (lock_timeout), 57014
            { } state when state.StartsWith("53", StringComparison.Ordinal) => DbFailure.Unreachable, // out of memory, connections…
            _ => p.IsTransient ? DbFailure.Unreachable : DbFailure.None,
        },
        NpgsqlException n => n.IsTransient || n.InnerException is System.IO.IOException or System.Net.Sockets.SocketException
            ? DbFailure.Unreachable : DbFailure.None,
        System.Net.Sockets.SocketException or TimeoutException => DbFailure.Unreachable,
        _ => DbFailure.None,
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
        try
        {
            await BackupToAsync(path);
        }
        catch (Exception e) when (IsNotSaved(e) || e is IOException or InvalidOperationException)
        {
            // Nothing is left at the target: the unfinished or unsound copy was removed.
            await Console.Error.WriteLineAsync($"The backup was not made: {e.Message}");
            return 1;
        }
        Console.WriteLine($"Backed up {DatabasePath} to {path} ({new FileInfo(path).Length:N0} bytes; SQLite's integrity check of the copy: ok)");
        return 0;
    }

    /// <summary>
    /// Copies the live SQLite database to the new file <paramref name="path"/> with SQLite's online backup: one consistent
    /// snapshot, taken while the app goes on writing (in WAL mode a reader does not block the writer). The copy is written
    /// under a temporary name (<c>….partial</c>), checked (<c>PRAGMA integrity_check</c>) and only then given its name, so a
    /// file at <paramref name="path"/> is always a whole, sound copy: a copy cut short (a full disk, a killed process) or
    /// unsound is removed and the error thrown. SQLite only; for the <c>backup</c> command and the scheduled backups.
    /// </summary>
    public async Task BackupToAsync(string path, CancellationToken cancellationToken = default)
    {
        var partial = path + ".partial";
        try
        {
            await using (var source = (SqliteConnection)await OpenAsync(cancellationToken))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await copy.OpenAsync(cancellationToken);
                source.BackupDatabase(copy);
                var check = (await copy.QueryAsync<string>("PRAGMA integrity_check")).ToList();
                if (check is not ["ok"])
                {
                    throw new InvalidOperationException($"The backup copy failed its integrity check: {string.Join("; ", check.Take(3))}");
                }
            }
            File.Move(partial, path); // never over an existing file
        }
        finally
        {
            File.Delete(partial); // nothing, after the rename; else the unfinished copy
        }
    }

    public void Dispose() => postgres?.Dispose();
}

/// <summary>Why the database refused or failed a statement (<see cref="Db.FailureOf"/>); in every case nothing of the transaction was kept.</summary>
public enum DbFailure
{
    /// <summary>Not a database failure: a bug, or a rule of the app's own.</summary>
    None,

    /// <summary>The lock could not be had in time (SQLite's busy timeout, PostgreSQL's lock_timeout): other work holds it.</summary>
    Busy,

    /// <summary>The database did not answer: the server is down or out of reach, or out of connections or memory.</summary>
    Unreachable,

    /// <summary>The disk that holds the database is full (SQLITE_FULL, PostgreSQL disk_full).</summary>
    NoRoom,

    /// <summary>The database cannot write at all: an I/O error, or it is read-only (SQLITE_IOERR, SQLITE_READONLY, io_error, a standby).</summary>
    CannotWrite,
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
    public IReadOnlyList<string> Texts => Commands.Select(c => c.CommandText).ToList();

    /// <summary>The commands themselves, with their parameters (to ask SQLite for a statement's plan).</summary>
    public IReadOnlyList<SqliteCommand> Commands => commands.ToList();

    internal void Opened() => Interlocked.Increment(ref connections);

    internal void Created(SqliteCommand command) => commands.Enqueue(command);
}

/// <summary>
/// Every SQLite connection the app opens: its commands time themselves (<see cref="AppTelemetry.CommandDuration"/>, only while
/// something listens) and, for tests that count what a page costs, tell <see cref="DbUsage"/> of each command created
/// (Dapper creates one per call).
/// </summary>
internal sealed class AppSqliteConnection(string connectionString, DbUsage? usage) : SqliteConnection(connectionString)
{
    public override SqliteCommand CreateCommand()
    {
        var command = new TimedSqliteCommand { Connection = this, CommandTimeout = DefaultTimeout, Transaction = base.CreateCommand().Transaction };
        usage?.Created(command);
        return command;
    }
}

/// <summary>
/// A SQLite command that records how long it took to run up to its first row (every execute method of SqliteCommand goes
/// through <see cref="ExecuteReader(CommandBehavior)"/>; for a write, that is the whole statement).
/// </summary>
internal sealed class TimedSqliteCommand : SqliteCommand
{
    public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
    {
        if (!AppTelemetry.CommandDuration.Enabled) return base.ExecuteReader(behavior);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var reader = base.ExecuteReader(behavior);
            outcome = "ok";
            return reader;
        }
        finally
        {
            AppTelemetry.CommandDuration.Record(AppTelemetry.SecondsSince(started), new("db.system.name", "sqlite"), new("outcome", outcome));
        }
    }
}
