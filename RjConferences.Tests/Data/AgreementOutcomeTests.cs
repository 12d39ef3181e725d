using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

[RunsLong(20)]
public class AgreementOutcomeTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private Task<string> CaseStatusAsync() => ScalarAsync<string>("SELECT status FROM cases WHERE id = @CaseId", new { conference.CaseId });

    private static string Messages(FieldErrors errors) => string.Join("; ", errors.SelectMany(e => e.Value));

    [Fact]
    public async Task A_held_conference_with_an_agreement_stores_the_numbered_actions_and_moves_the_case_to_agreement_active()
    {
        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal);

        Assert.True(result.Saved, Messages(result.Errors));
        Assert.Equal(CaseStatus.AgreementActive, await CaseStatusAsync());
        await using var connection = await world.Database.Db.OpenAsync();
        var outcome = await connection.QuerySingleAsync<(string Status, bool Reached, bool Exclusion, int Satisfaction, bool FeelsSafer, bool? FeltPrepared)>(
            "SELECT status, agreement_reached, exclusion_avoided, harmed_satisfaction, harmed_feels_safer, harmed_felt_prepared FROM conferences WHERE id = @ConferenceId",
            new { conference.ConferenceId });
        Assert.Equal(("held", true, true, 4, true, (bool?)null), outcome);
        var actions = (await connection.QueryAsync<(int Number, string Type, long? Pence, double? Hours, string Status)>("""
            SELECT a.number, a.action_type, a.amount_pence, a.hours, a.status FROM agreement_actions AS a
            JOIN agreements AS g ON g.id = a.agreement_id WHERE g.conference_id = @ConferenceId ORDER BY a.number
            """, new { conference.ConferenceId })).ToList();
        Assert.Equal([(1, "written_apology", null, null, "pending"), (2, "compensation", 2550, null, "pending"), (3, "work", null, 3.0, "pending")], actions);
        var moves = (await connection.QueryAsync<(string From, string To)>(
            "SELECT from_status, to_status FROM case_events WHERE case_id = @CaseId AND kind = 'status' ORDER BY id", new { conference.CaseId })).ToList();
        Assert.Equal([(CaseStatus.ConferenceScheduled, CaseStatus.ConferenceHeld), (CaseStatus.ConferenceHeld, CaseStatus.AgreementActive)], moves[^2..]);
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM conference_participants WHERE conference_id = @ConferenceId AND attended", new { conference.ConferenceId }));
        Assert.Equal("conference held: agreement reached", await connection.ExecuteScalarAsync<string>(
            "SELECT justification FROM audit_events WHERE action = 'alter' AND entity_id = @id ORDER BY id DESC LIMIT 1", new { id = conference.CaseId.ToString() }));
        Assert.NotEqual("", await connection.ExecuteScalarAsync<string>("SELECT content_hash FROM agreements WHERE conference_id = @ConferenceId", new { conference.ConferenceId }));
    }

    [Fact]
    public async Task A_held_conference_without_an_agreement_moves_the_case_to_no_agreement()
    {
        var form = conference.Agreement();
        form.AgreementReached = false;
        form.Actions = [];

        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, form, world.OfficerPrincipal);

        Assert.True(result.Saved, Messages(result.Errors));
        Assert.Equal(CaseStatus.NoAgreement, await CaseStatusAsync());
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM agreements"));
    }

    [Fact]
    public async Task A_conference_not_held_records_who_did_not_come_and_the_case_is_ready_to_schedule_again()
    {
        var form = new OutcomeForm { Held = false, Absent = [conference.Harmed.Id], NotHeldReason = "Olivia was ill." };

        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, form, world.OfficerPrincipal);

        Assert.True(result.Saved, Messages(result.Errors));
        Assert.Equal(CaseStatus.ReadyToSchedule, await CaseStatusAsync());
        Assert.Equal("not_held", await ScalarAsync<string>("SELECT status FROM conferences WHERE id = @ConferenceId", new { conference.ConferenceId }));
        Assert.Equal(0, await ScalarAsync<long>("SELECT attended FROM conference_participants WHERE party_id = @Id", new { conference.Harmed.Id }));
        Assert.Equal(1, await ScalarAsync<long>("SELECT attended FROM conference_participants WHERE party_id = @Id", new { conference.YoungPerson.Id }));
        Assert.Equal("Olivia was ill.", await ScalarAsync<string>(
            "SELECT reason FROM conference_history WHERE conference_id = @ConferenceId AND kind = 'not_held'", new { conference.ConferenceId }));
    }

    [Fact]
    public async Task Someone_who_is_not_the_conferences_facilitator_is_refused_and_the_refusal_is_audited()
    {
        // Sam Patel is a trained facilitator at the same school, but not this conference's.
        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.Principal(world.Colleague));

        Assert.False(result.Saved);
        Assert.True(result.IsDenied);
        Assert.Equal([AgreementOutcomes.NotPermitted], result.Errors[""]);
        Assert.Equal(CaseStatus.ConferenceScheduled, await CaseStatusAsync());
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM agreements"));
        Assert.Equal(1, await ScalarAsync<long>("""
            SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_type = 'conference' AND entity_id = @id AND user_id = @user
            """, new { id = conference.ConferenceId.ToString(), user = world.Colleague.Id.ToString() }));
    }

    [Fact]
    public async Task Someone_outside_the_schools_scope_is_told_the_conference_was_not_found_and_it_is_audited()
    {
        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.Principal(world.Stranger));

        Assert.True(result.IsDenied);
        Assert.Equal(["This conference was not found"], result.Errors[""]);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND user_id = @user",
            new { user = world.Stranger.Id.ToString() }));
        Assert.Null(await world.Outcomes().LoadAsync(conference.ConferenceId, world.Principal(world.Stranger)));
    }

    [Fact]
    public async Task The_co_facilitator_and_an_administrator_of_the_school_may_record_the_outcome()
    {
        var admin = await TestUsers.CreateAsync(world.Services, "admin@newham.example", [Roles.Administrator], ["Newham/Langdon Park"]);
        var other = await world.ConferenceDueAsync("Zofia", "Nowak", coFacilitator: world.Colleague, time: "12:00");

        var byCo = await world.Outcomes().RecordOutcomeAsync(other.ConferenceId, other.Agreement(), world.Principal(world.Colleague));
        var byAdmin = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.Principal(admin, Roles.Administrator));

        Assert.True(byCo.Saved, Messages(byCo.Errors));
        Assert.True(byAdmin.Saved, Messages(byAdmin.Errors));
    }

    [Fact]
    public async Task An_outcome_before_the_conference_has_started_or_a_second_time_is_refused()
    {
        var later = await world.ConferenceDueAsync("Zofia", "Nowak", time: "14:00", moveClock: false);
        var early = await world.Outcomes().RecordOutcomeAsync(later.ConferenceId, later.Agreement(), world.OfficerPrincipal);
        Assert.Equal(["You can record the outcome once the conference has started (Tuesday 16 June 2026, 14:00)"], early.Errors[""]);

        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 16, 13, 0, 0, TimeSpan.Zero));   // 14:00 in London
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal))));

        Assert.Single(results, r => r.Saved);
        Assert.All(results.Where(r => !r.Saved), r => Assert.Equal(["The outcome of this conference has already been recorded"], r.Errors[""]));
        Assert.True((await world.Outcomes().RecordOutcomeAsync(later.ConferenceId, later.Agreement(), world.OfficerPrincipal)).Saved);
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM agreements"));
        Assert.Equal(6, await ScalarAsync<long>("SELECT count(*) FROM agreement_actions"));
    }

    [Theory]
    [InlineData("no-type", "Actions[1].Type", "Action 2: choose the type of action")]
    [InlineData("no-text", "Actions[1].Text", "Action 2: say exactly what will be done")]
    [InlineData("text-5001", "Actions[1].Text", "Action 2: what will be done must be 5,000 characters or fewer")]
    [InlineData("no-due-date", "Actions[1].DueOn", "Action 2: enter the due date")]
    [InlineData("not-a-date", "Actions[1].DueOn", "Action 2: due date must be a real date")]
    [InlineData("due-on-conference-day", "Actions[1].DueOn", "Action 2: the due date must be after the conference (16 June 2026)")]
    [InlineData("due-after-12-months", "Actions[1].DueOn", "Action 2: the due date must be within 12 months of the conference (by 16 June 2027)")]
    [InlineData("compensation-without-amount", "Actions[1].Amount", "Action 2: enter the amount of compensation in pounds")]
    [InlineData("compensation-of-zero", "Actions[1].Amount", "Action 2: the amount must be more than £0")]
    [InlineData("compensation-in-words", "Actions[1].Amount", "Action 2: enter the amount in pounds and pence, like 25 or 25.50")]
    [InlineData("work-without-hours", "Actions[1].Hours", "Action 2: enter the number of hours of work")]
    [InlineData("work-of-zero-hours", "Actions[1].Hours", "Action 2: the hours must be more than 0")]
    [InlineData("doer-from-another-case", "Actions[1].DoneBy", "Action 2: choose who does it from this case's people")]
    [InlineData("checker-is-doer", "Actions[1].CheckedBy", "Action 2: someone other than the person who does it must check it")]
    [InlineData("no-checker", "Actions[1].CheckedBy", "Action 2: choose who checks it")]
    [InlineData("no-actions", "Actions", "Add at least one action to the agreement")]
    [InlineData("young-person-absent", "Attended", "Select the young person if they came: a conference without them was not held")]
    [InlineData("no-exclusion-answer", "ExclusionAvoided", "Select yes if a school exclusion was avoided")]
    [InlineData("satisfaction-6", "Satisfaction", "Choose how satisfied the harmed party is, from 1 to 5")]
    public async Task Bad_outcome_input_is_refused_at_its_field_with_nothing_saved(string problem, string field, string message)
    {
        var form = conference.Agreement();
        var second = form.Actions[1];
        switch (problem)
        {
            case "no-type": second.Type = null; break;
            case "no-text": second.Text = "  "; break;
            case "text-5001": second.Text = new string('a', 5001); break;
            case "no-due-date": second.DueOn = new DateInput(); break;
            case "not-a-date": second.DueOn = new DateInput { Day = "31", Month = "2", Year = "2027" }; break;
            case "due-on-conference-day": second.DueOn = DateInput.From(AgreementWorld.ConferenceDay); break;
            case "due-after-12-months": second.DueOn = DateInput.From(AgreementWorld.ConferenceDay.AddMonths(12).AddDays(1)); break;
            case "compensation-without-amount": second.Amount = null; break;
            case "compensation-of-zero": second.Amount = "0"; break;
            case "compensation-in-words": second.Amount = "twenty pounds"; break;
            case "work-without-hours": second.Type = "work"; second.Hours = ""; break;
            case "work-of-zero-hours": second.Type = "work"; second.Hours = "0"; break;
            case "doer-from-another-case": second.DoneBy = Guid.NewGuid(); break;
            case "checker-is-doer": second.DoneBy = conference.Parent.Id; second.CheckedBy = Checker.Party(conference.Parent.Id); break;
            case "no-checker": second.CheckedBy = null; break;
            case "no-actions": form.Actions = []; break;
            case "young-person-absent": form.Attended.Remove(conference.YoungPerson.Id); break;
            case "no-exclusion-answer": form.ExclusionAvoided = null; break;
            case "satisfaction-6": form.Satisfaction = 6; break;
        }

        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, form, world.OfficerPrincipal);

        Assert.False(result.Saved);
        Assert.True(result.Errors.ContainsKey(field), $"expected {field}, got {string.Join(", ", result.Errors.Keys)}");
        Assert.Equal([message], result.Errors[field]);
        Assert.Equal(CaseStatus.ConferenceScheduled, await CaseStatusAsync());
        Assert.Equal("scheduled", await ScalarAsync<string>("SELECT status FROM conferences WHERE id = @ConferenceId", new { conference.ConferenceId }));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM agreement_actions"));
    }

    [Fact]
    public async Task An_action_of_exactly_5000_characters_with_markup_is_stored_as_typed()
    {
        var text = "<script>alert('x')</script> %PDF-1.7 " + new string('w', 5000 - 37);
        var result = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(conference.Action(text)), world.OfficerPrincipal);

        Assert.True(result.Saved, Messages(result.Errors));
        Assert.Equal(text, await ScalarAsync<string>("SELECT text FROM agreement_actions"));
    }

    [Fact]
    public async Task Changing_the_actions_renumbers_them_keeps_their_ids_and_refuses_a_stale_version()
    {
        await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal);
        var context = (await world.Outcomes().LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
        var hashBefore = await ScalarAsync<string>("SELECT content_hash FROM agreements");
        var actions = context.Actions.Select(a => a.Form).ToList();
        var kept = actions[2];
        actions.RemoveAt(0);
        actions[0].Text = "Pay £25.50 towards the phone screen.";
        actions.Add(conference.Action("Say sorry to the dinner staff."));

        var saved = await world.Outcomes().ChangeActionsAsync(conference.ConferenceId, actions, context.AgreementVersion, world.OfficerPrincipal);
        var stale = await world.Outcomes().ChangeActionsAsync(conference.ConferenceId, actions, context.AgreementVersion, world.OfficerPrincipal);

        Assert.True(saved.Saved, Messages(saved.Errors));
        Assert.True(stale.IsConflict);
        await using var connection = await world.Database.Db.OpenAsync();
        var rows = (await connection.QueryAsync<(int Number, Guid Id, string Text)>("SELECT number, id, text FROM agreement_actions ORDER BY number")).ToList();
        Assert.Equal([1, 2, 3], rows.Select(r => r.Number));
        Assert.Equal("Pay £25.50 towards the phone screen.", rows[0].Text);
        Assert.Equal(kept.Id, rows[1].Id);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT version FROM agreements"));
        Assert.NotEqual(hashBefore, await connection.ExecuteScalarAsync<string>("SELECT content_hash FROM agreements"));
    }
}
