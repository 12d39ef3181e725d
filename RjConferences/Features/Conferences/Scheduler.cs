
namespace RjConferences.Features.Conferences;

/// <summary>A booked time of a room, a facilitator or a person, for conflict checks (UTC).</summary>
public sealed record Booking(DateTimeOffset Start, DateTimeOffset End);

/// <summary>School-day hours, term dates of the school's borough, and bank holidays.</summary>
public sealed record SchoolCalendar(TimeOnly DayStart, TimeOnly DayEnd, IReadOnlyList<(DateOnly Start, DateOnly End)> Terms, IReadOnlySet<DateOnly> BankHolidays)
{
    public bool InTerm(DateOnly date) => Terms.Any(t => t.Start <= date && date <= t.End);

    public bool IsSchoolDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !BankHolidays.Contains(date) && InTerm(date);
}

/// <summary>The scheduling rules: overlaps with a buffer, training, and school-day warnings.</summary>
public static class Scheduler
{
    /// <summary>
    /// Two bookings collide when they overlap once each is extended by the buffer: with a
    /// 15-minute buffer, one ending at 10:00 and one starting at 10:15 do not collide; 10:14 does.
    /// </summary>
    public static bool Collides(DateTimeOffset start, DateTimeOffset end, Booking other, TimeSpan buffer) =>
        start < other.End + buffer && other.Start < end + buffer;

    /// <summary>"15 minutes are needed between conferences": the buffer as the messages say it.</summary>
    public static string BufferRule(TimeSpan buffer) =>
        (buffer.TotalMinutes == 1 ? "1 minute is" : $"{buffer.TotalMinutes:0} minutes are") + " needed between conferences";

    /// <summary>A facilitator is current on a date when trained on or before it and the refresher is not overdue on it.</summary>
    public static bool IsCurrent(DateOnly completedOn, DateOnly refresherDueOn, DateOnly on) =>
        completedOn <= on && on <= refresherDueOn;

    /// <summary>
    /// Why <paramref name="name"/> may not facilitate on <paramref name="on"/>, or null when their training
    /// is current that day: the one wording for bookings, the case page, My work and the training register.
    /// </summary>
    public static string? TrainingProblem(string name, DateOnly? completedOn, DateOnly? refresherDueOn, DateOnly on)
    {
        if (completedOn is { } completed && refresherDueOn is { } due && IsCurrent(completed, due, on))
        {
            return null;
        }
        return refresherDueOn is { } d && d < on
            ? $"{name}'s restorative justice training is not current on {LondonTime.FormatDate(on)}: the refresher was due on {LondonTime.FormatDate(d)}"
            : $"{name} has no restorative justice training recorded that is current on {LondonTime.FormatDate(on)}";
    }

    /// <summary>Reasons to ask "are you sure?" before booking this time: none means a normal school-day time.</summary>
    public static IReadOnlyList<string> Warnings(DateTimeOffset start, DateTimeOffset end, SchoolCalendar calendar)
    {
        var warnings = new List<string>();
        var localStart = LondonTime.ToLondon(start);
        var localEnd = LondonTime.ToLondon(end);
        var date = DateOnly.FromDateTime(localStart.DateTime);
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            warnings.Add($"{localStart:dddd d MMMM} is a weekend.");
        }
        if (calendar.BankHolidays.Contains(date))
        {
            warnings.Add($"{localStart:dddd d MMMM} is a bank holiday.");
        }
        if (!calendar.InTerm(date))
        {
            warnings.Add($"{localStart:dddd d MMMM} is outside term at this school.");
        }
        if (TimeOnly.FromDateTime(localStart.DateTime) < calendar.DayStart
            || DateOnly.FromDateTime(localEnd.DateTime) != date
            || TimeOnly.FromDateTime(localEnd.DateTime) > calendar.DayEnd)
        {
            warnings.Add($"The time is outside school-day hours ({calendar.DayStart:HH\\:mm}–{calendar.DayEnd:HH\\:mm}).");
        }
        return warnings;
    }

    /// <summary>Starts from this London time on count as the afternoon for the slot finder's spread.</summary>
    public static readonly TimeOnly Afternoon = new(12, 0);

    /// <summary>
    /// Up to <paramref name="count"/> start times spread over the days and the times of day: on each
    /// school day from <paramref name="from"/>, over the next <paramref name="schoolDays"/> school days,
    /// the first free start of the morning and the first free start of the afternoon (at most two a
    /// day), on a 15-minute grid within school-day hours, where nothing in <paramref name="busy"/>
    /// collides. Asking for more returns the same times first, then later ones.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> FreeSlots(DateTimeOffset from, TimeSpan length, IReadOnlyList<Booking> busy,
        SchoolCalendar calendar, TimeSpan buffer, int count = 5, int schoolDays = 20)
    {
        var step = TimeSpan.FromMinutes(15);
        var sorted = busy.OrderBy(b => b.Start).ToList();
        var slots = new List<DateTimeOffset>();
        var date = LondonTime.DateOf(from);
        var daysSeen = 0;
        for (var guard = 0; guard < 400 && daysSeen < schoolDays && slots.Count < count; guard++, date = date.AddDays(1))
        {
            if (!calendar.IsSchoolDay(date))
            {
                continue;
            }
            daysSeen++;
            var morningFound = false;
            for (var time = calendar.DayStart; time.ToTimeSpan() + length <= calendar.DayEnd.ToTimeSpan(); time = time.Add(step))
            {
                var morning = time < Afternoon;
                if (morning && morningFound)
                {
                    continue;
                }
                if (LondonTime.TryToUtc(date, time, out var start, out _) && start >= from
                    && !sorted.Any(b => Collides(start, start + length, b, buffer)))
                {
                    slots.Add(start);
                    if (!morning || slots.Count == count)
                    {
                        break; // the afternoon's start is the day's last
                    }
                    morningFound = true;
                }
                if (time.ToTimeSpan() + step >= TimeSpan.FromDays(1))
                {
                    break;
                }
            }
        }
        return slots;
    }
}

public sealed class ConferenceOptions
{
    /// <summary>Minutes kept free before and after each conference for the same room, facilitator or person (Conferences:BufferMinutes).</summary>
    public int BufferMinutes { get; set; } = 15;

    public int DefaultLengthMinutes { get; set; } = 60;

    public int MaxLengthMinutes { get; set; } = 8 * 60;
}
