using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using RjConferences.Components;

namespace RjConferences.Features.Conferences;

/// <summary>What goes into an invitation: never a child's name — only the case reference, the room and the school.</summary>
public sealed record InviteDetails(Guid ConferenceId, string Reference, DateTimeOffset Start, DateTimeOffset End,
    string RoomName, string SchoolName, string BoroughName, int Sequence, bool Cancelled);

/// <summary>The .ics invitation of a conference (RFC 5545), with Ical.Net.</summary>
public static class CalendarInvite
{
    public const string TimeZoneId = "Europe/London";

    public static string Uid(Guid conferenceId) => $"{conferenceId:D}@rjconferences";

    public static string Create(InviteDetails details, DateTimeOffset stamp)
    {
        var calendar = new Calendar { Method = details.Cancelled ? "CANCEL" : "REQUEST" };
        calendar.AddTimeZone(TimeZoneId);
        calendar.Events.Add(new CalendarEvent
        {
            Uid = Uid(details.ConferenceId),
            Sequence = details.Sequence,
            DtStamp = new CalDateTime(stamp.UtcDateTime, "UTC"),
            DtStart = new CalDateTime(LondonTime.ToLondon(details.Start).DateTime, TimeZoneId),
            DtEnd = new CalDateTime(LondonTime.ToLondon(details.End).DateTime, TimeZoneId),
            Summary = $"RJ conference {details.Reference}",
            Location = $"{details.RoomName}, {details.SchoolName} ({details.BoroughName})",
            Status = details.Cancelled ? "CANCELLED" : "CONFIRMED",
        });
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}
