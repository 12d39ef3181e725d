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
        // It says which database, on either provider (on PostgreSQL the path was empty: "Database is up to date: ").
        Assert.Contains(TestDatabase.IsPostgres
            ? $"Database is up to date: the PostgreSQL database '{database.DatabaseName}' on "
            : $"Database is up to date: the database '{Path.GetFullPath(database.FilePath)}'.", result.Output);
        if (!TestDatabase.IsPostgres)
        {
            Assert.True(File.Exists(database.FilePath));
        }
    }

    [Theory]
    [InlineData("verify-audit")]
    [InlineData("backup", "copy.db")]
    [InlineData("create-user", "--email", "admin@example.org", "--role", "Administrator")]
    [InlineData("retention", "--dry-run")]
    [InlineData("seed-demo")]
    [InlineData("generate-synthetic", "--cases", "10")]
    [InlineData("copy-database", "--to-postgres", "Host=127.0.0.1;Port=1;Database=rj;Username=rj")]
    public async Task Every_command_but_migrate_refuses_a_missing_database_and_creates_nothing(params string[] args)
    {
        using var database = new TestDatabase(migrated: false);
        var missing = Path.Combine(database.Folder, "typo", "rjconferences.db");
        var withTarget = args.Select(a => a == "copy.db" ? Path.Combine(database.Folder, "copy.db") : a).ToArray();

        var result = await AppProcess.RunAsync(TestDatabase.ConnectionStringFor(missing), "a password from stdin\n", withTarget);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"There is no database at '{missing}'", result.Error);
        Assert.Contains("migrate", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(missing));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
        Assert.False(File.Exists(Path.Combine(database.Folder, "copy.db")));
    }

    [Fact]
    public async Task An_unknown_command_is_refused_with_exit_code_2_before_touching_the_database()
    {
        using var database = new TestDatabase(migrated: false);

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "verfy-audit");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown command 'verfy-audit'", result.Error);
        Assert.False(File.Exists(database.FilePath));
    }

    [Fact, Trait("Category", "SqliteOnly")] // a database file; PostgreSQL is backed up with pg_dump (drills/)
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

    [Fact, Trait("Category", "SqliteOnly")] // no server at all, whichever pass: run once
    public async Task An_unreachable_PostgreSQL_server_stops_the_app_with_a_message_naming_the_host_and_never_the_password()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var result = await AppProcess.RunAsync("Host=127.0.0.1;Port=1;Database=rj;Username=rj;Password=not-to-be-shown;Timeout=5", null);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("RjConferences cannot start: Cannot open the PostgreSQL database 'rj' on 127.0.0.1:1", result.Error.Trim());
        Assert.DoesNotContain("not-to-be-shown", result.Error + result.Output);
        Assert.DoesNotContain("   at ", result.Error); // a message, not a stack trace
    }

    [Fact, Trait("Category", "SqliteOnly")] // a database file; PostgreSQL is backed up with pg_dump (drills/)
    public async Task Backup_command_writes_a_consistent_copy_that_opens_with_all_schools()
    {
        using var database = new TestDatabase();
        var target = Path.Combine(database.Folder, "backup.db");

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "backup", target);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"to {target} (", result.Output);
        Assert.Contains("SQLite's integrity check of the copy: ok", result.Output);
        Assert.False(File.Exists(target + ".partial"));
        var copy = new RjConferences.Data.Db(TestDatabase.ConnectionStringFor(target));
        var boroughs = await new RjConferences.Features.Schools.SchoolRegistry(copy).ListBoroughsAsync();
        Assert.Equal(78, boroughs.Sum(b => b.Schools.Count));
    }

    /// <summary>
    /// On PostgreSQL the backup and restore commands (SQLite's files) refuse with exit code 2 and say what to use instead,
    /// writing no file and leaving the database as it was. Runs once, in the PostgreSQL pass.
    /// </summary>
    [Fact, Trait("Category", "PostgresPass")]
    public async Task Backup_and_restore_on_PostgreSQL_point_to_pg_dump_and_pg_restore_and_change_nothing()
    {
        using var database = new TestDatabase(provider: RjConferences.Data.DatabaseProvider.Postgres);
        await RecordThreeEventsAsync(database);
        var folder = Directory.CreateTempSubdirectory("rj-pg-backup-").FullName;
        try
        {
            var copy = Path.Combine(folder, "copy.db");
            var backup = await AppProcess.RunAsync(database.ConnectionString, null, "backup", copy);
            await File.WriteAllTextAsync(copy, "not a database");
            var restore = await AppProcess.RunAsync(database.ConnectionString, null, "restore", copy);

            Assert.Equal((2, 2), (backup.ExitCode, restore.ExitCode));
            Assert.StartsWith("On PostgreSQL, back up with pg_dump", backup.Error.Trim());
            Assert.StartsWith("On PostgreSQL, restore with pg_restore", restore.Error.Trim());
            Assert.Equal([copy], Directory.GetFiles(folder));
            await using var connection = await database.Db.OpenAsync();
            Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
            await connection.ExecuteAsync(TestDatabase.IsPostgres
                ? "DROP TRIGGER audit_events_no_update ON audit_events"
                : "DROP TRIGGER audit_events_no_update");
            await connection.ExecuteAsync("UPDATE audit_events SET entity_id = '99' WHERE id = 2");
        }

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "verify-audit");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Audit chain broken at event 2:", result.Error.Trim());
        Assert.DoesNotContain("intact", result.Output);
    }

    [Fact]
    public async Task Create_user_command_reads_the_password_from_standard_input()
    {
        using var database = new TestDatabase();

        var result = await AppProcess.RunAsync(database.ConnectionString, "a password from stdin\n",
            "create-user", "--email", "ref@school.example", "--role", "Referrer", "--role", "Facilitator",
            "--school", "Newham/Langdon Park", "--name", "Rita Referrer");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.DoesNotContain("a password from stdin", result.Output);
        await using var connection = await database.Db.OpenAsync();
        var roles = await Dapper.SqlMapper.QueryAsync<string>(connection,
            "SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.email = 'ref@school.example' ORDER BY r.name");
        Assert.Equal(["Facilitator", "Referrer"], roles);
        Assert.Equal(1L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
            "SELECT count(*) FROM user_school_scope sc JOIN users u ON u.id = sc.user_id WHERE u.email = 'ref@school.example'"));
    }

    [Fact]
    public async Task Create_user_command_generates_a_password_when_none_is_given_and_prints_it_once()
    {
        using var database = new TestDatabase();

        var result = await AppProcess.RunAsync(database.ConnectionString, "",
            "create-user", "--email", "admin@rj.example", "--role", "Administrator");

        Assert.True(result.ExitCode == 0, result.Error);
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("One-time password", StringComparison.Ordinal));
        Assert.Matches(@": \S{4}-\S{4}-\S{4}-\S{4}$", line.Trim());
    }

    [Fact]
    public async Task Create_user_command_refuses_an_unknown_school_and_creates_nothing()
    {
        using var database = new TestDatabase();

        var result = await AppProcess.RunAsync(database.ConnectionString, "a password from stdin\n",
            "create-user", "--email", "ref@school.example", "--role", "Referrer", "--school", "Nowhere/No School");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No school 'Nowhere/No School'", result.Error);
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM users"));
    }
}
