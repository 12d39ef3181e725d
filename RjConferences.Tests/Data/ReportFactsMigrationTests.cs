using Dapper;
using RjConferences.Data;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Migrations that replace the report facts' view must leave every case's facts as they were: each test migrates a database to
/// the view before, writes cases (their facts stored from that view), migrates the rest, and compares the stored facts with the
/// new view's, case by case. A class of its own: it needs an unmigrated database, not <see cref="ReportFactsTests"/>' world.
/// </summary>
public sealed class ReportFactsMigrationTests
{
    /// <summary>
    /// Migration 0027 rewrote the facts' view to read each source table of a case once. Every case's facts must be what the
    /// view before it gave: 3,000 synthetic cases (every stage and reason of the funnel: see ReportFactsTests) get their facts from the old view
    /// as they are written, and after 0027 the new view gives the same, case by case.
    /// </summary>
    [Fact, Trait("Category", "SqliteOnly")] // generate-synthetic writes SQLite; CopyDatabaseTests hold PostgreSQL's view to SQLite's
    public async Task The_view_of_migration_0027_gives_every_case_the_facts_the_view_before_it_gave()
    {
        using var database = new TestDatabase(migrated: false, provider: DatabaseProvider.Sqlite);
        await using var services = TestUsers.Services(database);
        var migrations = Migration.Embedded(DatabaseProvider.Sqlite);
        await new Migrator(database.Db, migrations.Where(m => string.CompareOrdinal(m.Name, "0027") < 0).ToList()).MigrateAsync();
        await RjConferences.Tools.SyntheticData.GenerateAsync(database.Db, 3000,
            await RjConferences.Tools.SyntheticData.EnsureUserAsync(services), new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));

        await new Migrator(database.Db, migrations).MigrateAsync();

        await using (var connection = await database.Db.OpenAsync())
        {
            var view = await connection.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE name = 'case_report_facts_source'");
            Assert.Contains("AS events", view); // the new view, its timeline read once
        }
        Assert.Equal(3000, await ReportFactsCheck.AssertStoredEqualSourceAsync(database.Db));
    }
}
