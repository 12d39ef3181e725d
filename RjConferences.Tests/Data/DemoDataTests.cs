using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Identity;
using RjConferences.Data;
using RjConferences.Features.Demo;
using RjConferences.Tools;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>One seeded demonstration database, shared by the tests that read it.</summary>
public sealed class SeededDemo : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();

    public ServiceProvider Services { get; private set; } = null!;

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Services = TestUsers.Services(Database);
        var output = new StringWriter();
        var error = new StringWriter();
        ExitCode = await DemoData.RunAsync(Services, output, error);
        Output = output + error.ToString();
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        Database.Dispose();
    }
}

[RunsLong(25)]
public class DemoDataTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    private async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = await demo.Database.Db.OpenAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }

    /// <summary>
    /// The lifecycle table checked against the code that runs: the demo walks every path a case takes
    /// (booking, rescheduling, outcomes, agreements kept, broken and failed, follow-up, closures) through
    /// the real services, and every status move they recorded is a row of the table.
    /// </summary>
    [Fact]
    public async Task Every_status_move_the_services_made_is_a_move_of_the_lifecycle()
    {
        var moves = await QueryAsync<(string From, string To)>(
            "SELECT DISTINCT from_status, to_status FROM case_events WHERE from_status IS NOT NULL AND to_status IS NOT NULL");

        Assert.True(moves.Count >= 15, $"only {moves.Count} different moves: the demo no longer walks the lifecycle");
        Assert.All(moves, m => Assert.True(CaseLifecycle.CanMove(m.From, m.To), $"{m.From} → {m.To} is not a move of the lifecycle"));
        // And each case's status is where its last recorded move took it.
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases AS c
            WHERE c.status <> (SELECT e.to_status FROM case_events AS e WHERE e.case_id = c.id AND e.to_status IS NOT NULL ORDER BY e.id DESC LIMIT 1)
            """));
    }

    [Fact]
    public async Task Seed_demo_creates_one_account_per_role_with_its_scope_and_prints_each_password_once()
    {
        Assert.Equal(0, demo.ExitCode);
        var accounts = await QueryAsync<(string Email, string Role, long MustChange, long Schools, long Boroughs)>("""
            SELECT u.email, r.name, u.must_change_password,
                   (SELECT count(*) FROM user_schools s WHERE s.user_id = u.id), (SELECT count(*) FROM user_boroughs b WHERE b.user_id = u.id)
            FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id ORDER BY u.email
            """);

        Assert.Equal(
            [
                ("admin@demo.rjconferences.example", Roles.Administrator, 0L, 0L, 0L),
                ("facilitator@demo.rjconferences.example", Roles.Facilitator, 0L, 17L + 5L, 0L),
                ("referrer@demo.rjconferences.example", Roles.Referrer, 0L, 17L, 0L),
                ("reviewer@demo.rjconferences.example", Roles.YouthJusticeReviewer, 0L, 0L, 2L),
            ],
            accounts);
        foreach (var (email, _, _, _, _) in accounts)
        {
            Assert.Matches(new Regex($@"{Regex.Escape(email)}\s+[a-zA-Z0-9]{{4}}-[a-zA-Z0-9]{{4}}-[a-zA-Z0-9]{{4}}-[a-zA-Z0-9]{{4}}\s"), demo.Output);
        }
    }

    [Fact]
    public async Task The_printed_passwords_sign_in()
    {
        var printed = Regex.Matches(demo.Output, @"(\S+@demo\.rjconferences\.example)\s+(\S{4}-\S{4}-\S{4}-\S{4})\s");
        Assert.Equal(4, printed.Count);
        await using var scope = demo.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (Match account in printed)
        {
            var user = await users.FindByEmailAsync(account.Groups[1].Value);
            Assert.NotNull(user);
            Assert.True(await users.CheckPasswordAsync(user, account.Groups[2].Value), account.Groups[1].Value);
        }
    }

    [Fact]
    public async Task Seed_demo_creates_about_250_cases_in_every_status_of_the_lifecycle()
    {
        var statuses = (await QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM cases GROUP BY status"))
            .ToDictionary(s => s.Status, s => s.Count);
        // Three statuses last only a moment: the outcome moves a held case on at once, a failed agreement closes
        // the case at once, and the daily job moves a completed agreement into follow-up. Their timelines show them.
        string[] passing = [CaseStatus.ConferenceHeld, CaseStatus.AgreementFailed, CaseStatus.AgreementCompleted];
        var passed = await QueryAsync<string>("SELECT DISTINCT to_status FROM case_events WHERE to_status IS NOT NULL");

        Assert.InRange(statuses.Values.Sum(), 200, 300);
        Assert.Equal(CaseStatus.All.Select(s => s.Code).Except(passing).Order(), statuses.Keys.Order());
        Assert.Superset(CaseStatus.All.Select(s => s.Code).ToHashSet(), passed.ToHashSet());
        Assert.All(statuses, s => Assert.True(s.Value >= 3, s.Key));
        var closures = await QueryAsync<string>("SELECT DISTINCT closure_outcome FROM cases WHERE status = 'closed'");
        Assert.Equal(new[] { "diverted", "entered_cjs", "escalated", "no_agreement", "withdrawn" }, closures.Order());
        // All in Newham, where the demo referrer works; no case outside the referrer's scope.
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases c JOIN users u ON u.id = c.referred_by
            WHERE c.school_id NOT IN (SELECT school_id FROM user_school_scope WHERE user_id = u.id)
            """));
    }

    [Fact]
    public async Task Demo_conferences_are_booked_without_double_booking_with_upcoming_ones_in_the_coming_weeks()
    {
        var conferences = (await QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM conferences GROUP BY status")).ToDictionary(c => c.Status, c => c.Count);
        Assert.Equal(new[] { "cancelled", "held", "not_held", "scheduled" }, conferences.Keys.Order());
        Assert.True(conferences["held"] >= 80);
        // No facilitator, room or person in two conferences that overlap.
        Assert.Empty(await QueryAsync<string>("""
            SELECT a.id FROM conferences a JOIN conferences b ON a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            WHERE a.status IN ('scheduled', 'held') AND b.status IN ('scheduled', 'held')
              AND (a.facilitator_id = b.facilitator_id OR a.room_id = b.room_id
                   OR EXISTS (SELECT 1 FROM conference_participants pa JOIN conference_participants pb ON pb.person_key = pa.person_key
                              WHERE pa.conference_id = a.id AND pb.conference_id = b.id))
            """));
        // Booked in a room at the case's school, by a facilitator trained on the day.
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.id FROM conferences c JOIN rooms r ON r.id = c.room_id LEFT JOIN facilitator_training t ON t.user_id = c.facilitator_id
            WHERE r.school_id <> c.school_id OR t.user_id IS NULL
               OR date(c.starts_at) < t.completed_on OR date(c.starts_at) > t.refresher_due_on
            """));
        var now = demo.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var upcoming = await QueryAsync<string>($"""
            SELECT starts_at FROM conferences WHERE status = 'scheduled'
              AND starts_at > '{RjConferences.Data.TypeHandlers.ToUtcText(now)}' AND starts_at < '{RjConferences.Data.TypeHandlers.ToUtcText(now.AddDays(56))}'
            """);
        Assert.True(upcoming.Count >= 10, $"{upcoming.Count} upcoming conferences");
        // The upcoming conferences' invitations wait in the outbox (the history's other messages were never sent, and are gone).
        var queued = await QueryAsync<(string Kind, string Status)>($"""
            SELECT o.kind, o.status FROM outbox AS o
            WHERE o.case_id NOT IN (SELECT case_id FROM conferences WHERE status = 'scheduled'
                                    AND starts_at > '{RjConferences.Data.TypeHandlers.ToUtcText(now)}')
               OR o.status <> 'queued' OR o.kind NOT IN ('conference_invitation', 'conference_update')
            """);
        Assert.Empty(queued);
        Assert.True((await QueryAsync<long>("SELECT count(DISTINCT case_id) FROM outbox")).Single() >= 10);
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM conference_history WHERE kind = 'rescheduled'"));
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM preparation_meetings"));
    }

    [Fact]
    public async Task Demo_outcomes_agreements_and_follow_ups_obey_the_rules()
    {
        // Every held conference has its outcome; with an agreement, it has actions; without one, none.
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.id FROM conferences c WHERE c.status = 'held'
              AND (c.agreement_reached IS NULL OR c.exclusion_avoided IS NULL
                   OR c.agreement_reached <> EXISTS (SELECT 1 FROM agreements g JOIN agreement_actions x ON x.agreement_id = g.id WHERE g.conference_id = c.id))
            """));
        // The reports have harmed-party satisfaction and exclusions avoided to show.
        var satisfaction = await QueryAsync<long>("SELECT DISTINCT harmed_satisfaction FROM conferences WHERE harmed_satisfaction IS NOT NULL");
        Assert.True(satisfaction.Count >= 4);
        Assert.Equal([0L, 1L], await QueryAsync<long>("SELECT DISTINCT exclusion_avoided FROM conferences WHERE status = 'held' ORDER BY 1"));
        var actions = await QueryAsync<string>("SELECT DISTINCT status FROM agreement_actions");
        Assert.Equal(new[] { "completed", "missed", "pending" }, actions.Order());
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM agreement_action_extensions"));
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM agreement_actions WHERE status = 'pending' AND overdue_flagged_at IS NOT NULL"));
        Assert.Equal(new[] { "completed", "failed", "replaced" }, (await QueryAsync<string>("SELECT DISTINCT ended FROM agreements WHERE ended IS NOT NULL")).Order());
        // Follow-up: checks recorded with every result, some waiting; closed cases say how they closed.
        var results = await QueryAsync<string>("SELECT DISTINCT result FROM follow_up_checks WHERE checked_on IS NOT NULL");
        Assert.Equal(new[] { "dealt_with_informally", "entered_cjs", "no_further_offending" }, results.Order());
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM follow_up_checks WHERE checked_on IS NULL"));
        Assert.NotEmpty(await QueryAsync<long>("SELECT 1 FROM job_runs"));
        Assert.Empty(await QueryAsync<string>("""
            SELECT reference FROM cases WHERE (status = 'closed') <> (closure_outcome IS NOT NULL AND closed_at IS NOT NULL)
               OR (closure_outcome = 'entered_cjs' AND (cjs_outcome_type IS NULL OR cjs_entered_on IS NULL))
               OR (closure_outcome IN ('diverted', 'entered_cjs')
                   AND NOT EXISTS (SELECT 1 FROM follow_up_checks f WHERE f.case_id = cases.id AND f.interval_months = 12 AND f.checked_on IS NOT NULL))
               OR (status IN ('agreement_active', 'follow_up') AND NOT EXISTS (SELECT 1 FROM agreements g WHERE g.case_id = cases.id))
            """));
    }

    [Fact]
    public async Task Every_demo_case_has_a_young_person_with_a_parent_or_guardian_a_harmed_party_and_a_timeline()
    {
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases c
            WHERE NOT EXISTS (SELECT 1 FROM parties h WHERE h.case_id = c.id AND h.party_role = 'harmed')
               OR NOT EXISTS (SELECT 1 FROM parties y WHERE y.case_id = c.id AND y.party_role = 'responsible')
               OR EXISTS (SELECT 1 FROM parties y WHERE y.case_id = c.id AND y.party_role = 'responsible'
                          AND NOT EXISTS (SELECT 1 FROM parties s WHERE s.supports_party_id = y.id AND s.supporter_type IN ('parent', 'guardian')))
               OR NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'referred')
            """));
        // Names of varied origins, spelt as people spell them.
        var names = await QueryAsync<string>("SELECT first_name || ' ' || last_name FROM parties WHERE party_role = 'responsible' AND first_name IS NOT NULL");
        Assert.Contains("Şükrü Yılmaz", names);
        Assert.Contains("Thị Minh Khai Nguyễn", names);
        Assert.Contains("Seán O'Brien", names);
    }

    [Fact]
    public async Task The_name_search_index_holds_exactly_the_demo_young_peoples_names()
    {
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(demo.Database.Db));
        Assert.True((await QueryAsync<long>("SELECT count(*) FROM case_name_keys")).Single() > 300);
    }

    [Fact]
    public async Task Demo_statuses_agree_with_the_assessments_consents_and_reasons()
    {
        // Ready to schedule: suitable, and every young person, harmed party and parent or guardian has consented.
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases c WHERE c.status = 'ready_to_schedule'
              AND ((SELECT outcome FROM suitability_assessments a WHERE a.case_id = c.id ORDER BY assessed_at DESC LIMIT 1) IS DISTINCT FROM 'suitable'
                   OR EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id
                              AND (p.party_role IN ('responsible', 'harmed') OR p.supporter_type IN ('parent', 'guardian'))
                              AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.party_id = p.id AND k.purpose = 'take_part'
                                              AND k.decision = 'given' AND k.withdrawn_on IS NULL)))
            """));
        Assert.Empty(await QueryAsync<string>("""
            SELECT reference FROM cases c
            WHERE (status = 'not_eligible') <> EXISTS (SELECT 1 FROM case_ineligibility_reasons r WHERE r.case_id = c.id)
               OR (status = 'not_suitable' AND NOT EXISTS (SELECT 1 FROM suitability_assessments a WHERE a.case_id = c.id AND a.outcome = 'not_suitable'))
               OR (status = 'withdrawn' AND withdrawn_reason IS NULL
                   AND NOT EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND p.details_removed_at IS NOT NULL))
            """));
        // Times run forward: nothing after now (the demo's clock), no change before its referral.
        var now = RjConferences.Data.TypeHandlers.ToUtcText(demo.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        Assert.Empty(await QueryAsync<string>($"""
            SELECT c.reference FROM cases c WHERE c.referred_at < c.offence_at OR c.updated_at > '{now}'
               OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.occurred_at < c.referred_at)
            """));
        var chain = await new AuditLog(demo.Database.Db, TestClock.Fixed()).VerifyAsync();
        Assert.True(chain.Intact, chain.Problem);
    }

    [Fact]
    public async Task Seed_demo_refuses_a_database_that_is_not_empty_and_changes_nothing()
    {
        var before = await QueryAsync<long>("SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM users) + (SELECT count(*) FROM audit_events)");
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await DemoData.RunAsync(demo.Services, output, error);

        Assert.Equal(2, code);
        Assert.Contains("fills an empty database only", error.ToString());
        Assert.Equal(before, await QueryAsync<long>("SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM users) + (SELECT count(*) FROM audit_events)"));
    }
}

