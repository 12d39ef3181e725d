using RjConferences.Features.Conferences;

namespace RjConferences.Tests.Features;

public class SchedulerTests
{
    private static readonly TimeSpan Buffer = TimeSpan.FromMinutes(15);
    private static DateTimeOffset At(int hour, int minute) => new(2026, 6, 16, hour, minute, 0, TimeSpan.Zero);
    private static readonly Booking NineToTen = new(At(9, 0), At(10, 0));

    [Theory]
    [InlineData(10, 15, false)] // starts when the buffer after 10:00 ends
    [InlineData(10, 14, true)]
    [InlineData(10, 0, true)]
    [InlineData(7, 45, false)]  // 07:45–08:45 ends a buffer before 09:00
    [InlineData(7, 46, true)]
    public void A_conference_collides_within_the_buffer_of_another(int hour, int minute, bool collides) =>
        Assert.Equal(collides, Scheduler.Collides(At(hour, minute), At(hour, minute).AddHours(1), NineToTen, Buffer));

    [Fact]
    public void Without_a_buffer_touching_conferences_do_not_collide()
    {
        Assert.False(Scheduler.Collides(At(10, 0), At(11, 0), NineToTen, TimeSpan.Zero));
        Assert.False(Scheduler.Collides(At(8, 0), At(9, 0), NineToTen, TimeSpan.Zero));
        Assert.True(Scheduler.Collides(At(9, 59), At(11, 0), NineToTen, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("2027-01-10", true)]  // the refresher is due that day: still current
    [InlineData("2027-01-11", false)] // overdue
    [InlineData("2025-01-10", true)]  // trained that day
    [InlineData("2025-01-09", false)] // not yet trained
    public void Training_is_current_from_completion_until_the_refresher_is_overdue(string on, bool current) =>
        Assert.Equal(current, Scheduler.IsCurrent(new DateOnly(2025, 1, 10), new DateOnly(2027, 1, 10), DateOnly.Parse(on)));

    private static readonly SchoolCalendar Calendar = new(new TimeOnly(8, 30), new TimeOnly(17, 0),
        [(new DateOnly(2026, 6, 1), new DateOnly(2026, 7, 22))], new HashSet<DateOnly> { new(2026, 8, 31) });

    [Fact]
    public void A_school_day_time_needs_no_confirmation() =>
        Assert.Empty(Scheduler.Warnings(At(9, 0), At(10, 0), Calendar)); // 10:00–11:00 BST on a Tuesday in term

    [Fact]
    public void Weekends_bank_holidays_outside_term_and_outside_hours_ask_for_confirmation()
    {
        Assert.Contains(Scheduler.Warnings(new DateTimeOffset(2026, 6, 20, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 6, 20, 10, 0, 0, TimeSpan.Zero), Calendar), w => w.Contains("weekend"));
        Assert.Contains(Scheduler.Warnings(new DateTimeOffset(2026, 8, 31, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 8, 31, 10, 0, 0, TimeSpan.Zero), Calendar), w => w.Contains("bank holiday"));
        Assert.Contains(Scheduler.Warnings(new DateTimeOffset(2026, 7, 28, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 7, 28, 10, 0, 0, TimeSpan.Zero), Calendar), w => w.Contains("outside term"));
        Assert.Contains(Scheduler.Warnings(At(16, 30), At(17, 30), Calendar), w => w.Contains("outside school-day hours")); // 17:30–18:30 BST
        Assert.Contains(Scheduler.Warnings(At(7, 0), At(8, 0), Calendar), w => w.Contains("outside school-day hours"));   // 08:00 BST
    }

    [Fact]
    public void Free_slots_skip_bookings_and_their_buffer_and_stay_within_the_school_day()
    {
        var from = new DateTimeOffset(2026, 6, 16, 7, 30, 0, TimeSpan.Zero); // 08:30 BST Tuesday
        var busy = new[] { new Booking(At(7, 30), At(9, 0)) };         // 08:30–10:00 BST

        var slots = Scheduler.FreeSlots(from, TimeSpan.FromHours(1), busy, Calendar, Buffer);

        Assert.Equal(5, slots.Count);
        Assert.Equal(At(9, 15), slots[0]); // 10:15 BST, after the buffer
        Assert.All(slots, s => Assert.False(Scheduler.Collides(s, s.AddHours(1), busy[0], Buffer)));
        Assert.All(slots, s => Assert.Empty(Scheduler.Warnings(s, s.AddHours(1), Calendar)));
    }

    [Fact]
    public void Free_slots_are_spread_over_days_with_at_most_a_morning_and_an_afternoon_start_each_day()
    {
        var from = new DateTimeOffset(2026, 6, 16, 7, 30, 0, TimeSpan.Zero); // 08:30 BST Tuesday
        var busy = new[] { new Booking(At(7, 30), At(9, 0)) };         // 08:30–10:00 BST

        var slots = Scheduler.FreeSlots(from, TimeSpan.FromHours(1), busy, Calendar, Buffer);

        var london = slots.Select(RjConferences.Components.LondonTime.ToLondon).ToList();
        Assert.Equal(["Tue 16 10:15", "Tue 16 12:00", "Wed 17 08:30", "Wed 17 12:00", "Thu 18 08:30"],
            london.Select(t => t.ToString("ddd d HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(london.GroupBy(t => t.Date), day =>
        {
            Assert.True(day.Count() <= 2);
            Assert.True(day.Count(t => t.Hour < 12) <= 1 && day.Count(t => t.Hour >= 12) <= 1);
        });
    }

    [Fact]
    public void More_free_slots_keep_the_first_ones_and_go_on_to_later_days()
    {
        var from = new DateTimeOffset(2026, 6, 16, 7, 30, 0, TimeSpan.Zero);

        var five = Scheduler.FreeSlots(from, TimeSpan.FromHours(1), [], Calendar, Buffer);
        var ten = Scheduler.FreeSlots(from, TimeSpan.FromHours(1), [], Calendar, Buffer, count: 10);

        Assert.Equal(five, ten.Take(5));
        Assert.Equal(10, ten.Distinct().Count());
        Assert.Equal(5, ten.Select(RjConferences.Components.LondonTime.DateOf).Distinct().Count());
    }
}
