using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RjConferences.Components.Forms;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The stored report facts never drift from the source tables: cases are taken through the app's own
/// services (referral, assessment and consent, booking, not held, outcome and agreement, the daily job,
/// follow-up checks, edits, withdrawal, closing, retention), and after every step the stored facts and
/// the report computed from them equal the facts and the report computed straight from the source tables.
/// </summary>
public sealed class ReportFactsTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private TestUser reviewer = null!;
    private readonly FollowUpOptions options = new();

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        reviewer = await TestUsers.CreateAsync(world.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private Retention Retention => new(world.Database.Db, world.Work, world.Clock, Options.Create(options));
    private DailyJob Job => new(world.Database.Db, world.Work, world.Clock, Options.Create(options), Retention, NullLogger<DailyJob>.Instance, new RjConferences.Data.JobLease(world.Database.Db, world.Clock));
    private FollowUpChecks Checks => new(world.Database.Db, world.Work, world.Clock, Options.Create(options));
    private CaseClosing Closing => new(world.Work);
    private ReportQueries Reports => new(world.Database.Db, Options.Create(options));

    private async Task AssertNoDriftAsync(int expectedCases)
    {
        Assert.Equal(expectedCases, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));

        var selection = new ReportSelection(new DateOnly(2025, 9, 1), new DateOnly(2027, 8, 31));
        var fromFacts = await Reports.RunAsync(reviewer.Id, selection, CancellationToken.None);
        var fromSources = await Reports.RunFromSourceTablesAsync(reviewer.Id, selection, CancellationToken.None);
        Assert.Equal(JsonSerializer.Serialize(fromSources), JsonSerializer.Serialize(fromFacts));
        Assert.Equal(expectedCases, fromFacts.Headlines.Single(h => h.Key == "referrals").Numerator);
    }

    private async Task<CaseFact> FactAsync(Guid caseId)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var (dims, flow, days) = await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT dims, flow, days FROM case_report_facts WHERE case_id = @caseId", new { caseId });
        return new CaseFact(dims, flow, days);
    }

    [Fact]
    public async Task Every_change_made_through_the_app_keeps_the_stored_facts_equal_to_the_source_tables()
    {
        var officer = world.OfficerPrincipal;

        // A referral that is not eligible (18 on the offence date).
        var ineligible = await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, "2008-01-20", firstName: "Adult"), world.Officer.Id);
        await AssertNoDriftAsync(1);
        Assert.Equal((ReportFacts.Stage.Referred, 8), ((await FactAsync(ineligible.CaseId!.Value)).Stage, (await FactAsync(ineligible.CaseId!.Value)).IneligibleMask));

        // Suitability and consents: ready to schedule.
        var (ready, _) = await world.ReadyCaseAsync("Amira", "Hassan");
        await AssertNoDriftAsync(2);
        Assert.Equal(ReportFacts.Stage.Consented, (await FactAsync(ready)).Stage);

        // The harmed party was first offered restorative justice four days before the referral was recorded, the day
        // before their consent (an edit): −4 days. (Their consent on 12 June alone counts as offered: −3.)
        var details = (await world.Cases.GetAsync(ready, world.Officer.Id))!;
        Assert.Equal(-3, (await FactAsync(ready)).DaysToVictimContact);
        var edited = await world.Changes.EditAsync(ready, new CaseEdit
        {
            Description = "Pushed another pupil.", Location = "on_school_premises", OutcomeRoute = "outcome_22",
            VictimFirstOfferedOn = DateInput.From(details.ReferredOn.AddDays(-4)),
        }, details.Version, officer);
        Assert.Equal(SaveOutcome.Saved, edited.Outcome);
        await AssertNoDriftAsync(2);
        Assert.Equal(-4, (await FactAsync(ready)).DaysToVictimContact);

        // A conference booked, then not held.
        var notHeld = await world.ConferenceDueAsync("Kofi", "Owusu", time: "09:00");
        Assert.Empty((await world.Booking.EndAsync(notHeld.ConferenceId, "not_held", "The young person was ill", [notHeld.YoungPerson.Id], officer)).Errors);
        await AssertNoDriftAsync(3);
        Assert.Equal((ReportFacts.Stage.Consented, ReportFacts.Reason.ConferenceNotHeld),
            ((await FactAsync(notHeld.CaseId)).Stage, (await FactAsync(notHeld.CaseId)).Reason));

        // A conference held with an agreement: satisfaction 4, exclusion avoided.
        var held = await world.ConferenceDueAsync("Wei", "Chen", time: "11:00");
        var outcome = await world.Outcomes().RecordOutcomeAsync(held.ConferenceId, held.Agreement(), officer);
        Assert.True(outcome.Saved, string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        await AssertNoDriftAsync(4);
        var fact = await FactAsync(held.CaseId);
        // Referred on 16 June 2026 (the clock was moved on by the first booking), held the same day.
        Assert.Equal((ReportFacts.Stage.Reached, (int?)4, (bool?)true, (int?)0), (fact.Stage, fact.Satisfaction, fact.ExclusionAvoided, fact.DaysToConference));

        // The daily job three months on creates the 3-month check; the reviewer records it.
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 9, 17, 9, 0, 0, TimeSpan.Zero));
        await Job.RunAsync();
        await AssertNoDriftAsync(4);
        var check = (await Checks.ForCaseAsync(held.CaseId, reviewer.Id)).Single();
        var recorded = (await Checks.RecordAsync(check.Id, new FollowUpForm
        {
            Source = "police_records", Result = "entered_cjs", CjsOutcomeType = "youth_caution",
            CjsEnteredOn = DateInput.From(new DateOnly(2026, 9, 1)), CheckedOn = DateInput.From(new DateOnly(2026, 9, 17)),
        }, TestCases.Principal(reviewer.Id, Roles.YouthJusticeReviewer))).Errors;
        Assert.True(recorded.IsEmpty, string.Join("; ", recorded.SelectMany(e => e.Value)));
        await AssertNoDriftAsync(4);
        Assert.Equal((3, true), ((await FactAsync(held.CaseId)).LastCheckMonths, (await FactAsync(held.CaseId)).EnteredCjs));

        // Withdrawn, then closed; the ineligible referral closed too.
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.WithdrawCaseAsync(notHeld.CaseId, "The family moved away", officer)).Outcome);
        await AssertNoDriftAsync(4);
        Assert.Equal(SaveOutcome.Saved, (await Closing.CloseAsync(notHeld.CaseId, "Withdrawn", officer)).Outcome);
        Assert.Equal(SaveOutcome.Saved, (await Closing.CloseAsync(ineligible.CaseId.Value, "Not eligible", officer)).Outcome);
        await AssertNoDriftAsync(4);
        Assert.Equal((ReportFacts.Stage.Consented, ReportFacts.Reason.Withdrawn), ((await FactAsync(notHeld.CaseId)).Stage, (await FactAsync(notHeld.CaseId)).Reason));

        // Retention years later: names go, the facts stay as they were.
        var before = await FactAsync(notHeld.CaseId);
        world.Clock.SetUtcNow(new DateTimeOffset(2033, 1, 10, 9, 0, 0, TimeSpan.Zero));
        Assert.True(await Retention.AnonymiseDueAsync() >= 2);
        Assert.Equal(before, await FactAsync(notHeld.CaseId));
        await AssertNoDriftAsync(4);
    }

    [Fact, Trait("Category", "SqliteOnly")] // generate-synthetic writes SQLite
    public async Task Synthetic_cases_get_facts_equal_to_the_source_tables_and_reach_every_stage()
    {
        var userId = await RjConferences.Tools.SyntheticData.EnsureUserAsync(world.Services);
        await RjConferences.Tools.SyntheticData.GenerateAsync(world.Database.Db, 3000, userId, new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(3000, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            Assert.Empty(await connection.QueryAsync<string>("PRAGMA foreign_key_check"));
            var outcomes = (await connection.QueryAsync<string>("SELECT DISTINCT closure_outcome FROM cases WHERE closure_outcome IS NOT NULL")).ToHashSet();
            Assert.Superset(new HashSet<string> { "diverted", "entered_cjs", "withdrawn", "escalated", "no_agreement", "not_eligible", "not_suitable" }, outcomes);
        }
        var everyBorough = await TestUsers.CreateAsync(world.Services, "admin@example.org", [Roles.Administrator],
            boroughs: ["Brent", "Camden", "Croydon", "Ealing", "Hackney", "Newham", "Tower Hamlets"]);
        var r = await Reports.RunAsync(everyBorough.Id, new ReportSelection(new DateOnly(2023, 9, 1), new DateOnly(2024, 8, 31)), CancellationToken.None);
        Assert.All(r.Funnel, s => Assert.True(s.Count > 0, s.Key));
        Assert.All(r.Headlines.Where(h => h.Key != "school_internal"), h => Assert.True(h.Numerator > 0, h.Key));
        Assert.True(r.Funnel.Single(s => s.Key == "conference_held").LeftBeforeThisStage.Single(l => l.Reason == "conference_not_held").Count > 0);
    }

    [Fact, Trait("Category", "SqliteOnly")] // SQLite's query plan
    public async Task Refreshing_a_case_looks_it_up_by_its_id_and_never_scans_every_case()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN SELECT * FROM case_report_facts_source WHERE case_id = @caseId", new { caseId = Guid.NewGuid() })).Select(p => p.Detail).ToList();
        Assert.Contains(plan, d => d.StartsWith("SEARCH c USING INDEX", StringComparison.Ordinal));
        // "SCAN z" reads the view's grouped subquery, one row per case (migration 0027), not a table.
        Assert.DoesNotContain(plan, d => d.StartsWith("SCAN", StringComparison.Ordinal) && !d.Contains("CONSTANT ROW", StringComparison.Ordinal) && d != "SCAN z");
    }

    [Fact]
    public void Every_ethnic_group_code_falls_under_its_heading_in_the_facts()
    {
        // The view maps codes by their prefix (asian_, black_, mixed_, white_, other_); anything else is "Not stated".
        foreach (var e in Vocabulary.EthnicGroups)
        {
            var prefix = e.Code.Split('_')[0];
            var heading = prefix switch { "asian" => "Asian", "black" => "Black", "mixed" => "Mixed", "white" => "White", "other" => "Other", _ => "Not stated" };
            Assert.Equal(e.Group, heading);
        }
        Assert.Equal(["Asian", "Black", "Mixed", "White", "Other", "Not stated"], Vocabulary.EthnicGroupHeadings);
    }
}
