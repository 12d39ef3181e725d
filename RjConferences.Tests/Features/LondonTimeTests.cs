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
