using Dapper;
using RjConferences.Data;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class MigrationTests
{
    private static string MigrationsFolder =>
        Path.Combine(AppContext.BaseDirectory, "migrations", TestDatabase.IsPostgres ? "postgres" : "sqlite");

    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_are_journaled_with_checksums()
    {
        using var database = new TestDatabase(migrated: false);
        var migrations = Migration.Embedded(TestDatabase.Provider);

        var applied = await new Migrator(database.Db, migrations).MigrateAsync();

        Assert.Equal(migrations.Select(m => m.Name), applied);
        await using var connection = await database.Db.OpenAsync();
        var journal = (await connection.QueryAsync<(string Name, string Checksum)>(
            "SELECT name, checksum FROM schema_migrations ORDER BY name")).ToList();
        Assert.Equal(migrations.Select(m => (m.Name, m.Checksum)), journal);
    }

    [Fact]
    public async Task Running_migrations_twice_is_a_no_op()
    {
        using var database = new TestDatabase(migrated: false);
        var migrator = new Migrator(database.Db, Migration.Embedded(TestDatabase.Provider));
        await migrator.MigrateAsync();

        var second = await migrator.MigrateAsync();

        Assert.Empty(second);
    }

    [Fact]
    public void Embedded_migrations_are_the_files_in_the_migrations_folder()
    {
        var onDisk = Migration.FromDirectory(MigrationsFolder);
        Assert.Equal(onDisk.Select(m => (m.Name, m.Checksum)), Migration.Embedded(TestDatabase.Provider).Select(m => (m.Name, m.Checksum)));
    }

    [Fact]
    public void Migration_file_names_follow_the_pattern_with_no_gaps_or_duplicates()
    {
        var names = Directory.GetFiles(MigrationsFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(names);
        for (var i = 0; i < names.Count; i++)
        {
            Assert.Matches(Migration.NamePattern, names[i]!);
            Assert.StartsWith($"{i + 1:D4}_", names[i]);
        }
        Migrator.CheckNames(Migration.FromDirectory(MigrationsFolder));
    }

    [Theory]
    [InlineData("0001_create_things.sql", "0003_add_more.sql", "should be numbered 0002")]
    [InlineData("0001_create_things.sql", "0001_create_others.sql", "should be numbered 0002")]
    [InlineData("0001_create_things.sql", "2_Add-More.sql", "does not follow the pattern")]
    public void Gaps_duplicates_and_bad_names_are_refused(string first, string second, string message)
    {
        var migrations = new[] { new Migration(first, "SELECT 1;"), new Migration(second, "SELECT 1;") };
        var e = Assert.Throws<StartupException>(() => Migrator.CheckNames(migrations));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task An_edited_migration_is_refused_with_its_file_name()
    {
        using var database = new TestDatabase(migrated: false);
        var original = Migration.Embedded(TestDatabase.Provider);
        await new Migrator(database.Db, original).MigrateAsync();
        var edited = original.Select((m, i) => i == 0 ? m with { Sql = m.Sql + "\n-- edited" } : m).ToList();
        // "with" copies the checksum: build the record again so that it is recomputed.
        edited[0] = new Migration(edited[0].Name, edited[0].Sql);

        var e = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database.Db, edited).MigrateAsync());

        Assert.Contains(original[0].Name, e.Message);
        Assert.Contains("has changed", e.Message);
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_and_named()
    {
        using var database = new TestDatabase(migrated: false);
        var migrations = Migration.Embedded(TestDatabase.Provider).Append(new Migration(
            $"{Migration.Embedded(TestDatabase.Provider).Count + 1:D4}_break_things.sql",
            "CREATE TABLE half_done (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);")).ToList();

        var e = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database.Db, migrations).MigrateAsync());

        Assert.Contains("_break_things.sql", e.Message);
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            TestDatabase.IsPostgres
                ? "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'"
                : "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"));
        Assert.Equal(Migration.Embedded(TestDatabase.Provider).Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact, Trait("Category", "SqliteOnly")] // a database file
    public async Task A_corrupt_database_file_is_refused_with_its_path()
    {
        using var database = new TestDatabase(migrated: false);
        await File.WriteAllTextAsync(database.FilePath, new string('x', 8192));

        var e = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database.Db, Migration.Embedded(TestDatabase.Provider)).MigrateAsync());

        Assert.Contains(database.FilePath, e.Message);
    }

    [Fact, Trait("Category", "SqliteOnly")] // a database file
    public async Task An_unwritable_data_folder_is_refused_with_its_path()
    {
        using var database = new TestDatabase(migrated: false);
        // A regular file where the data folder should be: it cannot be created, even by root.
        var blocker = Path.Combine(database.Folder, "blocker");
        await File.WriteAllTextAsync(blocker, "");
        var db = new Db(TestDatabase.ConnectionStringFor(Path.Combine(blocker, "data", "app.db")));

        var e = await Assert.ThrowsAsync<StartupException>(() => new Migrator(db, Migration.Embedded(TestDatabase.Provider)).MigrateAsync());

        Assert.Contains(Path.Combine(blocker, "data"), e.Message);
    }
}
