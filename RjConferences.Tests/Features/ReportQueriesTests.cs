using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>
/// Report arithmetic on a small hand-built data set (rows written straight into the tables, then the
/// facts refreshed as the app does), with every expected figure worked out by hand below. Every report
/// is also computed straight from the source tables and must be identical (the facts never drift).
///
/// The academic year 2024–25 (1 September 2024 to 31 August 2025). Newham: school A1 (Langdon Park)
/// and A2 (another Newham school); Hackney: school B1. Offence category 1 unless said; young people
/// aged 12, male, outcome route community resolution unless said.
///
/// | Case | School | Referred   | Ethnic | What happened                                                         |
/// |------|--------|------------|--------|-----------------------------------------------------------------------|
/// | C1   | A1     | 2024-09-01 | White  | not eligible: not admitted and gravity too high                      |
/// | C2   | A1     | 2024-10-10 | Black  | not eligible: under 10 (age 9)                                        |
/// | C3   | A1     | 2024-11-05 | White  | assessing (in progress); outcome 22; victim contact after 3 days      |
/// | C4   | A1     | 2024-11-20 | Asian  | consent refused, closed withdrawn; female; victim contact after 5 days|
/// | C5   | A1     | 2024-12-02 | White  | not suitable; age 15                                                   |
/// | C6   | A1     | 2025-01-06 | White  | ready to schedule, then withdrawn; age 16                              |
/// | C7   | A1     | 2025-01-20 | Black  | conference not held, ready to schedule again                           |
/// | C8   | A1     | 2025-02-03 | White  | held day 10, no agreement; satisfaction 2                              |
/// | C9   | A1     | 2025-03-03 | Black  | held day 20, agreement failed, closed escalated; satisfaction 5, exclusion avoided |
/// | C10  | A1     | 2025-04-01 | White  | held day 30, agreement active; satisfaction 4, exclusion not avoided   |
/// | C11  | A1     | 2025-05-06 | White  | held day 40, completed, 12-month check: no further offending; victim after 2 days |
/// | C12  | A1     | 2025-06-02 | Black  | held day 50, completed, 6-month check entered CJS, 12-month done; victim after 8 days |
/// | C13  | A1     | 2025-07-01 | Mixed  | held day 25, completed, only the 3-month check                         |
/// | C14  | A2     | 2025-08-31 | Other  | held day 35, completed, 12-month check: no further offending; category 2 |
/// | C15  | A1     | 2024-08-31 | White  | before the year                                                       |
/// | C16  | A1     | 2025-09-01 | White  | after the year                                                        |
/// | C17  | B1     | 2025-01-15 | White  | Hackney: held day 12, completed                                       |
/// </summary>
public sealed class ReportQueriesTests : IAsyncLifetime
{
    private static readonly ReportSelection Year = new(new DateOnly(2024, 9, 1), new DateOnly(2025, 8, 31));

    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private Microsoft.Extensions.DependencyInjection.ServiceProvider services = null!;
    private TestUser newhamReviewer = null!, hackneyReviewer = null!, admin = null!;
    private long a1, a2, b1;
    private readonly Dictionary<string, Guid> ids = [];

    private ReportQueries Reports => new(database.Db, Options.Create(new FollowUpOptions()));

