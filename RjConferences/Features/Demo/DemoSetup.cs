using RjConferences.Features.Admin;
using RjConferences.Features.Conferences;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- What the administrator sets up before the first referral: term dates, rooms, training ----

    /// <summary>The school calendar of the demonstration: the borough's terms and the terms the administrator adds for the years that have none.</summary>
    internal sealed record DemoCalendar(SchoolCalendar Calendar, List<(string Name, DateOnly Start, DateOnly End)> TermsToAdd);

    /// <summary>
    /// Terms for every academic year of the invented history that has none in the borough, on the
    /// pattern of the terms the migrations hold (six half-terms, September to July).
    /// </summary>
    internal static async Task<DemoCalendar> PlanCalendarAsync(Db db, long boroughId, DateOnly today)
    {
        await using var connection = await db.OpenAsync();
        var calendar = await ConferenceBooking.CalendarAsync(connection, null, boroughId);
        var add = new List<(string Name, DateOnly Start, DateOnly End)>();
        for (var year = today.Year - 3; year <= today.Year + 1; year++)
        {
            (string, DateOnly, DateOnly)[] terms =
            [
                ("Autumn 1", new(year, 9, 3), new(year, 10, 23)), ("Autumn 2", new(year, 11, 2), new(year, 12, 18)),
                ("Spring 1", new(year + 1, 1, 5), new(year + 1, 2, 13)), ("Spring 2", new(year + 1, 2, 23), new(year + 1, 3, 27)),
                ("Summer 1", new(year + 1, 4, 13), new(year + 1, 5, 22)), ("Summer 2", new(year + 1, 6, 1), new(year + 1, 7, 22)),
            ];
            foreach (var (name, start, end) in terms)
            {
                var (first, last) = (Weekday(start, 1), Weekday(end, -1));
                if (last < today.AddDays(-800) || first > today.AddDays(400)
                    || calendar.Terms.Concat(add.Select(a => (a.Start, a.End))).Any(t => t.Start <= last && first <= t.End))
                {
                    continue;
                }
                add.Add((name, first, last));
            }
        }
        var all = calendar.Terms.Concat(add.Select(a => (a.Start, a.End))).OrderBy(t => t.Start).ToList();
        return new DemoCalendar(calendar with { Terms = all }, add);
    }

    private static DateOnly Weekday(DateOnly day, int direction)
    {
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(direction);
        return day;
    }

    /// <summary>The administrator adds the missing terms, one or two rooms at each school, and the facilitator's training record.</summary>
    private static async Task SetUpAsync(Db db, AuditLog audit, TimeProvider clock, DemoCalendar calendar, long boroughId, List<School> schools,
        Guid adminId, Guid facilitatorId, DateOnly today)
    {
        var days = new SchoolDaysAdministration(db, audit);
        foreach (var (name, start, end) in calendar.TermsToAdd)
        {
            var (outcome, errors) = await days.AddTermAsync(boroughId, new TermForm { Name = name, StartsOn = DateInput.From(start), EndsOn = DateInput.From(end) }, adminId);
            Check(outcome == SaveOutcome.Saved, errors, $"term {name} {start}");
        }

        var rooms = new RoomAdministration(db, audit);
        var random = new Random(Seed + 2);
        foreach (var school in schools)
        {
            var names = RoomNames.OrderBy(_ => random.Next()).Take(random.Next(3) == 0 ? 2 : 1);
            foreach (var name in names)
            {
                var (id, errors) = (await rooms.AddAsync(school.Id, new RoomForm { Name = name, Capacity = random.Next(6, 13).ToString(System.Globalization.CultureInfo.InvariantCulture) }, adminId)).ValueAndErrors();
                Check(id is not null, errors, $"room at {school.Name}");
            }
        }

        // Trained before the story begins; the refresher falls due some weeks after today.
        var history = LondonTime.Today(clock);
        var (saved, problems) = await new FacilitatorTraining(db, audit, clock).SaveAsync(facilitatorId, new TrainingForm
        {
            Provider = "Restorative Justice Council accredited facilitator training",
            CompletedOn = DateInput.From(history.AddDays(-120)),
            RefresherDueOn = DateInput.From(today.AddDays(75)),
            LastSupervisionOn = DateInput.From(history.AddDays(-20)),
        }, version: null, adminId);
        Check(saved == SaveOutcome.Saved, problems, "training record");
    }

    private static void Check(bool ok, FieldErrors errors, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"The demo {what} was refused: {string.Join("; ", errors.SelectMany(e => e.Value))}");
        }
    }
}
