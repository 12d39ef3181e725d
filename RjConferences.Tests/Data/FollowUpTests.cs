using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

[RunsLong(25)]
public class FollowUpTests : IAsyncLifetime
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
    private System.Security.Claims.ClaimsPrincipal Reviewer => TestCases.Principal(reviewer.Id, Roles.YouthJusticeReviewer);

    /// <summary>A case whose conference was held on <paramref name="heldOn"/> at 10:00 London time and reached an agreement.</summary>
    private async Task<Guid> CaseWithAgreementAsync(DateOnly heldOn, string status = CaseStatus.AgreementCompleted)
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await using var connection = await world.Database.Db.OpenAsync();
        RjConferences.Components.LondonTime.TryToUtc(heldOn, new TimeOnly(10, 0), out var start, out _);
        await connection.ExecuteAsync("""
            INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, created_by, created_at, updated_at)
            VALUES (@id, @caseId, @SchoolId, @Room2, @start, @end, @officer, 'held', @officer, @start, @start)
            """, new { id = Guid.NewGuid(), caseId, world.SchoolId, world.Room2, start, end = start.AddHours(1), officer = world.Officer.Id });
        await connection.ExecuteAsync("UPDATE cases SET status = @status WHERE id = @caseId", new { status, caseId });
        _ = parties;
        return caseId;
    }

    private async Task<List<(int Months, DateOnly Due)>> ChecksAsync(Guid caseId)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(int, DateOnly)>("SELECT interval_months, due_on FROM follow_up_checks WHERE case_id = @caseId ORDER BY interval_months", new { caseId })).ToList();
    }

    private void Today(DateOnly day) => world.Clock.SetUtcNow(new DateTimeOffset(day.ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero));

    [Fact]
    public async Task The_job_logs_its_day_as_an_ISO_date()
    {
        var capture = new LogCapture();
        using var loggers = new Microsoft.Extensions.Logging.LoggerFactory([capture]);
        var job = new DailyJob(world.Database.Db, world.Work, world.Clock, Options.Create(options), Retention,
            Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<DailyJob>(loggers), new RjConferences.Data.JobLease(world.Database.Db, world.Clock));
        Today(new DateOnly(2026, 12, 4));

        await job.RunAsync();

        var line = Assert.Single(capture.Entries, e => e.Category == typeof(DailyJob).FullName).Message;
        Assert.StartsWith("Daily job for 2026-12-04:", line);
    }

    [Fact]
    public async Task The_job_creates_each_check_on_the_day_it_comes_due_and_never_twice()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));

        Today(new DateOnly(2026, 9, 14));
        await Job.RunAsync();
        Assert.Empty(await ChecksAsync(caseId));

        Today(new DateOnly(2026, 9, 15));
        var first = await Job.RunAsync();
        var again = await Job.RunAsync();
        Assert.Equal(1, first.ChecksCreated);
        Assert.Equal(0, again.ChecksCreated);
        Assert.Equal([(3, new DateOnly(2026, 9, 15))], await ChecksAsync(caseId));
        Assert.Equal(CaseStatus.FollowUp, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    [Fact]
    public async Task After_days_of_downtime_the_job_catches_up_on_every_check_due()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));

        Today(new DateOnly(2026, 6, 15).AddMonths(6).AddDays(40)); // the clock jumps forward past two due dates
        await Job.RunAsync();

        Assert.Equal([(3, new DateOnly(2026, 9, 15)), (6, new DateOnly(2026, 12, 15))], await ChecksAsync(caseId));
    }

    [Fact]
    public async Task Due_dates_follow_the_calendar_across_a_leap_year()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2027, 11, 29));

        Today(new DateOnly(2028, 11, 29));
        await Job.RunAsync();

        // 29 Feb 2028 exists: three months after 29 November 2027.
        Assert.Equal([(3, new DateOnly(2028, 2, 29)), (6, new DateOnly(2028, 5, 29)), (12, new DateOnly(2028, 11, 29))], await ChecksAsync(caseId));
    }

    [Fact]
    public async Task Checks_not_recorded_within_28_days_are_flagged_overdue()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));
        Today(new DateOnly(2026, 10, 13)); // the 28th day after the due date: not yet overdue
        Assert.Equal(0, (await Job.RunAsync()).ChecksFlaggedOverdue);
        Today(new DateOnly(2026, 10, 14));
        var run = await Job.RunAsync();

        Assert.Equal(1, run.ChecksFlaggedOverdue);
        var due = (await Checks.DueAsync(reviewer.Id, 1)).Checks.Single();
        Assert.NotNull(due.OverdueFlaggedAt);
        Assert.Equal(0, (await Job.RunAsync()).ChecksFlaggedOverdue);
        _ = caseId;
    }

    private async Task RecordAllAsync(Guid caseId, Func<int, FollowUpForm> form)
    {
        foreach (var check in await Checks.ForCaseAsync(caseId, reviewer.Id))
        {
            var errors = (await Checks.RecordAsync(check.Id, form(check.IntervalMonths), Reviewer)).Errors;
            Assert.True(errors.IsEmpty, string.Join("; ", errors.SelectMany(e => e.Value)));
        }
    }

    [Fact]
    public async Task After_the_12_month_check_a_case_with_no_further_offending_closes_as_diverted()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));
        Today(new DateOnly(2027, 6, 20));
        await Job.RunAsync();

        await RecordAllAsync(caseId, _ => new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2027, 6, 20)) });

        await using var connection = await world.Database.Db.OpenAsync();
        var closed = await connection.QuerySingleAsync<(string Status, string Outcome)>("SELECT status, closure_outcome FROM cases WHERE id = @caseId", new { caseId });
        Assert.Equal(("closed", "diverted"), closed);
    }

    [Fact]
    public async Task A_case_that_entered_the_CJS_closes_as_entered_cjs_with_date_and_outcome_type()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));
        Today(new DateOnly(2027, 6, 20));
        await Job.RunAsync();

        await RecordAllAsync(caseId, months => months == 6
            ? new FollowUpForm { Source = "youth_offending_team_records", Result = "entered_cjs", CjsOutcomeType = "youth_caution", CjsEnteredOn = DateInput.From(new DateOnly(2026, 11, 2)), CheckedOn = DateInput.From(new DateOnly(2027, 6, 20)) }
            : new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2027, 6, 20)) });

        await using var connection = await world.Database.Db.OpenAsync();
        var closed = await connection.QuerySingleAsync<(string Status, string Outcome, string Type, DateOnly On)>(
            "SELECT status, closure_outcome, cjs_outcome_type, cjs_entered_on FROM cases WHERE id = @caseId", new { caseId });
        Assert.Equal(("closed", "entered_cjs", "youth_caution", new DateOnly(2026, 11, 2)), closed);
    }

    [Fact]
    public async Task Bad_follow_up_input_is_refused_and_nothing_changes()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));
        Today(new DateOnly(2026, 9, 20));
        await Job.RunAsync();
        var check = (await Checks.ForCaseAsync(caseId, reviewer.Id)).Single();

        var noDate = (await Checks.RecordAsync(check.Id, new FollowUpForm { Source = "police_records", Result = "entered_cjs", CjsOutcomeType = "charge", CheckedOn = DateInput.From(new DateOnly(2026, 9, 20)) }, Reviewer)).Errors;
        var notReviewer = (await Checks.RecordAsync(check.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2026, 9, 20)) }, world.OfficerPrincipal)).Errors;
        var future = (await Checks.RecordAsync(check.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2026, 9, 21)) }, Reviewer)).Errors;

        Assert.True(noDate.ContainsKey("CjsEnteredOn"));
        Assert.True(notReviewer.ContainsKey(""));
        Assert.True(future.ContainsKey("CheckedOn"));
        Assert.Null((await Checks.ForCaseAsync(caseId, reviewer.Id)).Single().CheckedOn);
    }

    [Fact]
    public async Task A_check_dated_before_its_due_date_is_refused_at_the_field_and_the_case_stays_open()
    {
        // The issue's case: conference on 2 November 2026, so the 12-month check is due on 2 November 2027.
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 11, 2));
        Today(new DateOnly(2027, 11, 10));
        await Job.RunAsync();
        var checks = await Checks.ForCaseAsync(caseId, reviewer.Id);
        foreach (var early in checks.Where(c => c.IntervalMonths < 12))
        {
            Assert.True(((await Checks.RecordAsync(early.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(early.DueOn) }, Reviewer)).Errors).IsEmpty);
        }
        var last = checks.Single(c => c.IntervalMonths == 12);

        var beforeConference = (await Checks.RecordAsync(last.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2026, 1, 1)) }, Reviewer)).Errors;
        var dayBeforeDue = (await Checks.RecordAsync(last.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2027, 11, 1)) }, Reviewer)).Errors;

        Assert.Equal(["Date of the check must be on or after 2 November 2027, when the 12-month check is due"], beforeConference["CheckedOn"]);
        Assert.True(dayBeforeDue.ContainsKey("CheckedOn"));
        Assert.Null((await Checks.ForCaseAsync(caseId, reviewer.Id)).Single(c => c.IntervalMonths == 12).CheckedOn);
        Assert.Equal(CaseStatus.FollowUp, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);

        var onDueDate = (await Checks.RecordAsync(last.Id, new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2027, 11, 2)) }, Reviewer)).Errors;
        Assert.True(onDueDate.IsEmpty, string.Join("; ", onDueDate.SelectMany(e => e.Value)));
        Assert.Equal(CaseStatus.Closed, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    [Fact]
    public async Task A_criminal_justice_outcome_dated_after_the_check_is_refused()
    {
        var caseId = await CaseWithAgreementAsync(new DateOnly(2026, 6, 15));
        Today(new DateOnly(2026, 9, 20));
        await Job.RunAsync();
        var check = (await Checks.ForCaseAsync(caseId, reviewer.Id)).Single();

        var errors = (await Checks.RecordAsync(check.Id, new FollowUpForm
        {
            Source = "police_records", Result = "entered_cjs", CjsOutcomeType = "charge", CjsEnteredOn = DateInput.From(new DateOnly(2026, 9, 18)), CheckedOn = DateInput.From(new DateOnly(2026, 9, 17)),
        }, Reviewer)).Errors;

        Assert.Equal(["Date of the criminal justice outcome must be on or before the date of the check"], errors["CjsEnteredOn"]);
        Assert.Null((await Checks.ForCaseAsync(caseId, reviewer.Id)).Single().CheckedOn);
    }

    private abstract record FollowUpEvent;
    private sealed record RecordCheck(int Months) : FollowUpEvent;
    private sealed record CompleteAgreement : FollowUpEvent;
    private sealed record RunDailyJob : FollowUpEvent;

    private static IEnumerable<List<T>> Orders<T>(List<T> items) => items.Count <= 1
        ? [items]
        : items.SelectMany((first, i) => Orders(items.Where((_, j) => j != i).ToList()).Select(rest => (List<T>)[first, .. rest]));

    /// <summary>
    /// Every order of: recording the 3-, 6- and 12-month checks, completing the agreement's action, and the daily
    /// job's run — the checks were created while the agreement was still active. After each event no case is in
    /// follow-up with no check left to record; after all of them the case is closed, diverted or entered_cjs.
    /// </summary>
    [Fact]
    public async Task No_order_of_checks_agreement_completion_and_daily_job_leaves_a_case_in_follow_up_with_nothing_to_do()
    {
        var events = new List<FollowUpEvent> { new RecordCheck(3), new RecordCheck(6), new RecordCheck(12), new CompleteAgreement(), new RunDailyJob() };
        var orders = Orders(events).ToList();
        Assert.Equal(120, orders.Count);
        // Half the orders end with no further offending, the other half with the CJS entered at the 6-month check.
        // On PostgreSQL, every other pair of orders (60, both endings): the rules are the app's, the same on both
        // databases, and all 120 took 94 s there — an eighth of the suite (docs/testing.md).
        var runs = orders.Select((order, i) => (order, EntersCjs: i % 2 == 1))
            .Where((_, i) => !TestDatabase.IsPostgres || i % 4 < 2).ToList();

        Today(new DateOnly(2027, 6, 20));
        var tracking = new ActionTracking(world.Database.Db, world.Work, world.Clock, Options.Create(options));

        await using var connection = await world.Database.Db.OpenAsync();
        foreach (var (order, entersCjs) in runs)
        {
            // The conference was held on 16 June 2026 and reached an agreement of one action, still active a year on
            // when the daily job creates the 3-, 6- and 12-month checks.
            var (caseId, conferenceId) = await HeldWithAgreementAsync();
            await Job.RunAsync();
            var story = string.Join(", ", order.Select(e => e.ToString())) + (entersCjs ? " (entered the CJS at 6 months)" : "");
            foreach (var step in order)
            {
                switch (step)
                {
                    case RecordCheck r:
                        var checkId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM follow_up_checks WHERE case_id = @caseId AND interval_months = @Months", new { caseId, r.Months });
                        var form = entersCjs && r.Months == 6
                            ? new FollowUpForm { Source = "police_records", Result = "entered_cjs", CjsOutcomeType = "youth_caution", CjsEnteredOn = DateInput.From(new DateOnly(2026, 11, 2)), CheckedOn = DateInput.From(new DateOnly(2027, 6, 20)) }
                            : new FollowUpForm { Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(new DateOnly(2027, 6, 20)) };
                        var recorded = (await Checks.RecordAsync(checkId, form, Reviewer)).Errors;
                        Assert.True(recorded.IsEmpty, $"{story}: {string.Join("; ", recorded.SelectMany(e => e.Value))}");
                        break;
                    case CompleteAgreement:
                        var progress = (await tracking.LoadAsync(conferenceId, world.OfficerPrincipal))!;
                        var action = progress.Actions.Single();
                        var completed = await tracking.CompleteAsync(conferenceId, action.Id, progress.Version,
                            new ActionStatusForm { On = DateInput.From(new DateOnly(2027, 6, 20)), CheckedBy = action.CheckerCode }, world.OfficerPrincipal);
                        Assert.True(completed.Outcome == SaveOutcome.Saved, $"{story}: {string.Join("; ", completed.Errors.SelectMany(e => e.Value))}");
                        break;
                    case RunDailyJob:
                        await Job.RunAsync();
                        break;
                }
                var state = await connection.QuerySingleAsync<(string Status, long Unrecorded)>("""
                    SELECT c.status, (SELECT count(*) FROM follow_up_checks AS f WHERE f.case_id = c.id AND f.checked_on IS NULL) AS unrecorded
                    FROM cases AS c WHERE c.id = @caseId
                    """, new { caseId });
                Assert.False(state.Status == CaseStatus.FollowUp && state.Unrecorded == 0, $"{story}: left in follow-up with no check to record after {step}");
            }
            var closed = await connection.QuerySingleAsync<(string Status, string? Outcome, string? Type, DateOnly? On)>(
                "SELECT status, closure_outcome, cjs_outcome_type, cjs_entered_on FROM cases WHERE id = @caseId", new { caseId });
            (string, string?, string?, DateOnly?) expected = entersCjs
                ? (CaseStatus.Closed, "entered_cjs", "youth_caution", new DateOnly(2026, 11, 2))
                : (CaseStatus.Closed, "diverted", null, null);
            Assert.True(expected == closed, $"{story}: ended {closed}");
        }
        // Every close went through the lifecycle: follow-up, then closed, once per case.
        Assert.Equal(runs.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM case_events WHERE from_status = 'follow_up' AND to_status = 'closed'"));
        Assert.NotEqual(0, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
    }

    /// <summary>A ready case whose conference (16 June 2026, 10:00 London) was held and reached an agreement of one action.</summary>
    private async Task<(Guid CaseId, Guid ConferenceId)> HeldWithAgreementAsync()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var conferenceId = Guid.NewGuid();
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            // Written straight to the tables: the booking rules (one facilitator, one room) are not what this is about.
            await connection.ExecuteAsync("""
                INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, created_by, created_at, updated_at)
                VALUES (@conferenceId, @caseId, @SchoolId, @Room2, '2026-06-16T09:00:00.0000000Z', '2026-06-16T10:00:00.0000000Z', @officer, 'scheduled', @officer, @now, @now);
                UPDATE cases SET status = 'conference_scheduled' WHERE id = @caseId;
                """, new { conferenceId, caseId, world.SchoolId, world.Room2, officer = world.Officer.Id, now = world.Clock.GetUtcNow() });
            foreach (var party in parties)
            {
                await connection.ExecuteAsync("INSERT INTO conference_participants (conference_id, party_id, person_key) VALUES (@conferenceId, @Id, @key)",
                    new { conferenceId, party.Id, key = party.Id.ToString() });
            }
        }
        var held = new HeldConference(caseId, conferenceId, parties.Single(p => p.PartyRole == "responsible"), parties.Single(p => p.PartyRole == "harmed"),
            parties.Single(p => p.PartyRole == "supporter"));
        var outcome = await world.Outcomes().RecordOutcomeAsync(conferenceId, held.Agreement(held.Action("Write a letter to say sorry.")), world.OfficerPrincipal);
        Assert.True(outcome.Saved, string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        return (caseId, conferenceId);
    }

    [Fact]
    public async Task A_closed_case_is_read_only_until_an_administrator_reopens_it_with_a_reason()
    {
        var caseId = (await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId), world.Officer.Id)).CaseId!.Value;
        Assert.Equal(SaveOutcome.Saved, (await world.Changes.WithdrawCaseAsync(caseId, "The family moved away", world.OfficerPrincipal)).Outcome);
        Assert.Equal(SaveOutcome.Saved, (await Closing.CloseAsync(caseId, "No further action", world.OfficerPrincipal)).Outcome);

        var edit = await world.Changes.EditAsync(caseId, new CaseEdit { Description = "Changed", Location = "elsewhere", OutcomeRoute = "not_decided" },
            (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version, world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Invalid, edit.Outcome);

        var admin = await TestUsers.CreateAsync(world.Services, "admin@rj.example", [Roles.Administrator]);
        Assert.True((await Closing.ReopenAsync(caseId, null, TestCases.Principal(admin.Id, Roles.Administrator))).Errors.ContainsKey("ReopenReason"));
        Assert.Equal(SaveOutcome.Invalid, (await Closing.ReopenAsync(caseId, "Closed by mistake", world.OfficerPrincipal)).Outcome);
        Assert.Equal(SaveOutcome.Saved, (await Closing.ReopenAsync(caseId, "Closed by mistake", TestCases.Principal(admin.Id, Roles.Administrator))).Outcome);
        Assert.Equal(CaseStatus.Withdrawn, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'alter' AND justification = 'case reopened' AND entity_id = @id", new { id = caseId.ToString() }));
    }

    [Fact]
    public async Task Retention_anonymises_exactly_the_cases_closed_longer_ago_than_the_period_and_keeps_the_counts()
    {
        var old = (await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, firstName: "Old", lastName: "Case"), world.Officer.Id)).CaseId!.Value;
        var recent = (await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId, firstName: "Recent", lastName: "Case"), world.Officer.Id)).CaseId!.Value;
        foreach (var id in new[] { old, recent })
        {
            await world.Changes.WithdrawCaseAsync(id, "Withdrawn", world.OfficerPrincipal);
            await Closing.CloseAsync(id, "Closed", world.OfficerPrincipal);
        }
        await using var connection = await world.Database.Db.OpenAsync();
        await connection.ExecuteAsync("UPDATE cases SET closed_at = '2020-01-01T00:00:00.0000000Z' WHERE id = @old", new { old });
        const string counts = """
            SELECT count(*) || '|' || sum(p.age_at_offence) || '|' || string_agg(p.gender, ',' ORDER BY p.id) || '|' || string_agg(p.ethnic_group, ',' ORDER BY p.id)
                   || '|' || string_agg(c.status, ',' ORDER BY p.id)
            FROM cases c JOIN parties p ON p.case_id = c.id AND p.party_role = 'responsible'
            """;
        var before = await connection.ExecuteScalarAsync<string>(counts);

        Assert.Equal([old], (await Retention.DueAsync()).Select(c => c.Id));
        Assert.Equal(1, await Retention.AnonymiseDueAsync());

        Assert.Equal(before, await connection.ExecuteScalarAsync<string>(counts));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM parties WHERE case_id = @old AND (first_name IS NOT NULL OR date_of_birth IS NOT NULL OR phone IS NOT NULL)", new { old }));
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT description FROM cases WHERE id = @old", new { old }));
        Assert.Equal("Recent", await connection.ExecuteScalarAsync<string>("SELECT first_name FROM parties WHERE case_id = @recent AND party_role = 'responsible'", new { recent }));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'erase' AND entity_id = @id", new { id = old.ToString() }));
        Assert.Empty(await Retention.DueAsync());
    }
}
