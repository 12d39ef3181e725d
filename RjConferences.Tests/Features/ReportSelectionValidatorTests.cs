using RjConferences.Features.Referrals;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>The report form's periods resolve to dates; every bad value gets a message at its field and no report.</summary>
public class ReportSelectionValidatorTests
{
    // Newham (borough 10) with two schools, Hackney (borough 5) with one; today is 15 June 2026.
    private static readonly ReportChoices Choices = new(
        [
            new ScopedSchool(101, "Langdon Park", 10, "Newham"), new ScopedSchool(102, "Rokeby", 10, "Newham"),
            new ScopedSchool(201, "Clapton Girls", 5, "Hackney"),
        ],
        [new Choice("1", "Minor assault"), new Choice("2", "Theft")],
        new DateOnly(2026, 6, 15));

    private static SelectionCheck Check(string query) => ReportSelectionValidator.Check(ReportSelectionForm.FromQueryString(query), Choices);

    private static void AssertRefused(SelectionCheck check, string field, string message)
    {
        Assert.Null(check.Selection);
        Assert.Equal([message], check.Errors[field]);
    }

    [Theory]
    [InlineData("period=academic_year&academicYear=2025", "2025-09-01", "2026-08-31")]
    [InlineData("period=month&month=2&year=2024", "2024-02-01", "2024-02-29")]
    [InlineData("period=quarter&quarter=4&year=2025", "2025-10-01", "2025-12-31")]
    [InlineData("period=custom&from=2016-06-16&to=2026-06-15", "2016-06-16", "2026-06-15")]
    [InlineData("period=custom&from=2026-03-05&to=2026-03-05", "2026-03-05", "2026-03-05")]
    public void A_period_resolves_to_its_first_and_last_day(string query, string from, string to)
    {
        var check = Check(query);

        Assert.True(check.Errors.IsEmpty, string.Join("; ", check.Errors.SelectMany(e => e.Value)));
        Assert.Equal(DateOnly.Parse(from), check.Selection!.From);
        Assert.Equal(DateOnly.Parse(to), check.Selection.To);
    }

    [Fact]
    public void Filters_become_the_selection_with_the_defaults_for_trend_and_reference_group()
    {
        var check = Check("period=academic_year&academicYear=2025&borough=10&school=102&offence=2&route=outcome_22&age=14-15&gender=female&ethnicGroup=Not%20stated");

        Assert.Equal(new ReportSelection(new DateOnly(2025, 9, 1), new DateOnly(2026, 8, 31), 10, 102, 2, "outcome_22", "14-15", "female", "Not stated",
            TrendGranularity.Month, "White"), check.Selection);
        Assert.Equal(TrendGranularity.Quarter, Check("period=academic_year&academicYear=2025&trend=quarter&reference=Black").Selection!.Trend);
        Assert.Equal("Black", Check("period=academic_year&academicYear=2025&trend=quarter&reference=Black").Selection!.ReferenceGroup);
    }

    [Fact]
    public void The_form_goes_to_the_address_and_back_unchanged()
    {
        const string query = "period=custom&from=2025-09-01&to=2026-02-28&borough=10&school=101&offence=1&route=community_resolution&age=10-13&gender=male&ethnicGroup=Not%20stated&trend=quarter&reference=Black";

        Assert.Equal(query, ReportSelectionForm.FromQueryString(query).ToQueryString());
    }

    [Fact]
    public void A_custom_period_that_ends_before_it_starts_is_refused()
    {
        AssertRefused(Check("period=custom&from=2026-03-05&to=2026-03-04"), "To", "End date must be the same as or after the start date");
    }

    [Fact]
    public void A_custom_period_longer_than_10_years_is_refused()
    {
        AssertRefused(Check("period=custom&from=2016-06-15&to=2026-06-15"), "To",
            "The period must be 10 years or shorter: choose an end date before 15 June 2026");
    }

