namespace RjConferences.Data;

/// <summary>
/// The one place for the SQL that differs between SQLite and PostgreSQL. Everything else is written once in the
/// SQL both accept: <c>TRUE</c>/<c>FALSE</c> for booleans, <c>count(*) FILTER (WHERE …)</c>, <c>ON CONFLICT</c>,
/// <c>RETURNING</c>, <c>LIMIT … OFFSET</c>, <c>lower()</c> for case-insensitive matches, and parameters whose types
/// the <see cref="TypeHandlers"/> give per provider (text on SQLite; timestamptz, date and boolean on PostgreSQL).
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite);
    public static readonly SqlDialect Postgres = new(DatabaseProvider.Postgres);

    private SqlDialect(DatabaseProvider provider) => Provider = provider;

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? Postgres : Sqlite;

    /// <summary>The dialect of an open connection.</summary>
    public static SqlDialect Of(DbConnection connection) => connection is SqliteConnection ? Sqlite : Postgres;

    public DatabaseProvider Provider { get; }

    /// <summary>
    /// Appended to a SELECT of the row a change is about, to lock it until the transaction ends. SQLite needs none:
    /// its write transaction already holds the whole database.
    /// </summary>
    public string ForUpdate => Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";

    /// <summary>
    /// <c>column IN @list</c>. Dapper expands a list parameter into <c>(@list1, @list2, …)</c> on SQLite but hands it to
    /// Npgsql whole, as one array parameter, which PostgreSQL matches with <c>= ANY</c>. Pass lists as arrays.
    /// </summary>
    public string In(string column, string parameter) =>
        Provider == DatabaseProvider.Postgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary><c>column NOT IN @list</c>: see <see cref="In"/>.</summary>
    public string NotIn(string column, string parameter) =>
        Provider == DatabaseProvider.Postgres ? $"{column} <> ALL({parameter})" : $"{column} NOT IN {parameter}";

    /// <summary>The larger of two values: SQLite's two-argument <c>max</c>, PostgreSQL's <c>GREATEST</c>.</summary>
    public string Greatest(string a, string b) => Provider == DatabaseProvider.Postgres ? $"GREATEST({a}, {b})" : $"max({a}, {b})";
}
