namespace RjConferences.Features.Backups;

/// <summary>
/// The <c>restore &lt;backup-file&gt; [--to &lt;database&gt;]</c> command (SQLite). It copies the backup beside the target
/// (<c>&lt;target&gt;.restoring-&lt;time&gt;</c>) and checks that copy before it replaces anything: SQLite's integrity check,
/// the migrations it has (none newer than this version of the app knows), the audit log's hash chain (what
/// <c>verify-audit</c> checks), and the rows of every table, printed. Only then, holding the lock that no running app may hold
/// (<see cref="DatabaseInUse"/>), it keeps the current database as <c>&lt;target&gt;.before-restore-&lt;time&gt;</c> and renames
/// the checked copy over the target, in one step: the target is always either the old database or the whole new one.
/// Any refusal changes nothing.
/// </summary>
public sealed class DatabaseRestore(Db db, TimeProvider clock)
{
    public async Task<int> RunAsync(string? backupFile, string? to, TextWriter output, TextWriter error)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await error.WriteLineAsync("On PostgreSQL, restore with pg_restore (see docs/deployment.md); the restore command is for SQLite.");
            return 2;
        }
        if (string.IsNullOrWhiteSpace(backupFile))
        {
            await error.WriteLineAsync("Usage: restore <backup-file> [--to <database>]");
            return 2;
        }
        var backup = Path.GetFullPath(backupFile);
        var target = Path.GetFullPath(to ?? db.DatabasePath);
        if (!File.Exists(backup))
        {
            await error.WriteLineAsync($"There is no backup at '{backup}'. Nothing was changed.");
            return 1;
        }
        if (string.Equals(backup, target, StringComparison.Ordinal))
        {
            await error.WriteLineAsync($"'{backup}' is the database itself; give a backup of it, or another database with --to. Nothing was changed.");
            return 2;
        }
        if (File.Exists(backup + "-wal"))
        {
            await error.WriteLineAsync($"'{backup}' has a write-ahead log beside it ({Path.GetFileName(backup)}-wal): it looks like a database in use, not a backup. " +
                "Make a backup of it with the backup command, and restore that. Nothing was changed.");
            return 1;
        }
        if (Path.GetDirectoryName(target) is not { } folder || !Directory.Exists(folder))
        {
            await error.WriteLineAsync($"The folder of '{target}' does not exist. Nothing was changed.");
            return 1;
        }

        using var exclusive = DatabaseInUse.TryTakeExclusive(target);
        if (exclusive is null)
        {
            await error.WriteLineAsync($"The app is running on '{target}': stop it (every instance on this database) and run the restore again. Nothing was changed.");
            return 1;
        }

        var stamp = clock.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var copy = $"{target}.restoring-{stamp}";
        try
        {
            File.Copy(backup, copy);
            await output.WriteLineAsync($"Checking the backup '{backup}' ({new FileInfo(copy).Length:N0} bytes)");
            if (await CheckAsync(copy, output) is { } problem)
            {
                await error.WriteLineAsync($"The backup was not restored: {problem} Nothing was changed.");
                return 1;
            }

            string? kept = null;
            if (File.Exists(target))
            {
                // Everything in the old database's write-ahead log into the file first, so that the copy kept is whole and
                // no log of the old database is left beside the new one (SQLite would apply it to the wrong file).
                await using (var old = Open(target))
                {
                    await old.OpenAsync();
                    await old.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                if (File.Exists(target + "-wal") && new FileInfo(target + "-wal").Length > 0)
                {
                    await error.WriteLineAsync($"The write-ahead log of '{target}' could not be emptied into it. Nothing was changed.");
                    return 1;
                }
                File.Delete(target + "-wal");
                File.Delete(target + "-shm");
                kept = $"{target}.before-restore-{stamp}";
                File.Copy(target, kept);
            }
            File.Move(copy, target, overwrite: true); // one rename: the old database, or the new one, never neither
            await output.WriteLineAsync($"Restored '{backup}' to '{target}'." + (kept is null ? "" : $" The database it replaced is kept as '{kept}'."));
            return 0;
        }
        finally
        {
            foreach (var leftover in new[] { copy, copy + "-wal", copy + "-shm", copy + "-journal" })
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>What is wrong with the database file at <paramref name="path"/> as a backup to restore; null when nothing is. Prints what it checks.</summary>
    public async Task<string?> CheckAsync(string path, TextWriter output)
    {
        try
        {
            await using var connection = Open(path);
            await connection.OpenAsync();
            var integrity = (await connection.QueryAsync<string>("PRAGMA integrity_check")).ToList();
            if (integrity is not ["ok"])
            {
                return $"SQLite's integrity check failed: {string.Join("; ", integrity.Take(3))}.";
            }
            await output.WriteLineAsync("Integrity check: ok");

            if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") == 0)
            {
                return "it is not an RjConferences database (it has no schema_migrations table).";
            }
            var applied = (await connection.QueryAsync<string>("SELECT name FROM schema_migrations")).ToList();
            var known = Migration.Embedded(DatabaseProvider.Sqlite).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            if (applied.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } newer)
            {
                return $"it was made by a newer version of RjConferences (migrations this version does not know: {string.Join(", ", newer)}); restore it with that version.";
            }
            var missing = known.Count(n => !applied.Contains(n));
            await output.WriteLineAsync(missing == 0
                ? $"Schema: {applied.Count} migrations, as this version has"
                : $"Schema: {applied.Count} migrations; the app will apply the {missing} it lacks when it starts");

            var tables = (await connection.QueryAsync<string>(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).ToList();
            var width = tables.Max(t => t.Length) + 2;
            foreach (var table in tables)
            {
                // The names come from the file's own catalogue, quoted as identifiers: no value is built into the SQL.
                var rows = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM \"{table.Replace("\"", "\"\"")}\"");
                await output.WriteLineAsync($"  {table.PadRight(width)}{rows,10:N0}");
            }
        }
        catch (SqliteException e)
        {
            return $"it is not a readable SQLite database ({e.Message}).";
        }

        using var copy = new Db(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        AuditChainResult chain;
        try
        {
            chain = await new AuditLog(copy, clock).VerifyAsync();
        }
        catch (SqliteException e)
        {
            return $"its audit log cannot be read ({e.Message}).";
        }
        if (!chain.Intact)
        {
            return $"its audit chain is broken at event {chain.FirstBrokenId}: {chain.Problem}";
        }
        await output.WriteLineAsync($"Audit chain intact: {chain.EventsChecked} events checked.");
        return null;
    }

    private static SqliteConnection Open(string path) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
}