[Trait("Category", "SqliteOnly")] // generate-synthetic is SQLite's bulk loader; PostgreSQL gets its data through copy-database
public class SyntheticDataTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly ServiceProvider services;

    public SyntheticDataTests() => services = TestUsers.Services(database);

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
    }

    private async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await database.Db.OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    [Fact]
    public async Task The_command_adds_the_cases_with_their_derived_rows_and_says_how_many_a_second()
    {
        // Its own process, as an operator runs it: SQLite's memory statistics are turned off before SQLite starts there.
        var result = await AppProcess.RunAsync(database.ConnectionString, null, "generate-synthetic", "--cases", "1200");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"Added 1[,.]?200 synthetic cases \([\d,.]+ rows\) in [\d.,]+ s: [\d,.]+ cases a second\.", result.Output);
        Assert.Equal(1200, (await QueryAsync<long>("SELECT count(*) FROM cases")).Single());
        Assert.Equal(1200, await ReportFactsCheck.AssertStoredEqualSourceAsync(database.Db));
        Assert.Equal(1200, (await QueryAsync<long>("SELECT count(DISTINCT case_id) FROM case_name_keys")).Single());
    }

    [Fact]
    public async Task Unrecorded_follow_up_checks_are_flagged_overdue_as_the_daily_job_would_have_flagged_them_and_no_others()
    {
        await SyntheticData.GenerateAsync(database.Db, 3000, await SyntheticData.EnsureUserAsync(services), TestClock.Start);
        // The daily job flags, each night, the unrecorded checks due more than OverdueAfterDays (28) days before that day.
        var overdueBefore = RjConferences.Components.LondonTime.DateOf(TestClock.Start).AddDays(-new RjConferences.Features.FollowUps.FollowUpOptions().OverdueAfterDays);
        async Task<long> CountAsync(string condition) =>
            (await QueryAsync<long>($"SELECT count(*) FROM follow_up_checks WHERE {condition}", new { overdueBefore, now = TestClock.Start })).Single();

        Assert.True(await CountAsync("overdue_flagged_at IS NOT NULL") > 20, "some checks flagged overdue");
        Assert.Equal(0, await CountAsync("overdue_flagged_at IS NULL AND checked_on IS NULL AND due_on < @overdueBefore")); // the job would flag none
        Assert.Equal(0, await CountAsync("overdue_flagged_at IS NOT NULL AND (checked_on IS NOT NULL OR due_on >= @overdueBefore)"));
        Assert.Equal(0, await CountAsync("overdue_flagged_at IS NOT NULL AND overdue_flagged_at > @now"));
    }

    /// <summary>
    /// The generator plays out what the daily job would have done each night (at 02:00, London) up to its moment; the job itself,
    /// run at that moment, is the judge: it finds nothing left to flag, create or close, and moves into follow-up only the agreements
    /// completed since that night's run. Seed 3 with 3,000 cases at <see cref="TestClock.Start"/> holds an action that was missed two
    /// days before (pending, past its due date), the rare case the job flags the next night.
    /// </summary>
    [Fact]
    public async Task The_daily_job_run_at_the_moment_of_the_synthetic_data_finds_nothing_left_to_do()
    {
        await SyntheticData.GenerateAsync(database.Db, 3000, await SyntheticData.EnsureUserAsync(services), TestClock.Start, seed: 3);
        var today = RjConferences.Components.LondonTime.DateOf(TestClock.Start);
        var overdue = await QueryAsync<(long Number, string DueOn, string FlaggedAt, string CaseId)>("""
            SELECT x.number, x.due_on, x.overdue_flagged_at, g.case_id FROM agreement_actions AS x JOIN agreements AS g ON g.id = x.agreement_id
            WHERE x.status = 'pending' AND x.due_on < @today
            """, new { today });

        RjConferences.Components.LondonTime.TryToUtc(today, new TimeOnly(2, 0), out var lastNight, out _);
        var completedSinceLastNight = await QueryAsync<string>("""
            SELECT max(e.occurred_at) FROM cases AS c JOIN case_events AS e ON e.case_id = c.id AND e.to_status = 'agreement_completed'
            WHERE c.status = 'agreement_completed' GROUP BY c.id
            """);
        Assert.All(completedSinceLastNight, at => Assert.True(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture) > lastNight, at));

        await using (var atThatMoment = TestServices.Build(database, TestClock.Fixed()))
        {
            var result = await atThatMoment.GetRequiredService<RjConferences.Features.FollowUps.DailyJob>().RunAsync();
            Assert.Equal((0, 0, completedSinceLastNight.Count, 0, 0), (result.ActionsFlaggedOverdue, result.ChecksCreated, result.MovedToFollowUp,
                result.ChecksFlaggedOverdue, result.ClosedAfterFollowUp));
        }

        // The action the test is about, flagged the night after its due date, with the timeline entry the job writes.
        var (number, dueOn, flaggedAt, caseId) = Assert.Single(overdue);
        var due = DateOnly.Parse(dueOn, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(RjConferences.Components.LondonTime.DateOf(DateTimeOffset.Parse(flaggedAt, System.Globalization.CultureInfo.InvariantCulture)), due.AddDays(1));
        var entry = Assert.Single(await QueryAsync<(string Summary, string? UserId, string OccurredAt)>(
            "SELECT summary, user_id, occurred_at FROM case_events WHERE case_id = @caseId AND kind = 'agreement'", new { caseId }));
        Assert.Equal($"Action {number} is overdue: it was due on {RjConferences.Components.LondonTime.FormatDate(due)}", entry.Summary);
        Assert.Null(entry.UserId);
        Assert.Equal(flaggedAt, entry.OccurredAt);
        Assert.Equal(flaggedAt, (await QueryAsync<string>("SELECT max(occurred_at) FROM case_events WHERE case_id = @caseId", new { caseId })).Single());
    }

    [Fact]
    public async Task Generate_synthetic_adds_exactly_the_cases_asked_for_with_unique_references_parties_and_consents()
    {
        var userId = await SyntheticData.EnsureUserAsync(services);

        var result = await SyntheticData.GenerateAsync(database.Db, 2000, userId, TestClock.Start);
        await SyntheticData.GenerateAsync(database.Db, 500, await SyntheticData.EnsureUserAsync(services), TestClock.Start);

        Assert.Equal(2000, result.Cases);
        var (cases, references) = (await QueryAsync<(long, long)>("SELECT count(*), count(DISTINCT reference) FROM cases")).Single();
        Assert.Equal(2500, cases);
        Assert.Equal(2500, references);
        Assert.All(await QueryAsync<string>("SELECT reference FROM cases"), r => Assert.Matches(@"^RJ-\d{4}-\d{5,}$", r));
        // References continue the counter of their year, and the year is the year of the referral.
        Assert.Empty(await QueryAsync<string>("""
            SELECT reference FROM cases WHERE substr(reference, 4, 4) <> substr(referred_on, 1, 4)
               OR CAST(substr(reference, 9) AS INTEGER) > (SELECT last_number FROM reference_counters WHERE year = CAST(substr(reference, 4, 4) AS INTEGER))
            """));
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases c
            WHERE (SELECT count(*) FROM parties p WHERE p.case_id = c.id AND p.party_role = 'responsible') <> 1
               OR (SELECT count(*) FROM parties p WHERE p.case_id = c.id AND p.party_role = 'harmed') <> 1
               OR NOT EXISTS (SELECT 1 FROM parties s JOIN parties y ON y.id = s.supports_party_id
                              WHERE s.case_id = c.id AND s.supporter_type IN ('parent', 'guardian') AND y.party_role = 'responsible')
               OR c.offence_at > c.referred_at OR c.referred_at < '2020'
            """));
        Assert.Empty(await QueryAsync<string>("""
            SELECT c.reference FROM cases c WHERE c.status = 'ready_to_schedule'
              AND (SELECT count(*) FROM consents k WHERE k.case_id = c.id AND k.purpose = 'take_part' AND k.decision = 'given') <> 3
            """));
        var statuses = await QueryAsync<string>("SELECT DISTINCT status FROM cases");
        Assert.Superset(new HashSet<string> { CaseStatus.NotEligible, CaseStatus.NotSuitable, CaseStatus.Withdrawn, CaseStatus.ReadyToSchedule }, statuses.ToHashSet());
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(database.Db));
        Assert.Empty(await QueryAsync<string>("PRAGMA foreign_key_check"));
        Assert.Equal(1, (await QueryAsync<long>($"SELECT count(*) FROM users WHERE email = '{SyntheticData.UserEmail}'")).Single());
    }

    [Fact]
    public async Task Synthetic_cases_are_listed_and_found_within_the_user_scope_only()
    {
        await SyntheticData.GenerateAsync(database.Db, 2000, await SyntheticData.EnsureUserAsync(services), TestClock.Start);
        var reviewer = await TestUsers.CreateAsync(services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var repository = new CaseRepository(database.Db, services.GetRequiredService<AuditLog>(), TestClock.Fixed());
        var newham = await QueryAsync<(string Reference, string First, string Last)>("""
            SELECT c.reference, p.first_name, p.last_name FROM cases c JOIN schools s ON s.id = c.school_id JOIN boroughs b ON b.id = s.borough_id
            JOIN parties p ON p.case_id = c.id AND p.party_role = 'responsible'
            WHERE b.name = 'Newham' AND p.first_name IS NOT NULL ORDER BY c.referred_at DESC
            """);
        var elsewhere = (await QueryAsync<string>("""
            SELECT c.reference FROM cases c JOIN schools s ON s.id = c.school_id JOIN boroughs b ON b.id = s.borough_id
            WHERE b.name <> 'Newham' LIMIT 1
            """)).Single();

        var (page, total) = await repository.ListAsync(new CaseQuery(), reviewer.Id);
        var (byReference, _) = await repository.ListAsync(new CaseQuery(Search: newham[0].Reference), reviewer.Id);
        var (outside, outsideTotal) = await repository.ListAsync(new CaseQuery(Search: elsewhere), reviewer.Id);
        var (byName, _) = await repository.ListAsync(new CaseQuery(Search: newham[0].Last[..2]), reviewer.Id);
        var (byFullName, _) = await repository.ListAsync(new CaseQuery(Search: $"{newham[0].First} {newham[0].Last[..1]}"), reviewer.Id);

        Assert.True(newham.Count > 100);
        Assert.Equal((await QueryAsync<long>("""
            SELECT count(*) FROM cases c JOIN schools s ON s.id = c.school_id JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham'
            """)).Single(), total);
        Assert.Equal(CaseRepository.PageSize, page.Count);
        Assert.All(page, c => Assert.Equal("Newham", c.BoroughName));
        Assert.Equal(newham[0].Reference, Assert.Single(byReference).Reference);
        Assert.Empty(outside);
        Assert.Equal(0, outsideTotal);
        Assert.Contains(byName, c => c.Reference == newham[0].Reference);
        Assert.All(byName, c => Assert.Equal("Newham", c.BoroughName));
        Assert.Contains(byFullName, c => c.Reference == newham[0].Reference);
    }

    [Fact]
    public async Task Searches_page_sort_and_count_like_the_plain_list()
    {
        await SyntheticData.GenerateAsync(database.Db, 2000, await SyntheticData.EnsureUserAsync(services), TestClock.Start);
        var reviewer = await TestUsers.CreateAsync(services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var repository = new CaseRepository(database.Db, services.GetRequiredService<AuditLog>(), TestClock.Fixed());
        const string inNewham = """
            c.school_id IN (SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham')
            """;
        // The most common first letter of a young person's last name in Newham.
        var letters = (await QueryAsync<string>($"""
            SELECT substr(p.last_name_key, 1, 1) FROM parties p JOIN cases c ON c.id = p.case_id
            WHERE p.party_role = 'responsible' AND p.last_name_key IS NOT NULL AND {inNewham}
            GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
            """)).Single();
        var expected = await QueryAsync<string>($"""
            SELECT c.reference FROM cases c
            WHERE {inNewham} AND c.id IN (SELECT case_id FROM parties WHERE party_role = 'responsible'
                                          AND (instr(' ' || last_name_key, ' {letters}') > 0 OR substr(first_name_key, 1, 1) = '{letters}'))
            ORDER BY c.referred_at DESC, c.id
            """);
        var byReference = await QueryAsync<string>($"SELECT c.reference FROM cases c WHERE {inNewham} AND c.reference LIKE 'RJ-%' ORDER BY c.reference");

        var (page1, total) = await repository.ListAsync(new CaseQuery(Search: letters.ToUpperInvariant()), reviewer.Id);
        var (page2, total2) = await repository.ListAsync(new CaseQuery(Search: letters, Page: 2), reviewer.Id);
        var (beyond, totalBeyond) = await repository.ListAsync(new CaseQuery(Search: letters, Page: 1000), reviewer.Id);
        var (sorted, sortedTotal) = await repository.ListAsync(new CaseQuery(Search: "RJ-", Sort: "reference", Descending: false), reviewer.Id);
        var (bySchool, _) = await repository.ListAsync(new CaseQuery(Search: "rj-", Sort: "school"), reviewer.Id);

        Assert.True(expected.Count > CaseRepository.PageSize);
        Assert.Equal(expected.Take(50), page1.Select(c => c.Reference));
        Assert.Equal(expected.Skip(50).Take(50), page2.Select(c => c.Reference));
        Assert.Equal([expected.Count, expected.Count, expected.Count], new[] { total, total2, totalBeyond });
        Assert.Empty(beyond);
        Assert.Equal(byReference.Take(50), sorted.Select(c => c.Reference));
        Assert.Equal(byReference.Count, sortedTotal);
        Assert.Equal(bySchool.Select(c => c.SchoolName).Order(StringComparer.Ordinal).Reverse(), bySchool.Select(c => c.SchoolName));
    }

    [Fact]
    public async Task Name_searches_filter_sort_page_and_count_like_a_search_of_the_cases_themselves()
    {
        await SyntheticData.GenerateAsync(database.Db, 2000, await SyntheticData.EnsureUserAsync(services), TestClock.Start);
        var reviewer = await TestUsers.CreateAsync(services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var repository = new CaseRepository(database.Db, services.GetRequiredService<AuditLog>(), TestClock.Fixed());
        const string inNewham = "c.school_id IN (SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham')";
        // The most common start of a young person's last name in Newham, and the first name of one of them.
        var (letters, firstName) = (await QueryAsync<(string, string)>($"""
            SELECT substr(p.last_name_key, 1, 3), min(p.first_name_key) FROM parties p JOIN cases c ON c.id = p.case_id
            WHERE p.party_role = 'responsible' AND p.last_name_key IS NOT NULL AND {inNewham}
            GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
            """)).Single();
        // The filters are chosen from the matching cases themselves, so that each check has matches whatever the data.
        const string matching = "p.party_role = 'responsible' AND substr(p.last_name_key, 1, 3) = @letters";
        var school = (await QueryAsync<long>($"""
            SELECT c.school_id FROM cases c JOIN parties p ON p.case_id = c.id WHERE {inNewham} AND {matching}
            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            """, new { letters })).Single();
        // A status some of those young people's cases are in (the generator's mix of statuses changes as the product grows).
        var status = (await QueryAsync<string>($"""
            SELECT c.status FROM cases c JOIN parties p ON p.case_id = c.id AND p.party_role = 'responsible'
            WHERE {inNewham} AND substr(p.last_name_key, 1, 3) = @letters
            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 1
            """, new { letters })).Single();
        // The median referral date of the matching cases: the windows before, after and from it all hold some.
        var middle = DateOnly.Parse((await QueryAsync<string>($"""
            SELECT c.referred_on FROM cases c JOIN parties p ON p.case_id = c.id WHERE {inNewham} AND {matching}
            ORDER BY c.referred_on LIMIT 1 OFFSET (SELECT count(*) / 2 FROM cases c JOIN parties p ON p.case_id = c.id WHERE {inNewham} AND {matching})
            """, new { letters })).Single(), System.Globalization.CultureInfo.InvariantCulture);

        var checks = new (CaseQuery Query, string Where, string Order)[]
        {
            (new(Search: letters), "1 = 1", "c.referred_at DESC"),
            (new(Search: letters, Descending: false), "1 = 1", "c.referred_at ASC"),
            (new(Search: $"{firstName} {letters}"), "1 = 1", "c.referred_at DESC"),
            (new(Search: letters, Status: status), $"c.status = '{status}'", "c.referred_at DESC"),
            (new(Search: letters, SchoolId: school), $"c.school_id = {school}", "c.referred_at DESC"),
            (new(Search: letters, From: middle), $"c.referred_on >= '{middle:yyyy-MM-dd}'", "c.referred_at DESC"),
            (new(Search: letters, To: middle), $"c.referred_on <= '{middle:yyyy-MM-dd}'", "c.referred_at DESC"),
            (new(Search: letters, From: middle, To: middle.AddDays(60)),
                $"c.referred_on BETWEEN '{middle:yyyy-MM-dd}' AND '{middle.AddDays(60):yyyy-MM-dd}'", "c.referred_at DESC"),
            (new(Search: letters, Sort: "reference", Descending: false), "1 = 1", "c.reference ASC"),
            (new(Search: letters, Sort: "status"), "1 = 1", "c.status DESC"),
            (new(Search: letters, Sort: "school", Descending: false), "1 = 1", "(SELECT name FROM schools WHERE id = c.school_id) ASC"),
        };
        foreach (var (query, where, order) in checks)
        {
            await using var connection = await database.Db.OpenAsync();
            var expected = (await connection.QueryAsync<string>($"""
                SELECT c.reference FROM cases c
                WHERE {inNewham} AND {where}
                  AND c.id IN (SELECT p.case_id FROM parties p WHERE p.party_role = 'responsible'
                               AND (substr(p.first_name_key || ' ' || p.last_name_key, 1, length(@search)) = @search
                                    OR instr(' ' || p.last_name_key, ' ' || @search) > 0))
                ORDER BY {order}, c.id {(query.Descending ? "DESC" : "ASC")}
                """, new { search = query.Search!.ToLowerInvariant() })).ToList();
            var (page1, total) = await repository.ListAsync(query, reviewer.Id);
            var (page2, _) = await repository.ListAsync(query with { Page = 2 }, reviewer.Id);

            Assert.True(expected.Count > 0, query.ToString());
            Assert.Equal(expected.Take(50), page1.Select(c => c.Reference));
            Assert.Equal(expected.Skip(50).Take(50), page2.Select(c => c.Reference));
            Assert.Equal(Math.Min(expected.Count, CaseRepository.NameCountCap), total);
        }
    }

    /// <summary>
    /// Every row the generator writes, pinned: 5,000 cases of seed 1 (ids seeded too) at a fixed time hash to the value the
    /// generator gave before it was made faster (issue 17). A change that alters any row, or the order rows get their integer ids,
    /// changes the hash; a deliberate change of the synthetic data updates the constant.
    /// </summary>
    [Fact]
    public async Task The_same_seed_gives_the_same_rows_in_every_table()
    {
        var userId = await SyntheticData.EnsureUserAsync(services);

        // In batches of 1,000 (five transactions) where the pinned rows were written in one: how the cases are cut into transactions
        // changes nothing in them.
        await SyntheticData.GenerateAsync(database.Db, 5000, userId, TestClock.Start, seed: 1, idSeed: 1, batchSize: 1000);

        var hash = await ContentHashAsync(userId);
        Assert.True(hash == PinnedSyntheticHash, $"The synthetic rows hash to {hash}, not {PinnedSyntheticHash}.");
    }

    [Fact]
    public async Task A_failed_batch_is_rolled_back_and_its_error_reaches_the_caller()
    {
        var userId = await SyntheticData.EnsureUserAsync(services);
        await using (var connection = await database.Db.OpenAsync())
        {
            // The 1,501st case fails, in the second of three transactions, on the writer thread.
            await connection.ExecuteAsync("""
                CREATE TRIGGER synthetic_test_failure BEFORE INSERT ON cases WHEN (SELECT count(*) FROM cases) >= 1500
                BEGIN SELECT RAISE(ABORT, 'synthetic test failure'); END
                """);
        }
        var schema = await SchemaAsync(database.Db);

        var failure = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            SyntheticData.GenerateAsync(database.Db, 3000, userId, TestClock.Start, batchSize: 1000).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("synthetic test failure", failure.Message);
        Assert.Equal(1000, (await QueryAsync<long>("SELECT count(*) FROM cases")).Single());
        Assert.Equal(1000, (await QueryAsync<long>("SELECT count(*) FROM case_report_facts")).Single());
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(database.Db));
        // The indexes it had set aside were made again for the batch it kept.
        Assert.Equal(schema, await SchemaAsync(database.Db));
        Assert.Equal(["ok"], await QueryAsync<string>("PRAGMA integrity_check"));
    }

    /// <summary>
    /// With nothing else on the file, a run holds it alone (exclusive locking, a rollback journal: each new page written once):
    /// at its last progress report, before it lets go, another connection is refused at once; afterwards the file is in WAL mode
    /// again and open to everyone.
    /// </summary>
    [Fact]
    public async Task A_run_has_the_database_to_itself_and_leaves_it_in_WAL_mode_for_the_app()
    {
        var progress = new ProbingWriter(database.FilePath);

        var result = await SyntheticData.GenerateAsync(database.Db, 1000, await SyntheticData.EnsureUserAsync(services), TestClock.Start,
            progress: progress, batchSize: 500);

        Assert.True(result.HeldAlone);
        Assert.Contains("database is locked", progress.Probe);
        Assert.DoesNotContain("Something else has", progress.ToString());
        await using var other = new Microsoft.Data.Sqlite.SqliteConnection(TestDatabase.ConnectionStringFor(database.FilePath));
        await other.OpenAsync();
        Assert.Equal("wal", await other.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1000, await other.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        Assert.Equal(1000, await ReportFactsCheck.AssertStoredEqualSourceAsync(database.Db));
    }

    /// <summary>The app (here, a connection that has read the file) keeps working beside a run, which writes in WAL mode and says so.</summary>
    [Fact]
    public async Task With_the_database_open_elsewhere_a_run_writes_beside_it_in_WAL_mode_and_says_so()
    {
        var userId = await SyntheticData.EnsureUserAsync(services);
        await using var app = new Microsoft.Data.Sqlite.SqliteConnection(TestDatabase.ConnectionStringFor(database.FilePath));
        await app.OpenAsync();
        Assert.Equal(0, await app.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        var progress = new ProbingWriter(database.FilePath);

        var result = await SyntheticData.GenerateAsync(database.Db, 1000, userId, TestClock.Start, progress: progress, batchSize: 500);

        Assert.False(result.HeldAlone);
        Assert.Contains($"Something else has {database.FilePath} open (the app?), so the cases are written beside it, in WAL mode", progress.ToString());
        Assert.Equal("", progress.Probe); // read beside the run
        Assert.Equal(1000, await app.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        Assert.Equal("wal", await app.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }

    /// <summary>
    /// Into a database no larger than the run, the indexes it does not read (here, the name search's) are set aside while it inserts
    /// and made again at its end: afterwards the schema is exactly the migrations' and every index agrees with its table. Into a larger
    /// one, a run inserts into the indexes as it goes (rebuilding them would cost more).
    /// </summary>
    [Fact]
    public async Task A_run_that_doubles_the_database_sets_aside_the_indexes_it_does_not_read_and_makes_them_again_at_its_end()
    {
        var migrated = await SchemaAsync(database.Db);
        var progress = new SnapshotWriter(database.FilePath);

        var result = await SyntheticData.GenerateAsync(database.Db, 1000, await SyntheticData.EnsureUserAsync(services), TestClock.Start,
            progress: progress, batchSize: 400);

        Assert.True(result.IndexesSetAside);
        Assert.Contains("The indexes the run does not read are set aside", progress.ToString());
        Assert.Matches(@"Made the \d+ indexes set aside in [\d.,]+ s\.", progress.ToString());
        // After the first batch: set aside, and recorded.
        Assert.Contains("ix_case_name_keys_search", progress.SetAside);
        Assert.Contains("ix_cases_status", progress.SetAside);
        Assert.DoesNotContain("ix_case_events_case", progress.SetAside); // the refresh reads it
        Assert.DoesNotContain("ux_suitability_case_number", progress.SetAside); // unique: it checks the rows
        Assert.Equal(migrated, await SchemaAsync(database.Db));
        Assert.Equal(["ok"], await QueryAsync<string>("PRAGMA integrity_check"));
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(database.Db));

        var topUp = await SyntheticData.GenerateAsync(database.Db, 999, await SyntheticData.EnsureUserAsync(services), TestClock.Start, seed: 2);

        Assert.False(topUp.IndexesSetAside);
        Assert.Equal(migrated, await SchemaAsync(database.Db));
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(database.Db));
    }

    /// <summary>
    /// A run stopped after its first batch (its file as a kill would leave it: each batch is committed, and a batch cut short is rolled
    /// back by the journal) has its indexes set aside; the next start, whatever the command, makes them before anything else.
    /// </summary>
    [Fact]
    public async Task The_indexes_of_a_stopped_run_are_made_at_the_next_start()
    {
        var migrated = await SchemaAsync(database.Db);
        var progress = new SnapshotWriter(database.FilePath);
        await SyntheticData.GenerateAsync(database.Db, 1000, await SyntheticData.EnsureUserAsync(services), TestClock.Start,
            progress: progress, batchSize: 400);
        using var stopped = new Db(TestDatabase.ConnectionStringFor(progress.SnapshotPath));
        Assert.Contains("ix_case_name_keys_search", progress.SetAside);
        Assert.DoesNotContain(await SchemaAsync(stopped), s => s.StartsWith("ix_case_name_keys_search:", StringComparison.Ordinal));
        var log = new LogRecorder();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Trace));

        await new Migrator(stopped, Migration.Embedded(), logging.CreateLogger<Migrator>()).MigrateAsync();

        Assert.Equal(migrated, await SchemaAsync(stopped));
        await using var connection = await stopped.OpenAsync();
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        Assert.Equal(400, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        Assert.Equal(400, await ReportFactsCheck.AssertStoredEqualSourceAsync(stopped));
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(stopped));
        var made = Assert.Single(log.Lines, l => l.EventId.Id == 1002);
        Assert.Equal($"Made the {progress.SetAside.Count} indexes that a stopped generate-synthetic run had set aside", made.Message);
    }

    /// <summary>Every table, index, view and trigger of the main database: its name and SQL.</summary>
    private static async Task<List<string>> SchemaAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name")).ToList();
    }

    /// <summary>Progress that, at the first report (the first batch committed), copies the database file and reads which indexes are set aside.</summary>
    private sealed class SnapshotWriter(string path) : StringWriter
    {
        public string SnapshotPath { get; } = path + ".stopped.db";
        public List<string> SetAside { get; } = [];

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains("cases/s", StringComparison.Ordinal) != true || File.Exists(SnapshotPath)) return;
            // The run holds the file alone (no connection of ours can read it now), and after a commit in its journal mode the
            // file holds every committed page: a copy of it is what a kill here would leave.
            File.Copy(path, SnapshotPath);
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(TestDatabase.ConnectionStringFor(SnapshotPath));
            connection.Open();
            SetAside.AddRange(connection.Query<string>("SELECT name FROM set_aside_indexes ORDER BY name"));
        }
    }

    /// <summary>Progress that, at each report after the first line, tries a read on a connection of its own; <see cref="Probe"/> holds what failed.</summary>
    private sealed class ProbingWriter(string path) : StringWriter
    {
        public string Probe { get; private set; } = "";

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains("cases/s", StringComparison.Ordinal) != true) return;
            var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(TestDatabase.ConnectionStringFor(path)) { DefaultTimeout = 1 };
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(builder.ToString());
            try
            {
                connection.Open();
                connection.Execute("PRAGMA busy_timeout = 0");
                connection.ExecuteScalar<long>("SELECT count(*) FROM cases");
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                Probe += e.Message;
            }
        }
    }

    [Fact]
    public async Task A_row_that_breaks_a_constraint_rolls_back_its_whole_transaction_and_the_database_takes_the_next_run()
    {
        var userId = await SyntheticData.EnsureUserAsync(services);
        await SyntheticData.GenerateAsync(database.Db, 1000, userId, TestClock.Start, seed: 1, idSeed: 1);

        // The same seeds again: the first case's id is taken, so its insert breaks a unique key (the generator's inserts
        // end their transaction on a broken constraint, rather than keeping a journal to undo one statement).
        var failure = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            SyntheticData.GenerateAsync(database.Db, 1000, userId, TestClock.Start, seed: 1, idSeed: 1, batchSize: 500).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(19, failure.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE constraint failed: cases.", failure.Message); // its id (and the submission id made from it)
        Assert.Equal(1000, (await QueryAsync<long>("SELECT count(*) FROM cases")).Single());
        Assert.Equal(3000, (await QueryAsync<long>("SELECT count(*) FROM parties")).Single());
        Assert.Equal(1000, await ReportFactsCheck.AssertStoredEqualSourceAsync(database.Db));
        // The run's own settings went with it: a connection checks foreign keys again, and the next run adds its cases.
        Assert.Equal(1L, (await QueryAsync<long>("PRAGMA foreign_keys")).Single());
        await SyntheticData.GenerateAsync(database.Db, 300, userId, TestClock.Start, seed: 2);
        Assert.Equal(1300, (await QueryAsync<long>("SELECT count(*) FROM cases")).Single());
        Assert.Empty(await CaseNameSearchTests.NameIndexDifferencesAsync(database.Db));
        Assert.Empty(await QueryAsync<string>("PRAGMA foreign_key_check"));
    }

    private const string PinnedSyntheticHash = "66D5A521252EFDAC06C7C5E0C1813BE8CB99E69751B3FB85C5D11DB6B8AB5885";

    /// <summary>
    /// A SHA-256 of the rows of every table the generator writes to (all but the account tables, which hold the synthetic user's
    /// random password hash and stamps), each table's rows sorted; the synthetic user's id, new in every test, is written as "user".
    /// </summary>
    private async Task<string> ContentHashAsync(Guid userId)
    {
        await using var connection = await database.Db.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).ToList();
        var user = userId.ToString("D");
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var table in tables.Where(t => !AccountTables.Contains(t)))
        {
            var rows = new List<string>();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new string[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.GetValue(i) switch
                    {
                        DBNull => "\u2205",
                        byte[] bytes => Convert.ToHexString(bytes),
                        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                        var other => other.ToString()!.Replace(user, "user", StringComparison.OrdinalIgnoreCase),
                    };
                }
                rows.Add(string.Join('\u001F', values));
            }
            rows.Sort(StringComparer.Ordinal);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{table}\n{string.Join('\n', rows)}\n"));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static readonly HashSet<string> AccountTables = ["users", "user_roles", "user_boroughs", "user_schools", "audit_events", "data_protection_keys", "schema_migrations"];

    [Fact]
    public async Task The_commands_refuse_bad_use_with_exit_code_2()
    {
        await TestUsers.CreateAsync(services, "someone@school.example", [Roles.Administrator]);

        var seed = await AppProcess.RunAsync(database.ConnectionString, null, "seed-demo");
        var generate = await AppProcess.RunAsync(database.ConnectionString, null, "generate-synthetic", "--cases", "lots");

        Assert.Equal(2, seed.ExitCode);
        Assert.Contains("fills an empty database only", seed.Error);
        Assert.Equal(2, generate.ExitCode);
        Assert.Contains("generate-synthetic --cases <N>", generate.Error);
        Assert.Equal([0L], await QueryAsync<long>("SELECT count(*) FROM cases"));
    }
}
