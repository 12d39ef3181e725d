using Dapper;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>The app's own process: the migrate command, and refusing to start with one clear message.</summary>
public class StartupTests
{
    [Fact]
    public async Task Migrate_command_applies_migrations_and_exits()
    {
        using var database = new TestDatabase(migrated: false);

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "migrate");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Database is up to date", result.Output);
        Assert.True(File.Exists(database.FilePath));
    }

    [Fact]
    public async Task A_corrupt_database_stops_the_app_with_a_message_naming_the_file()
    {
        using var database = new TestDatabase(migrated: false);
        await File.WriteAllTextAsync(database.FilePath, new string('x', 8192));

        var result = await AppProcess.RunAsync(database.ConnectionString, null);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("RjConferences cannot start:", result.Error.Trim());
        Assert.Contains(database.FilePath, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // a message, not a stack trace
    }

    [Fact]
    public async Task Backup_command_writes_a_consistent_copy_that_opens_with_all_schools()
    {
        using var database = new TestDatabase();
        var target = Path.Combine(database.Folder, "backup.db");

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "backup", target);

        Assert.True(result.ExitCode == 0, result.Error);
        var copy = new RjConferences.Data.Db(TestDatabase.ConnectionStringFor(target));
        var boroughs = await new RjConferences.Features.Schools.SchoolRegistry(copy).ListBoroughsAsync();
        Assert.Equal(78, boroughs.Sum(b => b.Schools.Count));
    }

    private static async Task RecordThreeEventsAsync(TestDatabase database)
    {
        var auditLog = new AuditLog(database.Db, new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)));
        foreach (var caseId in new[] { "1", "2", "3" })
        {
            await auditLog.RecordAsync(new AuditEvent(AuditAction.Consult, "case", caseId, Guid.NewGuid()));
        }
    }

    [Fact]
    public async Task Verify_audit_command_exits_0_on_an_intact_chain()
    {
        using var database = new TestDatabase();
        await RecordThreeEventsAsync(database);

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "verify-audit");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Audit chain intact: 3 events checked.", result.Output);
    }

    [Fact]
    public async Task Verify_audit_command_exits_1_naming_the_first_changed_event()
    {
        using var database = new TestDatabase();
        await RecordThreeEventsAsync(database);
        await using (var connection = await database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("""
                DROP TRIGGER audit_events_no_update;
                UPDATE audit_events SET entity_id = '99' WHERE id = 2;
                """);
        }

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "verify-audit");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Audit chain broken at event 2:", result.Error.Trim());
        Assert.DoesNotContain("intact", result.Output);
    }
}
