namespace RjConferences.Components;

/// <summary>
/// Times are stored in UTC and shown in Europe/London (GMT in winter, BST in summer), en-GB.
/// </summary>
public static class LondonTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The wall-clock time in London at the instant <paramref name="value"/>.</summary>
    public static DateTimeOffset ToLondon(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone);

    /// <summary>"Tuesday 3 March 2026, 10:15" — the date and time a user in London reads.</summary>
    public static string Format(DateTimeOffset value) =>
        ToLondon(value).ToString("dddd d MMMM yyyy, HH:mm", AppSetup.Culture);

    /// <summary>"3 Mar 2026 10:15" for tables.</summary>
    public static string FormatShort(DateTimeOffset value) =>
        ToLondon(value).ToString("d MMM yyyy HH:mm", AppSetup.Culture);

    public static string FormatDate(DateOnly value) => value.ToString("d MMMM yyyy", AppSetup.Culture);

    /// <summary>Today's date in London.</summary>
    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>The London date at an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset value) => DateOnly.FromDateTime(ToLondon(value).DateTime);

    /// <summary>
    /// The instant of a London wall-clock time. False when the time does not exist (the clocks go
    /// forward at 01:00 on the last Sunday of March); <paramref name="ambiguous"/> is true when it
    /// happens twice (01:00–02:00 on the last Sunday of October), and then <paramref name="utc"/> is
    /// the first (BST) occurrence.
    /// </summary>
    public static bool TryToUtc(DateOnly date, TimeOnly time, out DateTimeOffset utc, out bool ambiguous)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        ambiguous = false;
        utc = default;
        if (Zone.IsInvalidTime(local))
        {
            return false;
        }
        if (Zone.IsAmbiguousTime(local))
        {
            ambiguous = true;
            var offset = Zone.GetAmbiguousTimeOffsets(local).Max();
            utc = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }
        utc = new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
        return true;
    }
}
