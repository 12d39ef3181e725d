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
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToLondon(clock.GetUtcNow()).DateTime);
}
