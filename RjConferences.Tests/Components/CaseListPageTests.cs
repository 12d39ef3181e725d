using Bunit;
using Dapper;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

public class CaseListPageTests : CaseTestContext
{
    private TestUser officer = null!;
    private readonly Dictionary<string, string> references = [];

    /// <summary>Three cases at Langdon Park (the officer's school) and one at Haggerston (another officer's).</summary>
    private async Task SetUpAsync()
    {
        officer = await UserAsync("pc.jones@example.org", [Roles.Referrer], "Newham/Langdon Park");
        var other = await UserAsync("pc.smith@example.org", [Roles.Referrer], "Hackney/Haggerston");
        var langdon = await SchoolAsync("Newham/Langdon Park");
        var haggerston = await SchoolAsync("Hackney/Haggerston");
        references["Sam Okafor"] = (await new TestReferral(langdon, OffenceDate).SaveAsync(Cases.Referrals, officer.Id)).Reference;
        Clock.Advance(TimeSpan.FromMinutes(1));
        references["Priya Shah"] = (await new TestReferral(langdon, OffenceDate) { FirstName = "Priya", LastName = "Shah" }.SaveAsync(Cases.Referrals, officer.Id)).Reference;
        Clock.Advance(TimeSpan.FromMinutes(1));
        references["Samira Khan"] = (await new TestReferral(langdon, OffenceDate) { FirstName = "Samira", LastName = "Khan" }.SaveAsync(Cases.Referrals, officer.Id)).Reference;
        references["Sam Jones"] = (await new TestReferral(haggerston, OffenceDate) { FirstName = "Sam", LastName = "Jones" }.SaveAsync(Cases.Referrals, other.Id)).Reference;
        SignIn(officer, Roles.Referrer);
    }

    private static List<string> References(IRenderedComponent<CaseListPage> page) =>
        page.FindAll("table.case-list tbody tr a").Select(a => a.TextContent.Trim()).Order().ToList();

    private List<string> Expected(params string[] names) => names.Select(n => references[n]).Order().ToList();

    private static void Search(IRenderedComponent<CaseListPage> page, string text)
    {
        page.Find("#field-Search").Change(text);
        page.Find("form[role=search]").Submit();
    }

    [Fact]
    public async Task Lists_only_the_cases_of_the_users_schools_newest_first_with_links()
    {
        await SetUpAsync();

        var page = Render<CaseListPage>();

        page.WaitForAssertion(() => Assert.Equal(Expected("Sam Okafor", "Priya Shah", "Samira Khan"), References(page)));
        Assert.Equal("3 cases match.", page.Find("[data-testid=case-count]").TextContent.Trim());
        var first = page.Find("table.case-list tbody tr");
        Assert.Contains(references["Samira Khan"], first.TextContent);
        Assert.Contains("Samira Khan", first.TextContent);
        Assert.Contains("Langdon Park, Newham", first.TextContent);
        Assert.Contains("15 June 2026", first.TextContent);
        var link = page.FindAll("table.case-list tbody tr a").First();
        Assert.StartsWith("cases/", link.GetAttribute("href"));
        Assert.DoesNotContain("Haggerston", page.Find("#field-SchoolId").TextContent);
    }

    [Fact]
    public async Task Searching_by_reference_finds_that_case_and_not_a_case_outside_scope()
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        Search(page, references["Priya Shah"].ToLowerInvariant());
        page.WaitForAssertion(() => Assert.Equal(Expected("Priya Shah"), References(page)));

