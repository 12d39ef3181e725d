namespace RjConferences.Data;

/// <summary>
/// How the app says that it is serving a SQLite database, so that <c>restore</c> can refuse to replace it: while it runs,
/// every app instance holds a shared lock (flock) on <c>&lt;database&gt;.lock</c> beside the database file; <c>restore</c>
/// takes the same lock exclusively, which it gets only when no app holds it. The kernel drops a process's locks when the
/// process ends, however it ends (kill -9 or a power cut too), so a killed app never leaves a stale refusal behind: the
/// file stays, and means nothing without a lock on it. The other way round, an app that starts while a restore holds the
/// lock refuses to start, with a message. On PostgreSQL there is no file, and nothing to do (restore is pg_restore's).
/// </summary>
public sealed class DatabaseInUse(Db db, ILogger<DatabaseInUse> logger) : IHostedService, IDisposable
{
    private FileStream? held;

    /// <summary>The lock file of the SQLite database at <paramref name="databasePath"/>.</summary>
    public static string LockPathOf(string databasePath) => Path.GetFullPath(databasePath) + ".lock";

    /// <summary>
    /// The exclusive lock for a restore of <paramref name="databasePath"/>; null while an app runs on it (holds the shared
    /// lock). Disposing the stream releases it.
    /// </summary>
    public static FileStream? TryTakeExclusive(string databasePath)
    {
        try
        {
            return new FileStream(LockPathOf(databasePath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (db.Provider != DatabaseProvider.Sqlite || db.DatabasePath is "" or ":memory:") return Task.CompletedTask;
        try
        {
            // FileShare other than None: a shared lock, which every instance on the file may hold at once.
            held = new FileStream(LockPathOf(db.DatabasePath), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException)
        {
            throw new StartupException($"A restore is replacing the database '{db.DatabasePath}' now; start the app again when it has finished.");
        }
        logger.LogDebug("Holding the lock that marks the database as in use");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }
}
