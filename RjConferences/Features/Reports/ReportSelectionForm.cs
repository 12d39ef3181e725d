using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace RjConferences.Features.Reports;

/// <summary>
/// The report page's form as typed or as read from the address. Everything is text, so that a
/// forged or mistyped value reaches <see cref="ReportSelectionValidator"/> and gets a message rather
/// than an exception. The address holds only ids and codes of the selection (aggregate data, no
/// person), so that a link to a report can be shared and the CSV exports ask for the same report.
/// </summary>
public sealed class ReportSelectionForm
{
    public const string MonthPeriod = "month";
    public const string QuarterPeriod = "quarter";
    public const string AcademicYearPeriod = "academic_year";
    public const string CustomPeriod = "custom";

    public string? Period { get; set; } = AcademicYearPeriod;
    public string? Month { get; set; }
    public string? Quarter { get; set; }

    /// <summary>The calendar year of a month or a quarter.</summary>
    public string? Year { get; set; }

    /// <summary>The year in which the academic year starts (September); "2025" is September 2025 to August 2026.</summary>
    public string? AcademicYear { get; set; }

    public DateInput From { get; set; } = new();
    public DateInput To { get; set; } = new();
    public string? BoroughId { get; set; }
    public string? SchoolId { get; set; }
    public string? OffenceCategoryId { get; set; }
    public string? OutcomeRoute { get; set; }
    public string? AgeBand { get; set; }
    public string? Gender { get; set; }
    public string? EthnicGroup { get; set; }
    public string? Trend { get; set; } = "month";
    public string? ReferenceGroup { get; set; } = "White";

    /// <summary>The keys of the address (and of the export endpoint's query), in the order they are written.</summary>
    private static readonly string[] Keys =
        ["period", "month", "quarter", "year", "academicYear", "from", "to", "borough", "school", "offence", "route", "age", "gender", "ethnicGroup", "trend", "reference"];

    /// <summary>A form for the academic year that contains <paramref name="today"/>.</summary>
    public static ReportSelectionForm ForToday(DateOnly today) => new()
    {
        AcademicYear = AcademicYearStarting(today).ToString(CultureInfo.InvariantCulture),
        Month = today.Month.ToString(CultureInfo.InvariantCulture),
        Quarter = ((today.Month + 2) / 3).ToString(CultureInfo.InvariantCulture),
        Year = today.Year.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Fills the inputs of the periods not chosen with today's (so that switching the period shows
    /// sensible values); the chosen period's own inputs are left as given, to be checked.
    /// </summary>
    public void FillOtherPeriods(DateOnly today)
    {
        var defaults = ForToday(today);
        if (Period != AcademicYearPeriod) AcademicYear ??= defaults.AcademicYear;
        if (Period is not (MonthPeriod or QuarterPeriod)) Year ??= defaults.Year;
        if (Period != MonthPeriod) Month ??= defaults.Month;
        if (Period != QuarterPeriod) Quarter ??= defaults.Quarter;
    }

    /// <summary>The year in which the academic year containing <paramref name="day"/> started.</summary>
    public static int AcademicYearStarting(DateOnly day) => day.Month >= 9 ? day.Year : day.Year - 1;

    /// <summary>True when the address names a selection (any of the form's keys), so that the page shows a report for it.</summary>
    public static bool HasSelection(IEnumerable<KeyValuePair<string, StringValues>> query) =>
        query.Any(q => Keys.Contains(q.Key, StringComparer.OrdinalIgnoreCase));

    /// <summary>The form described by a query string (the page's address or the export's); unknown keys are ignored.</summary>
    public static ReportSelectionForm FromQuery(IEnumerable<KeyValuePair<string, StringValues>> query)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in query)
        {
            values[key] = value.FirstOrDefault();
        }
        string? Get(string key) => values.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        return new ReportSelectionForm
        {
            Period = Get("period"),
            Month = Get("month"),
            Quarter = Get("quarter"),
            Year = Get("year"),
            AcademicYear = Get("academicYear"),
            From = IsoDate(Get("from")),
            To = IsoDate(Get("to")),
            BoroughId = Get("borough"),
            SchoolId = Get("school"),
            OffenceCategoryId = Get("offence"),
            OutcomeRoute = Get("route"),
            AgeBand = Get("age"),
            Gender = Get("gender"),
            EthnicGroup = Get("ethnicGroup"),
            Trend = Get("trend") ?? "month",
            ReferenceGroup = Get("reference") ?? "White",
        };
    }

    public static ReportSelectionForm FromQueryString(string queryString) => FromQuery(QueryHelpers.ParseQuery(queryString));

    /// <summary>
    /// The query string of this form ("period=academic_year&amp;academicYear=2025&amp;borough=3..."), with only the
    /// fields its period uses and the filters that are set. Custom dates are written yyyy-MM-dd.
    /// </summary>
    public string ToQueryString()
    {
        var pairs = new List<KeyValuePair<string, string?>> { new("period", Period) };
        switch (Period)
        {
            case MonthPeriod:
                pairs.Add(new("month", Month));
                pairs.Add(new("year", Year));
                break;
            case QuarterPeriod:
                pairs.Add(new("quarter", Quarter));
                pairs.Add(new("year", Year));
                break;
            case AcademicYearPeriod:
                pairs.Add(new("academicYear", AcademicYear));
                break;
            case CustomPeriod:
                pairs.Add(new("from", Iso(From)));
                pairs.Add(new("to", Iso(To)));
                break;
        }
        pairs.AddRange([
            new("borough", BoroughId), new("school", SchoolId), new("offence", OffenceCategoryId), new("route", OutcomeRoute),
            new("age", AgeBand), new("gender", Gender), new("ethnicGroup", EthnicGroup), new("trend", Trend), new("reference", ReferenceGroup),
        ]);
        return string.Join('&', pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!.Trim())}"));
    }

    /// <summary>"2026-02-31" becomes day 31, month 2, year 2026, so that the date input's own message ("must be a real date") explains it.</summary>
    private static DateInput IsoDate(string? text)
    {
        if (text is null)
        {
            return new DateInput();
        }
        var parts = text.Split('-');
        return parts.Length == 3
            ? new DateInput { Year = parts[0], Month = parts[1], Day = parts[2] }
            : new DateInput { Day = text, Month = "", Year = "" };
    }

    private static string? Iso(DateInput date) =>
        date.IsEmpty ? null : $"{date.Year?.Trim()}-{date.Month?.Trim().PadLeft(2, '0')}-{date.Day?.Trim().PadLeft(2, '0')}";
}