    [Theory]
    [InlineData("period=custom&to=2026-03-04", "From", "Enter the start date")]
    [InlineData("period=custom&from=2026-02-31&to=2026-03-04", "From", "Start date must be a real date")]
    [InlineData("period=custom&from=2026-02-01&to=yesterday", "To", "End date must include a month and year")]
    [InlineData("period=week", "Period", "Choose the period of the report")]
    [InlineData("period=month&month=13&year=2026", "Month", "Choose a month from the list")]
    [InlineData("period=month&month=1", "Year", "Enter the year, for example 2026")]
    [InlineData("period=quarter&quarter=5&year=2026", "Quarter", "Choose a quarter from the list")]
    [InlineData("period=quarter&quarter=1&year=2027", "Year", "Year must be a year from 2000 to 2026, for example 2026")]
    [InlineData("period=academic_year&academicYear=2026", "AcademicYear", "Choose an academic year from the list")]
    [InlineData("period=academic_year&academicYear=1999", "AcademicYear", "Choose an academic year from the list")]
    [InlineData("period=academic_year&academicYear=2025&offence=99", "OffenceCategoryId", "Choose an offence category from the list")]
    [InlineData("period=academic_year&academicYear=2025&offence=x", "OffenceCategoryId", "Choose an offence category from the list")]
    [InlineData("period=academic_year&academicYear=2025&route=caution", "OutcomeRoute", "Choose an outcome route from the list")]
    [InlineData("period=academic_year&academicYear=2025&age=9-10", "AgeBand", "Choose an age band from the list")]
    [InlineData("period=academic_year&academicYear=2025&gender=unknown", "Gender", "Choose a gender from the list")]
    [InlineData("period=academic_year&academicYear=2025&ethnicGroup=asian_chinese", "EthnicGroup", "Choose an ethnic group from the list")]
    [InlineData("period=academic_year&academicYear=2025&trend=week", "Trend", "Choose whether the trend is by month or by quarter")]
    [InlineData("period=academic_year&academicYear=2025&reference=Martian", "ReferenceGroup", "Choose the reference group from the list")]
    [InlineData("period=academic_year&academicYear=2025&borough=10&school=201", "SchoolId", "Choose a school in the chosen borough, or any school")]
    public void A_value_that_is_not_offered_is_refused_at_its_field(string query, string field, string message)
    {
        var check = Check(query);

        AssertRefused(check, field, message);
        Assert.Empty(check.OutsideScope);
    }

    [Theory]
    [InlineData("borough=11", "borough", "11")]
    [InlineData("borough=999999", "borough", "999999")]
    [InlineData("borough=Newham", "borough", null)]
    [InlineData("school=301", "school", "301")]
    public void A_borough_or_school_outside_the_scope_is_refused_like_a_missing_one_and_noted_for_the_audit(string filter, string entity, string? id)
    {
        var check = Check("period=academic_year&academicYear=2025&" + filter);

        Assert.Null(check.Selection);
        var field = entity == "borough" ? "BoroughId" : "SchoolId";
        Assert.Equal([entity == "borough" ? "Choose a borough from the list" : "Choose a school from the list"], check.Errors[field]);
        Assert.Equal([(entity, id)], check.OutsideScope);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var check = Check("period=custom&from=2026-03-05&to=2026-03-01&borough=11&gender=x");

        Assert.Equal(["To", "BoroughId", "Gender"], check.Errors.Keys);
    }

    [Fact]
    public void The_academic_years_offered_run_from_2000_to_the_current_one()
    {
        Assert.Equal("2025", Choices.AcademicYears[0].Code);
        Assert.Equal("2025 to 2026", Choices.AcademicYears[0].Label);
        Assert.Equal("2000", Choices.AcademicYears[^1].Code);
        Assert.Equal(["Hackney", "Newham"], Choices.Boroughs.Select(b => b.Label));
    }
}
