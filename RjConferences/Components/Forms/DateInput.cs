
namespace RjConferences.Components.Forms;

/// <summary>A date typed as day, month and year (the GOV.UK date input), parsed on the server.</summary>
public sealed class DateInput
{
    public string? Day { get; set; }
    public string? Month { get; set; }
    public string? Year { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Day) && string.IsNullOrWhiteSpace(Month) && string.IsNullOrWhiteSpace(Year);

    public static DateInput From(DateOnly? date) => date is { } d
        ? new DateInput { Day = d.Day.ToString(CultureInfo.InvariantCulture), Month = d.Month.ToString(CultureInfo.InvariantCulture), Year = d.Year.ToString(CultureInfo.InvariantCulture) }
        : new DateInput();

    /// <summary>The date, or null with a message naming the field ("Date of birth must be a real date").</summary>
    public DateOnly? Parse(string label, out string? error)
    {
        error = null;
        if (IsEmpty)
        {
            error = $"Enter the {label.ToLowerInvariant()}";
            return null;
        }
        var missing = new[] { ("day", Day), ("month", Month), ("year", Year) }.Where(p => string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            error = $"{label} must include a {string.Join(" and ", missing)}";
            return null;
        }
        if (int.TryParse(Day!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            && int.TryParse(Month!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(Year!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && Year.Trim().Length == 4 && year >= 1900 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }
        error = $"{label} must be a real date";
        return null;
    }

    public override string ToString() => $"{Day}/{Month}/{Year}";
}
