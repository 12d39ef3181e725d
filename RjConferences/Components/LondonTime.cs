namespace RjConferences.Components;

/// <summary>
/// Times are stored in UTC and shown in Europe/London (GMT in winter, BST in summer), en-GB.
/// </summary>
public static class LondonTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The wall-clock time in London at the instant <paramref name="value"/>.</summary>
    public static DateTimeOffset ToLondon(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone);

    /// <summary>
    /// "Tuesday 3 March 2026, 10:15" — the date and time a user in London reads; "Sunday 31 October
    /// 2027, 01:30 GMT" when that wall-clock time happens twice (the clocks go back).
    /// </summary>
    public static string Format(DateTimeOffset value) =>
        ToLondon(value).ToString("dddd d MMMM yyyy, ", AppSetup.Culture) + Clock(value, HappensTwice(value));

    /// <summary>"3 Mar 2026 10:15" for tables (with GMT or BST when the time happens twice).</summary>
    public static string FormatShort(DateTimeOffset value) =>
        ToLondon(value).ToString("d MMM yyyy ", AppSetup.Culture) + Clock(value, HappensTwice(value));

    /// <summary>
    /// The London time from <paramref name="start"/> to <paramref name="end"/>: "10:00–11:00"; each
    /// end named GMT or BST ("01:30 BST – 01:30 GMT") when either end happens twice or the clocks
    /// change in between, so that every time shown means one instant and the length can be read.
    /// This is the one way the app shows a span of time.
    /// </summary>
    public static string Span(DateTimeOffset start, DateTimeOffset end)
    {
        var named = HappensTwice(start) || HappensTwice(end) || Zone.GetUtcOffset(start) != Zone.GetUtcOffset(end);
        return named ? $"{Clock(start, true)} – {Clock(end, true)}" : $"{Clock(start, false)}–{Clock(end, false)}";
    }

    /// <summary>"Tuesday 16 June 2026, 10:00–11:00" — the date of the start and <see cref="Span"/>.</summary>
    public static string DateAndSpan(DateTimeOffset start, DateTimeOffset end) =>
        ToLondon(start).ToString("dddd d MMMM yyyy, ", AppSetup.Culture) + Span(start, end);

    /// <summary>"10:15", or "01:30 BST" with the name of the time in London (GMT in winter, BST in summer).</summary>
    public static string Clock(DateTimeOffset value, bool named) =>
        ToLondon(value).ToString("HH:mm", AppSetup.Culture) + (named ? " " + ZoneName(value) : "");

    /// <summary>"BST" when London is an hour ahead of UTC at the instant, else "GMT".</summary>
    public static string ZoneName(DateTimeOffset value) => Zone.IsDaylightSavingTime(value) ? "BST" : "GMT";

    /// <summary>True when London's wall clock shows this time twice (01:00–02:00 on the last Sunday of October).</summary>
    public static bool HappensTwice(DateTimeOffset value) => Zone.IsAmbiguousTime(value);

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
