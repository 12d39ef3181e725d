using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;

namespace RjConferences.Tests.Support;

/// <summary>
/// SQLite's plan of each statement a call runs, as it runs it (captured by <see cref="DbUsage"/>), for tests that hold a query to
/// its index. On a fresh database: the app never runs ANALYZE, so SQLite plans the same whatever the data.
/// </summary>
public static class QueryPlans
{
    /// <summary>Runs <paramref name="call"/> on <paramref name="services"/>' database and returns each statement it ran with its plan, in order.</summary>
    public static async Task<List<(string Sql, List<string> Plan)>> CaptureAsync(IServiceProvider services, Func<Task> call)
    {
        var db = services.GetRequiredService<Db>();
        var usage = new DbUsage();
        db.Usage = usage;
        try
        {
            await call();
        }
        finally
        {
            db.Usage = null;
        }
        var statements = usage.Commands.Select(c => (c.CommandText, c)).ToList();
        await using var connection = (SqliteConnection)await db.OpenAsync();
        var plans = new List<(string, List<string>)>();
        foreach (var (sql, command) in statements)
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
            foreach (SqliteParameter parameter in command.Parameters)
            {
                explain.Parameters.AddWithValue(parameter.ParameterName, parameter.Value);
            }
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
            }
            plans.Add((sql, plan));
        }
        return plans;
    }
}
