using Dapper;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class TypeHandlerTests : IDisposable
{
    private readonly TestDatabase database = new();

    public void Dispose() => database.Dispose();

    private async Task<(T Value, string Stored)> RoundTrip<T>(T value)
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE t (v TEXT)");
        await connection.ExecuteAsync("INSERT INTO t (v) VALUES (@value)", new { value });
        var stored = await connection.ExecuteScalarAsync<string>("SELECT v FROM t");
        var read = await connection.QuerySingleAsync<T>("SELECT v FROM t");
        return (read, stored!);
    }

    [Fact]
    public async Task Guid_round_trips_as_lower_case_text()
    {
        var id = Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E");
        var (value, stored) = await RoundTrip(id);
        Assert.Equal(id, value);
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", stored);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite stores these as text; PostgreSQL has native types (below)
    public async Task DateTimeOffset_round_trips_as_utc_iso_8601_text()
    {
        var bst = new DateTimeOffset(2026, 6, 15, 10, 30, 15, TimeSpan.FromHours(1)).AddTicks(1234567);
        var (value, stored) = await RoundTrip(bst);
        Assert.Equal(bst, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal("2026-06-15T09:30:15.1234567Z", stored);
    }

    private sealed record Row(long Id, DateTimeOffset? At, Guid? Ref, DateOnly? OnDate);

    [Fact, Trait("Category", "SqliteOnly")] // SQLite stores these as text; PostgreSQL has native types (below)
    public async Task Nullable_columns_round_trip_null_and_values()
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE t (id INTEGER, at TEXT, ref TEXT, on_date TEXT)");
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var id = Guid.NewGuid();
        await connection.ExecuteAsync("INSERT INTO t VALUES (1, NULL, NULL, NULL), (2, @at, @id, @on)",
            new { at = (DateTimeOffset?)at, id = (Guid?)id, on = (DateOnly?)new DateOnly(2026, 1, 2) });

        var rows = (await connection.QueryAsync<Row>("SELECT id, at, ref, on_date FROM t ORDER BY id")).ToList();

        Assert.Equal(new Row(1, null, null, null), rows[0]);
        Assert.Equal(new Row(2, at, id, new DateOnly(2026, 1, 2)), rows[1]);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite stores these as text; PostgreSQL has native types (below)
    public async Task DateOnly_round_trips_as_iso_date_text()
    {
        var date = new DateOnly(2012, 2, 29);
        var (value, stored) = await RoundTrip(date);
        Assert.Equal(date, value);
        Assert.Equal("2012-02-29", stored);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite stores these as text; PostgreSQL has native types (below)
    public async Task Stored_times_sort_in_time_order_as_text()
    {
        var earlier = new DateTimeOffset(2026, 3, 1, 9, 5, 0, TimeSpan.Zero);
        var later = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)); // 09:00Z, earlier than 09:05Z
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE t (v TEXT)");
        await connection.ExecuteAsync("INSERT INTO t (v) VALUES (@a), (@b)", new { a = earlier, b = later });
        var ordered = (await connection.QueryAsync<DateTimeOffset>("SELECT v FROM t ORDER BY v")).ToList();
        Assert.Equal([later, earlier], ordered);
    }

    private sealed record Flagged(long Id, bool Flag);

    [Fact, Trait("Category", "SqliteOnly")] // SQLite stores these as text; PostgreSQL has native types (below)
    public async Task Integer_booleans_map_onto_record_parameters()
    {
        await using var connection = await database.Db.OpenAsync();
        var rows = (await connection.QueryAsync<Flagged>("SELECT 1 AS id, 1 AS flag UNION ALL SELECT 2, 0 ORDER BY id")).ToList();
        Assert.Equal([new Flagged(1, true), new Flagged(2, false)], rows);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT @flag", new { flag = true }));
    }

    [Fact]
    public async Task Guid_lists_are_passed_as_their_text_form()
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE t (id TEXT)");
        var id = Guid.NewGuid();
        await connection.ExecuteAsync("INSERT INTO t (id) VALUES (@id)", new { id });

        var sql = RjConferences.Data.SqlDialect.Of(connection);
        var found = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM t WHERE {sql.In("id", "@ids")}",
            new { ids = RjConferences.Data.TypeHandlers.ToText([id, Guid.NewGuid()]) });
        var others = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM t WHERE {sql.NotIn("id", "@ids")}",
            new { ids = RjConferences.Data.TypeHandlers.ToText([Guid.NewGuid()]) });
        var none = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM t WHERE {sql.In("id", "@ids")}",
            new { ids = Array.Empty<string>() });

        Assert.Equal((1, 1, 0), (found, others, none));
    }

    [Fact]
    public async Task Null_parameters_of_handled_types_are_typed_so_that_is_null_works_on_both_databases()
    {
        await using var connection = await database.Db.OpenAsync();

        var allNull = await connection.ExecuteScalarAsync<bool>(
            "SELECT @id IS NULL AND @at IS NULL AND @on IS NULL AND @flag IS NULL",
            new { id = (Guid?)null, at = (DateTimeOffset?)null, on = (DateOnly?)null, flag = (bool?)null });

        Assert.True(allNull);
    }

    [Fact]
    public async Task Instants_dates_and_flags_round_trip_through_the_database()
    {
        var bst = new DateTimeOffset(2026, 6, 15, 10, 30, 15, TimeSpan.FromHours(1)).AddTicks(1234560); // whole microseconds
        await using var connection = await database.Db.OpenAsync();

        var at = await connection.QuerySingleAsync<DateTimeOffset>("SELECT @bst", new { bst });
        var on = await connection.QuerySingleAsync<DateOnly>("SELECT @date", new { date = new DateOnly(2012, 2, 29) });
        var flag = await connection.QuerySingleAsync<bool>("SELECT @flag", new { flag = true });

        Assert.Equal((bst, TimeSpan.Zero, new DateOnly(2012, 2, 29), true), (at, at.Offset, on, flag));
    }
}
