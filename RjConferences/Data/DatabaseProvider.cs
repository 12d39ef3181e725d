namespace RjConferences.Data;

/// <summary>
/// The database the app runs on (<c>Database:Provider</c>): SQLite, the embedded default, or PostgreSQL for
/// partnerships that run several app instances. Their SQL differences live in <see cref="SqlDialect"/>.
/// </summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
