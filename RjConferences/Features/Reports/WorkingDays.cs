namespace RjConferences.Features.Reports;

/// <summary>
/// Working days for the report's timeliness figures: Monday to Friday, except the England and Wales bank holidays the
/// administrator keeps (<c>bank_holidays</c>). Counts are worked out once for a span of dates, so that each case costs two
/// array reads.
/// </summary>
public sealed class WorkingDays
{
    private readonly HashSet<DateOnly> holidays;
    private readonly DateOnly first;
    private readonly int[] upTo; // upTo[i]: working days from first + 1 to first + i, inclusive

    public WorkingDays(IEnumerable<DateOnly> bankHolidays, DateOnly from, DateOnly to)
    {
        holidays = [.. bankHolidays];
        first = from;
        upTo = new int[Math.Max(1, to.DayNumber - from.DayNumber + 1)];
        for (var i = 1; i < upTo.Length; i++)
        {
            upTo[i] = upTo[i - 1] + (IsWorkingDay(first.AddDays(i)) ? 1 : 0);
        }
    }

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day);

    /// <summary>
    /// Working days after <paramref name="start"/> up to and including <paramref name="end"/>: a referral on a Friday
    /// assessed the next Monday took 1 working day, on the same day 0; negative when <paramref name="end"/> comes first.
    /// </summary>
    public int Between(DateOnly start, DateOnly end)
    {
        if (end < start) return -Between(end, start);
        int s = start.DayNumber - first.DayNumber, e = end.DayNumber - first.DayNumber;
        if (s >= 0 && e < upTo.Length) return upTo[e] - upTo[s];
        var count = 0; // outside the span worked out in advance (rare: an event years after the period)
        for (var day = start.AddDays(1); day <= end; day = day.AddDays(1)) count += IsWorkingDay(day) ? 1 : 0;
        return count;
    }
}
