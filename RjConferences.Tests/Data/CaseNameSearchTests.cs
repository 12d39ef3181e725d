using RjConferences.Components.Forms;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The case list's search by name answers from case_name_keys (migrations 0011 and 0013), a copy of the young
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
    public async Task A_name_is_found_as_people_type_it_without_accents_with_any_apostrophe_or_hyphen_and_by_any_part_of_the_last_name()
    {
        var (_, sukru) = await NewCaseAsync("Şükrü", "Nguyễn-O'Brien");
        var (_, amelia) = await NewCaseAsync("Amelia", "Mitchell-Jones");
        var (_, jeanLuc) = await NewCaseAsync("Jean-Luc", "Dubois");
        var (_, orjan) = await NewCaseAsync("Ørjan", "Weiß");
        var (_, lukasz) = await NewCaseAsync("Łukasz", "de la Cruz");
        // Near misses: none of them may be found by the searches above.
        var (_, obi) = await NewCaseAsync("Obi", "Okafor");
        var (_, susan) = await NewCaseAsync("Susan", "O’Neill-Brien");
        await NewCaseAsync("Ngozi", "Nwosu");

        Assert.Equal([sukru], await FindAsync("o'b"));
        Assert.Equal([sukru], await FindAsync("O’B"));
        Assert.Equal([sukru], await FindAsync("nguyen"));
        Assert.Equal([sukru], await FindAsync("suk"));
        Assert.Equal([sukru], await FindAsync("Şükrü Nguyen‐O'Br"));
        Assert.Equal([sukru], await FindAsync("sukru nguyen o’brien"));
        Assert.Equal([sukru], await FindAsync("NGUYỄN-O'BRIEN"));
        Assert.Equal([sukru], await FindAsync("o`brien"));
        Assert.Equal([amelia], await FindAsync("jones"));
        Assert.Equal([amelia], await FindAsync("mitchell jones"));
        Assert.Equal([amelia], await FindAsync("amelia mitchell–jon"));
        Assert.Equal([jeanLuc], await FindAsync("jean-luc"));
        Assert.Equal([jeanLuc], await FindAsync("Jean Luc Dub"));
        Assert.Equal([jeanLuc], await FindAsync("jean‑luc d"));
        Assert.Equal([jeanLuc], await FindAsync("dubois"));
        Assert.Equal([orjan], await FindAsync("orjan"));
        Assert.Equal([orjan], await FindAsync("weiss"));
        Assert.Equal([orjan], await FindAsync("WEISS"));
        Assert.Equal([lukasz], await FindAsync("lukasz"));
        Assert.Equal([lukasz], await FindAsync("cruz"));
        Assert.Equal([lukasz], await FindAsync("la cruz"));
        Assert.Equal([obi], await FindAsync("obi"));
        Assert.Equal([susan], await FindAsync("o'n"));
        Assert.Equal([susan], await FindAsync("brien"));
        // The middle of a part is not its start, and "o'b" is not "ob".
        Assert.Empty(await FindAsync("rien"));
        Assert.Empty(await FindAsync("luc"));
        Assert.Empty(await FindAsync("uyen"));
        Assert.Empty(await FindAsync("o'brien sukru"));
        Assert.Empty(await FindAsync("ob'"));
        Assert.Empty(await FindAsync("nguyen o'n"));
    }

    [Fact]
    public async Task A_search_by_part_of_a_last_name_keeps_to_the_users_schools()
    {
        var (_, newham) = await NewCaseAsync("Şükrü", "Nguyễn-O'Brien");
        var (_, hackney) = await NewCaseAsync("Sam", "Nguyen-O'Brien", haggerston, hackneyOfficer);

        Assert.Equal([newham], await FindAsync("o'brien"));
        Assert.Equal([hackney], await FindAsync("o’brien", hackneyOfficer));
        Assert.Equal(new[] { hackney, newham }.Order(), (await FindAsync("nguyen", reviewer)).Order());
        Assert.Empty(await FindAsync("o'b", schoolId: haggerston));
    }

    [Fact]
    public void Typed_text_and_stored_names_fold_alike()
    {
        Assert.Equal("sukru", NameKeys.Fold("Şükrü"));
        Assert.Equal("nguyen o'brien", NameKeys.Fold(" Nguyễn‐O’Brien "));
        Assert.Equal("thi minh khai", NameKeys.Fold("Thị  Minh-Khai"));
        Assert.Equal("orjan lukasz dorde ss aeoe i", NameKeys.Fold("Ørjan Łukasz Đorđe ß ÆŒ ı"));
        Assert.Equal("o'b", NameKeys.Fold("O´B"));
        Assert.Equal("o'b", NameKeys.Fold("OʼB"));
        Assert.Equal("anna maria", NameKeys.Fold("Anna—Maria"));
        Assert.Equal("istanbul", NameKeys.Fold("İstanbul"));
        Assert.Equal(("zoe", (string?)null), NameKeys.For("Zoë", "  - "));
        Assert.Equal(((string?)null, (string?)null), NameKeys.For(null, null));
    }

    [Theory]
    [InlineData("O’B", true)]
    [InlineData("suk", true)]
    [InlineData("o-b", true)]
    [InlineData("- a", false)]
    [InlineData("’’", false)]
    [InlineData("ab", false)]
    public void The_search_form_counts_letters_as_the_search_compares_them(string typed, bool accepted)
    {
        var errors = new CaseFilterForm { Search = typed }.Validate(out _);

        Assert.Equal(accepted, errors.IsEmpty);
    }

    [Fact, Trait("Category", "SqliteOnly")] // an SQLite install from before 0013; PostgreSQL starts at the current schema
    public async Task Migration_0013_folds_the_keys_of_young_people_recorded_before_it()
    {
        using var old = new TestDatabase(migrated: false);
        var all = RjConferences.Data.Migration.Embedded(TestDatabase.Provider);
        await new RjConferences.Data.Migrator(old.Db, all.Where(m => m.Number <= 11).ToList()).MigrateAsync();
        await using (var connection = await old.Db.OpenAsync())
        {
            // Keys as the app wrote them before: lower case only. Foreign keys off: only these rows matter here.
            await connection.ExecuteAsync("""
                PRAGMA foreign_keys = OFF;
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity,
                                   admitted, outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, updated_at)
                VALUES ('c1', 'RJ-2026-00001', 1, 'referred', 'on_school_premises', '2026-06-10T09:00:00.0000000Z', '2026-06-10', 1, 1,
                        1, 'not_decided', 1, '2026-06-15T09:00:00.0000000Z', '2026-06-15', 'u1', 's1', '2026-06-15T09:00:00.0000000Z');
                INSERT INTO parties (id, case_id, party_role, first_name, last_name, first_name_key, last_name_key, sort_order)
                VALUES ('p1', 'c1', 'responsible', 'Şükrü', 'Nguyễn-O’Brien', 'şükrü', 'nguyễn-o’brien', 0),
                       ('p2', 'c1', 'harmed', 'Zoë', 'Ward', 'zoë', 'ward', 1);
                """);
        }

        await new RjConferences.Data.Migrator(old.Db, all).MigrateAsync();

        await using var migrated = await old.Db.OpenAsync();
        Assert.Equal(["p1 sukru nguyen o'brien", "p2 zoe ward"],
            await migrated.QueryAsync<string>("SELECT id || ' ' || first_name_key || ' ' || last_name_key FROM parties ORDER BY id"));
        Assert.Equal(["nguyen o'brien", "o'brien", "sukru nguyen o'brien"],
            await migrated.QueryAsync<string>("SELECT name_key FROM case_name_keys ORDER BY name_key"));
    }

    [Fact]
    public async Task A_renamed_young_person_is_found_by_the_new_name_and_no_longer_by_the_old_one()
    {
        var (id, reference) = await NewCaseAsync("Sam", "Okafor");
        // A correction of the name on the case page: the search follows it, in the same change.
        var details = (await cases.Repository.GetAsync(id, officer.Id))!;
        var young = details.YoungPeople.Single();
        var corrected = await cases.Changes.EditPartyAsync(id, new PartyEdit
        {
            PartyId = young.Id,
            Party = new PartyForm { FirstName = "Samuel", LastName = "Adeyemi", Phone = young.Phone, Email = young.Email, Address = young.Address },
        }, details.Version, Officer);
        Assert.True(corrected.Saved, string.Join("; ", corrected.Errors.SelectMany(e => e.Value)));

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

        Assert.Equal(SaveOutcome.Saved, refused.Outcome);
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
        var closing = cases.Services.GetRequiredService<CaseClosing>();
        foreach (var id in new[] { old, recent })
        {
            Assert.Equal(SaveOutcome.Saved, (await cases.Changes.WithdrawCaseAsync(id, "Withdrawn", Officer)).Outcome);
            Assert.Equal(SaveOutcome.Saved, (await closing.CloseAsync(id, "Closed", Officer)).Outcome);
        }
        await ExecuteAsync("UPDATE cases SET closed_at = '2020-01-01T00:00:00.0000000Z' WHERE id = @old", new { old });

        Assert.Equal(1, await cases.Services.GetRequiredService<Retention>().AnonymiseDueAsync());

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

        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.WithdrawCaseAsync(id, "The family moved away", Officer)).Outcome);

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

    [Theory]
    [InlineData("has")] // three letters: the whole of the search index's name_start
    [InlineData("hass")] // more: name_start and a range of the name keys
    public async Task More_than_a_page_of_cases_with_two_matching_names_each_are_paged_and_counted_once_each(string search)
    {
        // 52 cases, each with one young person whose first and last names both match: 104 keys, 52 cases.
        var references = new List<string>();
        for (var i = 0; i < 52; i++)
        {
            references.Add((await NewCaseAsync("Hassan", "Hassani")).Reference);
        }

        var first = await cases.Repository.ListAsync(new CaseQuery(Search: search), officer.Id);
        var second = await cases.Repository.ListAsync(new CaseQuery(Search: search, Page: 2), officer.Id);

        // A full first page asks for the count; the second page is the rest, the oldest referrals last.
        Assert.Equal((CaseRepository.PageSize, 52), (first.Cases.Count, first.Total));
        Assert.Equal(52, second.Total);
        Assert.Equal(Enumerable.Reverse(references), first.Cases.Concat(second.Cases).Select(c => c.Reference));
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
        Assert.Equal(["chen", "wei chen"], await connection.QueryAsync<string>("SELECT name_key FROM case_name_keys ORDER BY name_key"));
    }

    /// <summary>
    /// What is wrong with the stored name keys: a party's keys that are not <see cref="NameKeys.For"/>
    /// of its names, and rows of case_name_keys that the young people's names (the whole name, and the
    /// last name from each of its parts), their cases' school, status, referral time and reference do
    /// not give, or the other way round. Empty when all is right. The expected rows are worked out here,
    /// in C#, not by the migration's SQL.
    /// </summary>
    public static async Task<List<string>> NameIndexDifferencesAsync(RjConferences.Data.Db db)
    {
        await using var connection = await db.OpenAsync();
        var parties = await connection.QueryAsync<(string Id, string? First, string? Last, string? FirstKey, string? LastKey, string Role,
            string CaseId, string Reference, long SchoolId, string Status, string ReferredAt)>("""
            SELECT p.id, p.first_name, p.last_name, p.first_name_key, p.last_name_key, p.party_role,
                   c.id, c.reference, c.school_id, c.status, CAST(c.referred_at AS TEXT)
            FROM parties AS p JOIN cases AS c ON c.id = p.case_id
            """);
        var differences = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parties)
        {
            var (first, last) = NameKeys.For(p.First, p.Last);
            if (p.FirstKey != first || p.LastKey != last)
            {
                differences.Add($"keys not folded: {p.Id} '{p.FirstKey}' '{p.LastKey}'");
            }
            if (p.Role != "responsible")
            {
                continue;
            }
            var parts = last?.Split(' ') ?? [];
            var keys = Enumerable.Range(0, parts.Length).Select(i => string.Join(' ', parts[i..])).ToList();
            if (first is not null)
            {
                keys.Add(last is null ? first : $"{first} {last}");
            }
            expected.UnionWith(keys.Select(k => $"{p.Id}|{k}|{p.CaseId}|{p.Reference}|{p.SchoolId}|{p.Status}|{p.ReferredAt}"));
        }
        var actual = (await connection.QueryAsync<string>("""
            SELECT party_id || '|' || name_key || '|' || case_id || '|' || reference || '|' || school_id || '|' || status || '|' || CAST(referred_at AS TEXT)
            FROM case_name_keys WHERE name_start = substr(name_key, 1, 3)
            """)).ToHashSet(StringComparer.Ordinal);
        differences.AddRange(expected.Except(actual).Select(r => "missing: " + r));
        differences.AddRange(actual.Except(expected).Select(r => "wrong: " + r));
        return differences.Take(20).ToList();
    }

    private async Task<long> BoroughIdAsync(string name)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = @name", new { name });
    }
}
