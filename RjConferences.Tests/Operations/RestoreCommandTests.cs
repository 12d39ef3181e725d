using Dapper;
using Microsoft.Data.Sqlite;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The restore command (SQLite), run as the built app's own process: it checks a backup before it replaces anything, and
/// refuses a corrupt backup, a tampered audit chain, and a target an app is running on (and not after that app was killed).
/// </summary>
[RunsLong(20)]
[Trait("Category", "SqliteOnly")]
public sealed class RestoreCommandTests : IDisposable
{
    private readonly TestDatabase source = new(provider: RjConferences.Data.DatabaseProvider.Sqlite);
    private readonly TestDatabase target = new(provider: RjConferences.Data.DatabaseProvider.Sqlite);

    public void Dispose()
    {
        source.Dispose();
        target.Dispose();
    }

    private string BackupPath => Path.Combine(source.Folder, "backup.db");

    /// <summary>A backup of the source with <paramref name="events"/> audit events, taken with the app's online backup.</summary>
    private async Task<string> BackupWithEventsAsync(int events)
    {
        var audit = new AuditLog(source.Db, new RunningClock());
        for (var i = 0; i < events; i++)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "school", EntityId: i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        await source.Db.BackupToAsync(BackupPath);
        return BackupPath;
    }

    private static async Task<long> AuditEventsAsync(string path)
    {
        await using var connection = new SqliteConnection(TestDatabase.ConnectionStringFor(path));
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events");
    }

    private Task<AppProcess.Result> RestoreAsync(string backup) =>
        AppProcess.RunAsync(target.ConnectionString, null, "restore", backup);

    private void AssertTargetUntouched(AppProcess.Result result, long eventsBefore)
    {
        Assert.Equal(eventsBefore, AuditEventsAsync(target.FilePath).GetAwaiter().GetResult());
        Assert.DoesNotContain(Directory.GetFiles(target.Folder), f => f.Contains(".restoring-", StringComparison.Ordinal) || f.Contains(".before-restore-", StringComparison.Ordinal));
        Assert.Contains("Nothing was changed.", result.Error);
    }

    [Fact]
    public async Task Restores_a_good_backup_after_checking_it_and_keeps_the_database_it_replaced()
    {
        var backup = await BackupWithEventsAsync(5);
        var before = await AuditEventsAsync(target.FilePath);

        var result = await RestoreAsync(backup);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("Integrity check: ok", result.Output);
        Assert.Contains("Audit chain intact: 5 events checked.", result.Output);
        Assert.Matches(@"audit_events\s+5\b", result.Output);
        Assert.Equal(5, await AuditEventsAsync(target.FilePath));
        var kept = Assert.Single(Directory.GetFiles(target.Folder, "test.db.before-restore-*"));
        Assert.Equal(before, await AuditEventsAsync(kept));
        Assert.Empty(Directory.GetFiles(target.Folder, "test.db.restoring-*"));
        var verify = await AppProcess.RunAsync(target.ConnectionString, null, "verify-audit");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
    }

    [Fact]
    public async Task Refuses_a_corrupt_backup_without_touching_the_target()
    {
        var backup = await BackupWithEventsAsync(3);
        var before = await AuditEventsAsync(target.FilePath);
        // A run of pages in the middle of the file overwritten, as a bad disk or an interrupted copy leaves it.
        var bytes = await File.ReadAllBytesAsync(backup);
        var pageSize = 4096;
        for (var i = 2 * pageSize; i < Math.Min(bytes.Length, 12 * pageSize); i++) bytes[i] = 0x5A;
        await File.WriteAllBytesAsync(backup, bytes);

        var result = await RestoreAsync(backup);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The backup was not restored:", result.Error);
        AssertTargetUntouched(result, before);
    }

    [Fact]
    public async Task Refuses_a_backup_whose_audit_chain_was_tampered_with()
    {
        var backup = await BackupWithEventsAsync(3);
        var before = await AuditEventsAsync(target.FilePath);
        await using (var connection = new SqliteConnection(TestDatabase.ConnectionStringFor(backup)))
        {
            // Someone with the file drops the guard triggers and rewrites an event: the file is sound, the chain is not.
            await connection.ExecuteAsync("""
                DROP TRIGGER audit_events_no_update;
                UPDATE audit_events SET entity_id = '999' WHERE id = 2;
                """);
        }

        var result = await RestoreAsync(backup);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Integrity check: ok", result.Output);
        Assert.Contains("its audit chain is broken at event 2", result.Error);
        AssertTargetUntouched(result, before);
    }

    [Fact]
    public async Task Refuses_while_the_app_runs_on_the_target_and_not_after_it_was_killed()
    {
        var backup = await BackupWithEventsAsync(2);
        await using var app = new AppServer("target", target.ConnectionString);
        await app.StartAsync();
        var before = await AuditEventsAsync(target.FilePath);

        var refused = await RestoreAsync(backup);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("The app is running on", refused.Error);
        AssertTargetUntouched(refused, before);

        // kill -9 leaves the lock file, but not the lock: the restore goes ahead.
        await app.KillAsync();
        var restored = await RestoreAsync(backup);
        Assert.True(restored.ExitCode == 0, restored.Output + restored.Error);
        Assert.Equal(2, await AuditEventsAsync(target.FilePath));
    }
}
