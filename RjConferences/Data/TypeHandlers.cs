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
        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new BoolHandler());
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
    public static IReadOnlyList<string> ToText(IEnumerable<Guid> ids) => ids.Select(id => id.ToString("D")).ToList();

    public static string ToDateText(DateOnly value) =>
        value.ToString(DateFormat, CultureInfo.InvariantCulture);

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString("D");
        }

        public override Guid Parse(object value) => value switch
        {
            string s => Guid.Parse(s),
            byte[] b => new Guid(b),
            Guid g => g,
            _ => throw new DataException($"Cannot read a Guid from {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is NpgsqlParameter postgres)
            {
                postgres.NpgsqlDbType = NpgsqlDbType.TimestampTz;
                postgres.Value = value.UtcDateTime;
                return;
            }
            parameter.DbType = DbType.String;
            parameter.Value = ToUtcText(value);
        }

        public override DateTimeOffset Parse(object value) => value switch
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
    private sealed class BoolHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter parameter, bool value)
        {
            parameter.DbType = DbType.Boolean;
            parameter.Value = value;
        }

        public override bool Parse(object value) => value switch
        {
            bool b => b,
            long l => l != 0,
            int i => i != 0,
            string s => s is "1" or "true" or "True",
            _ => Convert.ToBoolean(value, CultureInfo.InvariantCulture),
        };
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            if (parameter is NpgsqlParameter postgres)
            {
                postgres.NpgsqlDbType = NpgsqlDbType.Date;
                postgres.Value = value;
                return;
            }
            parameter.DbType = DbType.String;
            parameter.Value = ToDateText(value);
        }

        public override DateOnly Parse(object value) => value switch
        {
            string s => DateOnly.ParseExact(s, DateFormat, CultureInfo.InvariantCulture),
            DateOnly d => d,
            DateTime d => DateOnly.FromDateTime(d),
            _ => throw new DataException($"Cannot read a DateOnly from {value.GetType().Name}."),
        };
    }
}
