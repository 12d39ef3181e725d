using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RjConferences.Data;

/// <summary>One numbered SQL file from <c>migrations/</c>.</summary>
public sealed record Migration(string Name, string Sql)
{
    public static readonly Regex NamePattern = new(@"^(\d{4})_[a-z0-9]+(_[a-z0-9]+)*\.sql$", RegexOptions.CultureInvariant);

    /// <summary>SHA-256 of the script with line endings normalised, so a checkout on Windows matches.</summary>
    public string Checksum { get; } =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public int Number => int.Parse(Name[..4]);

    /// <summary>The folder of <c>migrations/</c> that holds one provider's scripts.</summary>
    public static string FolderOf(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => "postgres",
        _ => "sqlite",
    };

    /// <summary>The migrations compiled into the app for one provider (see RjConferences.csproj).</summary>
    public static IReadOnlyList<Migration> Embedded(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var assembly = typeof(Migration).Assembly;
        var prefix = $"migrations/{FolderOf(provider)}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return new Migration(n[prefix.Length..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    public static IReadOnlyList<Migration> FromDirectory(string directory) =>
        Directory.GetFiles(directory, "*.sql")
            .Select(p => new Migration(Path.GetFileName(p), File.ReadAllText(p, Encoding.UTF8)))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
}

/// <summary>The app cannot start; <see cref="Exception.Message"/> says why and names the file or path.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Applies the numbered migrations in name order, each in its own transaction, and records each
/// in <c>schema_migrations</c> with its checksum. Refuses to run when an applied migration has
/// changed or is missing, or when the file names have gaps or duplicates.
/// </summary>
public sealed class Migrator(Db db, IReadOnlyList<Migration> migrations, ILogger<Migrator>? logger = null)
{
    private const string JournalSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name        TEXT PRIMARY KEY,
            checksum    TEXT NOT NULL,
            applied_at  TEXT NOT NULL
        );
        """;

    /// <summary>
    /// What a migration needs done in C# (what SQLite's SQL cannot do), in its transaction, before its
    /// SQL. Keyed by the file name without its number, so a renumbered file keeps its step.
    /// </summary>
    private static readonly Dictionary<string, Func<DbConnection, IDbTransaction, Task>> CodeSteps = new(StringComparer.Ordinal)
    {
        // Folds the stored name keys (accents, apostrophes, hyphens) before the SQL rebuilds the search keys from them.
        ["fold_name_keys.sql"] = Features.Referrals.NameKeys.RecomputeAsync,
    };

    /// <summary>Returns the names of the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        CheckNames(migrations);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            PrepareFolder(db.DatabasePath);
        }

        DbConnection connection;
        try
        {
            connection = await db.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (Db.IsDatabaseError(e) || e is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new StartupException(
                $"Cannot open {db.Description}: {e.Message} " +
                (db.Provider == DatabaseProvider.Postgres
                    ? "Check that the server is running and reachable, and the database, user and password in ConnectionStrings:Default."
                    : "If the file is damaged, restore it from a backup."), e);
        }

        await using (connection)
        {
            // Several instances may start at once: the first migrates while the others wait, then find nothing to do.
            if (db.Provider == DatabaseProvider.Postgres)
            {
                // Waiting here is expected (another instance is migrating): not bound by the connections' lock_timeout.
                // The pool resets the setting when the connection goes back.
                await connection.ExecuteAsync("SET lock_timeout = 0");
                await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = (long)DbLock.Migrations });
            }
            try
            {
                if (db.Provider == DatabaseProvider.Sqlite)
                {
                    await RebuildSetAsideIndexesAsync(connection, cancellationToken);
                }
                return await ApplyAsync(connection, cancellationToken);
            }
            finally
            {
                if (db.Provider == DatabaseProvider.Postgres)
                {
                    await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = (long)DbLock.Migrations });
                }
            }
        }
    }

    /// <summary>The indexes a bulk load that was stopped set aside (<see cref="SetAsideIndexes"/>), made before anything else.</summary>
    private async Task RebuildSetAsideIndexesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            if (await SetAsideIndexes.RebuildAsync(connection, cancellationToken) is > 0 and var made)
            {
                logger?.SetAsideIndexesMade(made);
            }
        }
        catch (DbException e)
        {
            throw new StartupException(
                $"Cannot make the indexes that a stopped generate-synthetic run set aside in {db.Description}: {e.Message} " +
                "The database is unchanged; free disk space if it is full, or restore a backup.", e);
        }
    }

    private async Task<IReadOnlyList<string>> ApplyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        Dictionary<string, string> applied;
        try
        {
            await connection.ExecuteAsync(JournalSql);
            applied = (await connection.QueryAsync<(string Name, string Checksum)>(
                    "SELECT name, checksum FROM schema_migrations"))
                .ToDictionary(r => r.Name, r => r.Checksum, StringComparer.Ordinal);
        }
        catch (DbException e)
        {
            throw new StartupException(
                $"Cannot open {db.Description}: {e.Message} If the database is damaged, restore it from a backup.", e);
        }

        var known = migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = applied.Keys.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (unknown is not null)
        {
            throw new StartupException(
                $"The database has migration '{unknown}' applied, which this version of the app does not have. " +
                "Run the version of RjConferences that created this database, or restore a backup.");
        }

        var done = new List<string>();
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Name, out var checksum))
            {
                if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new StartupException(
                        $"Migration '{migration.Name}' has changed since it was applied to this database. " +
                        "Applied migrations must not be edited: restore the file and add a new migration instead.");
                }
                continue;
            }

            await using var transaction = await Db.BeginWriteAsync(connection, cancellationToken);
            try
            {
                if (CodeSteps.TryGetValue(migration.Name[5..], out var step))
                {
                    await step(connection, transaction);
                }
                await connection.ExecuteAsync(migration.Sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (@Name, @Checksum, @AppliedAt)",
                    new { migration.Name, migration.Checksum, AppliedAt = TypeHandlers.ToUtcText(DateTimeOffset.UtcNow) },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbException e)
            {
                try { await transaction.RollbackAsync(CancellationToken.None); }
                catch (DbException) { /* SQLite already rolled back on this error */ }
                catch (InvalidOperationException) { /* PostgreSQL: the transaction is already over */ }
                throw new StartupException(
                    $"Migration '{migration.Name}' failed and was rolled back; the database is unchanged by it: {e.Message}", e);
            }
            logger?.MigrationApplied(migration.Name);
            done.Add(migration.Name);
        }
        return done;
    }

    /// <summary>Names are NNNN_verb_object.sql, numbered from 0001 with no gaps or duplicates.</summary>
    public static void CheckNames(IReadOnlyList<Migration> migrations)
    {
        var expected = 1;
        foreach (var migration in migrations.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (!Migration.NamePattern.IsMatch(migration.Name))
            {
                throw new StartupException(
                    $"Migration file '{migration.Name}' does not follow the pattern NNNN_verb_object.sql.");
            }
            if (migration.Number != expected)
            {
                throw new StartupException(
                    $"Migration file '{migration.Name}' should be numbered {expected:D4}: numbers start at 0001 with no gaps or duplicates.");
            }
            expected++;
        }
    }

    private static void PrepareFolder(string databasePath)
    {
        if (databasePath is "" or ":memory:")
        {
            return;
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-check-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(
                $"The data folder '{folder}' cannot be created or written to: {e.Message} " +
                "Give the app's user write access, or set ConnectionStrings:Default to a writable path.", e);
        }
    }
}
