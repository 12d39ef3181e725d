using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// A case page lists the young person's previous referrals: the other cases of a young person with the same first name, last
/// name and date of birth. They are found in the index on both names (ix_parties_first_last_name), which is why migration 0026
/// could drop the one on the last name alone.
/// </summary>
[Trait("Category", "SqliteOnly")] // SQLite's query plans; PostgreSQL plans by its statistics
public sealed class PreviousReferralsQueryPlanTests : IDisposable
{
    private readonly TestDatabase database = new(provider: DatabaseProvider.Sqlite);
    private readonly TestCases cases;

    public PreviousReferralsQueryPlanTests() => cases = new TestCases(database.Db, TestClock.Fixed());

    public void Dispose()
    {
        cases.Services.Dispose();
        database.Dispose();
    }

    [Fact]
    public async Task A_young_persons_previous_referrals_are_found_by_both_names_in_their_index()
    {
        var officer = await TestUsers.CreateAsync(cases.Services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
        var referral = new TestReferral(school, new DateOnly(2026, 6, 1)) { DateOfBirth = new DateOnly(2012, 3, 4) };
        var (first, _) = await referral.SaveAsync(cases.Referrals, officer.Id);
        var (second, _) = await (referral with { OffenceDate = new DateOnly(2026, 6, 8) }).SaveAsync(cases.Referrals, officer.Id);

        CaseDetails? details = null;
        var plans = await QueryPlans.CaptureAsync(cases.Services, async () => details = await cases.Repository.GetAsync(second, officer.Id));

        Assert.Equal(first, Assert.Single(details!.PreviousReferrals).Id);
        var previous = plans.Single(p => p.Sql.Contains("p.last_name_key = me.last_name_key", StringComparison.Ordinal)).Plan;
        Assert.Contains(previous, step => step.StartsWith("SEARCH p USING INDEX ix_parties_first_last_name (first_name_key=? AND last_name_key=?", StringComparison.Ordinal));
        Assert.DoesNotContain(previous, step => step.StartsWith("SCAN p", StringComparison.Ordinal));
    }
}
