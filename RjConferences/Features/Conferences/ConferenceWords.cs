
namespace RjConferences.Features.Conferences;

/// <summary>The words and time formats the scheduling pages show (London time, en-GB).</summary>
public static class ConferenceWords
{
    public static string Status(string code) => code switch
    {
        "scheduled" => "Scheduled",
        "held" => "Held",
        "not_held" => "Not held",
        "cancelled" => "Cancelled",
        _ => code,
    };

    /// <summary>A row of the history: each row keeps the time as it was when the change was made.</summary>
    public static string Change(string kind) => kind switch
    {
        "booked" => "Booked",
        "rescheduled" => "Moved to a new time",
        "cancelled" => "Cancelled",
        "not_held" => "Recorded as not held",
        "held" => "Recorded as held",
        _ => kind,
    };

    public static string PartyRole(string code) => code switch
    {
        "responsible" => "young person responsible",
        "harmed" => "harmed party",
        "supporter" => "supporter",
        "school_staff" => "school staff",
        "officer" => "officer",
        _ => code,
    };

    /// <summary>"Tuesday 16 June 2026, 10:00–11:00" (see <see cref="LondonTime.Span"/> for the clock changes).</summary>
    public static string Span(DateTimeOffset start, DateTimeOffset end) => LondonTime.DateAndSpan(start, end);

    /// <summary>"10:00–11:00", or "01:30 BST – 01:30 GMT" when the clocks go back.</summary>
    public static string Times(DateTimeOffset start, DateTimeOffset end) => LondonTime.Span(start, end);

    /// <summary>A slot finder suggestion: "Tuesday 16 June, 10:15".</summary>
    public static string Slot(DateTimeOffset start) =>
        LondonTime.ToLondon(start).ToString("dddd d MMMM, ", AppSetup.Culture) + LondonTime.Clock(start, LondonTime.HappensTwice(start));

    public static string MissingPreparation(int count) => count switch
    {
        0 => "Every preparation meeting done",
        1 => "1 preparation meeting still missing",
        _ => $"{count} preparation meetings still missing",
    };

    /// <summary>The Monday of the week (Monday–Sunday) that holds <paramref name="date"/>.</summary>
    public static DateOnly Monday(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
}
