using RjConferences.Features.Referrals;

namespace RjConferences.Features.Reports;

/// <summary>
/// What the report form offers a user: the schools (and so the boroughs) of their scope, every
/// offence category (a retired one still has cases), and today's London date for the periods.
/// </summary>
public sealed record ReportChoices(IReadOnlyList<ScopedSchool> Schools, IReadOnlyList<Choice> OffenceCategories, DateOnly Today)
{
    public IReadOnlyList<Choice> Boroughs { get; } = Schools
        .GroupBy(s => (s.BoroughId, s.BoroughName))
        .Select(g => new Choice(g.Key.BoroughId.ToString(CultureInfo.InvariantCulture), g.Key.BoroughName))
        .OrderBy(b => b.Label, StringComparer.Ordinal)
        .ToList();

    public static readonly IReadOnlyList<Choice> Periods =
    [
        new(ReportSelectionForm.AcademicYearPeriod, "Academic year (September to August)"),
        new(ReportSelectionForm.QuarterPeriod, "Quarter"),
        new(ReportSelectionForm.MonthPeriod, "Month"),
        new(ReportSelectionForm.CustomPeriod, "Dates of my choice"),
    ];

    public static readonly IReadOnlyList<Choice> Quarters =
    [
        new("1", "January to March"), new("2", "April to June"), new("3", "July to September"), new("4", "October to December"),
    ];

    public static readonly IReadOnlyList<Choice> Months = Enumerable.Range(1, 12)
        .Select(m => new Choice(m.ToString(CultureInfo.InvariantCulture), new DateOnly(2000, m, 1).ToString("MMMM", AppSetup.Culture)))
        .ToList();

    public static readonly IReadOnlyList<Choice> AgeBands = [new("10-13", "10 to 13"), new("14-15", "14 to 15"), new("16-17", "16 to 17")];

    public static readonly IReadOnlyList<Choice> TrendGranularities = [new("month", "By month"), new("quarter", "By quarter")];

    public static IReadOnlyList<Choice> EthnicGroups { get; } = Vocabulary.EthnicGroupHeadings.Select(g => new Choice(g, g)).ToList();

    /// <summary>The filters of a selection in words ("Newham, Theft, aged 14 to 15"); empty when there are none.</summary>
    public string Describe(ReportSelection s) => string.Join(", ", new[]
    {
        s.BoroughId is { } b ? Boroughs.FirstOrDefault(x => x.Code == b.ToString(CultureInfo.InvariantCulture))?.Label : null,
        s.SchoolId is { } id ? Schools.FirstOrDefault(x => x.Id == id)?.FullName : null,
        s.OffenceCategoryId is { } c ? OffenceCategories.FirstOrDefault(x => x.Code == c.ToString(CultureInfo.InvariantCulture))?.Label : null,
        s.OutcomeRoute is { } r ? Vocabulary.Label(Vocabulary.OutcomeRoutes, r) : null,
        s.AgeBand is { } a ? "aged " + Vocabulary.Label(AgeBands, a) : null,
        s.Gender is { } g ? Vocabulary.Label(Vocabulary.Genders, g) : null,
        s.EthnicGroup is { } e ? "ethnic group " + e : null,
    }.Where(t => !string.IsNullOrEmpty(t)));

    /// <summary>The earliest year a period may start in.</summary>
    public const int FirstYear = 2000;

    /// <summary>The longest period a report covers.</summary>
    public const int MaxYears = 10;

    /// <summary>Academic years from <see cref="FirstYear"/> to the current one, newest first ("2025 to 2026").</summary>
    public IReadOnlyList<Choice> AcademicYears => Enumerable.Range(FirstYear, ReportSelectionForm.AcademicYearStarting(Today) - FirstYear + 1)
        .Reverse()
        .Select(y => new Choice(y.ToString(CultureInfo.InvariantCulture), $"{y} to {y + 1}", $"1 September {y} to 31 August {y + 1}"))
        .ToList();
}

/// <summary>
/// A checked selection: the report to run, or the messages (keyed by the form's field names) and the
/// borough and school ids that were not the user's to ask for.
/// </summary>
public sealed record SelectionCheck(ReportSelection? Selection, FieldErrors Errors, IReadOnlyList<(string EntityType, string? EntityId)> OutsideScope);

