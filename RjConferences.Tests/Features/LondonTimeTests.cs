using RjConferences.Components;

namespace RjConferences.Tests.Features;

public class LondonTimeTests
{
    [Fact]
    public void Winter_times_show_in_GMT()
    {
        var utc = new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal("Thursday 15 January 2026, 09:00", LondonTime.Format(utc));
    }

    [Fact]
    public void Summer_times_show_in_BST()
    {
        var utc = new DateTimeOffset(2026, 7, 15, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal("Wednesday 15 July 2026, 10:00", LondonTime.Format(utc));
    }

    [Fact]
    public void Today_is_the_London_date_even_when_UTC_is_still_yesterday()
    {
        // 23:30 UTC on 30 June is 00:30 BST on 1 July.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 6, 30, 23, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 7, 1), LondonTime.Today(clock));
    }
}

public class LondonTimeSpanTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void An_ordinary_span_shows_two_clock_times()
    {
        Assert.Equal("10:00–11:00", LondonTime.Span(Utc(2026, 6, 16, 9, 0), Utc(2026, 6, 16, 10, 0)));
        Assert.Equal("Tuesday 16 June 2026, 10:00–11:00", LondonTime.DateAndSpan(Utc(2026, 6, 16, 9, 0), Utc(2026, 6, 16, 10, 0)));
    }

    [Fact]
    public void An_hour_that_happens_twice_names_BST_and_GMT()
    {
        // 01:30 BST on 31 October 2027 is 00:30 UTC; an hour later the clock shows 01:30 again, in GMT.
        Assert.Equal("01:30 BST – 01:30 GMT", LondonTime.Span(Utc(2027, 10, 31, 0, 30), Utc(2027, 10, 31, 1, 30)));
        Assert.Equal("01:30 GMT – 02:30 GMT", LondonTime.Span(Utc(2027, 10, 31, 1, 30), Utc(2027, 10, 31, 2, 30)));
        Assert.Equal("Sunday 31 October 2027, 01:30 BST – 01:30 GMT", LondonTime.DateAndSpan(Utc(2027, 10, 31, 0, 30), Utc(2027, 10, 31, 1, 30)));
        Assert.Equal("Sunday 31 October 2027, 01:30 GMT", LondonTime.Format(Utc(2027, 10, 31, 1, 30)));
        Assert.Equal("31 Oct 2027 01:30 BST", LondonTime.FormatShort(Utc(2027, 10, 31, 0, 30)));
    }

    [Fact]
    public void A_span_across_the_spring_gap_names_GMT_and_BST_so_its_length_can_be_read()
    {
        // 00:30 GMT on 28 March 2027 for an hour ends at 02:30 BST (01:30 UTC).
        Assert.Equal("00:30 GMT – 02:30 BST", LondonTime.Span(Utc(2027, 3, 28, 0, 30), Utc(2027, 3, 28, 1, 30)));
        Assert.Equal("Sunday 28 March 2027, 02:30", LondonTime.Format(Utc(2027, 3, 28, 1, 30)));
    }
}
