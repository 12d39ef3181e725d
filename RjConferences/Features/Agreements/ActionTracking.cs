using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>Marking one action completed (date, who checked it) or missed (date, reason).</summary>
public sealed class ActionStatusForm
{
    public DateInput On { get; set; } = new();
    /// <summary>Who checked a completed action: a <see cref="Checker"/> code, the action's named checker or the user recording it.</summary>
    public string? CheckedBy { get; set; }
    public string? Reason { get; set; }
}

/// <summary>A new due date for a missed action, with the reason.</summary>
public sealed class ExtendForm
{
    public DateInput DueOn { get; set; } = new();
    public string? Reason { get; set; }
}

/// <summary>An earlier due date of an action, kept when it was extended.</summary>
public sealed class ActionExtension
{
    public Guid ActionId { get; set; }
    public DateOnly PreviousDueOn { get; set; }
    public DateOnly? MissedOn { get; set; }
    public string? MissedReason { get; set; }
    public DateOnly NewDueOn { get; set; }
    public string Reason { get; set; } = "";
    public string ExtendedByName { get; set; } = "";
    public DateTimeOffset ExtendedAt { get; set; }
}

/// <summary>One action of an agreement with where it stands.</summary>
public sealed class TrackedAction
{
    public Guid AgreementId { get; set; }
    public Guid Id { get; set; }
    public int Number { get; set; }
    public string ActionType { get; set; } = "";
    public string Text { get; set; } = "";
    public DateOnly DueOn { get; set; }
    public string Status { get; set; } = "";
    public DateOnly? StatusOn { get; set; }
    public string? MissedReason { get; set; }
    public DateTimeOffset? OverdueFlaggedAt { get; set; }
    public Guid? CheckedByPartyId { get; set; }
    public Guid? CheckedByUserId { get; set; }
    public string CheckerName { get; set; } = "";
    public string? CompletionCheckedByName { get; set; }
    public List<ActionExtension> Extensions { get; set; } = [];

    public string TypeLabel => Vocabulary.Label(AgreementVocabulary.ActionTypes, ActionType);

    /// <summary>The named checker as a <see cref="Checker"/> code.</summary>
    public string CheckerCode => CheckedByPartyId is { } p ? Checker.Party(p) : Checker.User(CheckedByUserId!.Value);

    public bool Overdue => Status == "pending" && OverdueFlaggedAt is not null;
}

