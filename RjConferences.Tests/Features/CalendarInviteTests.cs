using Ical.Net;
using RjConferences.Features.Conferences;

namespace RjConferences.Tests.Features;

/// <summary>The .ics read back as a calendar program reads it: every conference must come out at its own instants.</summary>
public class CalendarInviteTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static (DateTime Start, DateTime End) ReadBack(DateTimeOffset start, DateTimeOffset end)
    {
        var ics = CalendarInvite.Create(new InviteDetails(Guid.NewGuid(), "RJ-2027-00001", start, end, "Room 2", "Langdon Park", "Newham", 0, false),
            Utc(2027, 10, 1, 9, 0));
        var evt = Calendar.Load(ics)!.Events.Single();
        return (evt.DtStart!.AsUtc, evt.DtEnd!.AsUtc);
    }

    [Theory]
    [InlineData(0, 30)] // 01:30 BST – 01:30 GMT: starts in the first 01:00–02:00, ends in the second
    [InlineData(1, 30)] // 01:30 GMT – 02:30 GMT: the second 01:30, which a local time would make the first
    [InlineData(0, 0)]  // 01:00 BST – 01:00 GMT
    [InlineData(1, 0)]  // 01:00 GMT – 02:00 GMT
    public void A_conference_in_the_hour_that_happens_twice_is_read_back_at_its_own_instants(int hour, int minute)
    {
        var start = Utc(2027, 10, 31, hour, minute);

        var (readStart, readEnd) = ReadBack(start, start.AddHours(1));

        Assert.Equal(start.UtcDateTime, readStart);
        Assert.Equal(start.AddHours(1).UtcDateTime, readEnd);
    }

    [Theory]
    [InlineData(3, 28, 0, 30)] // 00:30 GMT – 02:30 BST, across the spring gap
    [InlineData(3, 28, 1, 0)]  // 02:00 BST – 03:00 BST, just after it
    [InlineData(10, 31, 2, 0)] // 02:00 GMT, after the clocks went back
    [InlineData(6, 16, 9, 0)]  // an ordinary 10:00 BST
    public void Other_conferences_keep_London_time_and_are_read_back_at_their_instants(int month, int day, int hour, int minute)
    {
        var start = Utc(2027, month, day, hour, minute);

        var ics = CalendarInvite.Create(new InviteDetails(Guid.NewGuid(), "RJ-2027-00001", start, start.AddHours(1), "Room 2", "Langdon Park", "Newham", 0, false), start);
        var evt = Calendar.Load(ics)!.Events.Single();

        Assert.Equal("Europe/London", evt.DtStart!.TzId);
        Assert.Equal(start.UtcDateTime, evt.DtStart.AsUtc);
        Assert.Equal(start.AddHours(1).UtcDateTime, evt.DtEnd!.AsUtc);
    }
}
