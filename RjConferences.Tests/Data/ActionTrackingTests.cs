using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Keeping the agreement: PC Jones's conference on Tuesday 16 June 2026 reached an agreement of three
/// actions, due 30 June, 14 July and 28 July 2026 (the first checked by the young person's parent).
/// </summary>
public class ActionTrackingTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        var recorded = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal);
        Assert.True(recorded.Saved);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private ActionTracking Tracking => world.Services.GetRequiredService<ActionTracking>();

    private DailyJob Job => world.Services.GetRequiredService<DailyJob>();

    private void Today(int year, int month, int day) => world.Clock.SetUtcNow(new DateTimeOffset(year, month, day, 9, 0, 0, TimeSpan.Zero));

    private async Task<AgreementProgress> ProgressAsync() => (await Tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private Task<string> CaseStatusAsync() => ScalarAsync<string>("SELECT status FROM cases WHERE id = @CaseId", new { conference.CaseId });

    private static ActionStatusForm Done(DateOnly on, TrackedAction action) => new() { On = DateInput.From(on), CheckedBy = action.CheckerCode };

    private static ActionStatusForm Missed(DateOnly on, string reason = "He did not write the letter.") => new() { On = DateInput.From(on), Reason = reason };

    private static string Messages(SaveResult result) => string.Join("; ", result.Errors.SelectMany(e => e.Value));

    /// <summary>Everything a refused change must leave as it was.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var rows = await connection.QueryAsync<string>("""
            SELECT id || status || CAST(due_on AS TEXT) || coalesce(CAST(status_on AS TEXT), '') || coalesce(missed_reason, '')
                   || coalesce(CAST(overdue_flagged_at AS TEXT), '') FROM agreement_actions
            UNION ALL SELECT CAST(version AS TEXT) || coalesce(CAST(ended AS TEXT), '') || coalesce(CAST(harmed_wants_outcome AS TEXT), '')
                   || coalesce(CAST(harmed_told_on AS TEXT), '') FROM agreements
            UNION ALL SELECT status || CAST(version AS TEXT) FROM cases
            UNION ALL SELECT CAST(count(*) AS TEXT) FROM case_events
            UNION ALL SELECT CAST(count(*) AS TEXT) FROM agreement_action_extensions
            UNION ALL SELECT CAST(count(*) AS TEXT) FROM audit_events WHERE action = 'alter'
            """);
        return string.Join("|", rows);
    }

    /// <summary>The report facts stored by the changes equal the facts computed afresh from the source tables.</summary>
    private async Task AssertReportFactsCurrentAsync()
    {
        Assert.NotEqual(0, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
    }

    [Fact]
    public async Task Completing_every_action_moves_the_case_to_agreement_completed_and_the_job_on_into_follow_up_with_its_checks()
    {
        Today(2026, 8, 1);
        var progress = await ProgressAsync();
        var days = new[] { new DateOnly(2026, 6, 29), new DateOnly(2026, 7, 10), new DateOnly(2026, 8, 1) };
        for (var i = 0; i < 3; i++)
        {
            var action = progress.Actions[i];
            var result = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, Done(days[i], action), world.OfficerPrincipal);
            Assert.True(result.Outcome == SaveOutcome.Saved, Messages(result));
            Assert.Equal(i < 2 ? CaseStatus.AgreementActive : CaseStatus.AgreementCompleted, await CaseStatusAsync());
            progress = await ProgressAsync();
        }

        Assert.All(progress.Actions, a => Assert.Equal("completed", a.Status));
        Assert.Equal(days.ToList(), progress.Actions.Select(a => a.StatusOn!.Value).ToList());
        Assert.Equal("Ama Mensah", progress.Actions[0].CompletionCheckedByName);
        Assert.Equal("completed", progress.Ended);
        Assert.Equal(3, await ScalarAsync<long>("""
            SELECT count(*) FROM audit_events WHERE action = 'alter' AND entity_id = @id AND justification LIKE 'agreement action % completed%'
            """, new { id = conference.CaseId.ToString() }));
        Assert.Equal(1, await ScalarAsync<long>("""
            SELECT count(*) FROM case_events WHERE case_id = @CaseId AND from_status = 'agreement_active' AND to_status = 'agreement_completed'
            """, new { conference.CaseId }));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM case_events WHERE case_id = @CaseId AND summary LIKE 'Action 1 (written apology) completed on 29 June 2026, checked by the named checker'",
            new { conference.CaseId }));

        await Job.RunAsync();
        Assert.Equal(CaseStatus.FollowUp, await CaseStatusAsync());
        Today(2026, 9, 16);
        Assert.Equal(1, (await Job.RunAsync()).ChecksCreated);
        Assert.Equal(new DateOnly(2026, 9, 16), await ScalarAsync<DateOnly>("SELECT due_on FROM follow_up_checks WHERE case_id = @CaseId", new { conference.CaseId }));
        await AssertReportFactsCurrentAsync();
    }

    [Fact]
    public async Task Bad_completion_dates_are_refused_with_nothing_changed()
    {
        Today(2026, 7, 1);
        var progress = await ProgressAsync();
        var action = progress.Actions[0];
        var before = await SnapshotAsync();

        var early = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, Done(new DateOnly(2026, 6, 15), action), world.OfficerPrincipal);
        var future = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, Done(new DateOnly(2026, 7, 2), action), world.OfficerPrincipal);
        var noDate = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, new ActionStatusForm { CheckedBy = action.CheckerCode }, world.OfficerPrincipal);
        var noReason = await Tracking.MissAsync(conference.ConferenceId, action.Id, progress.Version, Missed(new DateOnly(2026, 7, 1), " "), world.OfficerPrincipal);
        var strangeChecker = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version,
            new ActionStatusForm { On = DateInput.From(new DateOnly(2026, 6, 30)), CheckedBy = Checker.Party(conference.Harmed.Id) }, world.OfficerPrincipal);

        Assert.Equal(["Date completed must be on or after the conference (16 June 2026)"], early.Errors["On"]);
        Assert.Equal(["Date completed must be today or in the past"], future.Errors["On"]);
        Assert.Equal(["Enter the date completed"], noDate.Errors["On"]);
        Assert.Equal(["Give the reason the action was missed"], noReason.Errors["Reason"]);
        Assert.Equal(["Choose who checked that the action was done"], strangeChecker.Errors["CheckedBy"]);
        Assert.All(new[] { early, future, noDate, noReason, strangeChecker }, r => Assert.Equal(SaveOutcome.Invalid, r.Outcome));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Someone_other_than_the_facilitator_or_the_named_checker_is_refused_and_the_refusal_is_audited()
    {
        var progress = await ProgressAsync();
        var before = await SnapshotAsync();

        // Sam Patel facilitates at the same school, but not this conference, and checks none of its actions.
        var colleague = await Tracking.CompleteAsync(conference.ConferenceId, progress.Actions[0].Id, progress.Version,
            Done(new DateOnly(2026, 6, 16), progress.Actions[0]), world.Principal(world.Colleague));
        var stranger = await Tracking.MissAsync(conference.ConferenceId, progress.Actions[0].Id, progress.Version,
            Missed(new DateOnly(2026, 6, 16)), world.Principal(world.Stranger, Roles.Referrer, Roles.Facilitator));

        Assert.Equal([ActionTracking.NotPermitted], colleague.Errors[""]);
        Assert.Equal(SaveOutcome.NotFound, stranger.Outcome);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = @id AND user_id = @user",
            new { id = conference.CaseId.ToString(), user = world.Colleague.Id.ToString() }));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND user_id = @user",
            new { user = world.Stranger.Id.ToString() }));
        Assert.Null(await Tracking.LoadAsync(conference.ConferenceId, world.Principal(world.Stranger)));
    }

    [Fact]
    public async Task The_user_named_to_check_an_action_may_mark_it_but_not_decide_what_happens_after_a_miss()
    {
        // Sam Patel is named (by user) to check action 1, say because he took over from a co-facilitator; PC Jones facilitates.
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE agreement_actions SET checked_by_party_id = NULL, checked_by_user_id = @Id WHERE number = 1", new { world.Colleague.Id });
        }
        Today(2026, 7, 1);
        var progress = (await Tracking.LoadAsync(conference.ConferenceId, world.Principal(world.Colleague)))!;
        Assert.False(progress.MayDecide);
        Assert.True(progress.MayMark(progress.Actions[0]));
        Assert.False(progress.MayMark(progress.Actions[1]));

        var missed = await Tracking.MissAsync(conference.ConferenceId, progress.Actions[0].Id, progress.Version, Missed(new DateOnly(2026, 6, 30)), world.Principal(world.Colleague));
        var decision = await Tracking.HoldNewConferenceAsync(conference.ConferenceId, progress.Version + 1, "Try again", world.Principal(world.Colleague));

        Assert.Equal(SaveOutcome.Saved, missed.Outcome);
        Assert.Equal([ActionTracking.NotPermittedDecision], decision.Errors[""]);
        Assert.Equal(CaseStatus.AgreementActive, await CaseStatusAsync());
    }

    [Fact]
    public async Task A_closed_case_and_a_stale_version_are_refused_with_nothing_changed()
    {
        Today(2026, 7, 1);
        var progress = await ProgressAsync();
        var action = progress.Actions[0];
        Assert.Equal(SaveOutcome.Saved, (await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version, Done(new DateOnly(2026, 6, 30), action), world.OfficerPrincipal)).Outcome);
        var before = await SnapshotAsync();

        var stale = await Tracking.CompleteAsync(conference.ConferenceId, progress.Actions[1].Id, progress.Version, Done(new DateOnly(2026, 6, 30), progress.Actions[1]), world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Conflict, stale.Outcome);
        Assert.Equal([ActionTracking.ConflictMessage], stale.Errors[""]);
        Assert.Equal(before, await SnapshotAsync());

        await using (var connection = await world.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE cases SET status = 'closed', closed_at = '2026-07-01T08:00:00Z', closure_outcome = 'withdrawn' WHERE id = @CaseId", new { conference.CaseId });
        }
        before = await SnapshotAsync();
        var current = (await ProgressAsync()).Version;
        var closed = await Tracking.CompleteAsync(conference.ConferenceId, progress.Actions[1].Id, current, Done(new DateOnly(2026, 6, 30), progress.Actions[1]), world.OfficerPrincipal);
        var wish = await Tracking.RecordWishAsync(conference.ConferenceId, current, true, Guid.NewGuid(), world.OfficerPrincipal);
        Assert.Equal(["The case is closed: it cannot be changed"], closed.Errors[""]);
        Assert.Equal(["The case is closed: it cannot be changed"], wish.Errors[""]);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Extending_a_missed_action_makes_it_pending_with_the_new_due_date_and_keeps_the_history()
    {
        Today(2026, 7, 2);
        var progress = await ProgressAsync();
        var action = progress.Actions[0];
        var hash = await ScalarAsync<string>("SELECT content_hash FROM agreements");
        Assert.Equal(SaveOutcome.Saved, (await Tracking.MissAsync(conference.ConferenceId, action.Id, progress.Version, Missed(new DateOnly(2026, 7, 1)), world.OfficerPrincipal)).Outcome);
        progress = await ProgressAsync();
        Assert.True(progress.AnyMissed);

        var past = await Tracking.ExtendAsync(conference.ConferenceId, action.Id, progress.Version,
            new ExtendForm { DueOn = DateInput.From(new DateOnly(2026, 7, 2)), Reason = "More time" }, world.OfficerPrincipal);
        Assert.Equal(["New due date must be in the future"], past.Errors["DueOn"]);
        var pending = await Tracking.ExtendAsync(conference.ConferenceId, progress.Actions[1].Id, progress.Version,
            new ExtendForm { DueOn = DateInput.From(new DateOnly(2026, 8, 1)), Reason = "More time" }, world.OfficerPrincipal);
        Assert.Equal(["Action 2 is not missed: only a missed action's due date can be extended"], pending.Errors[""]);

        var extended = await Tracking.ExtendAsync(conference.ConferenceId, action.Id, progress.Version,
            new ExtendForm { DueOn = DateInput.From(new DateOnly(2026, 7, 15)), Reason = "He was off school for a week." }, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, extended.Outcome);
        progress = await ProgressAsync();
        var now = progress.Actions[0];
        Assert.Equal(("pending", new DateOnly(2026, 7, 15), (DateOnly?)null), (now.Status, now.DueOn, now.StatusOn));
        var history = Assert.Single(now.Extensions);
        Assert.Equal((new DateOnly(2026, 6, 30), (DateOnly?)new DateOnly(2026, 7, 1), "He did not write the letter.", new DateOnly(2026, 7, 15), "He was off school for a week."),
            (history.PreviousDueOn, history.MissedOn, history.MissedReason, history.NewDueOn, history.Reason));
        Assert.Equal(CaseStatus.AgreementActive, await CaseStatusAsync());
        Assert.NotEqual(hash, await ScalarAsync<string>("SELECT content_hash FROM agreements"));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM case_events WHERE summary = @s",
            new { s = "Action 1's due date extended from 30 June 2026 to 15 July 2026: He was off school for a week." }));
        await AssertReportFactsCurrentAsync();
    }

    [Fact]
    public async Task Holding_a_new_conference_sends_the_case_back_to_ready_to_schedule_and_booking_works_again()
    {
        Today(2026, 7, 2);
        var progress = await ProgressAsync();
        var none = await Tracking.HoldNewConferenceAsync(conference.ConferenceId, progress.Version, "Try again", world.OfficerPrincipal);
        Assert.Equal(["Mark the missed action first: this choice is for an agreement with a missed action"], none.Errors[""]);
        await Tracking.MissAsync(conference.ConferenceId, progress.Actions[0].Id, progress.Version, Missed(new DateOnly(2026, 7, 1)), world.OfficerPrincipal);
        progress = await ProgressAsync();
        var noReason = await Tracking.HoldNewConferenceAsync(conference.ConferenceId, progress.Version, "", world.OfficerPrincipal);
        Assert.Equal(["Give the reason for holding a new conference"], noReason.Errors["NewConferenceReason"]);

        var result = await Tracking.HoldNewConferenceAsync(conference.ConferenceId, progress.Version, "Both families asked to meet again.", world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        Assert.Equal(CaseStatus.ReadyToSchedule, await CaseStatusAsync());
        Assert.Equal("replaced", (await ProgressAsync()).Ended);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM case_events WHERE case_id = @CaseId AND from_status = 'agreement_active' AND to_status = 'ready_to_schedule'",
            new { conference.CaseId }));
        var booked = await world.Booking.BookAsync(conference.CaseId, world.Form([conference.YoungPerson, conference.Harmed, conference.Parent], new DateOnly(2026, 7, 14), "10:00"),
            world.OfficerPrincipal);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        Assert.Equal(CaseStatus.ConferenceScheduled, await CaseStatusAsync());

        // The new conference reaches a new agreement; the broken one's actions can no longer be changed or flagged overdue.
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 14, 9, 30, 0, TimeSpan.Zero));
        var again = await world.Outcomes().RecordOutcomeAsync(booked.ConferenceId!.Value,
            conference.Agreement(conference.Action("Write the letter to Olivia.", dueOn: new DateOnly(2026, 7, 28))), world.OfficerPrincipal);
        Assert.True(again.Saved, string.Join("; ", again.Errors.SelectMany(e => e.Value)));
        Assert.Equal(CaseStatus.AgreementActive, await CaseStatusAsync());
        var old = (await world.Outcomes().LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
        var change = await world.Outcomes().ChangeActionsAsync(conference.ConferenceId, old.Actions.Select(a => a.Form).ToList(), old.AgreementVersion, world.OfficerPrincipal);
        Assert.Equal(["Only the actions of an active agreement can be changed"], change.Errors[""]);
        Today(2026, 8, 30);
        var run = await Job.RunAsync();
        Assert.Equal(1, run.ActionsFlaggedOverdue);  // the new agreement's action only
        Assert.Equal(2, (await Tracking.ForCaseAsync(conference.CaseId, world.OfficerPrincipal)).Count);
        Today(2026, 10, 14);
        await Job.RunAsync();
        Assert.Equal(new DateOnly(2026, 10, 14), await ScalarAsync<DateOnly>("SELECT due_on FROM follow_up_checks WHERE case_id = @CaseId AND interval_months = 3", new { conference.CaseId }));
        await AssertReportFactsCurrentAsync();
    }

    [Fact]
    public async Task Recording_the_agreement_as_failed_closes_the_case_as_escalated_and_the_harmed_party_can_then_be_told()
    {
        Today(2026, 7, 2);
        var progress = await ProgressAsync();
        Assert.Equal(SaveOutcome.Saved, (await Tracking.RecordWishAsync(conference.ConferenceId, progress.Version, true, Guid.NewGuid(), world.OfficerPrincipal)).Outcome);
        progress = await ProgressAsync();
        var tooEarly = await Tracking.RecordToldAsync(conference.ConferenceId, progress.Version, DateInput.From(new DateOnly(2026, 7, 2)), "in_person", world.OfficerPrincipal);
        Assert.Equal(["The agreement has not been completed or broken yet: there is nothing to tell the harmed party"], tooEarly.Errors[""]);
        await Tracking.MissAsync(conference.ConferenceId, progress.Actions[2].Id, progress.Version, Missed(new DateOnly(2026, 7, 1), "He refused to do the work."), world.OfficerPrincipal);
        progress = await ProgressAsync();

        var result = await Tracking.RecordFailedAsync(conference.ConferenceId, progress.Version, "He refused the work and the school asked for a caution.", world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            var closed = await connection.QuerySingleAsync<(string Status, string Outcome, string Reason, string ClosedAt)>(
                "SELECT status, closure_outcome, closure_reason, closed_at FROM cases WHERE id = @CaseId", new { conference.CaseId });
            Assert.Equal((CaseStatus.Closed, "escalated", "He refused the work and the school asked for a caution."), (closed.Status, closed.Outcome, closed.Reason));
            var moves = (await connection.QueryAsync<(string From, string To)>(
                "SELECT from_status, to_status FROM case_events WHERE case_id = @CaseId AND kind = 'status' ORDER BY id", new { conference.CaseId })).ToList();
            Assert.Equal([(CaseStatus.AgreementActive, CaseStatus.AgreementFailed), (CaseStatus.AgreementFailed, CaseStatus.Closed)], moves[^2..]);
        }
        progress = await ProgressAsync();
        Assert.True(progress.HarmedToldDue);
        var toTell = Assert.Single(await Tracking.HarmedToTellAsync(world.Officer.Id));
        Assert.Equal((conference.CaseId, "broken"), (toTell.CaseId, toTell.Outcome));
        Assert.Empty(await Tracking.HarmedToTellAsync(world.Colleague.Id));
        Assert.Equal("broken", progress.Outcome);
        var beforeFailure = await Tracking.RecordToldAsync(conference.ConferenceId, progress.Version, DateInput.From(new DateOnly(2026, 7, 1)), "in_person", world.OfficerPrincipal);
        Assert.Equal(["Date told must be on or after the day the agreement was broken (2 July 2026)"], beforeFailure.Errors["ToldOn"]);
        var told = await Tracking.RecordToldAsync(conference.ConferenceId, progress.Version, DateInput.From(new DateOnly(2026, 7, 2)), "in_person", world.OfficerPrincipal);
        Assert.Equal(SaveOutcome.Saved, told.Outcome);
        progress = await ProgressAsync();
        Assert.Equal((new DateOnly(2026, 7, 2), false), (progress.HarmedToldOn!.Value, progress.HarmedToldDue));
        Assert.Empty(await Tracking.HarmedToTellAsync(world.Officer.Id));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM case_events WHERE summary = 'The harmed party was told on 2 July 2026 that the agreement was broken'"));
        // Anything else on the closed case is refused.
        var after = await Tracking.MissAsync(conference.ConferenceId, progress.Actions[0].Id, progress.Version, Missed(new DateOnly(2026, 7, 2)), world.OfficerPrincipal);
        Assert.Equal(["The case is closed: it cannot be changed"], after.Errors[""]);
        await AssertReportFactsCurrentAsync();
    }

    [Fact]
    public async Task Retention_removes_the_agreement_texts_reasons_reflection_and_stored_documents_of_an_old_closed_case()
    {
        Today(2026, 7, 2);
        var progress = await ProgressAsync();
        await Tracking.MissAsync(conference.ConferenceId, progress.Actions[2].Id, progress.Version, Missed(new DateOnly(2026, 7, 1), "He refused to do the work."), world.OfficerPrincipal);
        progress = await ProgressAsync();
        Assert.Equal(SaveOutcome.Saved, (await Tracking.RecordFailedAsync(conference.ConferenceId, progress.Version, "The school asked for a caution.", world.OfficerPrincipal)).Outcome);
        await using var connection = await world.Database.Db.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO agreement_documents (id, agreement_id, version_number, harmed_first_name_only, content_hash, bytes, sha256, generated_by, generated_at)
            SELECT @id, id, 1, FALSE, content_hash, @bytes, 'x', @user, '2026-07-01T09:00:00.0000000Z' FROM agreements WHERE conference_id = @ConferenceId
            """, new { id = Guid.NewGuid(), user = world.Officer.Id, conference.ConferenceId, bytes = "%PDF-"u8.ToArray() });
        await connection.ExecuteAsync("UPDATE conferences SET young_person_reflection = 'I am sorry, Ama.' WHERE id = @ConferenceId", new { conference.ConferenceId });
        var actionCount = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM agreement_actions");

        Today(2032, 7, 3);
        Assert.Equal(1, await world.Services.GetRequiredService<Retention>().AnonymiseDueAsync());

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM agreement_documents"));
        Assert.Equal(actionCount, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM agreement_actions WHERE text = 'Removed' AND missed_reason IS NULL"));
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT young_person_reflection FROM conferences WHERE id = @ConferenceId", new { conference.ConferenceId }));
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT ended_reason FROM agreements WHERE conference_id = @ConferenceId", new { conference.ConferenceId }));
        Assert.Equal("escalated", await connection.ExecuteScalarAsync<string>("SELECT closure_outcome FROM cases WHERE id = @CaseId", new { conference.CaseId }));
    }

    [Fact]
    public async Task The_daily_job_flags_each_overdue_action_once_even_when_run_twice_or_after_downtime()
    {
        Today(2026, 6, 30);     // action 1 is due today: not overdue yet
        Assert.Equal(0, (await Job.RunAsync()).ActionsFlaggedOverdue);

        Today(2026, 7, 1);
        var first = await Job.RunAsync();
        var again = await Job.RunAsync();
        Assert.Equal((1, 0), (first.ActionsFlaggedOverdue, again.ActionsFlaggedOverdue));

        // Action 2 is completed; after a month of downtime only action 3 is newly overdue.
        var progress = await ProgressAsync();
        await Tracking.CompleteAsync(conference.ConferenceId, progress.Actions[1].Id, progress.Version, Done(new DateOnly(2026, 7, 1), progress.Actions[1]), world.OfficerPrincipal);
        Today(2026, 8, 31);
        Assert.Equal(1, (await Job.RunAsync()).ActionsFlaggedOverdue);
        Assert.Equal(0, (await Job.RunAsync()).ActionsFlaggedOverdue);

        progress = await ProgressAsync();
        Assert.Equal([true, false, true], progress.Actions.Select(a => a.Overdue).ToList());
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM case_events WHERE summary LIKE 'Action % is overdue: it was due on %'"));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'alter' AND justification LIKE '% flagged overdue by the daily job'"));
        await AssertReportFactsCurrentAsync();
    }

    [Fact]
    public async Task My_work_lists_a_facilitators_overdue_actions_in_scope_and_paged()
    {
        Today(2026, 7, 20);
        await Job.RunAsync();

        var (mine, total) = await Tracking.OverdueAsync(world.Officer.Id, 1);
        var (colleagues, none) = await Tracking.OverdueAsync(world.Colleague.Id, 1);
        var (strangers, nothing) = await Tracking.OverdueAsync(world.Stranger.Id, 1);

        Assert.Equal(2, total);
        Assert.Equal([(1, new DateOnly(2026, 6, 30)), (2, new DateOnly(2026, 7, 14))], mine.Select(a => (a.Number, a.DueOn)).ToList());
        Assert.All(mine, a => Assert.Equal(conference.ConferenceId, a.ConferenceId));
        Assert.Equal("Written apology", mine[0].TypeLabel);
        Assert.Equal((0, 0, 0, 0), (colleagues.Count, none, strangers.Count, nothing));
        Assert.Empty((await Tracking.OverdueAsync(world.Officer.Id, 2)).Actions);
    }
}
