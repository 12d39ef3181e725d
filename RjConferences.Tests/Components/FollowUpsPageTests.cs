using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.FollowUps;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>/follow-ups: schools named with their borough, and the list filtered by school, due date and overdue, the selection in the URL.</summary>
public class FollowUpsPageTests : CaseTestContext
{
    private TestUser reviewer = null!;
    private long newham, towerHamlets;
    private string newhamCase = "", towerHamletsCase = "", outOfScopeCase = "";
    private Guid newhamCheck;

    private async Task ArrangeAsync()
    {
        using var services = TestUsers.Services(Database, Clock);
        reviewer = await TestUsers.CreateAsync(services, "yjs@example.org", [Roles.YouthJusticeReviewer], ["Newham/Langdon Park", "Tower Hamlets/Langdon Park"]);
        var referrer = await TestUsers.CreateAsync(services, "pc@example.org", [Roles.Referrer], ["Newham/Langdon Park", "Tower Hamlets/Langdon Park", "Hackney/Stoke Newington"]);
        newham = await SchoolAsync("Newham/Langdon Park");
        towerHamlets = await SchoolAsync("Tower Hamlets/Langdon Park");
        (newhamCase, newhamCheck) = await CaseWithCheckAsync(newham, referrer, new DateOnly(2026, 3, 2), overdue: true);
        (towerHamletsCase, _) = await CaseWithCheckAsync(towerHamlets, referrer, new DateOnly(2026, 6, 1), overdue: false);
        (outOfScopeCase, _) = await CaseWithCheckAsync(await SchoolAsync("Hackney/Stoke Newington"), referrer, new DateOnly(2026, 6, 1), overdue: false);
        SignIn(reviewer, Roles.YouthJusticeReviewer);
    }

    /// <summary>A case in follow-up with one 3-month check waiting, due on <paramref name="dueOn"/>.</summary>
    private async Task<(string Reference, Guid CheckId)> CaseWithCheckAsync(long schoolId, TestUser referrer, DateOnly dueOn, bool overdue)
    {
        var caseId = (await Cases.Referrals.SaveAsync(ReferralForms.Valid(schoolId), referrer.Id)).CaseId!.Value;
        var checkId = Guid.NewGuid();
        await using var connection = await Database.Db.OpenAsync();
        await connection.ExecuteAsync("""
            UPDATE cases SET status = 'follow_up' WHERE id = @caseId;
            INSERT INTO follow_up_checks (id, case_id, interval_months, due_on, created_at, overdue_flagged_at) VALUES (@checkId, @caseId, 3, @dueOn, @now, @flagged);
            """, new { caseId, checkId, dueOn, now = Clock.GetUtcNow(), flagged = overdue ? Clock.GetUtcNow() : (DateTimeOffset?)null });
        return ((await connection.ExecuteScalarAsync<string>("SELECT reference FROM cases WHERE id = @caseId", new { caseId }))!, checkId);
    }

    private IRenderedComponent<FollowUpsPage> RenderAt(string url)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        var page = Render<FollowUpsPage>();
        page.WaitForAssertion(() => Assert.DoesNotContain("Loading…", page.Markup));
        return page;
    }

    private static IReadOnlyList<string> Rows(IRenderedComponent<FollowUpsPage> page) =>
        page.FindAll("tbody tr").Select(r => string.Join(" | ", r.QuerySelectorAll("td").Take(2).Select(c => c.TextContent.Trim()))).ToList();

    [Fact]
    public async Task Each_school_is_named_with_its_borough_and_only_checks_in_scope_are_listed()
    {
        await ArrangeAsync();
        var page = RenderAt("follow-ups");

        page.WaitForAssertion(() => Assert.Equal([$"{newhamCase} | Langdon Park, Newham", $"{towerHamletsCase} | Langdon Park, Tower Hamlets"], Rows(page)));
        Assert.DoesNotContain(outOfScopeCase, page.Markup);
        var options = page.FindAll("#field-SchoolId option").Select(o => o.TextContent).ToList();
        Assert.Equal(["Any school", "Langdon Park, Newham", "Langdon Park, Tower Hamlets"], options);
    }

    [Fact]
    public async Task Filters_go_into_the_url_as_ids_and_dates_and_narrow_the_list()
    {
        await ArrangeAsync();
        var page = RenderAt("follow-ups");
        page.Find("#field-SchoolId").Change(towerHamlets.ToString(System.Globalization.CultureInfo.InvariantCulture));
        page.Find("#field-DueFrom").Change("1");
        page.Find("#field-DueFrom-month").Change("5");
        page.Find("#field-DueFrom-year").Change("2026");
        await page.Find("form[role=search]").SubmitAsync();
        var navigation = Services.GetRequiredService<NavigationManager>();
        Assert.EndsWith($"follow-ups?school={towerHamlets}&from=2026-05-01", navigation.Uri);

        Assert.Equal([$"{towerHamletsCase} | Langdon Park, Tower Hamlets"], Rows(RenderAt($"follow-ups?school={towerHamlets}")));
        Assert.Equal([$"{newhamCase} | Langdon Park, Newham"], Rows(RenderAt("follow-ups?overdue=true")));
        Assert.Equal([$"{towerHamletsCase} | Langdon Park, Tower Hamlets"], Rows(RenderAt("follow-ups?from=2026-05-01&to=2026-06-30")));
        Assert.Empty(Rows(RenderAt($"follow-ups?school={towerHamlets}&overdue=true")));
        // A school outside the reviewer's scope in the URL shows nothing of it.
        var outside = await SchoolAsync("Hackney/Stoke Newington");
        Assert.DoesNotContain(outOfScopeCase, RenderAt($"follow-ups?school={outside}").Markup);
    }

    [Fact]
    public async Task A_due_to_date_before_the_due_from_date_is_refused_at_the_field()
    {
        await ArrangeAsync();
        var page = RenderAt("follow-ups");
        foreach (var (field, value) in new[] { ("DueFrom", "1"), ("DueFrom-month", "6"), ("DueFrom-year", "2026"), ("DueTo", "1"), ("DueTo-month", "5"), ("DueTo-year", "2026") })
        {
            page.Find($"#field-{field}").Change(value);
        }
        await page.Find("form[role=search]").SubmitAsync();

        Assert.Contains("There is a problem", page.Markup);
        Assert.Contains("Due to date must be the same as or after the due from date", page.Find("#field-DueTo-error").TextContent);
        Assert.EndsWith("follow-ups", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task A_check_dated_before_it_is_due_gets_a_message_at_the_date_and_in_the_summary()
    {
        await ArrangeAsync();
        var page = RenderAt("follow-ups");
        await page.FindAll("button").Single(b => b.TextContent == $"Record the 3-month check for {newhamCase}").ClickAsync(new());
        page.Find("input[value=police_records]").Change(true);
        page.Find("input[value=no_further_offending]").Change(true);
        page.Find("#field-CheckedOn").Change("1");
        page.Find("#field-CheckedOn-month").Change("3");
        page.Find("#field-CheckedOn-year").Change("2026");
        await page.FindAll("button").Single(b => b.TextContent == "Save the check").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Date of the check must be on or after 2 March 2026, when the 3-month check is due", page.Find("#field-CheckedOn-error").TextContent));
        Assert.Contains("There is a problem", page.Markup);
        await using var connection = await Database.Db.OpenAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT checked_on FROM follow_up_checks WHERE id = @newhamCheck", new { newhamCheck }));
    }
}