    public async Task InitializeAsync()
    {
        services = TestUsers.Services(database, clock);
        newhamReviewer = await TestUsers.CreateAsync(services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        hackneyReviewer = await TestUsers.CreateAsync(services, "yjs@hackney.example", [Roles.YouthJusticeReviewer], boroughs: ["Hackney"]);
        await using var connection = await database.Db.OpenAsync();
        var everyBorough = (await connection.QueryAsync<string>("SELECT name FROM boroughs")).ToArray();
        admin = await TestUsers.CreateAsync(services, "admin@example.org", [Roles.Administrator], boroughs: everyBorough);
        a1 = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
        a2 = await connection.ExecuteScalarAsync<long>(
            "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham' AND s.id <> @a1 ORDER BY s.name LIMIT 1", new { a1 });
        b1 = await connection.ExecuteScalarAsync<long>(
            "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Hackney' ORDER BY s.name LIMIT 1");
        foreach (var school in new[] { a1, a2, b1 })
        {
            await connection.ExecuteAsync("INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room', 8)", new { school });
        }

        await Case("C1", "2024-09-01", eligible: false, ineligible: ["not_admitted", "gravity_too_high"]);
        await Case("C2", "2024-10-10", eligible: false, ineligible: ["under_10"], ethnic: "black_african", age: 9);
        await Case("C3", "2024-11-05", status: "assessing", path: ["assessing"], route: "outcome_22", victimAfter: 3);
        await Case("C4", "2024-11-20", status: "closed", path: ["assessing", "awaiting_consent", "withdrawn", "closed"], closure: "withdrawn",
            refused: true, ethnic: "asian_bangladeshi", gender: "female", victimAfter: 5);
        await Case("C5", "2024-12-02", status: "not_suitable", path: ["assessing", "not_suitable"], age: 15);
        await Case("C6", "2025-01-06", status: "withdrawn", path: ["assessing", "ready_to_schedule", "withdrawn"], age: 16);
        await Case("C7", "2025-01-20", status: "ready_to_schedule", path: ["assessing", "ready_to_schedule", "conference_scheduled", "ready_to_schedule"],
            conference: ("not_held", 14, null, null, null), ethnic: "black_caribbean");
        await Case("C8", "2025-02-03", status: "closed", path: [.. Held, "no_agreement", "closed"], closure: "no_agreement",
            conference: ("held", 10, false, null, 2));
        await Case("C9", "2025-03-03", status: "closed", path: [.. Held, "agreement_active", "agreement_failed", "closed"], closure: "escalated",
            conference: ("held", 20, true, true, 5), ethnic: "black_other");
        await Case("C10", "2025-04-01", status: "agreement_active", path: [.. Held, "agreement_active"], conference: ("held", 30, true, false, 4));
        await Case("C11", "2025-05-06", status: "closed", path: [.. Completed, "closed"], closure: "diverted", conference: ("held", 40, true, null, null),
            checks: [(3, "no_further_offending"), (6, "no_further_offending"), (12, "no_further_offending")], victimAfter: 2);
        await Case("C12", "2025-06-02", status: "closed", path: [.. Completed, "closed"], closure: "entered_cjs", conference: ("held", 50, true, null, null),
            checks: [(3, "no_further_offending"), (6, "entered_cjs"), (12, "entered_cjs")], ethnic: "black_african", victimAfter: 8);
        await Case("C13", "2025-07-01", status: "follow_up", path: Completed, conference: ("held", 25, true, null, null),
            checks: [(3, "dealt_with_informally")], ethnic: "mixed_white_asian");
        await Case("C14", "2025-08-31", school: a2, status: "closed", path: [.. Completed, "closed"], closure: "diverted", conference: ("held", 35, true, null, null),
            checks: [(3, "no_further_offending"), (6, "no_further_offending"), (12, "no_further_offending")], ethnic: "other_arab", category: 2);
        await Case("C15", "2024-08-31", status: "assessing", path: ["assessing"]);
        await Case("C16", "2025-09-01", status: "assessing", path: ["assessing"]);
        await Case("C17", "2025-01-15", school: b1, status: "follow_up", path: Completed, conference: ("held", 12, true, null, null));

        // School-internal matters: two at A1 in the year (one of category 2), one at Hackney, one at A1 the year before.
        foreach (var (school, on, category) in new[] { (a1, "2024-09-10", 1L), (a1, "2025-03-10", 2L), (b1, "2025-03-10", 1L), (a1, "2024-08-30", 1L) })
        {
            await connection.ExecuteAsync("""
                INSERT INTO school_internal_matters (school_id, recorded_on, offence_category_id, recorded_by, submission_id)
                VALUES (@school, @on, @category, @user, @submission)
                """, new { school, on = DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture), category, user = admin.Id, submission = Guid.NewGuid() });
        }
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private static readonly string[] Held = ["assessing", "ready_to_schedule", "conference_scheduled", "conference_held"];
    private static readonly string[] Completed = [.. Held, "agreement_active", "agreement_completed", "follow_up"];

    /// <summary>Runs the report from the stored facts and from the source tables, asserts they are the same, returns it.</summary>
    private async Task<ReportResult> RunAsync(TestUser user, ReportSelection selection)
    {
        var stored = await Reports.RunAsync(user.Id, selection, CancellationToken.None);
        var fromSources = await Reports.RunFromSourceTablesAsync(user.Id, selection, CancellationToken.None);
        Assert.Equal(JsonSerializer.Serialize(fromSources), JsonSerializer.Serialize(stored));
        return stored;
    }

    private static HeadlineFigure Figure(ReportResult r, string key) => r.Headlines.Single(h => h.Key == key);

    private static long Referrals(ReportResult r) => Figure(r, "referrals").Numerator;

    [Fact]
    public async Task Headline_figures_for_a_borough_and_an_academic_year()
    {
        var r = await RunAsync(newhamReviewer, Year);

        // C1–C14 (C15, C16 outside the year; C17 in Hackney).
        Assert.Equal(14, Referrals(r));
        // The page says how each figure is counted: every headline has its words.
        Assert.All(r.Headlines, h => Assert.True(ReportDefinitions.Headlines.ContainsKey(h.Key), $"{h.Key} has no definition"));
        // Two at A1 in the year (the one of 30 August 2024 is before it, Hackney's is outside the scope).
        Assert.Equal(2, Figure(r, "school_internal").Numerator);
        Assert.Equal((12, 14L), (Figure(r, "eligible").Numerator, Figure(r, "eligible").Denominator!.Value)); // C3–C14
        Assert.Equal((7, 12L), (Figure(r, "conferences_held").Numerator, Figure(r, "conferences_held").Denominator!.Value)); // C8–C14
        Assert.Equal((6, 7L), (Figure(r, "agreements_reached").Numerator, Figure(r, "agreements_reached").Denominator!.Value)); // C9–C14
        Assert.Equal((4, 6L), (Figure(r, "agreements_completed").Numerator, Figure(r, "agreements_completed").Denominator!.Value)); // C11–C14
        // 12-month check recorded: C11, C12, C14; C12 entered the CJS (at 6 months) → 2 / 3 diverted, 1 / 3 entered.
        Assert.Equal((2, 3L), (Figure(r, "diversion_rate").Numerator, Figure(r, "diversion_rate").Denominator!.Value));
        Assert.Equal(2.0 / 3, Figure(r, "diversion_rate").Value!.Value, 10);
        Assert.Equal((1, 3L), (Figure(r, "entered_cjs_12").Numerator, Figure(r, "entered_cjs_12").Denominator!.Value));
        // Exclusion answered at C9 (yes) and C10 (no) → 1 / 2.
        Assert.Equal((1, 2L), (Figure(r, "exclusions_avoided").Numerator, Figure(r, "exclusions_avoided").Denominator!.Value));
        // Satisfaction answered at C8 (2), C9 (5), C10 (4) → 2 / 3 answered 4 or 5.
        Assert.Equal((2, 3L), (Figure(r, "harmed_satisfaction").Numerator, Figure(r, "harmed_satisfaction").Denominator!.Value));
        // Days to conference 10, 20, 25, 30, 35, 40, 50 (seven): the middle one, 30.
        Assert.Equal((30.0, 7L), (Figure(r, "median_days_to_conference").Value!.Value, Figure(r, "median_days_to_conference").Denominator!.Value));
        // Days to victim contact 2, 3, 5, 8 (four): (3 + 5) / 2 = 4.
        Assert.Equal((4.0, 4L), (Figure(r, "median_days_to_victim_contact").Value!.Value, Figure(r, "median_days_to_victim_contact").Denominator!.Value));
    }

    [Fact]
    public async Task The_same_selection_a_year_earlier_comes_with_the_report_for_the_comparison()
    {
        var r = await RunAsync(newhamReviewer, Year with { BoroughId = null });

        var previous = r.PreviousYear!;
        Assert.Equal((new DateOnly(2023, 9, 1), new DateOnly(2024, 8, 31)), (previous.Selection.From, previous.Selection.To));
        // Only C15 (31 August 2024) of Newham's cases falls in the year before; one school-internal matter (30 August 2024).
        Assert.Equal((14, 1), (Referrals(r), Referrals(previous)));
        Assert.Equal(1, Figure(previous, "school_internal").Numerator);
        Assert.Equal(1, previous.Funnel[0].Count);
        Assert.Equal(1, previous.BySchool.Single(s => s.Name == "Langdon Park, Newham").Referrals);
        Assert.Null(previous.PreviousYear); // one year back, not a chain
        // 29 February moves to 28 February.
        Assert.Equal(new DateOnly(2023, 2, 28), ReportQueries.PreviousYear(new ReportSelection(new DateOnly(2024, 2, 1), new DateOnly(2024, 2, 29))).To);
    }

    [Fact]
    public async Task Timeliness_is_counted_in_working_days_past_weekends_and_bank_holidays_and_harmed_parties_who_took_part_out_of_those_who_consented()
    {
        // Around Easter 2026 (Good Friday 3 April, Easter Monday 6 April, early May bank holiday 4 May), worked out by hand:
        // T1 referred Thursday 2 April, assessed Thursday 9 April: 7, 8, 9 April = 3 working days; offered restorative justice on
        //    Easter Monday: 0 working days; conference on 16 April: 8 working days; the harmed party consented and attended.
        // T2 referred Monday 2 March, assessed Friday 20 March: 14 working days (late); offered on Tuesday 10 March: 6 (late);
        //    conference on Monday 23 March: 15; the harmed party consented but did not attend.
        // T3 referred Friday 1 May, assessed Monday 18 May: 10 working days (in time, the 10th); no offer, no conference.
        await Case("T1", "2026-04-02", status: "conference_held", path: Held, assessedAfter: 7, victimAfter: 4,
            conference: ("held", 14, true, null, null), harmedAttended: true);
        await Case("T2", "2026-03-02", status: "conference_held", path: Held, assessedAfter: 18, victimAfter: 8,
            conference: ("held", 21, true, null, null), harmedAttended: false);
        await Case("T3", "2026-05-01", status: "assessing", path: ["assessing"], assessedAfter: 17);

        var r = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2026, 3, 1), new DateOnly(2026, 5, 31)));

        Assert.Equal((2, 3L), (Figure(r, "assessed_in_time").Numerator, Figure(r, "assessed_in_time").Denominator!.Value));
        Assert.Equal((10.0, 3L), (Figure(r, "median_working_days_to_assessment").Value!.Value, Figure(r, "median_working_days_to_assessment").Denominator!.Value));
        Assert.Equal((1, 2L), (Figure(r, "victim_offer_in_time").Numerator, Figure(r, "victim_offer_in_time").Denominator!.Value));
        Assert.Equal(3.0, Figure(r, "median_working_days_to_victim_offer").Value!.Value); // (0 + 6) / 2
        Assert.Equal((11.5, 2L), (Figure(r, "median_working_days_to_conference").Value!.Value, Figure(r, "median_working_days_to_conference").Denominator!.Value));
        Assert.Equal((1, 2L), (Figure(r, "harmed_took_part").Numerator, Figure(r, "harmed_took_part").Denominator!.Value));
        // The median in calendar days is still there, over the same cases: (14 + 21) / 2.
        Assert.Equal((17.5, 2L), (Figure(r, "median_days_to_conference").Value!.Value, Figure(r, "median_days_to_conference").Denominator!.Value));
    }

    [Fact]
    public async Task Activity_counts_what_was_recorded_in_each_month_whichever_month_the_case_was_referred_in()
    {
        var r = await RunAsync(newhamReviewer, Year);

        // Held conferences (referral + days): C8 13 Feb, C9 23 Mar, C10 1 May, C11 15 Jun, C12 22 Jul, C13 26 Jul 2025; C14's, on
        // 5 October 2025, is after the year. Agreements completed, checks and closures are dated at the referral in this fixture.
        (long Held, long Completed, long Checks, long Closed) Month(int year, int month)
        {
            var p = r.Activity.Single(a => a.Start == new DateOnly(year, month, 1));
            return (p.ConferencesHeld, p.AgreementsCompleted, p.ChecksRecorded, p.CasesClosed);
        }
        Assert.Equal(12, r.Activity.Count);
        Assert.Equal((0, 0, 0, 1), Month(2024, 11)); // C4 closed
        Assert.Equal((1, 0, 0, 1), Month(2025, 2)); // C8 held and closed
        Assert.Equal((1, 0, 0, 1), Month(2025, 3)); // C9
        Assert.Equal((1, 1, 3, 1), Month(2025, 5)); // C10 held; C11 completed, its 3 checks, closed
        Assert.Equal((1, 1, 3, 1), Month(2025, 6)); // C11 held; C12 completed, 3 checks, closed
        Assert.Equal((2, 1, 1, 0), Month(2025, 7)); // C12 and C13 held; C13 completed, 1 check
        Assert.Equal((0, 1, 3, 1), Month(2025, 8)); // C14 completed, 3 checks, closed
        Assert.Equal(6, r.Activity.Sum(a => a.ConferencesHeld)); // the cohort's 7 includes C14's, held after the year
        Assert.Equal(7, r.Funnel.Single(s => s.Key == "conference_held").Count);
        Assert.Equal(r.Trend.Select(t => t.Referrals), r.Activity.Select(a => a.Referrals));

        // The year after: C14's conference (5 October 2025) is October's activity, though no case of the cohort was referred then.
        var next = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2025, 9, 1), new DateOnly(2026, 8, 31), Trend: TrendGranularity.Quarter));
        var autumn = next.Activity.Single(a => a.Start == new DateOnly(2025, 7, 1)); // July to September quarter, from 1 September
        var october = next.Activity.Single(a => a.Start == new DateOnly(2025, 10, 1));
        Assert.Equal((0, 1), (autumn.ConferencesHeld, october.ConferencesHeld));
        Assert.Equal(0, next.Trend.Single(t => t.Start == new DateOnly(2025, 10, 1)).Referrals);
        // Scope: Hackney's reviewer sees only C17 (referred 15 January 2025, held on the 27th, completed), none of Newham's.
        var hackney = (await RunAsync(hackneyReviewer, Year)).Activity;
        Assert.Equal((1, 1, 0, 0), hackney.Where(a => a.Start == new DateOnly(2025, 1, 1)).Select(a => (a.ConferencesHeld, a.AgreementsCompleted, a.ChecksRecorded, a.CasesClosed)).Single());
        Assert.Equal(2, hackney.Sum(a => a.ConferencesHeld + a.AgreementsCompleted + a.ChecksRecorded + a.CasesClosed));
        Assert.Empty(r.PreviousYear!.Activity); // worked out for the selection only
    }

    [Fact]
    public void Working_days_skip_weekends_and_bank_holidays_and_the_day_of_referral_is_day_0()
    {
        var days = new WorkingDays([new DateOnly(2026, 4, 3), new DateOnly(2026, 4, 6)], new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));

        Assert.Equal(0, days.Between(new DateOnly(2026, 4, 2), new DateOnly(2026, 4, 2)));
        Assert.Equal(0, days.Between(new DateOnly(2026, 4, 2), new DateOnly(2026, 4, 6))); // Good Friday, a weekend, Easter Monday
        Assert.Equal(1, days.Between(new DateOnly(2026, 4, 2), new DateOnly(2026, 4, 7)));
        Assert.Equal(-1, days.Between(new DateOnly(2026, 4, 7), new DateOnly(2026, 4, 2)));
        Assert.Equal(1, days.Between(new DateOnly(2026, 3, 6), new DateOnly(2026, 3, 9))); // Friday to Monday
        // Outside the span worked out in advance, the same answer one day at a time.
        Assert.Equal(5, days.Between(new DateOnly(2027, 3, 5), new DateOnly(2027, 3, 12)));
        Assert.False(days.IsWorkingDay(new DateOnly(2026, 4, 3)));
        Assert.True(days.IsWorkingDay(new DateOnly(2026, 4, 7)));
    }

    [Fact]
    public async Task Each_cohort_month_says_how_many_cases_with_an_agreement_are_still_waiting_for_their_12_month_check()
    {
        var r = await RunAsync(newhamReviewer, Year);

        // C10 (agreement active, April) and C13 (completed, only its 3-month check, July) wait; C11, C12 and C14 have their
        // 12-month checks; C9's agreement failed (no checks to come); the rest never reached an agreement.
        var waiting = r.Trend.Where(p => p.AwaitingCheck > 0).Select(p => (p.Start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), p.AwaitingCheck));
        Assert.Equal([("2025-04", 1L), ("2025-07", 1L)], waiting);
        var july = r.Trend.Single(p => p.Start == new DateOnly(2025, 7, 1));
        Assert.Equal("not yet: 1 case waiting for the 12-month check", ReportFormat.Diversion(july));
        var june = r.Trend.Single(p => p.Start == new DateOnly(2025, 6, 1));
        Assert.Equal("0% — 0 of 1", ReportFormat.Diversion(june)); // C12 entered the CJS; nobody waits
        // Hackney: C17 completed in January, no check recorded yet.
        var hackney = await RunAsync(hackneyReviewer, Year);
        Assert.Equal(1, hackney.Trend.Single(p => p.Start == new DateOnly(2025, 1, 1)).AwaitingCheck);
    }

    [Fact]
    public async Task Median_of_an_even_number_of_cases_is_the_mean_of_the_middle_two()
    {
        // A1 only: days to conference 10, 20, 25, 30, 40, 50 → (25 + 30) / 2 = 27.5.
        var r = await RunAsync(newhamReviewer, Year with { SchoolId = a1 });
        Assert.Equal((27.5, 6L), (Figure(r, "median_days_to_conference").Value!.Value, Figure(r, "median_days_to_conference").Denominator!.Value));
    }

    [Fact]
    public async Task The_funnel_counts_shares_and_leavers_by_reason()
    {
        var r = await RunAsync(newhamReviewer, Year);
        Assert.Equal(["referred", "eligible", "consented", "conference_held", "agreement_reached", "agreement_completed", "no_cjs_12_months"],
            r.Funnel.Select(s => s.Key));
        // referred 14; eligible 12; consented C6–C14 = 9; held 7; reached 6; completed 4; no CJS at 12 months C11, C14 = 2.
        Assert.Equal([14L, 12, 9, 7, 6, 4, 2], r.Funnel.Select(s => s.Count));
        Assert.Equal(2.0 / 14, r.Funnel[^1].ShareOfReferred!.Value, 10);
        Assert.Equal(2.0 / 4, r.Funnel[^1].ShareOfPrevious!.Value, 10);
        Assert.Null(r.Funnel[0].ShareOfPrevious);

        Dictionary<string, long> Left(string stage) => r.Funnel.Single(s => s.Key == stage).LeftBeforeThisStage.ToDictionary(l => l.Reason, l => l.Count);
        Assert.Empty(Left("referred"));
        // C1 has two reasons, C2 one: each reason is counted.
        Assert.Equal(new Dictionary<string, long> { ["not_admitted"] = 1, ["gravity_too_high"] = 1, ["under_10"] = 1, ["over_17"] = 0 }, Left("eligible"));
        // C3 still assessing, C4 refused, C5 not suitable.
        Assert.Equal(new Dictionary<string, long> { ["not_suitable"] = 1, ["consent_refused"] = 1, ["withdrawn"] = 0, ["in_progress"] = 1 }, Left("consented"));
        // C6 withdrawn after consent, C7's conference not held.
        Assert.Equal(new Dictionary<string, long>
        {
            ["not_suitable"] = 0, ["consent_refused"] = 0, ["withdrawn"] = 1, ["conference_not_held"] = 1, ["in_progress"] = 0,
        }, Left("conference_held"));
        Assert.Equal(new Dictionary<string, long> { ["no_agreement"] = 1 }, Left("agreement_reached")); // C8
        Assert.Equal(new Dictionary<string, long> { ["agreement_failed"] = 1, ["in_progress"] = 1 }, Left("agreement_completed")); // C9, C10
        Assert.Equal(new Dictionary<string, long> { ["entered_cjs"] = 1, ["in_progress"] = 1 }, Left("no_cjs_12_months")); // C12, C13
    }

    [Fact]
    public async Task Disproportionality_rates_relative_rate_index_and_small_bases()
    {
        var r = await RunAsync(newhamReviewer, Year);
        Assert.Equal(["Asian", "Black", "Mixed", "White", "Other", "Not stated"], r.Disproportionality.Select(g => g.Group));
        var white = r.Disproportionality.Single(g => g.Group == "White");
        var black = r.Disproportionality.Single(g => g.Group == "Black");
        // White: C1, C3, C5, C6, C8, C10, C11 = 7 referred; eligible 6 (6/7); consented C6, C8, C10, C11 (4/6); held C8, C10, C11 (3/4);
        // reached C10, C11 (2/3); completed C11 (1/2); no CJS at 12 months: 1 of the 1 completed with the check done.
        Assert.Equal(7, white.Referred);
        Assert.True(white.SmallBase);
        Assert.Equal(new (long, long)[] { (6, 7), (4, 6), (3, 4), (2, 3), (1, 2), (1, 1) }, white.Stages.Select(s => (s.Count, s.Base)));
        Assert.All(white.Stages, s => Assert.Equal(1.0, s.RelativeRateIndex!.Value, 10));
        // Black: C2, C7, C9, C12 = 4; eligible 3 (3/4); consented 3/3; held C9, C12 (2/3); reached 2/2; completed C12 (1/2); no CJS 0/1.
        Assert.Equal(4, black.Referred);
        Assert.Equal(new (long, long)[] { (3, 4), (3, 3), (2, 3), (2, 2), (1, 2), (0, 1) }, black.Stages.Select(s => (s.Count, s.Base)));
        // RRI eligible (3/4) / (6/7) = 0.875; held (2/3) / (3/4) = 0.888…; no CJS 0 / 1 = 0.
        Assert.Equal(0.875, black.Stages[0].RelativeRateIndex!.Value, 10);
        Assert.Equal(8.0 / 9, black.Stages[2].RelativeRateIndex!.Value, 10);
        Assert.Equal(0.0, black.Stages[5].RelativeRateIndex!.Value, 10);
        // Each rate has its Wilson interval and each index its log-method interval, from the same counts; the reference group's
        // index (1 by definition) and an index of 0 (no logarithm) have none.
        Assert.Equal(Intervals.Wilson(3, 4), black.Stages[0].RateInterval);
        Assert.Equal(Intervals.RelativeRateIndex(3, 4, 6, 7), black.Stages[0].IndexInterval);
        Assert.Equal((0.4607, 1.6620), (Math.Round(black.Stages[0].IndexInterval!.Low, 4), Math.Round(black.Stages[0].IndexInterval!.High, 4))); // ln 0.875 ± 1.96 × √(1/3 − 1/4 + 1/6 − 1/7)
        Assert.False(black.Stages[0].IndexInterval!.ExcludesOne);
        Assert.Null(black.Stages[5].IndexInterval);
        Assert.All(white.Stages, s => Assert.Null(s.IndexInterval));
        Assert.All(white.Stages, s => Assert.Equal(Intervals.Wilson(s.Count, s.Base), s.RateInterval));
        // Mixed (C13): no completed case with its 12-month check → no rate, no index (null, not zero).
        var mixed = r.Disproportionality.Single(g => g.Group == "Mixed");
        Assert.Equal((0L, 0L, (double?)null, (double?)null), (mixed.Stages[5].Count, mixed.Stages[5].Base, mixed.Stages[5].Rate, mixed.Stages[5].RelativeRateIndex));
        var notStated = r.Disproportionality.Single(g => g.Group == "Not stated");
        Assert.Equal(0, notStated.Referred);
        Assert.All(notStated.Stages, s => Assert.Null(s.Rate));

        // Against Black as the reference group, White's eligibility index is (6/7) / (3/4).
        var againstBlack = await RunAsync(newhamReviewer, Year with { ReferenceGroup = "Black" });
        Assert.Equal((6.0 / 7) / 0.75, againstBlack.Disproportionality.Single(g => g.Group == "White").Stages[0].RelativeRateIndex!.Value, 10);
    }

    [Fact]
    public async Task A_group_of_30_referred_cases_is_not_a_small_base_and_29_is()
    {
        // 2023–24 already has C15 (White): 28 more make 29.
        for (var i = 0; i < 28; i++) await Case($"W{i}", "2023-10-02", status: "assessing", path: ["assessing"], ethnic: "white_irish");
        for (var i = 0; i < 30; i++) await Case($"B{i}", "2023-10-02", status: "assessing", path: ["assessing"], ethnic: "black_african");
        var r = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2023, 9, 1), new DateOnly(2024, 8, 31)));
        Assert.Equal((29L, true), r.Disproportionality.Where(g => g.Group == "White").Select(g => (g.Referred, g.SmallBase)).Single());
        Assert.Equal((30L, false), r.Disproportionality.Where(g => g.Group == "Black").Select(g => (g.Referred, g.SmallBase)).Single());
    }

    [Fact]
    public async Task An_empty_selection_gives_zeros_and_nulls_never_a_division_by_zero()
    {
        var r = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2020, 1, 1), new DateOnly(2020, 1, 31)));
        Assert.Equal(0, Referrals(r));
        Assert.All(r.Headlines.Where(h => h.Kind != FigureKind.Count), h => Assert.Null(h.Value));
        Assert.All(r.Headlines.Where(h => h.Kind == FigureKind.Rate), h => Assert.Equal(0, h.Denominator));
        Assert.All(r.Funnel, s => Assert.Equal((0L, (double?)null), (s.Count, s.ShareOfReferred)));
        Assert.All(r.Disproportionality.SelectMany(g => g.Stages), s => Assert.Equal(((double?)null, (double?)null), (s.Rate, s.RelativeRateIndex)));
        Assert.Equal(["January 2020"], r.Trend.Select(t => t.Label));
        Assert.Equal(0, r.Trend[0].DiversionDenominator);
    }

    [Fact]
    public async Task Scope_a_reviewer_sees_only_the_schools_of_their_boroughs()
    {
        var newham = await RunAsync(newhamReviewer, Year);
        var hackney = await RunAsync(hackneyReviewer, Year);
        var everyone = await RunAsync(admin, Year);
        Assert.Equal((14, 1, 15), (Referrals(newham), Referrals(hackney), Referrals(everyone)));
        Assert.Equal(["Newham"], newham.ByBorough.Select(b => b.Name));
        Assert.Equal(["Hackney"], hackney.ByBorough.Select(b => b.Name));
        Assert.All(hackney.BySchool, s => Assert.EndsWith(", Hackney", s.Name));
        Assert.Equal(1, Figure(hackney, "school_internal").Numerator);
        Assert.Equal(15, everyone.ByBorough.Count);

        // A forged request: Hackney's reviewer asks for Newham, or for a Newham school. Nothing of Newham comes back.
        foreach (var forged in new[] { Year with { BoroughId = await BoroughAsync("Newham") }, Year with { SchoolId = a1 } })
        {
            var r = await RunAsync(hackneyReviewer, forged);
            Assert.Equal(0, Referrals(r));
            Assert.Equal(0, Figure(r, "school_internal").Numerator);
            Assert.Empty(r.ByBorough);
            Assert.Empty(r.BySchool);
            Assert.All(r.Trend, t => Assert.Equal(0, t.Referrals));
        }
    }

    [Fact]
    public async Task Each_filter_narrows_the_cases()
    {
        async Task<long> Count(ReportSelection s) => Referrals(await RunAsync(newhamReviewer, s));
        Assert.Equal(1, Referrals(await RunAsync(admin, Year with { BoroughId = await BoroughAsync("Hackney") })));
        Assert.Equal(14, Referrals(await RunAsync(admin, Year with { BoroughId = await BoroughAsync("Newham") })));
        Assert.Equal(1, await Count(Year with { SchoolId = a2 }));                       // C14
        Assert.Equal(1, await Count(Year with { OffenceCategoryId = 2 }));               // C14
        Assert.Equal(1, await Count(Year with { OutcomeRoute = "outcome_22" }));         // C3
        Assert.Equal(13, await Count(Year with { OutcomeRoute = "community_resolution" }));
        Assert.Equal(1, await Count(Year with { AgeBand = "14-15" }));                   // C5
        Assert.Equal(1, await Count(Year with { AgeBand = "16-17" }));                   // C6
        Assert.Equal(11, await Count(Year with { AgeBand = "10-13" }));                  // all but C2 (9), C5, C6
        Assert.Equal(1, await Count(Year with { Gender = "female" }));                   // C4
        Assert.Equal(7, await Count(Year with { EthnicGroup = "White" }));
        Assert.Equal(4, await Count(Year with { EthnicGroup = "Black" }));
        Assert.Equal(0, await Count(Year with { EthnicGroup = "Not stated" }));
        // Filters combine: Black and female → nobody.
        Assert.Equal(0, await Count(Year with { EthnicGroup = "Black", Gender = "female" }));

        // School-internal matters: filtered by school and category; not recorded by gender and the like → not applicable (null).
        Assert.Equal(1, Figure(await RunAsync(newhamReviewer, Year with { OffenceCategoryId = 2 }), "school_internal").Numerator);
        Assert.Equal(0, Figure(await RunAsync(newhamReviewer, Year with { SchoolId = a2 }), "school_internal").Numerator);
        Assert.Null(Figure(await RunAsync(newhamReviewer, Year with { Gender = "male" }), "school_internal").Value);
    }

    [Fact]
    public async Task The_academic_year_runs_from_1_September_to_31_August()
    {
        // C15 (31 August 2024) is in 2023–24, C1 (1 September 2024) and C14 (31 August 2025) in 2024–25, C16 (1 September 2025) in 2025–26.
        var before = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2023, 9, 1), new DateOnly(2024, 8, 31)));
        var year = await RunAsync(newhamReviewer, Year);
        var after = await RunAsync(newhamReviewer, new ReportSelection(new DateOnly(2025, 9, 1), new DateOnly(2026, 8, 31)));
        Assert.Equal((1, 14, 1), (Referrals(before), Referrals(year), Referrals(after)));
        Assert.Equal(1, year.Trend.Single(t => t.Start == new DateOnly(2024, 9, 1)).Referrals);  // C1
        Assert.Equal(1, year.Trend.Single(t => t.Start == new DateOnly(2025, 8, 1)).Referrals);  // C14
    }

    [Fact]
    public async Task Trend_by_month_and_by_quarter_and_the_breakdowns_add_up()
    {
        var months = await RunAsync(newhamReviewer, Year);
        Assert.Equal(12, months.Trend.Count);
        Assert.Equal(("September 2024", "August 2025"), (months.Trend[0].Label, months.Trend[^1].Label));
        Assert.Equal(14, months.Trend.Sum(t => t.Referrals));
        Assert.Equal(7, months.Trend.Sum(t => t.ConferencesHeld));
        Assert.Equal((2L, 3L), (months.Trend.Sum(t => t.DiversionNumerator), months.Trend.Sum(t => t.DiversionDenominator)));

        // Calendar quarters: July–September 2024 (September only) … July–September 2025 (July and August only).
        var quarters = await RunAsync(newhamReviewer, Year with { Trend = TrendGranularity.Quarter });
        Assert.Equal([new DateOnly(2024, 7, 1), new(2024, 10, 1), new(2025, 1, 1), new(2025, 4, 1), new(2025, 7, 1)], quarters.Trend.Select(t => t.Start));
        Assert.Equal("July to September 2024", quarters.Trend[0].Label);
        Assert.Equal([1L, 4, 4, 3, 2], quarters.Trend.Select(t => t.Referrals)); // C1 | C2–C5 | C6–C9 | C10–C12 | C13, C14
        Assert.Equal(14, quarters.Trend.Sum(t => t.Referrals));

        Assert.Equal(17, months.BySchool.Count);
        Assert.Equal((13L, 1L), (months.BySchool.Single(s => s.Name == "Langdon Park, Newham").Referrals,
            months.BySchool.Where(s => s.Name != "Langdon Park, Newham").Sum(s => s.Referrals)));
        var newham = months.ByBorough.Single();
        Assert.Equal(new BreakdownRow("Newham", 14, 12, 7, 6, 4, 2, 3), newham);
        Assert.Equal(8, months.ByOffenceCategory.Count);
        Assert.Equal((13L, 1L), (months.ByOffenceCategory[0].Referrals, months.ByOffenceCategory[1].Referrals));
    }

    private async Task<long> BoroughAsync(string name)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = @name", new { name });
    }

    /// <summary>
    /// Writes one case straight into the tables — the case, its young person and harmed party, its timeline
    /// (<paramref name="path"/>: the statuses it moved to), a refused consent, a conference (held or not held
    /// <c>Day</c> days after the referral, with its outcome), follow-up checks — then refreshes its facts.
    /// </summary>
    private async Task Case(string name, string referredOn, long? school = null, bool eligible = true, string[]? ineligible = null,
        string ethnic = "white_british", string gender = "male", int age = 12, string route = "community_resolution", long category = 1,
        string? status = null, string[]? path = null, string? closure = null, bool refused = false,
        (string Status, int Day, bool? Reached, bool? Exclusion, int? Satisfaction)? conference = null,
        (int Months, string Result)[]? checks = null, int? victimAfter = null, int? assessedAfter = null, bool? harmedAttended = null)
    {
        var id = Guid.NewGuid();
        ids[name] = id;
        var referred = DateOnly.Parse(referredOn, System.Globalization.CultureInfo.InvariantCulture);
        var at = new DateTimeOffset(referred.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        var referredDate = referred;
        var initial = eligible ? "referred" : "not_eligible";
        await database.Db.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("""
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity, admitted,
                                   outcome_route, eligible, referred_at, referred_on, referred_by, victim_first_offered_on, submission_id, updated_at,
                                   closure_outcome, closed_at)
                VALUES (@id, @reference, @school, @status, 'on_school_premises', @at, @referredDate, @category, 1, TRUE,
                        @route, @eligible, @at, @referredDate, @user, @victim, @id, @at, @closure, CASE WHEN @closure IS NULL THEN NULL ELSE @at END)
                """, new
            {
                id, reference = "RJ-T-" + name, school = school ?? a1, status = status ?? initial, at, referredDate, category, route, eligible,
                user = admin.Id, victim = victimAfter is { } v ? referred.AddDays(v) : (DateOnly?)null,
                closure,
            }, transaction);
            var youngPerson = Guid.NewGuid();
            var harmed = Guid.NewGuid();
            await connection.ExecuteAsync("""
                INSERT INTO parties (id, case_id, party_role, first_name, last_name, age_at_offence, gender, ethnic_group, sort_order)
                VALUES (@youngPerson, @id, 'responsible', 'Young', 'Person', @age, @gender, @ethnic, 0);
                INSERT INTO parties (id, case_id, party_role, harmed_type, first_name, last_name, sort_order)
                VALUES (@harmed, @id, 'harmed', 'pupil', 'Harmed', 'Person', 1);
                """, new { youngPerson, harmed, id, age, gender, ethnic }, transaction);
            foreach (var reason in ineligible ?? [])
            {
                await connection.ExecuteAsync("INSERT INTO case_ineligibility_reasons (case_id, reason, party_id) VALUES (@id, @reason, @party)",
                    new { id, reason, party = reason is "under_10" or "over_17" ? youngPerson : (Guid?)null }, transaction);
            }
            var from = initial;
            await connection.ExecuteAsync("INSERT INTO case_events (case_id, occurred_at, kind, summary, to_status) VALUES (@id, @at, 'referred', 'Referred', @initial)",
                new { id, at, initial }, transaction);
            foreach (var to in path ?? [])
            {
                await connection.ExecuteAsync("""
                    INSERT INTO case_events (case_id, occurred_at, kind, summary, from_status, to_status) VALUES (@id, @at, 'status', 'Moved', @from, @to)
                    """, new { id, at, from, to }, transaction);
                from = to;
            }
            if (refused)
            {
                await connection.ExecuteAsync("""
                    INSERT INTO consents (id, case_id, party_id, purpose, decision, decided_on, method, taken_by, recorded_at)
                    VALUES (@consent, @id, @harmed, 'take_part', 'refused', @referredDate, 'phone', @user, @at)
                    """, new { consent = Guid.NewGuid(), id, harmed, referredDate, user = admin.Id, at }, transaction);
            }
            if (assessedAfter is { } days)
            {
                await connection.ExecuteAsync("""
                    INSERT INTO suitability_assessments (id, case_id, assessed_by, assessed_at, risk_to_parties, power_imbalance,
                                                         acceptance_of_responsibility, harmed_party_wishes, outcome, number)
                    VALUES (@assessment, @id, @user, @assessedAt, 'Low', 'None', 'Full', 'Wants to meet', 'suitable', 1)
                    """, new { assessment = Guid.NewGuid(), id, user = admin.Id, assessedAt = at.AddDays(days) }, transaction);
            }
            if (harmedAttended is not null)
            {
                // The harmed party consented to take part (and, with harmedAttended, attended the held conference below).
                await connection.ExecuteAsync("""
                    INSERT INTO consents (id, case_id, party_id, purpose, decision, decided_on, method, taken_by, recorded_at)
                    VALUES (@consent, @id, @harmed, 'take_part', 'given', @referredDate, 'phone', @user, @at)
                    """, new { consent = Guid.NewGuid(), id, harmed, referredDate, user = admin.Id, at }, transaction);
            }
            if (conference is { } c)
            {
                var conferenceId = Guid.NewGuid();
                var start = new DateTimeOffset(referred.AddDays(c.Day).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
                var end = start.AddHours(1);
                await connection.ExecuteAsync("""
                    INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, created_by, created_at, updated_at,
                                             agreement_reached, exclusion_avoided, harmed_satisfaction)
                    VALUES (@conference, @id, @school, (SELECT min(id) FROM rooms WHERE school_id = @school), @start, @end, @user, @Status, @user, @at, @at,
                            @Reached, @Exclusion, @Satisfaction)
                    """, new { conference = conferenceId, id, school = school ?? a1, start, end, user = admin.Id, at, c.Status, c.Reached, c.Exclusion, c.Satisfaction },
                    transaction);
                if (harmedAttended is { } attended)
                {
                    await connection.ExecuteAsync("""
                        INSERT INTO conference_participants (conference_id, party_id, person_key, attended) VALUES (@conferenceId, @harmed, @key, @attended)
                        """, new { conferenceId, harmed, key = "test:" + harmed, attended }, transaction);
                }
            }
            foreach (var (months, result) in checks ?? [])
            {
                var entered = result == "entered_cjs";
                await connection.ExecuteAsync("""
                    INSERT INTO follow_up_checks (id, case_id, interval_months, due_on, created_at, checked_on, checked_by, source, result,
                                                  cjs_outcome_type, cjs_entered_on, recorded_at)
                    VALUES (@check, @id, @months, @referredDate, @at, @referredDate, @user, 'police_records', @result,
                            CASE WHEN @entered THEN 'youth_caution' END, CASE WHEN @entered THEN @referredDate END, @at)
                    """, new { check = Guid.NewGuid(), id, months, referredDate, at, user = admin.Id, result, entered }, transaction);
            }
            await ReportFacts.RefreshAsync(connection, transaction, id);
        });
    }
}
