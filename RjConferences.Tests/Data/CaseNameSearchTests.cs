using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The case list's search by name answers from case_name_keys (migration 0009), a copy of the young
/// people's names with their case's school, status and referral time. These tests change names,
/// statuses and details through the real services (and SQL where no service changes a name yet), then
/// search: a copy that went stale would show here as a case found by an old name, or not found.
/// </summary>
public class CaseNameSearchTests : IAsyncLifetime, IDisposable
{
    private static readonly DateOnly OffenceDate = new(2026, 6, 10);

    private readonly TestDatabase database = new();
    // Monday 15 June 2026, 11:30 in London.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private readonly TestCases cases;
    private TestUser officer = null!;
    private TestUser hackneyOfficer = null!;
    private TestUser reviewer = null!;
    private long langdonPark;
    private long haggerston;

    public CaseNameSearchTests() => cases = new TestCases(database.Db, clock);

    public async Task InitializeAsync()
    {
        using var services = TestUsers.Services(database, clock);
        officer = await TestUsers.CreateAsync(services, "pc.jones@example.org", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        hackneyOfficer = await TestUsers.CreateAsync(services, "pc.smith@example.org", [Roles.Referrer], ["Hackney/Haggerston"]);
        reviewer = await TestUsers.CreateAsync(services, "yjs@example.org", [Roles.YouthJusticeReviewer], boroughs: ["Newham", "Hackney"]);
        langdonPark = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
        haggerston = await TestCases.SchoolIdAsync(database.Db, "Hackney/Haggerston");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => database.Dispose();

    private System.Security.Claims.ClaimsPrincipal Officer => TestCases.Principal(officer.Id, Roles.Referrer, Roles.Facilitator);

    private async Task<(Guid Id, string Reference)> NewCaseAsync(string first, string last, long? school = null, TestUser? by = null)
    {
        clock.Advance(TimeSpan.FromMinutes(1));
        return await new TestReferral(school ?? langdonPark, OffenceDate) { FirstName = first, LastName = last }.SaveAsync(cases.Referrals, (by ?? officer).Id);
    }

    private async Task<List<string>> FindAsync(string search, TestUser? user = null, string? status = null, long? schoolId = null) =>
        (await cases.Repository.ListAsync(new CaseQuery(Search: search, Status: status, SchoolId: schoolId), (user ?? officer).Id)).Cases
            .Select(c => c.Reference).ToList();

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    [Fact]
    public async Task A_young_person_is_found_by_the_start_of_the_first_name_the_last_name_or_the_whole_name()
    {
        var (_, kwame) = await NewCaseAsync("Kwame", "Mensah");
        await NewCaseAsync("Mensur", "Kwarteng");

        Assert.Equal([kwame], await FindAsync("Kwame"));
        Assert.Equal([kwame], await FindAsync("kwame me"));
        Assert.Equal([kwame], await FindAsync("  KWAME   MENSAH "));
        Assert.Equal(2, (await FindAsync("mens")).Count);
        Assert.Equal(2, (await FindAsync("kwa")).Count);
        Assert.Empty(await FindAsync("mensah kwame"));
        Assert.Empty(await FindAsync("ame"));
        Assert.Empty(await FindAsync("kwame ku"));
    }

    [Fact]
    public async Task A_renamed_young_person_is_found_by_the_new_name_and_no_longer_by_the_old_one()
    {
        var (id, reference) = await NewCaseAsync("Sam", "Okafor");
        // No page renames a party yet: whatever changes a name, the search follows it.
        await ExecuteAsync("""
            UPDATE parties SET first_name = 'Samuel', last_name = 'Adeyemi', first_name_key = 'samuel', last_name_key = 'adeyemi'
            WHERE case_id = @id AND party_role = 'responsible'
            """, new { id });

        Assert.Equal([reference], await FindAsync("Adey"));
        Assert.Equal([reference], await FindAsync("samuel ad"));
        Assert.Empty(await FindAsync("Okafor"));
        Assert.Empty(await FindAsync("sam oka"));
        Assert.Equal("Samuel Adeyemi", Assert.Single((await cases.Repository.ListAsync(new CaseQuery(Search: "ade"), officer.Id)).Cases).YoungPeople);
    }

    [Fact]
    public async Task A_young_person_who_refuses_consent_can_no_longer_be_found_by_name_but_the_case_still_by_its_reference()
    {
        var (id, reference) = await NewCaseAsync("Sam", "Okafor");
        var young = (await cases.Repository.GetAsync(id, officer.Id))!.YoungPeople.Single();

        var refused = await cases.Changes.RecordConsentAsync(id, new ConsentForm
        {
            PartyId = young.Id, Purpose = "take_part", Decision = "refused", DecidedOn = TestCases.Date(new DateOnly(2026, 6, 12)), Method = "in_person",
        }, Officer);

        Assert.Equal(ChangeOutcome.Saved, refused.Outcome);
        Assert.Empty(await FindAsync("Okafor"));
        Assert.Empty(await FindAsync("sam"));
        Assert.Empty(await FindAsync("sam okafor"));
        Assert.Equal([reference], await FindAsync(reference));
        // The parent keeps the surname, but only the young person's names are searched.
        Assert.Empty(await FindAsync("grace"));
    }

    [Fact]
    public async Task An_anonymised_case_can_no_longer_be_found_by_name()
    {
        var (old, _) = await NewCaseAsync("Olu", "Adebayo");
        var (recent, recentReference) = await NewCaseAsync("Ola", "Adebayo");
        var closing = new CaseClosing(database.Db, cases.Audit, clock);
        foreach (var id in new[] { old, recent })
        {
            Assert.Equal(ChangeOutcome.Saved, (await cases.Changes.WithdrawCaseAsync(id, "Withdrawn", Officer)).Outcome);
            Assert.Equal(ChangeOutcome.Saved, (await closing.CloseAsync(id, "Closed", Officer)).Outcome);
        }
        await ExecuteAsync("UPDATE cases SET closed_at = '2020-01-01T00:00:00.0000000Z' WHERE id = @old", new { old });

        Assert.Equal(1, await new Retention(database.Db, cases.Audit, clock, Options.Create(new FollowUpOptions())).AnonymiseDueAsync());

        Assert.Equal([recentReference], await FindAsync("adebayo"));
        Assert.Empty(await FindAsync("olu"));
    }

    [Fact]
    public async Task A_name_search_keeps_to_the_users_schools_and_filters()
    {
        var (_, newham) = await NewCaseAsync("Amira", "Hassan");
        var (_, hackney) = await NewCaseAsync("Amira", "Hassan", haggerston, hackneyOfficer);

        Assert.Equal([newham], await FindAsync("amira"));
        Assert.Equal([hackney], await FindAsync("hassan", hackneyOfficer));
        Assert.Equal(new[] { hackney, newham }.Order(), (await FindAsync("amira has", reviewer)).Order());
        // A school outside the scope, asked for by a forged filter, finds nothing.
        Assert.Empty(await FindAsync("amira", schoolId: haggerston));
        Assert.Equal([hackney], await FindAsync("amira", reviewer, schoolId: haggerston));
        var (_, total) = await cases.Repository.ListAsync(new CaseQuery(Search: "amira", BoroughId: await BoroughIdAsync("Hackney")), officer.Id);
        Assert.Equal(0, total);
    }

    [Fact]
    public async Task The_scope_is_checked_on_the_cases_themselves_and_not_only_on_the_search_copy()
    {
        var (hackneyCase, _) = await NewCaseAsync("Amira", "Hassan", haggerston, hackneyOfficer);
        // A copy that went wrong (it cannot through the triggers) must still not show another school's case.
        await ExecuteAsync("UPDATE case_name_keys SET school_id = @langdonPark WHERE case_id = @hackneyCase", new { langdonPark, hackneyCase });

        Assert.Empty(await FindAsync("amira"));
    }

    [Fact]
    public async Task A_change_of_status_is_seen_by_the_name_search_status_filter()
    {
        var (id, reference) = await NewCaseAsync("Priya", "Shah");
        Assert.Equal([reference], await FindAsync("priya", status: CaseStatus.Referred));

        Assert.Equal(ChangeOutcome.Saved, (await cases.Changes.WithdrawCaseAsync(id, "The family moved away", Officer)).Outcome);

        Assert.Empty(await FindAsync("priya", status: CaseStatus.Referred));
        Assert.Equal([reference], await FindAsync("priya", status: CaseStatus.Withdrawn));
        Assert.Equal(CaseStatus.Withdrawn, Assert.Single((await cases.Repository.ListAsync(new CaseQuery(Search: "shah"), officer.Id)).Cases).Status);
    }

    [Fact]
    public async Task A_case_with_two_matching_names_is_listed_and_counted_once()
    {
        var (_, reference) = await NewCaseAsync("Hassan", "Hassan");

        var (found, total) = await cases.Repository.ListAsync(new CaseQuery(Search: "hass"), officer.Id);

        Assert.Equal([reference], found.Select(c => c.Reference));
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task The_index_holds_exactly_the_names_of_the_responsible_young_people()
    {
        await NewCaseAsync("Wei", "Chen");
        var (refusing, _) = await NewCaseAsync("Sam", "Okafor");
        var young = (await cases.Repository.GetAsync(refusing, officer.Id))!.YoungPeople.Single();
        await cases.Changes.RecordConsentAsync(refusing, new ConsentForm
        {
            PartyId = young.Id, Purpose = "take_part", Decision = "refused", DecidedOn = TestCases.Date(new DateOnly(2026, 6, 12)), Method = "phone",
        }, Officer);

        Assert.Empty(await NameIndexDifferencesAsync(database.Db));
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(["chen|last", "wei chen|full"],
            await connection.QueryAsync<string>("SELECT name_key || '|' || name_part FROM case_name_keys ORDER BY name_key"));
    }

    /// <summary>
    /// Rows of case_name_keys that the young people's names, their cases' school, status, referral
    /// time and reference do not give, and the other way round: empty when the index is right.
    /// </summary>
    public static async Task<List<string>> NameIndexDifferencesAsync(RjConferences.Data.Db db)
    {
        const string expected = """
            SELECT p.id AS party_id, 'full' AS name_part, p.first_name_key || coalesce(' ' || nullif(p.last_name_key, ''), '') AS name_key,
                   c.id AS case_id, c.reference, c.school_id, c.status, c.referred_at
            FROM parties AS p JOIN cases AS c ON c.id = p.case_id
            WHERE p.party_role = 'responsible' AND p.first_name_key <> ''
            UNION ALL
            SELECT p.id, 'last', p.last_name_key, c.id, c.reference, c.school_id, c.status, c.referred_at
            FROM parties AS p JOIN cases AS c ON c.id = p.case_id
            WHERE p.party_role = 'responsible' AND p.last_name_key <> ''
            """;
        const string actual = """
            SELECT party_id, name_part, name_key, case_id, reference, school_id, status, referred_at FROM case_name_keys
            WHERE name_start = substr(name_key, 1, 3)
            """;
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>($"""
            SELECT 'missing: ' || party_id || ' ' || name_part FROM (SELECT * FROM ({expected}) EXCEPT SELECT * FROM ({actual}))
            UNION ALL
            SELECT 'wrong: ' || party_id || ' ' || name_part FROM (SELECT * FROM ({actual}) EXCEPT SELECT * FROM ({expected}))
            LIMIT 20
            """)).ToList();
    }

    private async Task<long> BoroughIdAsync(string name)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = @name", new { name });
    }
}