        Search(page, references["Sam Jones"]);
        page.WaitForAssertion(() => Assert.Empty(References(page)));
        Assert.Equal("No cases match.", page.Find("[data-testid=case-count]").TextContent.Trim());
    }

    [Theory]
    [InlineData("sam", new[] { "Sam Okafor", "Samira Khan" })]
    [InlineData("Kha", new[] { "Samira Khan" })]
    [InlineData("sam ok", new[] { "Sam Okafor" })]
    [InlineData("Shah", new[] { "Priya Shah" })]
    [InlineData("Jones", new string[0])]
    public async Task Searching_by_a_name_prefix_finds_the_young_people_in_scope(string search, string[] names)
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        Search(page, search);

        page.WaitForAssertion(() => Assert.Equal(Expected(names), References(page)));
    }

    [Fact]
    public async Task A_name_search_of_fewer_than_three_letters_is_explained_at_the_field()
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        Search(page, "sa");

        page.WaitForAssertion(() => Assert.Contains("Enter at least 3 letters", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Equal(3, References(page).Count);
    }

    [Fact]
    public async Task A_from_date_after_the_to_date_is_explained_at_the_field_and_the_list_is_unchanged()
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        page.Find("#field-Search").Change("Priya");
        page.Find("#field-From").Change("20");
        page.Find("#field-From-month").Change("6");
        page.Find("#field-From-year").Change("2026");
        page.Find("#field-To").Change("1");
        page.Find("#field-To-month").Change("6");
        page.Find("#field-To-year").Change("2026");
        page.Find("form[role=search]").Submit();

        page.WaitForAssertion(() => Assert.Contains("Referred to date must be the same as or after the referred from date",
            page.Find("[data-testid=error-summary]").TextContent));
        Assert.Contains("Referred to date must be", page.Find("#field-To-error").TextContent);
        Assert.Contains("is-invalid", page.Find("#field-To").ClassName);
        Assert.Equal(3, References(page).Count);
    }

    [Fact]
    public async Task Filters_by_status_and_date_and_clears_them()
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        page.Find("#field-Status").Change(CaseStatus.Assessing);
        page.Find("form[role=search]").Submit();
        page.WaitForAssertion(() => Assert.Empty(References(page)));

        page.Find("#field-Status").Change(CaseStatus.Referred);
        page.Find("#field-From").Change("15");
        page.Find("#field-From-month").Change("6");
        page.Find("#field-From-year").Change("2026");
        page.Find("form[role=search]").Submit();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        page.Find("#field-To").Change("14");
        page.Find("#field-To-month").Change("6");
        page.Find("#field-To-year").Change("2026");
        page.Find("#field-From").Change("");
        page.Find("#field-From-month").Change("");
        page.Find("#field-From-year").Change("");
        page.Find("form[role=search]").Submit();
        page.WaitForAssertion(() => Assert.Empty(References(page)));

        page.FindAll("button").Single(b => b.TextContent == "Clear filters").Click();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));
        Assert.Equal("", page.Find("#field-To").GetAttribute("value") ?? "");
    }

    /// <summary>
    /// Issue 12, 5.7: the list must not need the browser to tidy up when it is removed. QuickGrid called
    /// JavaScript then, and a call that could not finish (the tab gone, the browser slow under load) was
    /// logged as "Unhandled exception in circuit". With strict JS interop any call at all fails the test.
    /// </summary>
    [Fact]
    public async Task Listing_sorting_paging_and_leaving_the_case_list_make_no_javascript_calls()
    {
        await SetUpAsync();
        JSInterop.Mode = JSRuntimeMode.Strict;
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));

        page.FindAll("table.case-list thead th button").First(b => b.TextContent.Contains("Status")).Click();
        page.WaitForAssertion(() => Assert.Equal("ascending", page.FindAll("table.case-list thead th").Single(th => th.TextContent.Contains("Status")).GetAttribute("aria-sort")));
        Search(page, "sam");
        page.WaitForAssertion(() => Assert.Equal(Expected("Sam Okafor", "Samira Khan"), References(page)));
        await DisposeComponentsAsync();

        Assert.Empty(JSInterop.Invocations);
    }

    [Fact]
    public async Task Sorting_by_reference_orders_the_rows_both_ways()
    {
        await SetUpAsync();
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, References(page).Count));
        List<string> Shown() => page.FindAll("table.case-list tbody tr a").Select(a => a.TextContent.Trim()).ToList();
        var ascending = Expected("Sam Okafor", "Priya Shah", "Samira Khan");

        page.FindAll("table.case-list thead th button").First(b => b.TextContent.Contains("Reference")).Click();
        page.WaitForAssertion(() => Assert.Equal(ascending, Shown()));

        page.FindAll("table.case-list thead th button").First(b => b.TextContent.Contains("Reference")).Click();
        page.WaitForAssertion(() => Assert.Equal(ascending.AsEnumerable().Reverse(), Shown()));
    }

    [Fact]
    public async Task Shows_10000_or_more_when_the_count_reaches_the_cap_and_pages_by_50()
    {
        await SetUpAsync();
        // 10,050 more cases at Langdon Park: copies of one case with new ids and references.
        await using (var connection = await Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity,
                                   description, admitted, outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, version, updated_at)
                SELECT {TestDatabase.RandomIdSql}, {TestDatabase.PaddedSql("RJ-2025-", "i", 5)}, c.school_id, c.status, c.location, c.offence_at, c.offence_date,
                       c.offence_category_id, c.gravity, c.description, c.admitted, c.outcome_route, c.eligible, '2025-01-01T00:00:00.0000000Z',
                       '2025-01-01', c.referred_by, {TestDatabase.RandomIdSql}, 1, c.updated_at
                FROM n CROSS JOIN (SELECT * FROM cases WHERE reference = @reference) AS c
                """, new { reference = references["Sam Okafor"] });
        }

        var page = Render<CaseListPage>();

        // Counting to the cap over 10,050 cases can take over a second on a loaded machine with PostgreSQL.
        page.WaitForAssertion(() => Assert.Equal("10,000 or more cases match.", page.Find("[data-testid=case-count]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal(50, page.FindAll("table.case-list tbody tr a").Count);
        Assert.Contains("Cases 1 to 50 of 10,000 or more", page.Markup);

        page.Find("button[aria-label='Go to next page']").Click();

        page.WaitForAssertion(() => Assert.Contains("Cases 51 to 100 of 10,000 or more", page.Markup));
        Assert.Equal(50, page.FindAll("table.case-list tbody tr a").Count);
    }

    [Fact]
    public async Task Shows_1000_or_more_for_a_name_search_that_many_match_and_asks_for_more_of_the_name()
    {
        await SetUpAsync();
        // 1,050 more young people called Sam Okafor at Langdon Park: copies of one case, each with its young person.
        await using (var connection = await Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1050)
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity,
                                   description, admitted, outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, version, updated_at)
                SELECT {TestDatabase.RandomIdSql}, {TestDatabase.PaddedSql("RJ-2025-", "i", 5)}, c.school_id, c.status, c.location, c.offence_at, c.offence_date,
                       c.offence_category_id, c.gravity, c.description, c.admitted, c.outcome_route, c.eligible, '2025-01-01T00:00:00.0000000Z',
                       '2025-01-01', c.referred_by, {TestDatabase.RandomIdSql}, 1, c.updated_at
                FROM n CROSS JOIN (SELECT * FROM cases WHERE reference = @reference) AS c;
                INSERT INTO parties (id, case_id, party_role, first_name, last_name, first_name_key, last_name_key, sort_order)
                SELECT {TestDatabase.RandomIdSql}, id, 'responsible', 'Sam', 'Okafor', 'sam', 'okafor', 0 FROM cases WHERE reference LIKE 'RJ-2025-%';
                """, new { reference = references["Sam Okafor"] });
            // Rows written straight into the tables, as a bulk load would: their derived data is rebuilt the same way.
            await RjConferences.Features.Referrals.CaseDerivedData.RebuildAsync(connection, null);
        }
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.Equal("1,053 cases match.", page.Find("[data-testid=case-count]").TextContent.Trim()));

        Search(page, "okaf");

        page.WaitForAssertion(() => Assert.Equal(
            "1,000 or more cases match. Type more of the name, or choose a school, status or dates, to find fewer.",
            page.Find("[data-testid=case-count]").TextContent.Trim()));
        Assert.Equal(50, page.FindAll("table.case-list tbody tr a").Count);
        Assert.Contains("Cases 1 to 50 of 1,000 or more", page.Markup);
    }
}
