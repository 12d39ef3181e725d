using Ical.Net;
using Calendar = Ical.Net.Calendar;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using RjConferences.Features.Schools;

namespace RjConferences.Features.Conferences;

/// <summary>
/// What goes into an invitation: never a child's name — only the case reference, the room and the school. A participant's
/// copy has its own <paramref name="Title"/> without the case reference (they need only when and where).
/// </summary>
public sealed record InviteDetails(Guid ConferenceId, string Reference, DateTimeOffset Start, DateTimeOffset End,
    string RoomName, string SchoolName, string BoroughName, int Sequence, bool Cancelled, string? Title = null);

/// <summary>The .ics invitation of a conference (RFC 5545), with Ical.Net.</summary>
public static class CalendarInvite
{
    public const string TimeZoneId = "Europe/London";

    public static string Uid(Guid conferenceId) => $"{conferenceId:D}@rjconferences";

    public static string Create(InviteDetails details, DateTimeOffset stamp)
    {
        // A London time that happens twice (the hour when the clocks go back) is read by calendar
        // programs as the first (BST) one: such a conference is written in UTC, which every calendar
        // reads as one instant and shows in its user's own zone. Other times keep Europe/London.
        var inUtc = LondonTime.HappensTwice(details.Start) || LondonTime.HappensTwice(details.End);
        var calendar = new Calendar { Method = details.Cancelled ? "CANCEL" : "REQUEST" };
        calendar.AddTimeZone(TimeZoneId);
        calendar.Events.Add(new CalendarEvent
        {
            Uid = Uid(details.ConferenceId),
            Sequence = details.Sequence,
            DtStamp = new CalDateTime(stamp.UtcDateTime, "UTC"),
            DtStart = When(details.Start, inUtc),
            DtEnd = When(details.End, inUtc),
            Summary = details.Title ?? $"RJ conference {details.Reference}",
            Location = $"{details.RoomName}, {SchoolName.WithBorough(details.SchoolName, details.BoroughName)}",
            Status = details.Cancelled ? "CANCELLED" : "CONFIRMED",
        });
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalDateTime When(DateTimeOffset value, bool inUtc) => inUtc
        ? new CalDateTime(value.UtcDateTime, "UTC")
        : new CalDateTime(LondonTime.ToLondon(value).DateTime, TimeZoneId);
}
