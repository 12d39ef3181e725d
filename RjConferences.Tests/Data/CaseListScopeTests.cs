using Dapper;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The case list without a search is read two ways (CaseRepository.ListAsync): through the school index for a user of a
/// few schools, and through the referral-time index, keeping the cases in scope, for a user of most of the schools.
/// Both must give the same page: the user's cases only, newest first (or oldest first), counted right.
/// </summary>
public class CaseListScopeTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private readonly TestCases cases;
    private TestUser officer = null!;
    private TestUser hackneyOfficer = null!;
    private TestUser reviewer = null!;

    public CaseListScopeTests() => cases = new TestCases(database.Db, clock);

    public async Task InitializeAsync()
    {
        using var services = TestUsers.Services(database, clock);
        officer = await TestUsers.CreateAsync(services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park"]);
        hackneyOfficer = await TestUsers.CreateAsync(services, "pc.smith@example.org", [Roles.Referrer], ["Hackney/Haggerston"]);
        reviewer = await TestUsers.CreateAsync(services, "yjs@example.org", [Roles.YouthJusticeReviewer, Roles.Referrer], boroughs: ["Newham", "Ealing", "Haringey", "Tower Hamlets", "Westminster"]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => database.Dispose();

    private async Task<string> NewCaseAsync(string school, TestUser by)
    {
        clock.Advance(TimeSpan.FromMinutes(1));
        var id = await TestCases.SchoolIdAsync(database.Db, school);
        return (await new TestReferral(id, new DateOnly(2026, 6, 10)).SaveAsync(cases.Referrals, by.Id)).Reference;
    }

    private async Task<(List<string> References, int Total)> ListAsync(TestUser user, bool descending = true, long? boroughId = null)
    {
        var (found, total) = await cases.Repository.ListAsync(new CaseQuery(Descending: descending, BoroughId: boroughId), user.Id);
        return (found.Select(c => c.Reference).ToList(), total);
    }

    private async Task AssertListAsync(string[] expected, int total, TestUser user, bool descending = true, long? boroughId = null)
    {
        var (references, count) = await ListAsync(user, descending, boroughId);
        Assert.Equal(expected, references);
        Assert.Equal(total, count);
    }

    [Fact]
    public async Task A_user_of_many_schools_and_one_of_a_single_school_each_see_their_own_cases_newest_first()
    {
        await using (var connection = await database.Db.OpenAsync())
        {
            // The reviewer's scope is wide enough to take the referral-time index; the officer's is not.
            Assert.True(await connection.ExecuteScalarAsync<bool>(
                "SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @id) * 2 > (SELECT count(*) FROM schools)", new { id = reviewer.Id.ToString() }));
        }
        var first = await NewCaseAsync("Newham/Langdon Park", officer);
        var hackney = await NewCaseAsync("Hackney/Haggerston", hackneyOfficer);
        var ealing = await NewCaseAsync("Ealing/Acton High", reviewer);
        var last = await NewCaseAsync("Newham/Langdon Park", officer);

        await AssertListAsync([last, ealing, first], 3, reviewer);
        await AssertListAsync([first, ealing, last], 3, reviewer, descending: false);
        await AssertListAsync([last, first], 2, officer);
        await AssertListAsync([hackney], 1, hackneyOfficer);
        long ealingBorough;
        await using (var connection = await database.Db.OpenAsync())
        {
            ealingBorough = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Ealing'");
        }
        await AssertListAsync([ealing], 1, reviewer, boroughId: ealingBorough);
    }
}
