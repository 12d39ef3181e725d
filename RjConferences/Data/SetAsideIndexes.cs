namespace RjConferences.Data;

/// <summary>
/// Indexes a bulk load (<c>generate-synthetic</c>) drops while it inserts, to make them once at its end from the finished tables:
/// SQLite builds an index by sorting its rows, many times faster than inserting a million rows into it one at a time. The drop and
/// the record of what was dropped (the table <c>set_aside_indexes</c>, which exists only meanwhile) are one transaction, and so are
/// the rebuild and the record's removal. A load stopped before its end (killed, the machine switched off) leaves the record, and the
/// indexes are made again the next time the app or a command starts (<see cref="Migrator"/>). SQLite only.
/// </summary>
public static class SetAsideIndexes
{
    private const string Table = "set_aside_indexes";

    /// <summary>Drops the indexes named, in <paramref name="transaction"/>, recording each with the SQL that makes it again.</summary>
    public static void SetAside(DbConnection connection, IDbTransaction transaction, IEnumerable<string> names)
    {
        connection.Execute($"CREATE TABLE IF NOT EXISTS {Table} (name TEXT NOT NULL PRIMARY KEY, sql TEXT NOT NULL)", transaction: transaction);
        foreach (var name in names)
        {
            connection.Execute($"""
                INSERT INTO {Table} (name, sql) SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND name = @name AND sql IS NOT NULL
                """, new { name }, transaction);
            // The name comes from sqlite_schema, never from input; quoted as an identifier all the same.
            connection.Execute($"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", transaction: transaction);
        }
    }

    /// <summary>
    /// Makes again every index set aside and removes the record, in one write transaction. Returns how many it made: 0, having
    /// done nothing, when none is set aside.
    /// </summary>
    public static async Task<int> RebuildAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        const string exists = $"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{Table}'";
        if (await connection.ExecuteScalarAsync<long>(exists) == 0) return 0;
        await using var transaction = await Db.BeginWriteAsync(connection, cancellationToken);
        var indexes = (await connection.QueryAsync<(string Name, string Sql)>($"""
            SELECT s.name, s.sql FROM {Table} AS s
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema AS i WHERE i.type = 'index' AND i.name = s.name)
            ORDER BY s.name
            """, transaction: transaction)).ToList();
        foreach (var (_, sql) in indexes) await connection.ExecuteAsync(sql, transaction: transaction);
        await connection.ExecuteAsync($"DROP TABLE {Table}", transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
        return indexes.Count;
    }
}
