using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// My work's lists read their first page in the order shown, from an index, and stop there (migration 0025): with a million
/// cases they took 0.3-1.6 s a list before (docs/performance.md, "My work"). SQLite's plan of each statement the sections run
/// (<see cref="QueryPlans"/>).
/// </summary>
[Trait("Category", "SqliteOnly")] // SQLite's query plans; PostgreSQL plans by its statistics
public sealed class MyWorkQueryPlanTests : IDisposable
{
    private readonly TestDatabase database = new(provider: DatabaseProvider.Sqlite);
    private readonly ServiceProvider services;

    public MyWorkQueryPlanTests() => services = TestServices.Build(database);

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
    }

    private Task<List<(string Sql, List<string> Plan)>> PlansAsync(Func<Task> call) => QueryPlans.CaptureAsync(services, call);

    [Fact]
    public async Task The_cases_waiting_for_consent_or_a_booking_are_read_oldest_first_from_the_status_index()
    {
        var plans = await PlansAsync(() => services.GetRequiredService<CaseRepository>()
            .ListAsync(new CaseQuery(Status: CaseStatus.AwaitingConsent, Descending: false), Guid.NewGuid()));

        var page = plans.First(p => p.Sql.Contains("LIMIT @limit", StringComparison.Ordinal)).Plan;
        Assert.Contains("SEARCH c USING COVERING INDEX ix_cases_status_referred (status=?)", page);
    }

    [Fact]
    public async Task The_referrals_waiting_for_an_assessment_are_read_oldest_first_from_the_status_index()
    {
        var plans = await PlansAsync(() => services.GetRequiredService<CaseRepository>().AwaitingAssessmentAsync(Guid.NewGuid(), 1));

        var (page, count) = (plans[0].Plan, plans[1].Plan);
        Assert.Contains("SEARCH c USING COVERING INDEX ix_cases_status_referred (status=?)", page);
        Assert.Contains("USE TEMP B-TREE FOR LAST TERM OF ORDER BY", page); // the two statuses merged; not every case sorted
        Assert.Contains("SEARCH c USING COVERING INDEX ix_cases_status_referred (status=?)", count);
    }

    [Fact]
    public async Task The_follow_up_checks_waiting_are_read_in_their_order_from_the_checks_not_recorded_and_counted_case_by_case()
    {
        var plans = await PlansAsync(() => services.GetRequiredService<FollowUpChecks>().DueAsync(Guid.NewGuid(), 1));

        var (page, count) = (plans[0].Plan, plans[1].Plan);
        Assert.Equal("SCAN f USING INDEX ix_follow_up_checks_waiting", page[0]);
        Assert.Contains("SEARCH c USING INDEX sqlite_autoindex_cases_1 (id=?)", page);
        Assert.DoesNotContain("USE TEMP B-TREE FOR ORDER BY", page); // only ties on the due date are sorted (LAST TERM)
        Assert.Contains("SEARCH f USING INDEX ix_follow_up_checks_waiting_case (case_id=?)", count);
    }
}
