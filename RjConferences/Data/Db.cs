
namespace RjConferences.Data;

/// <summary>
/// Opens one SQLite connection per operation. Never keep a connection in a scoped service:
/// in Blazor Server a scope lives as long as the user's circuit.
/// </summary>
public sealed class Db
{
    public const int BusyTimeoutMilliseconds = 5000;

    public Db(string connectionString)
    {
        ConnectionString = connectionString;
        DatabasePath = new SqliteConnectionStringBuilder(connectionString).DataSource;
    }

    public string ConnectionString { get; }

    /// <summary>The database file, as given in the connection string.</summary>
    public string DatabasePath { get; }

    /// <summary>Whether the database file is there (an in-memory database always is).</summary>
    public bool Exists => DatabasePath is "" or ":memory:" || File.Exists(DatabasePath);

    /// <summary>
    /// For tests that count what a page costs: when set, the connections this Db opens and the
    /// commands run on them are counted (see <see cref="DbUsage"/>). Null in the app, where it costs nothing.
    /// </summary>
    public DbUsage? Usage { get; set; }

    /// <summary>Opens a connection with the settings every connection runs with.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
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
    /// Runs <paramref name="work"/> in one transaction that takes the write lock up front
    /// (BEGIN IMMEDIATE), so a read-then-write cannot fail half-way with SQLITE_BUSY.
    /// Commits when <paramref name="work"/> returns; rolls back when it throws.
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<SqliteConnection, IDbTransaction, Task<T>> work,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Microsoft.Data.Sqlite issues BEGIN IMMEDIATE for a transaction that is not deferred.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public Task WriteAsync(
        Func<SqliteConnection, IDbTransaction, Task> work,
        CancellationToken cancellationToken = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, cancellationToken);

    /// <summary>
    /// The `backup` command: a consistent copy of the live database through SQLite's online backup,
    /// safe while the app is running (a plain file copy is not: the WAL holds recent writes).
    /// </summary>
    public async Task<int> BackupAsync(string? target)
    {
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
        await using var source = await OpenAsync();
        await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        destination.Open();
        source.BackupDatabase(destination);
        Console.WriteLine($"Backed up {DatabasePath} to {path}");
        return 0;
    }
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
