using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class DbTests : IDisposable
{
    private readonly TestDatabase database = new();

    public void Dispose() => database.Dispose();

    [Theory, Trait("Category", "SqliteOnly")] // makes its own PostgreSQL database, so it runs once
    [InlineData("", true)]
    [InlineData(";Max Auto Prepare=0", false)]
    public async Task On_PostgreSQL_a_statement_run_again_is_prepared_unless_the_connection_string_says_not(string setting, bool prepared)
    {
        using var postgres = new TestDatabase(provider: RjConferences.Data.DatabaseProvider.Postgres);
        using var db = new RjConferences.Data.Db(postgres.ConnectionString + setting, RjConferences.Data.DatabaseProvider.Postgres);
        await using var connection = await db.OpenAsync();
        for (var i = 0; i < 3; i++)
        {
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases WHERE status = @status", new { status = "referred" });
        }

        var count = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM cases WHERE status%'");

        Assert.Equal(prepared, count > 0);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite's connection settings and single writer
    public async Task Every_connection_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout()
    {
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous")); // 2 = FULL
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.True(await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout") > 0);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size")); // see Db's sqliteMemoryMapBytes
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite's files
    public async Task A_new_database_gets_8_KiB_pages_and_an_existing_one_keeps_its_own_and_works_as_before()
    {
        await using (var migrated = await database.Db.OpenAsync())
        {
            Assert.Equal(8192L, await migrated.ExecuteScalarAsync<long>("PRAGMA page_size"));
        }

        // A database made before the change (SQLite's default 4 KiB pages, in WAL mode), then opened by the app.
        using var old = new TestDatabase(migrated: false);
        await using (var before = new Microsoft.Data.Sqlite.SqliteConnection(TestDatabase.ConnectionStringFor(old.FilePath)))
        {
            await before.OpenAsync();
            await before.ExecuteAsync("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE notes (text TEXT NOT NULL); INSERT INTO notes VALUES ('before')");
        }
        await using var connection = await old.Db.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO notes VALUES ('after')");

        Assert.Equal(4096L, await connection.ExecuteScalarAsync<long>("PRAGMA page_size"));
        Assert.Equal(["before", "after"], await connection.QueryAsync<string>("SELECT text FROM notes ORDER BY rowid"));
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite's connection settings
    public async Task Memory_mapped_reads_are_off_unless_configured_and_a_negative_size_is_refused_at_start_up()
    {
        static RjConferences.Data.Db Registered(string connectionString, string? megabytes)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = connectionString, [RjConferences.Data.DataServices.SqliteMemoryMapKey] = megabytes,
            }).Build();
            return new ServiceCollection().AddData(configuration, AppContext.BaseDirectory).BuildServiceProvider().GetRequiredService<RjConferences.Data.Db>();
        }

        using var configured = Registered(database.ConnectionString, "64");
        await using (var connection = await configured.OpenAsync())
        {
            Assert.Equal(64L * 1024 * 1024, await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size"));
        }
        using var unset = Registered(database.ConnectionString, null);
        await using (var connection = await unset.OpenAsync())
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size"));
        }
        var e = Assert.Throws<StartupException>(() => Registered(database.ConnectionString, "-1"));
        Assert.Contains("Database:SqliteMemoryMapMegabytes", e.Message);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite's connection settings and single writer
    public async Task A_write_transaction_holds_the_write_lock_from_its_start()
    {
        var inside = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var writer = database.Db.WriteAsync(async (_, _) =>
        {
            inside.SetResult();
            await release.Task;
        });
        await inside.Task;

        // Another writer cannot even begin while the first holds the lock. No busy wait: SQLite's busy timeout 0, and
        // Microsoft.Data.Sqlite, which retries a busy statement until the command timeout, gets 1 s (the default 30 s
        // made this the slowest test of the suite).
        await using var other = await database.Db.OpenAsync();
        await other.ExecuteAsync("PRAGMA busy_timeout = 0");
        var e = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => other.ExecuteAsync("BEGIN IMMEDIATE", commandTimeout: 1));
        Assert.Equal(5, e.SqliteErrorCode); // SQLITE_BUSY

        release.SetResult();
        await writer;
    }

    [Fact]
    public async Task A_write_transaction_that_throws_saves_nothing()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.Db.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO boroughs (name) VALUES ('Nowhere')", transaction: t);
            throw new InvalidOperationException("stop half-way");
        }));

        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM boroughs WHERE name = 'Nowhere'"));
    }
}