/// <summary>An agreement and its actions as the agreement page and the case page track them, for one user.</summary>
public sealed class AgreementProgress
{
    public Guid AgreementId { get; set; }
    public Guid ConferenceId { get; set; }
    public Guid CaseId { get; set; }
    public string Reference { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public string CaseStatus { get; set; } = "";
    public Guid FacilitatorId { get; set; }
    public Guid? CoFacilitatorId { get; set; }
    public string? Ended { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedReason { get; set; }
    public bool? HarmedWantsOutcome { get; set; }
    public DateOnly? HarmedToldOn { get; set; }
    public string? HarmedToldByName { get; set; }

    /// <summary>How they were told: email, text or letter when the app sent it; null when recorded by hand without saying.</summary>
    public string? HarmedToldHow { get; set; }

    /// <summary>
    /// The message to the harmed party about the outcome (<see cref="HarmedPartyOutcome"/>): queued, print_list (a letter
    /// waiting on the school office's print list), sent, failed or cancelled; null when none.
    /// </summary>
    public string? HarmedMessageStatus { get; set; }
    public string? HarmedMessageChannel { get; set; }

    /// <summary>"an email", "a text message", "a letter".</summary>
    /// <summary>The message is on its way: queued, or a letter on the print list not yet posted. Nobody needs to tell them another way.</summary>
    public bool HarmedMessagePending => HarmedMessageStatus is "queued" or "print_list";

    public string HarmedMessageLabel => HarmedMessageChannel switch { "text" => "A text message", "letter" => "A letter", _ => "An email" };
    public List<TrackedAction> Actions { get; set; } = [];

    /// <summary>The user is the facilitator, the co-facilitator or an Administrator: may decide what happens after a miss.</summary>
    public bool MayDecide { get; set; }
    public Guid UserId { get; set; }

    public DateOnly ConferenceDate => LondonTime.DateOf(StartsAt);
    public bool Active => Ended is null && CaseStatus == Referrals.CaseStatus.AgreementActive;
    public bool AnyMissed => Actions.Any(a => a.Status == "missed");
    public bool MayMark(TrackedAction action) => MayDecide || action.CheckedByUserId == UserId;

    /// <summary>The harmed party's wish to be told is asked while the agreement is active (the page offers it, the server accepts it, on this one rule).</summary>
    public bool AllowsWish => Active;

    /// <summary>What the harmed party is to be told: "completed" or "broken"; null while the agreement is active.</summary>
    public string? Outcome => Ended switch { null => null, "completed" => "completed", _ => "broken" };

    /// <summary>The harmed party asked to be told, the agreement has ended, and they have not been told yet.</summary>
    public bool HarmedToldDue => HarmedWantsOutcome == true && Ended is not null && HarmedToldOn is null;

    public string EndedLabel => Ended switch
    {
        "completed" => "Completed: every action was done",
        "failed" => "Failed: the case was escalated to formal action",
        "replaced" => "Broken: a new conference is to be held",
        _ => "Active",
    };
}

/// <summary>An overdue action on a facilitator's My work list.</summary>
public sealed class OverdueAction
{
    public Guid ConferenceId { get; set; }
    public Guid CaseId { get; set; }
    public string Reference { get; set; } = "";
    public string SchoolName { get; set; } = "";
    public int Number { get; set; }
    public string ActionType { get; set; } = "";
    public DateOnly DueOn { get; set; }

    public string TypeLabel => Vocabulary.Label(AgreementVocabulary.ActionTypes, ActionType);
}

/// <summary>A harmed party waiting to be told that the agreement was completed or broken, for My work.</summary>
public sealed class HarmedToTell
{
    public Guid ConferenceId { get; set; }
    public Guid CaseId { get; set; }
    public string Reference { get; set; } = "";
    public string Ended { get; set; } = "";
    public DateTimeOffset EndedAt { get; set; }

    public string Outcome => Ended == "completed" ? "completed" : "broken";
}

/// <summary>
/// Keeping the agreement. The conference's facilitator or co-facilitator, an Administrator, or the
/// user named to check an action marks each action completed or missed; after a miss the facilitator
/// extends its due date, holds a new conference (the case goes back to ready to schedule) or records
/// the agreement as failed (the case closes as escalated to formal action). When every action is
/// completed the case becomes agreement_completed (the daily job moves it into follow-up; it closes at once
/// when every follow-up check is already recorded). The harmed
/// party's wish to be told the outcome, and when they were told, are kept on the agreement. Every
/// change is one transaction with the agreement's version check, the case timeline and an alter audit
/// event; a refusal to someone not permitted is audited as access_denied.
/// </summary>
public sealed class ActionTracking(Db db, CaseWork caseWork, TimeProvider clock, IOptions<FollowUpOptions> followUps)
{
    public const int PageSize = 50;
    public const string NotPermitted = "Only the conference's facilitator or co-facilitator, an administrator, or the user named to check the action can mark it";
    public const string NotPermittedDecision = "Only the conference's facilitator or co-facilitator, or an administrator, can decide this";
    public const string ConflictMessage = "Someone else changed this agreement while you were working on it. Nothing has been saved: reload the page to see their changes, then try again.";

    /// <summary>The agreement of a conference, tracked for the user; null when missing or outside the user's scope (the caller audits its page).</summary>
    public async Task<AgreementProgress?> LoadAsync(Guid conferenceId, ClaimsPrincipal user)
    {
        await using var connection = await db.OpenAsync();
        return (await LoadAsync(connection, null, "a.conference_id = @id", conferenceId, user)).SingleOrDefault();
    }

    /// <summary>Every agreement of a case in the user's scope, newest conference first.</summary>
    public async Task<IReadOnlyList<AgreementProgress>> ForCaseAsync(Guid caseId, ClaimsPrincipal user)
    {
        await using var connection = await db.OpenAsync();
        return await LoadAsync(connection, null, "a.case_id = @id", caseId, user);
    }

    /// <summary>The pending actions flagged overdue of the agreements the user facilitates or checks, in scope, oldest due first.</summary>
    public async Task<(IReadOnlyList<OverdueAction> Actions, int Total)> OverdueAsync(Guid userId, int page)
    {
        const string from = """
            FROM agreement_actions AS x
            JOIN agreements AS g ON g.id = x.agreement_id
            JOIN conferences AS f ON f.id = g.conference_id
            JOIN cases AS c ON c.id = g.case_id
            JOIN schools AS s ON s.id = c.school_id
            WHERE x.status = 'pending' AND x.overdue_flagged_at IS NOT NULL AND g.ended IS NULL AND c.status = 'agreement_active'
              AND (f.facilitator_id = @ScopeUserId OR f.co_facilitator_id = @ScopeUserId OR x.checked_by_user_id = @ScopeUserId)
            """;
        await using var connection = await db.OpenAsync();
        var parameters = new { ScopeUserId = userId, limit = PageSize, offset = (Math.Max(1, page) - 1) * PageSize };
        var actions = (await connection.QueryAsync<OverdueAction>($"""
            SELECT g.conference_id, g.case_id, c.reference, s.name AS school_name, x.number, x.action_type, x.due_on
            {from} AND c.{SchoolScope.SqlFilter}
            ORDER BY x.due_on, c.reference, x.number
            LIMIT @limit OFFSET @offset
            """, parameters)).ToList();
        var total = await connection.ExecuteScalarAsync<int>($"SELECT count(*) {from} AND c.{SchoolScope.SqlFilter}", parameters);
        return (actions, total);
    }

    /// <summary>
    /// Agreements the user facilitates whose harmed party asked to be told the outcome and has not been
    /// told yet, though the agreement was completed or broken: at most <see cref="PageSize"/>, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<HarmedToTell>> HarmedToTellAsync(Guid userId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<HarmedToTell>($"""
            SELECT a.conference_id, a.case_id, c.reference, a.ended, a.ended_at
            FROM agreements AS a
            JOIN conferences AS f ON f.id = a.conference_id
            JOIN cases AS c ON c.id = a.case_id
            WHERE a.harmed_wants_outcome = TRUE AND a.ended IS NOT NULL AND a.harmed_told_on IS NULL AND c.anonymised_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM outbox AS o WHERE o.about_id = a.id AND o.kind = 'harmed_party_outcome'
                                AND (o.status = 'queued' OR o.status = 'sent' AND o.print_list_at IS NOT NULL AND o.posted_at IS NULL))
              AND (f.facilitator_id = @ScopeUserId OR f.co_facilitator_id = @ScopeUserId) AND c.{SchoolScope.SqlFilter}
            ORDER BY a.ended_at, c.reference
            LIMIT @PageSize
            """, new { ScopeUserId = userId, PageSize })).ToList();
    }

    public Task<SaveResult> CompleteAsync(Guid conferenceId, Guid actionId, int version, ActionStatusForm form, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, actionId, (progress, action, errors) =>
        {
            RequirePending(progress, action!, errors);
            var on = ValidDay(form.On, "Date completed", progress, errors);
            if (form.CheckedBy != action!.CheckerCode && form.CheckedBy != Checker.User(progress.UserId)) errors.Add("CheckedBy", "Choose who checked that the action was done");
            return on;
        }, async (change, progress, action, on) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            Checker.TryParse(form.CheckedBy, out var party, out var checkerUser);
            await connection.ExecuteAsync("""
                UPDATE agreement_actions SET status = 'completed', status_on = @on, status_changed_at = @now, status_changed_by = @UserId,
                       completion_checked_by_party_id = @party, completion_checked_by_user_id = @checkerUser, overdue_flagged_at = NULL
                WHERE id = @Id
                """, new { on, now, progress.UserId, party, checkerUser, action!.Id }, transaction);
            // The timeline never repeats personal data: who checked is said by role, not by name.
            var checkerName = form.CheckedBy == action.CheckerCode ? "the named checker" : "the person recording it";
            await CaseTimeline.RecordAsync(connection, transaction, progress.CaseId, progress.UserId, now, "agreement",
                $"Action {action.Number} ({action.TypeLabel.ToLowerInvariant()}) completed on {LondonTime.FormatDate(on!.Value)}, checked by {checkerName}", null, null);
            if (progress.Actions.All(a => a.Id == action.Id || a.Status == "completed"))
            {
                await EndAsync(connection, transaction, progress, "completed", null, now);
                await change.MoveAsync(CaseStatus.AgreementCompleted, "Agreement completed: every action was done");
                // Follow-up checks recorded while the agreement was active may already be all there is.
                await FollowUpChecks.CloseWhenFollowUpDoneAsync(change, followUps.Value.IntervalsMonths);
                return $"agreement action {action.Number} completed; agreement completed";
            }
            return $"agreement action {action.Number} completed";
        });

    public Task<SaveResult> MissAsync(Guid conferenceId, Guid actionId, int version, ActionStatusForm form, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, actionId, (progress, action, errors) =>
        {
            RequirePending(progress, action!, errors);
            var on = ValidDay(form.On, "Date missed", progress, errors);
            RequireReason(form.Reason, "Reason", "Give the reason the action was missed", errors);
            return on;
        }, async (change, progress, action, on) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            await connection.ExecuteAsync("""
                UPDATE agreement_actions SET status = 'missed', status_on = @on, missed_reason = @reason, status_changed_at = @now, status_changed_by = @UserId
                WHERE id = @Id
                """, new { on, reason = form.Reason!.Trim(), now, progress.UserId, action!.Id }, transaction);
            await CaseTimeline.RecordAsync(connection, transaction, progress.CaseId, progress.UserId, now, "agreement",
                $"Action {action.Number} ({action.TypeLabel.ToLowerInvariant()}) missed on {LondonTime.FormatDate(on!.Value)}: {form.Reason.Trim()}", null, null);
            return $"agreement action {action.Number} missed";
        });

    /// <summary>A missed action gets a new due date and is pending again; the earlier due date and the miss are kept.</summary>
    public Task<SaveResult> ExtendAsync(Guid conferenceId, Guid actionId, int version, ExtendForm form, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, actionId, (progress, action, errors) =>
        {
            if (!progress.Active) errors.Add("", "Only the actions of an active agreement can be changed");
            else if (action!.Status != "missed") errors.Add("", $"Action {action.Number} is not missed: only a missed action's due date can be extended");
            var due = form.DueOn.Parse("New due date", out var error);
            if (error is not null) errors.Add("DueOn", error);
            else if (due <= LondonTime.Today(clock)) errors.Add("DueOn", "New due date must be in the future");
            RequireReason(form.Reason, "ExtendReason", "Give the reason for extending the due date", errors);
            return due;
        }, async (change, progress, action, due) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            await connection.ExecuteAsync("""
                INSERT INTO agreement_action_extensions (action_id, previous_due_on, missed_on, missed_reason, new_due_on, reason, extended_by, extended_at)
                SELECT id, due_on, status_on, missed_reason, @due, @reason, @UserId, @now FROM agreement_actions WHERE id = @Id
                """, new { due, reason = form.Reason!.Trim(), progress.UserId, now, action!.Id }, transaction);
            await connection.ExecuteAsync("""
                UPDATE agreement_actions SET status = 'pending', due_on = @due, status_on = NULL, missed_reason = NULL, overdue_flagged_at = NULL,
                       status_changed_at = @now, status_changed_by = @UserId
                WHERE id = @Id
                """, new { due, now, progress.UserId, action.Id }, transaction);
            await AgreementOutcomes.StoreContentHashAsync(connection, transaction, progress.AgreementId, progress.ConferenceId);
            await CaseTimeline.RecordAsync(connection, transaction, progress.CaseId, progress.UserId, now, "agreement",
                $"Action {action.Number}'s due date extended from {LondonTime.FormatDate(action.DueOn)} to {LondonTime.FormatDate(due!.Value)}: {form.Reason.Trim()}", null, null);
            return $"agreement action {action.Number} due date extended";
        }, decision: true);

    /// <summary>After a miss: the agreement is broken and the case goes back to ready to schedule, for a new conference.</summary>
    public Task<SaveResult> HoldNewConferenceAsync(Guid conferenceId, int version, string? reason, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, null, (progress, _, errors) =>
        {
            RequireMissed(progress, errors);
            RequireReason(reason, "NewConferenceReason", "Give the reason for holding a new conference", errors);
            return null;
        }, async (change, progress, _, _) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            await EndAsync(connection, transaction, progress, "replaced", reason!.Trim(), now);
            await DropUnrecordedChecksAsync(connection, transaction, progress.CaseId);
            await change.MoveAsync(CaseStatus.ReadyToSchedule, $"Agreement broken: a new conference is to be held ({reason.Trim()})");
            return "agreement broken: new conference";
        }, decision: true);

    /// <summary>After a miss: the agreement failed, and the case closes as escalated to formal action.</summary>
    public Task<SaveResult> RecordFailedAsync(Guid conferenceId, int version, string? reason, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, null, (progress, _, errors) =>
        {
            RequireMissed(progress, errors);
            RequireReason(reason, "FailedReason", "Give the reason the agreement failed", errors);
            return null;
        }, async (change, progress, _, _) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            var why = reason!.Trim();
            await EndAsync(connection, transaction, progress, "failed", why, now);
            await DropUnrecordedChecksAsync(connection, transaction, progress.CaseId);
            await change.MoveAsync(CaseStatus.AgreementFailed, $"Agreement failed: {why}");
            await change.CloseAsync("escalated", why, "Closed: escalated to formal action");
            return "agreement failed: case closed as escalated";
        }, decision: true);

    /// <summary>Whether the harmed party wants to be told if the agreement is kept.</summary>
    /// <summary>
    /// The harmed party's wish to be told whether the agreement is kept. <paramref name="submissionId"/>
    /// is made when the wish is chosen: saving the same choice again records nothing.
    /// </summary>
    public Task<SaveResult> RecordWishAsync(Guid conferenceId, int version, bool? wantsOutcome, Guid submissionId, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, null, (progress, _, errors) =>
        {
            if (!progress.AllowsWish) errors.Add("", "The harmed party's wish can be recorded only while the agreement is active");
            if (wantsOutcome is null) errors.Add("HarmedWantsOutcome", "Select yes if the harmed party wants to be told whether the agreement is kept");
            return null;
        }, async (change, progress, _, _) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            await connection.ExecuteAsync("UPDATE agreements SET harmed_wants_outcome = @wantsOutcome WHERE id = @AgreementId",
                new { wantsOutcome, progress.AgreementId }, transaction);
            await CaseTimeline.RecordAsync(connection, transaction, progress.CaseId, progress.UserId, now, "agreement",
                wantsOutcome == true ? "The harmed party wants to be told whether the agreement is kept" : "The harmed party does not want to be told whether the agreement is kept", null, null);
            return "harmed party's wish to be told recorded";
        }, decision: true, submissionId: submissionId);

    /// <summary>
    /// The day the harmed party was told that the agreement was completed or broken. Allowed on a
    /// closed case too: a failed agreement closes the case at once, and telling the harmed party follows.
    /// </summary>
    public Task<SaveResult> RecordToldAsync(Guid conferenceId, int version, DateInput toldOn, string? how, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, version, user, null, (progress, _, errors) =>
        {
            if (progress.Ended is null) errors.Add("", "The agreement has not been completed or broken yet: there is nothing to tell the harmed party");
            else if (progress.HarmedToldOn is not null) errors.Add("", "When the harmed party was told has already been recorded");
            var on = toldOn.Parse("Date told", out var error);
            if (error is not null) errors.Add("ToldOn", error);
            else if (on > LondonTime.Today(clock)) errors.Add("ToldOn", "Date told must be today or in the past");
            else if (progress.EndedAt is { } ended && on < LondonTime.DateOf(ended))
                errors.Add("ToldOn", $"Date told must be on or after the day the agreement {(progress.Outcome == "completed" ? "was completed" : "was broken")} ({LondonTime.FormatDate(LondonTime.DateOf(ended))})");
            if (!Vocabulary.IsCode(AgreementVocabulary.ToldWays, how)) errors.Add("ToldHow", "Choose how the harmed party was told");
            return on;
        }, async (change, progress, _, on) =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            await connection.ExecuteAsync("UPDATE agreements SET harmed_told_on = @on, harmed_told_by = @UserId, harmed_told_how = @how WHERE id = @AgreementId",
                new { on, progress.UserId, how, progress.AgreementId }, transaction);
            await CaseTimeline.RecordAsync(connection, transaction, progress.CaseId, progress.UserId, now, "agreement",
                $"The harmed party was told on {LondonTime.FormatDate(on!.Value)} that the agreement was {progress.Outcome}", null, null);
            return "harmed party told of the agreement's outcome";
        }, decision: true, closedAllowed: true);

    private delegate DateOnly? Validate(AgreementProgress progress, TrackedAction? action, FieldErrors errors);

    private delegate Task<string> Work(CaseChange change, AgreementProgress progress, TrackedAction? action, DateOnly? date);

    /// <summary>
    /// The shape of every change: the agreement in scope, the user's right (a refusal is audited), a
    /// closed case refused, the input validated, the version checked, then the work, the case's version
    /// and an alter audit event, all in one transaction. Nothing is written when anything is refused.
    /// </summary>
    private async Task<SaveResult> ChangeAsync(Guid conferenceId, int version, ClaimsPrincipal user, Guid? actionId, Validate validate, Work work,
        bool decision = false, bool closedAllowed = false, Guid? submissionId = null)
    {
        const string missing = "agreement or action outside the user's scope or missing";
        var userId = user.UserId();
        if (await caseWork.CaseOfAsync("conference", conferenceId, userId, missing) is not { } caseId) return SaveResult.NotFound();
        return await caseWork.ChangeWithResultAsync(caseId, userId, async change =>
        {
            var (connection, transaction) = (change.Connection, change.Transaction);
            var progress = (await LoadAsync(connection, transaction, "a.conference_id = @id", conferenceId, user)).SingleOrDefault();
            var action = progress?.Actions.FirstOrDefault(a => a.Id == actionId);
            if (progress is null || (actionId is not null && action is null))
            {
                return change.Deny("conference", conferenceId, missing, SaveResult.NotFound());
            }
            if (decision ? !progress.MayDecide : !progress.MayMark(action!))
            {
                return change.Deny("case", progress.CaseId, "agreement change by someone who is not its facilitator or checker",
                    SaveResult.Invalid("", decision ? NotPermittedDecision : NotPermitted));
            }
            if (progress.CaseStatus == CaseStatus.Closed && !closedAllowed) return SaveResult.Invalid("", "The case is closed: it cannot be changed");
            var errors = new FieldErrors();
            var date = validate(progress, action, errors);
            if (!errors.IsEmpty) return SaveResult.Invalid(errors);
            var updated = await connection.ExecuteAsync(
                "UPDATE agreements SET version = version + 1, updated_by = @userId, updated_at = @Now WHERE id = @AgreementId AND version = @version",
                new { userId, change.Now, progress.AgreementId, version }, transaction);
            if (updated == 0) return SaveResult.Conflict(ConflictMessage);
            // Claimed after the version check, so that a repeated click with a stale version says so; a repeat
            // with the current version finds the form saved already and saves nothing (rolled back).
            if (submissionId is { } key && !await FormSubmissions.ClaimAsync(connection, transaction, key, caseId, userId, change.Now))
            {
                return SaveResult.Ok();
            }
            change.AuditNote = await work(change, progress, action, date);
            return null;
        });
    }

    private static void RequirePending(AgreementProgress progress, TrackedAction action, FieldErrors errors)
    {
        if (!progress.Active) errors.Add("", "Only the actions of an active agreement can be marked");
        else if (action.Status != "pending") errors.Add("", $"Action {action.Number} is already marked {action.Status}");
    }

    private static void RequireMissed(AgreementProgress progress, FieldErrors errors)
    {
        if (!progress.Active) errors.Add("", "This agreement is no longer active");
        else if (!progress.AnyMissed) errors.Add("", "Mark the missed action first: this choice is for an agreement with a missed action");
    }

    private static void RequireReason(string? reason, string field, string missing, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(reason)) errors.Add(field, missing);
        else if (reason.Trim().Length > AgreementVocabulary.MaxReason) errors.Add(field, $"The reason must be {AgreementVocabulary.MaxReason} characters or fewer");
    }

    /// <summary>A day from the conference to today (London).</summary>
    private DateOnly? ValidDay(DateInput input, string label, AgreementProgress progress, FieldErrors errors)
    {
        var day = input.Parse(label, out var error);
        if (error is not null) errors.Add("On", error);
        else if (day < progress.ConferenceDate) errors.Add("On", $"{label} must be on or after the conference ({LondonTime.FormatDate(progress.ConferenceDate)})");
        else if (day > LondonTime.Today(clock)) errors.Add("On", $"{label} must be today or in the past");
        return error is null ? day : null;
    }

    /// <summary>The agreement ends; the harmed party who asked to be told is sent the outcome in the same transaction.</summary>
    private static async Task EndAsync(DbConnection connection, IDbTransaction transaction, AgreementProgress progress, string ended, string? reason, DateTimeOffset now)
    {
        await connection.ExecuteAsync("UPDATE agreements SET ended = @ended, ended_at = @now, ended_reason = @reason WHERE id = @AgreementId",
            new { ended, now, reason, progress.AgreementId }, transaction);
        await HarmedPartyOutcome.QueueAsync(connection, transaction, progress.AgreementId, ended, now);
    }

    /// <summary>Follow-up checks not yet recorded belong to the agreement that ended: a new conference starts them again.</summary>
    private static Task DropUnrecordedChecksAsync(DbConnection connection, IDbTransaction transaction, Guid caseId) =>
        connection.ExecuteAsync("DELETE FROM follow_up_checks WHERE case_id = @caseId AND checked_on IS NULL", new { caseId }, transaction);


    private static async Task<IReadOnlyList<AgreementProgress>> LoadAsync(DbConnection connection, IDbTransaction? transaction, string where, Guid id, ClaimsPrincipal user)
    {
        var userId = user.UserId();
        var agreements = (await connection.QueryAsync<AgreementProgress>($"""
            SELECT a.id AS agreement_id, a.conference_id, a.case_id, k.reference, a.version, f.starts_at, k.status AS case_status,
                   f.facilitator_id, f.co_facilitator_id, a.ended, a.ended_at, a.ended_reason, a.harmed_wants_outcome, a.harmed_told_on, a.harmed_told_how,
                   t.display_name AS harmed_told_by_name,
                   (SELECT CASE WHEN o.status = 'sent' AND o.print_list_at IS NOT NULL AND o.posted_at IS NULL THEN 'print_list' ELSE o.status END
                    FROM outbox AS o WHERE o.about_id = a.id AND o.kind = 'harmed_party_outcome'
                    ORDER BY o.created_at DESC LIMIT 1) AS harmed_message_status,
                   (SELECT o.channel FROM outbox AS o WHERE o.about_id = a.id AND o.kind = 'harmed_party_outcome'
                    ORDER BY o.created_at DESC LIMIT 1) AS harmed_message_channel
            FROM agreements AS a
            JOIN conferences AS f ON f.id = a.conference_id
            JOIN cases AS k ON k.id = a.case_id
            LEFT JOIN users AS t ON t.id = a.harmed_told_by
            WHERE {where} AND k.{SchoolScope.SqlFilter}
            ORDER BY f.starts_at DESC
            """, new { id, ScopeUserId = userId }, transaction)).ToList();
        if (agreements.Count == 0) return agreements;
        // The actions and extensions of every agreement found: one query per table, not a pair per agreement.
        var ids = TypeHandlers.ToText(agreements.Select(a => a.AgreementId));
        var actions = (await connection.QueryAsync<TrackedAction>($"""
            SELECT x.agreement_id, x.id, x.number, x.action_type, x.text, x.due_on, x.status, x.status_on, x.missed_reason, x.overdue_flagged_at,
                   x.checked_by_party_id, x.checked_by_user_id,
                   coalesce(cu.display_name, CASE WHEN cp.id IS NOT NULL THEN {PartyNames.Sql("cp")} END) AS checker_name,
                   coalesce(vu.display_name, CASE WHEN vp.id IS NOT NULL THEN {PartyNames.Sql("vp")} END) AS completion_checked_by_name
            FROM agreement_actions AS x
            LEFT JOIN users AS cu ON cu.id = x.checked_by_user_id
            LEFT JOIN parties AS cp ON cp.id = x.checked_by_party_id
            LEFT JOIN users AS vu ON vu.id = x.completion_checked_by_user_id
            LEFT JOIN parties AS vp ON vp.id = x.completion_checked_by_party_id
            WHERE {SqlDialect.Of(connection).In("x.agreement_id", "@ids")}
            ORDER BY x.number
            """, new { ids }, transaction)).ToLookup(x => x.AgreementId);
        var extensions = (await connection.QueryAsync<ActionExtension>($"""
            SELECT e.action_id, e.previous_due_on, e.missed_on, e.missed_reason, e.new_due_on, e.reason, u.display_name AS extended_by_name, e.extended_at
            FROM agreement_action_extensions AS e
            JOIN agreement_actions AS x ON x.id = e.action_id
            JOIN users AS u ON u.id = e.extended_by
            WHERE {SqlDialect.Of(connection).In("x.agreement_id", "@ids")}
            ORDER BY e.id
            """, new { ids }, transaction)).ToLookup(e => e.ActionId);
        foreach (var agreement in agreements)
        {
            agreement.UserId = userId;
            agreement.MayDecide = AgreementOutcomes.FacilitatesOrAdministers(agreement.FacilitatorId, agreement.CoFacilitatorId, user);
            agreement.Actions = actions[agreement.AgreementId].ToList();
            foreach (var action in agreement.Actions)
            {
                action.Extensions = extensions[action.Id].ToList();
            }
        }
        return agreements;
    }
}
