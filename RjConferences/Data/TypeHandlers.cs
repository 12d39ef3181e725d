using Npgsql;
using NpgsqlTypes;

namespace RjConferences.Data;

/// <summary>
/// How values are stored. SQLite: Guid as lower-case text, DateTimeOffset as UTC ISO-8601 text with a fixed width
/// (so text order is time order), DateOnly as yyyy-MM-dd, bool as 0/1. PostgreSQL: Guid as the same text, and the
/// native timestamptz, date and boolean types. Each handler sees which provider's parameter it fills.
/// </summary>
public static class TypeHandlers
{
    public const string UtcFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    public const string DateFormat = "yyyy-MM-dd";

    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1)
        {
            return;
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.RemoveTypeMap(typeof(Guid?));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        // Dapper's own type map wins over a handler, so each handled type leaves the map (else its nulls go untyped).
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(typeof(Guid), new GuidHandler());
        SqlMapper.AddTypeHandler(typeof(DateTimeOffset), new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(typeof(DateOnly), new DateOnlyHandler());
        SqlMapper.AddTypeHandler(typeof(bool), new BoolHandler());
    }

    public static string ToUtcText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(UtcFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset FromUtcText(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// Guids for a Dapper list parameter (<c>IN @ids</c>): Dapper expands lists without type
    /// handlers, so pass the text form the handler would have written.
    /// </summary>
    public static string[] ToText(IEnumerable<Guid> ids) => ids.Select(id => id.ToString("D")).ToArray();

    public static string ToDateText(DateOnly value) =>
        value.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// A handler that also types null parameters: Dapper hands nulls of a handled type to the handler as DBNull,
    /// and PostgreSQL refuses an untyped null where it cannot infer one (<c>@id IS NULL</c>).
    /// </summary>
    private abstract class ProviderHandler<T> : SqlMapper.ITypeHandler where T : struct
    {
        protected abstract DbType SqliteType { get; }
        protected abstract NpgsqlDbType PostgresType { get; }
        protected abstract object ToSqlite(T value);
        protected abstract object ToPostgres(T value);
        protected abstract T Read(object value);

        public void SetValue(IDbDataParameter parameter, object value)
        {
            var isNull = value is null or DBNull;
            if (parameter is NpgsqlParameter postgres)
            {
                postgres.NpgsqlDbType = PostgresType;
                postgres.Value = isNull ? DBNull.Value : ToPostgres((T)value!);
                return;
            }
            parameter.DbType = SqliteType;
            parameter.Value = isNull ? DBNull.Value : ToSqlite((T)value!);
        }

        public object Parse(Type destinationType, object value) => Read(value);
    }

    private sealed class GuidHandler : ProviderHandler<Guid>
    {
        protected override DbType SqliteType => DbType.String;
        protected override NpgsqlDbType PostgresType => NpgsqlDbType.Text;
        protected override object ToSqlite(Guid value) => value.ToString("D");
        protected override object ToPostgres(Guid value) => value.ToString("D");

        protected override Guid Read(object value) => value switch
        {
            string s => Guid.Parse(s),
            byte[] b => new Guid(b),
            Guid g => g,
            _ => throw new DataException($"Cannot read a Guid from {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetHandler : ProviderHandler<DateTimeOffset>
    {
        protected override DbType SqliteType => DbType.String;
        protected override NpgsqlDbType PostgresType => NpgsqlDbType.TimestampTz;
        protected override object ToSqlite(DateTimeOffset value) => ToUtcText(value);
        protected override object ToPostgres(DateTimeOffset value) => value.UtcDateTime;

        protected override DateTimeOffset Read(object value) => value switch
        {
            string s => FromUtcText(s),
            DateTimeOffset d => d.ToUniversalTime(),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => throw new DataException($"Cannot read a DateTimeOffset from {value.GetType().Name}."),
        };
    }

    /// <summary>
    /// SQLite stores booleans as 0/1 integers; with this handler Dapper also maps them onto
    /// positional records' bool parameters.
    /// </summary>
    private sealed class BoolHandler : ProviderHandler<bool>
    {
        protected override DbType SqliteType => DbType.Boolean;
        protected override NpgsqlDbType PostgresType => NpgsqlDbType.Boolean;
        protected override object ToSqlite(bool value) => value;
        protected override object ToPostgres(bool value) => value;

        protected override bool Read(object value) => value switch
        {
            bool b => b,
            long l => l != 0,
            int i => i != 0,
            string s => s is "1" or "true" or "True",
            _ => Convert.ToBoolean(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class DateOnlyHandler : ProviderHandler<DateOnly>
    {
        protected override DbType SqliteType => DbType.String;
        protected override NpgsqlDbType PostgresType => NpgsqlDbType.Date;
        protected override object ToSqlite(DateOnly value) => ToDateText(value);
        protected override object ToPostgres(DateOnly value) => value;

        protected override DateOnly Read(object value) => value switch
        {
            string s => DateOnly.ParseExact(s, DateFormat, CultureInfo.InvariantCulture),
            DateOnly d => d,
            DateTime d => DateOnly.FromDateTime(d),
            _ => throw new DataException($"Cannot read a DateOnly from {value.GetType().Name}."),
        };
    }
}
