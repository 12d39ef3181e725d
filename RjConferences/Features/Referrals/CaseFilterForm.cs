
namespace RjConferences.Features.Referrals;

/// <summary>
/// The search box and filters of /cases. They live in the page's state only: a name or search text
/// never goes into the URL.
/// </summary>
public sealed class CaseFilterForm
{
    public const int MaxSearch = 100;
    public const int MinNameSearch = 3;

    public string? Search { get; set; }
    public string? Status { get; set; }
    public long? SchoolId { get; set; }
    public long? BoroughId { get; set; }
    public DateInput From { get; set; } = new();
    public DateInput To { get; set; } = new();

    /// <summary>The query these filters ask for; errors keyed by field when they cannot be used.</summary>
    public FieldErrors Validate(out CaseQuery query)
    {
        var errors = new FieldErrors();
        var search = Search?.Trim();
        if (search is { Length: > MaxSearch })
        {
            errors.Add(nameof(Search), $"The search must be {MaxSearch} characters or fewer");
        }
        else if (search is { Length: > 0 } && !search.StartsWith("RJ-", StringComparison.OrdinalIgnoreCase)
                 && NameKeys.Fold(search).EnumerateRunes().Count() < MinNameSearch)
        {
            // One or two letters match tens of thousands of young people: ask for a usable search instead.
            // Counted as the search compares them ("O’B" is three, "- a" one).
            errors.Add(nameof(Search), $"Enter at least {MinNameSearch} letters of the young person's name, or a case reference like RJ-2026-00042");
        }
        var status = string.IsNullOrEmpty(Status) ? null : Status;
        if (status is not null && !CaseStatus.All.Any(s => s.Code == status))
        {
            errors.Add(nameof(Status), "Choose a status from the list");
        }
        var from = Date(From, nameof(From), "Referred from date", errors);
        var to = Date(To, nameof(To), "Referred to date", errors);
        if (from is { } f && to is { } t && f > t)
        {
            errors.Add(nameof(To), "Referred to date must be the same as or after the referred from date");
        }
        query = new CaseQuery(string.IsNullOrEmpty(search) ? null : search, status, SchoolId, BoroughId, from, to);
        return errors;
    }

    private static DateOnly? Date(DateInput input, string field, string label, FieldErrors errors)
    {
        if (input.IsEmpty)
        {
            return null;
        }
        var date = input.Parse(label, out var error);
        if (error is not null)
        {
            errors.Add(field, error);
        }
        return date;
    }
}
