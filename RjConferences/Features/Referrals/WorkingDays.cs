namespace RjConferences.Features.Referrals;

/// <summary>Monday to Friday, not a bank holiday in England and Wales.</summary>
public static class WorkingDays
{
    public static bool IsWorkingDay(DateOnly date, IReadOnlySet<DateOnly> bankHolidays) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !bankHolidays.Contains(date);

    /// <summary>The date <paramref name="days"/> working days after <paramref name="start"/>.</summary>
    public static DateOnly Add(DateOnly start, int days, IReadOnlySet<DateOnly> bankHolidays)
    {
        var date = start;
        while (days > 0)
        {
            date = date.AddDays(1);
            if (IsWorkingDay(date, bankHolidays))
            {
                days--;
            }
        }
        return date;
    }
}
