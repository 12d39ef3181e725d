using System.Collections.Immutable;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The SQLite and PostgreSQL dialects of the migrations give the same schema: same tables and columns
/// (in the same order, of the same type family and nullability), keys, unique rules, CHECKs, indexes
/// and views. A migration added or changed in one dialect only fails here.
/// </summary>
public sealed class SchemaParityTests
{
    /// <summary>The PostgreSQL server the tests may create databases on (./test.sh sets it).</summary>
    private const string PostgresVariable = "RJ_TEST_POSTGRES";

    [Fact]
    public async Task Sqlite_and_postgres_migrations_give_the_same_schema()
    {
        var (sqlite, postgres) = await MigratedSnapshotsAsync();

        var differences = SchemaSnapshot.Compare(sqlite, postgres);

        Assert.True(differences.Count == 0,
            $"The PostgreSQL migrations do not give SQLite's schema ({differences.Count} differences):\n" + string.Join("\n", differences));
    }

    [Fact]
    public async Task The_comparison_reports_a_changed_column_and_a_missing_index()
    {
        var (sqlite, postgres) = await MigratedSnapshotsAsync();
        var cases = postgres.Tables["cases"];
        var closedAtNotNull = postgres with
        {
            Tables = postgres.Tables.SetItem("cases", cases with
            {
                Columns = cases.Columns.Select(c => c.Name == "closed_at" ? c with { Nullable = false } : c).ToImmutableArray(),
            }),
        };
        var withoutClosedIndex = postgres with { Indexes = postgres.Indexes.Remove("ix_cases_closed") };

        Assert.Equal(["cases.closed_at: nullable in sqlite, not null in postgres"], SchemaSnapshot.Compare(sqlite, closedAtNotNull));
        Assert.Equal(["index ix_cases_closed: in sqlite only"], SchemaSnapshot.Compare(sqlite, withoutClosedIndex));
    }

    [Fact]
    public async Task On_postgres_the_report_facts_view_gives_the_types_of_the_table_it_fills()
    {
        // The app copies the view into the table and ReportFactsCheck compares the two as read back:
        // SQLite's type families do not tell date from timestamptz or bigint from boolean, so this is checked here.
        var columns = await OnMigratedPostgresAsync(async connection => (await connection.QueryAsync<(string Relation, string Name, string Type)>("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name IN ('case_report_facts', 'case_report_facts_source')
            """)).ToList());
        string[] Of(string relation) =>
            [.. columns.Where(c => c.Relation == relation).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"{c.Name} {c.Type}")];

        Assert.NotEmpty(Of("case_report_facts"));
        Assert.Equal(Of("case_report_facts"), Of("case_report_facts_source"));
    }

    private static async Task<(SchemaSnapshot Sqlite, SchemaSnapshot Postgres)> MigratedSnapshotsAsync() =>
        (await OnMigratedSqliteAsync(SchemaSnapshot.ReadAsync), await OnMigratedPostgresAsync(SchemaSnapshot.ReadAsync));

    /// <summary>Runs <paramref name="read"/> on a fresh SQLite database file, migrated, and deletes the file.</summary>
    private static async Task<T> OnMigratedSqliteAsync<T>(Func<SqliteConnection, Task<T>> read)
    {
        var file = Path.Combine(Path.GetTempPath(), $"schema-parity-{Guid.NewGuid():N}.db");
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
            await connection.OpenAsync();
            await MigrateAsync(connection, "sqlite");
            return await read(connection);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs <paramref name="read"/> on a fresh PostgreSQL database (pgmig_…) on the test server, migrated, and drops it.</summary>
    private static async Task<T> OnMigratedPostgresAsync<T>(Func<NpgsqlConnection, Task<T>> read)
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        Assert.False(string.IsNullOrWhiteSpace(server),
            $"Set {PostgresVariable} to a PostgreSQL server the tests may create databases on, e.g. " +
            $"{PostgresVariable}=\"Host=127.0.0.1;Port=5432;Username=postgres\" (./test.sh sets it).");

        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        admin.Database ??= "postgres";
        var database = $"pgmig_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin.ToString()))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {database}");
        }
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin.ToString()) { Database = database }.ToString());
            await connection.OpenAsync();
            await MigrateAsync(connection, "postgres");
            return await read(connection);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(admin.ToString());
            await connection.OpenAsync();
            await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>
    /// Runs each file of migrations/&lt;dialect&gt;/ in name order, each in its own transaction, as the app's
    /// Migrator does. (To be replaced by the Migrator once it runs on both providers; it also journals each
    /// file in schema_migrations, which the snapshots leave out, and on SQLite runs the C# step of
    /// fold_name_keys first, which changes data only.)
    /// </summary>
    private static async Task MigrateAsync(DbConnection connection, string dialect)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "migrations", dialect);
        var files = Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = await File.ReadAllTextAsync(file);
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (DbException e)
            {
                throw new InvalidOperationException($"Migration {dialect}/{Path.GetFileName(file)} failed: {e.Message}", e);
            }
            await transaction.CommitAsync();
        }
    }
}