/// <summary>
/// Resolves the report form's period to dates and checks every filter against what the user was
/// offered. A borough or school that is not in the user's scope (or does not exist: the answer is
/// the same, so that nothing is learnt from it) can only come from a forged request: it is refused
/// like any unknown value and audited as access_denied, as a case outside the scope is.
/// </summary>
public sealed class ReportSelectionValidator(Db db, SchoolScope scope, AuditLog audit, TimeProvider clock)
{
    public async Task<ReportChoices> ChoicesAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var schools = await scope.SchoolsAsync(userId, cancellationToken);
        await using var connection = await db.OpenAsync(cancellationToken);
        var categories = (await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition(
                "SELECT id, name FROM offence_categories ORDER BY sort_order, id", cancellationToken: cancellationToken)))
            .Select(c => new Choice(c.Id.ToString(CultureInfo.InvariantCulture), c.Name))
            .ToList();
        return new ReportChoices(schools, categories, LondonTime.Today(clock));
    }

    /// <summary>Checks <paramref name="form"/> for <paramref name="userId"/>; audits any borough or school outside their scope.</summary>
    public async Task<SelectionCheck> ValidateAsync(ReportSelectionForm form, Guid userId, ReportChoices? choices = null,
        CancellationToken cancellationToken = default)
    {
        choices ??= await ChoicesAsync(userId, cancellationToken);
        var check = Check(form, choices);
        foreach (var (entityType, entityId) in check.OutsideScope)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: entityType, EntityId: entityId, UserId: userId,
                Justification: $"report selection for a {entityType} outside the user's scope or missing"), cancellationToken);
        }
        return check;
    }

    /// <summary>The checks themselves, without the database: the period, then each filter.</summary>
    public static SelectionCheck Check(ReportSelectionForm form, ReportChoices choices)
    {
        var errors = new FieldErrors();
        var outside = new List<(string, string?)>();
        var (from, to) = Period(form, choices.Today, errors);

        var borough = ScopedId(form.BoroughId, choices.Boroughs, "borough", nameof(form.BoroughId), "Choose a borough from the list", errors, outside);
        var schoolChoices = choices.Schools.Select(s => new Choice(s.Id.ToString(CultureInfo.InvariantCulture), s.FullName)).ToList();
        var school = ScopedId(form.SchoolId, schoolChoices, "school", nameof(form.SchoolId), "Choose a school from the list", errors, outside);
        if (borough is { } b && school is { } s && choices.Schools.First(x => x.Id == s).BoroughId != b)
        {
            errors.Add(nameof(form.SchoolId), "Choose a school in the chosen borough, or any school");
        }
        long? category = null;
        if (Blank(form.OffenceCategoryId) is { } categoryText)
        {
            if (Vocabulary.IsCode(choices.OffenceCategories, categoryText))
            {
                category = long.Parse(categoryText, CultureInfo.InvariantCulture);
            }
            else
            {
                errors.Add(nameof(form.OffenceCategoryId), "Choose an offence category from the list");
            }
        }
        var route = Code(form.OutcomeRoute, Vocabulary.OutcomeRoutes, nameof(form.OutcomeRoute), "Choose an outcome route from the list", errors);
        var age = Code(form.AgeBand, ReportChoices.AgeBands, nameof(form.AgeBand), "Choose an age band from the list", errors);
        var gender = Code(form.Gender, Vocabulary.Genders, nameof(form.Gender), "Choose a gender from the list", errors);
        var ethnic = Code(form.EthnicGroup, ReportChoices.EthnicGroups, nameof(form.EthnicGroup), "Choose an ethnic group from the list", errors);
        var trend = Code(form.Trend, ReportChoices.TrendGranularities, nameof(form.Trend), "Choose whether the trend is by month or by quarter", errors, required: true);
        var reference = Code(form.ReferenceGroup, ReportChoices.EthnicGroups, nameof(form.ReferenceGroup), "Choose the reference group from the list", errors, required: true);

        if (!errors.IsEmpty)
        {
            return new SelectionCheck(null, errors, outside);
        }
        return new SelectionCheck(new ReportSelection(from!.Value, to!.Value, borough, school, category, route, age, gender, ethnic,
            trend == "quarter" ? TrendGranularity.Quarter : TrendGranularity.Month, reference!), errors, outside);
    }

    private static (DateOnly? From, DateOnly? To) Period(ReportSelectionForm form, DateOnly today, FieldErrors errors)
    {
        switch (form.Period)
        {
            case ReportSelectionForm.MonthPeriod:
            {
                var month = Number(form.Month, 1, 12);
                if (month is null)
                {
                    errors.Add(nameof(form.Month), "Choose a month from the list");
                }
                var year = Year(form.Year, today.Year, errors);
                return month is { } m && year is { } y ? (new DateOnly(y, m, 1), new DateOnly(y, m, 1).AddMonths(1).AddDays(-1)) : (null, null);
            }
            case ReportSelectionForm.QuarterPeriod:
            {
                var quarter = Number(form.Quarter, 1, 4);
                if (quarter is null)
                {
                    errors.Add(nameof(form.Quarter), "Choose a quarter from the list");
                }
                var year = Year(form.Year, today.Year, errors);
                if (quarter is not { } q || year is not { } y)
                {
                    return (null, null);
                }
                var start = new DateOnly(y, (q - 1) * 3 + 1, 1);
                return (start, start.AddMonths(3).AddDays(-1));
            }
            case ReportSelectionForm.AcademicYearPeriod:
            {
                var last = ReportSelectionForm.AcademicYearStarting(today);
                if (Number(form.AcademicYear, ReportChoices.FirstYear, last) is { } y)
                {
                    return (new DateOnly(y, 9, 1), new DateOnly(y + 1, 8, 31));
                }
                errors.Add(nameof(form.AcademicYear), "Choose an academic year from the list");
                return (null, null);
            }
            case ReportSelectionForm.CustomPeriod:
            {
                var from = form.From.Parse("Start date", out var fromError);
                if (fromError is not null)
                {
                    errors.Add(nameof(form.From), fromError);
                }
                var to = form.To.Parse("End date", out var toError);
                if (toError is not null)
                {
                    errors.Add(nameof(form.To), toError);
                }
                if (from is not { } f || to is not { } t)
                {
                    return (null, null);
                }
                if (t < f)
                {
                    errors.Add(nameof(form.To), "End date must be the same as or after the start date");
                    return (null, null);
                }
                if (t >= f.AddYears(ReportChoices.MaxYears))
                {
                    errors.Add(nameof(form.To), $"The period must be {ReportChoices.MaxYears} years or shorter: choose an end date before {LondonTime.FormatDate(f.AddYears(ReportChoices.MaxYears))}");
                    return (null, null);
                }
                return (f, t);
            }
            default:
                errors.Add(nameof(form.Period), "Choose the period of the report");
                return (null, null);
        }
    }

    private static int? Year(string? text, int last, FieldErrors errors)
    {
        if (Number(text, ReportChoices.FirstYear, last) is { } year)
        {
            return year;
        }
        errors.Add("Year", Blank(text) is null
            ? "Enter the year, for example 2026"
            : $"Year must be a year from {ReportChoices.FirstYear} to {last}, for example 2026");
        return null;
    }

    private static int? Number(string? text, int min, int max) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? Code(string? text, IReadOnlyList<Choice> choices, string field, string message, FieldErrors errors, bool required = false)
    {
        var code = Blank(text);
        if (code is null ? required : !Vocabulary.IsCode(choices, code))
        {
            errors.Add(field, message);
            return null;
        }
        return code;
    }

    /// <summary>A borough or school id that must be one of the user's; anything else is refused and noted for the audit.</summary>
    private static long? ScopedId(string? text, IReadOnlyList<Choice> offered, string entityType, string field, string message,
        FieldErrors errors, List<(string, string?)> outside)
    {
        if (Blank(text) is not { } value)
        {
            return null;
        }
        if (Vocabulary.IsCode(offered, value))
        {
            return long.Parse(value, CultureInfo.InvariantCulture);
        }
        errors.Add(field, message);
        // Only a number goes into the audit log: a forged value could be any text.
        outside.Add((entityType, long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
            ? id.ToString(CultureInfo.InvariantCulture) : null));
        return null;
    }
}
