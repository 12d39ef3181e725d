using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>One invited person, for the attendance questions and the "who does it / who checks it" choices.</summary>
public sealed record OutcomeParticipant(Guid PartyId, string Name, string PartyRole, string RoleLabel, bool? Attended);

/// <summary>A stored action as the editor shows it, with its status.</summary>
public sealed record StoredAction(ActionForm Form, string Status);

/// <summary>Everything the outcome page needs about one conference.</summary>
public sealed class OutcomeContext
{
    public Guid ConferenceId { get; init; }
    public Guid CaseId { get; init; }
    public string Reference { get; init; } = "";
    public string SchoolName { get; init; } = "";
    public DateTimeOffset StartsAt { get; init; }
    public string Status { get; init; } = "";
    public string CaseStatus { get; init; } = "";
    public bool StartPassed { get; init; }
    /// <summary>The user is the facilitator, the co-facilitator or an Administrator.</summary>
    public bool MayRecord { get; init; }
    public IReadOnlyList<OutcomeParticipant> Participants { get; init; } = [];
    /// <summary>Who may do an action: the young people and their supporters.</summary>
    public IReadOnlyList<Choice> Doers { get; init; } = [];
    /// <summary>Who may check an action: the facilitators and the adults of the case (<see cref="Checker"/> codes).</summary>
    public IReadOnlyList<Choice> Checkers { get; init; } = [];
    public bool? AgreementReached { get; init; }
    public bool? ExclusionAvoided { get; init; }
    public Guid? AgreementId { get; init; }
    public int AgreementVersion { get; init; }
    public IReadOnlyList<StoredAction> Actions { get; init; } = [];

    public DateOnly ConferenceDate => LondonTime.DateOf(StartsAt);

    /// <summary>What was recorded, in a sentence (for a conference that is no longer scheduled).</summary>
    public string Summary => Status switch
    {
        "held" when AgreementReached == false => "The conference was held. No agreement was reached.",
        "held" => "The conference was held and an agreement was reached.",
        "not_held" => "The conference was not held. The case is ready to schedule again.",
        "cancelled" => "This conference was cancelled.",
        _ => "The outcome of this conference has not been recorded yet.",
    };
}

/// <summary>
/// Records what happened at a conference — held or not held, who came, the agreement and its
/// actions, feedback — and changes the actions of an agreement later. Only the conference's
/// facilitator or co-facilitator, or an Administrator, may; anyone else is refused and the refusal
/// is audited. Every save is one transaction: conference, actions, case status, timeline and audit.
/// </summary>
public sealed class AgreementOutcomes(Db db, AuditLog audit, TimeProvider clock, CaseWork caseWork)
{
    public const string NotPermitted = "Only the conference's facilitator or co-facilitator, or an administrator, can record its outcome";

    private sealed record ConferenceRow(Guid Id, Guid CaseId, string Status, DateTimeOffset StartsAt, Guid FacilitatorId, Guid? CoFacilitatorId,
        string CaseStatus, string Reference, string SchoolName);

    /// <summary>The outcome page's data; null (and audited) when the conference is missing or outside the user's scope.</summary>
    public async Task<OutcomeContext?> LoadAsync(Guid conferenceId, ClaimsPrincipal user)
    {
        var userId = user.UserId();
        await using var connection = await db.OpenAsync();
        var row = await ConferenceAsync(connection, null, conferenceId, userId);
        if (row is null)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "conference", EntityId: conferenceId.ToString(), UserId: userId,
                Justification: "conference outside the user's scope or missing"));
            return null;
        }
        var context = await ContextAsync(connection, null, row, user);
        await audit.RecordAsync(new AuditEvent(AuditAction.Consult, EntityType: "case", EntityId: row.CaseId.ToString(), UserId: userId,
            Justification: $"conference outcome {conferenceId}"));
        return context;
    }

    /// <summary>Records the outcome of a scheduled conference whose start time has passed.</summary>
    public Task<SaveResult> RecordOutcomeAsync(Guid conferenceId, OutcomeForm form, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, user, async (change, row) =>
        {
            var (connection, transaction, userId, now) = (change.Connection, change.Transaction, user.UserId(), change.Now);
            var errors = new FieldErrors();
            if (OutcomeRefusal(row.FacilitatorId, row.CoFacilitatorId, row.Status, row.StartsAt, user, now) is { } refusal)
            {
                return SaveResult.Invalid("", refusal);
            }
            var context = await ContextAsync(connection, transaction, row, user);
            OutcomeValidator.Validate(form, context, errors);
            if (!errors.IsEmpty) return SaveResult.Invalid(errors);

            var invited = context.Participants.Select(p => p.PartyId).ToList();
            if (form.Held == false)
            {
                var absent = TypeHandlers.ToText(form.Absent);
                await connection.ExecuteAsync("""
                    UPDATE conferences SET status = 'not_held', reason = @reason, sequence = sequence + 1, version = version + 1,
                                           outcome_recorded_by = @userId, outcome_recorded_at = @now, updated_at = @now
                    WHERE id = @conferenceId
                    """, new { reason = form.NotHeldReason!.Trim(), userId, now, conferenceId }, transaction);
                await connection.ExecuteAsync(
                    $"UPDATE conference_participants SET attended = NOT ({SqlDialect.Of(connection).In("party_id", "@absent")}) WHERE conference_id = @conferenceId",
                    new { absent, conferenceId }, transaction);
                await HistoryAsync(connection, transaction, conferenceId, now, userId, "not_held", form.NotHeldReason.Trim());
                await change.MoveAsync(CaseStatus.ReadyToSchedule, "Conference not held");
                change.AuditNote = "conference not held";
                return null;
            }

            var reached = form.AgreementReached == true;
            await connection.ExecuteAsync("""
                UPDATE conferences SET status = 'held', version = version + 1, agreement_reached = @reached, exclusion_avoided = @ExclusionAvoided,
                       harmed_satisfaction = @Satisfaction, harmed_feels_safer = @FeelsSafer, harmed_felt_prepared = @FeltPrepared,
                       harmed_would_recommend = @WouldRecommend, young_person_reflection = @reflection,
                       outcome_recorded_by = @userId, outcome_recorded_at = @now, updated_at = @now
                WHERE id = @conferenceId
                """, new
            {
                reached, form.ExclusionAvoided, form.Satisfaction, form.FeelsSafer, form.FeltPrepared, form.WouldRecommend,
                reflection = string.IsNullOrWhiteSpace(form.Reflection) ? null : form.Reflection.Trim(), userId, now, conferenceId,
            }, transaction);
            await connection.ExecuteAsync(
                $"UPDATE conference_participants SET attended = {SqlDialect.Of(connection).In("party_id", "@attended")} WHERE conference_id = @conferenceId",
                new { attended = TypeHandlers.ToText(form.Attended), conferenceId }, transaction);
            await HistoryAsync(connection, transaction, conferenceId, now, userId, "held", null);
            await change.MoveAsync(CaseStatus.ConferenceHeld, "Conference held");
            if (reached)
            {
                var agreementId = Guid.NewGuid();
                await connection.ExecuteAsync("""
                    INSERT INTO agreements (id, conference_id, case_id, content_hash, version, created_by, created_at, updated_by, updated_at)
                    VALUES (@agreementId, @conferenceId, @CaseId, '', 1, @userId, @now, @userId, @now)
                    """, new { agreementId, conferenceId, row.CaseId, userId, now }, transaction);
                await SaveActionsAsync(connection, transaction, agreementId, form.Actions, [], context.ConferenceDate);
                await StoreContentHashAsync(connection, transaction, agreementId, conferenceId);
                await change.MoveAsync(CaseStatus.AgreementActive, $"Agreement reached with {Count(form.Actions.Count)}");
            }
            else
            {
                await change.MoveAsync(CaseStatus.NoAgreement, "No agreement reached");
            }
            change.AuditNote = reached ? "conference held: agreement reached" : "conference held: no agreement";
            return null;
        });

    /// <summary>
    /// Changes the actions of an agreement (add, edit, remove). <paramref name="version"/> is the
    /// agreement's version the user started from: if someone else saved since, nothing changes.
    /// An action already completed or missed cannot be changed or removed.
    /// </summary>
    public Task<SaveResult> ChangeActionsAsync(Guid conferenceId, IReadOnlyList<ActionForm> actions, int version, ClaimsPrincipal user) =>
        ChangeAsync(conferenceId, user, async (change, row) =>
        {
            var (connection, transaction, userId, now) = (change.Connection, change.Transaction, user.UserId(), change.Now);
            var errors = new FieldErrors();
            var context = await ContextAsync(connection, transaction, row, user);
            if (context.AgreementId is not { } agreementId || change.Status != CaseStatus.AgreementActive
                || await connection.ExecuteScalarAsync<string?>("SELECT ended FROM agreements WHERE id = @agreementId", new { agreementId }, transaction) is not null)
            {
                return SaveResult.Invalid("", "Only the actions of an active agreement can be changed");
            }
            if (context.AgreementVersion != version)
            {
                return SaveResult.Conflict("Someone else changed this agreement while you were editing. Your changes have not been saved: reload the page to see theirs, then make your changes again.");
            }
            OutcomeValidator.ValidateActions(actions, context, errors);
            var stored = context.Actions.ToDictionary(a => a.Form.Id!.Value);
            foreach (var (action, i) in actions.Select((a, i) => (a, i)))
            {
                if (action.Id is { } id && !stored.ContainsKey(id)) errors.Add($"Actions[{i}].Text", $"Action {i + 1} is not part of this agreement");
                else if (action.Id is { } done && stored[done].Status != "pending" && !Same(stored[done].Form, action))
                    errors.Add($"Actions[{i}].Text", $"Action {i + 1} is already marked {stored[done].Status}: it cannot be changed");
            }
            foreach (var kept in stored.Values.Where(s => s.Status != "pending" && actions.All(a => a.Id != s.Form.Id)))
            {
                errors.Add("Actions", $"An action already marked {kept.Status} cannot be removed");
            }
            if (!errors.IsEmpty) return SaveResult.Invalid(errors);

            var updated = await connection.ExecuteAsync(
                "UPDATE agreements SET version = version + 1, updated_by = @userId, updated_at = @now WHERE id = @agreementId AND version = @version",
                new { userId, now, agreementId, version }, transaction);
            if (updated == 0)
            {
                return SaveResult.Conflict("Someone else changed this agreement while you were editing. Reload the page to see their changes.");
            }
            await SaveActionsAsync(connection, transaction, agreementId, actions, stored.Keys.ToList(), context.ConferenceDate);
            var changed = await StoreContentHashAsync(connection, transaction, agreementId, conferenceId);
            await change.RecordAsync("agreement", $"Agreement actions changed (now {Count(actions.Count)})");
            change.AuditNote = changed ? "agreement actions changed" : "agreement actions saved unchanged";
            return null;
        });

    private static bool Same(ActionForm a, ActionForm b) =>
        a.Type == b.Type && a.Text?.Trim() == b.Text?.Trim() && a.DoneBy == b.DoneBy && a.CheckedBy == b.CheckedBy
        && a.DueOn.ToString() == b.DueOn.ToString() && (a.Amount ?? "") == (b.Amount ?? "") && (a.Hours ?? "") == (b.Hours ?? "");

    private static string Count(int actions) => actions == 1 ? "1 action" : $"{actions} actions";

    /// <summary>
    /// A change to a conference's outcome or agreement, in the case's unit of work: the conference in scope
    /// and the user's right to record its outcome (a refusal is audited and says why), then the work.
    /// </summary>
    private async Task<SaveResult> ChangeAsync(Guid conferenceId, ClaimsPrincipal user, Func<CaseChange, ConferenceRow, Task<SaveResult?>> work)
    {
        var userId = user.UserId();
        if (await caseWork.CaseOfAsync("conference", conferenceId, userId, "conference outside the user's scope or missing") is not { } caseId)
        {
            return NotFound();
        }
        var result = await caseWork.ChangeWithResultAsync(caseId, userId, async change =>
        {
            var row = await ConferenceAsync(change.Connection, change.Transaction, conferenceId, userId);
            if (row is null) return change.Deny("conference", conferenceId, "conference outside the user's scope or missing", NotFound());
            if (!MayRecord(row, user))
            {
                var errors = new FieldErrors();
                errors.Add("", NotPermitted);
                return change.Deny("conference", conferenceId, "conference outcome by someone who is not its facilitator", new SaveResult(SaveOutcome.Denied, errors));
            }
            return await work(change, row);
        });
        return result.Outcome == SaveOutcome.NotFound && result.Errors.IsEmpty ? NotFound() : result;
    }

    private static SaveResult NotFound()
    {
        var errors = new FieldErrors();
        errors.Add("", "This conference was not found");
        return new SaveResult(SaveOutcome.NotFound, errors);
    }

    private static bool MayRecord(ConferenceRow row, ClaimsPrincipal user) => FacilitatesOrAdministers(row.FacilitatorId, row.CoFacilitatorId, user);

    /// <summary>
    /// Whether <paramref name="user"/> may record the outcome of this conference now: its facilitator, its
    /// co-facilitator or an administrator, of a conference still scheduled whose start has passed. The case
    /// page and My work offer "Record the outcome" on this answer; <see cref="RecordOutcomeAsync"/> refuses on it.
    /// </summary>
    public static bool CanRecordOutcome(Guid facilitatorId, Guid? coFacilitatorId, string conferenceStatus, DateTimeOffset startsAt, ClaimsPrincipal user,
        DateTimeOffset now) =>
        OutcomeRefusal(facilitatorId, coFacilitatorId, conferenceStatus, startsAt, user, now) is null;

    /// <inheritdoc cref="CanRecordOutcome(Guid, Guid?, string, DateTimeOffset, ClaimsPrincipal, DateTimeOffset)"/>
    public static bool CanRecordOutcome(Conferences.ConferenceView conference, ClaimsPrincipal user, DateTimeOffset now) =>
        CanRecordOutcome(conference.FacilitatorId, conference.CoFacilitatorId, conference.Status, conference.StartsAt, user, now);

    /// <summary>Why <paramref name="user"/> may not record the outcome of this conference now (the server's message), or null when they may.</summary>
    public static string? OutcomeRefusal(Guid facilitatorId, Guid? coFacilitatorId, string conferenceStatus, DateTimeOffset startsAt, ClaimsPrincipal user,
        DateTimeOffset now)
    {
        if (!FacilitatesOrAdministers(facilitatorId, coFacilitatorId, user)) return NotPermitted;
        if (conferenceStatus != "scheduled") return conferenceStatus == "cancelled" ? "This conference was cancelled" : "The outcome of this conference has already been recorded";
        if (startsAt > now) return $"You can record the outcome once the conference has started ({LondonTime.Format(startsAt)})";
        return null;
    }

    /// <summary>
    /// Who answers for a conference's outcome and agreement: its facilitator, its co-facilitator, or an
    /// Administrator (the outcome page and keeping the agreement use the same rule).
    /// </summary>
    public static bool FacilitatesOrAdministers(Guid facilitatorId, Guid? coFacilitatorId, ClaimsPrincipal user)
    {
        var userId = user.UserId();
        return facilitatorId == userId || coFacilitatorId == userId || user.Allows(Policies.Administrator);
    }

    private static Task<ConferenceRow?> ConferenceAsync(DbConnection connection, IDbTransaction? transaction, Guid conferenceId, Guid userId) =>
        connection.QuerySingleOrDefaultAsync<ConferenceRow>($"""
            SELECT c.id, c.case_id, c.status, c.starts_at, c.facilitator_id, c.co_facilitator_id, k.status AS case_status, k.reference,
                   s.name AS school_name
            FROM conferences AS c JOIN cases AS k ON k.id = c.case_id JOIN schools AS s ON s.id = k.school_id
            WHERE c.id = @conferenceId AND k.{SchoolScope.SqlFilter}
            """, new { conferenceId, ScopeUserId = userId }, transaction)!;

    private async Task<OutcomeContext> ContextAsync(DbConnection connection, IDbTransaction? transaction, ConferenceRow row, ClaimsPrincipal user)
    {
        var parties = (await connection.QueryAsync<PartyDetails>("""
            SELECT id, party_role, harmed_type, supporter_type, supports_party_id, first_name, last_name, organisation_name, details_removed_at
            FROM parties WHERE case_id = @CaseId ORDER BY sort_order
            """, new { row.CaseId }, transaction)).ToList();
        var attendance = (await connection.QueryAsync<(Guid PartyId, bool? Attended)>(
            "SELECT party_id, attended FROM conference_participants WHERE conference_id = @Id", new { row.Id }, transaction)).ToDictionary(p => p.PartyId, p => p.Attended);
        var facilitators = (await connection.QueryAsync<(Guid Id, string Name)>(
            "SELECT id, display_name FROM users WHERE id IN (@FacilitatorId, @CoFacilitatorId) ORDER BY id = @FacilitatorId DESC",
            new { row.FacilitatorId, row.CoFacilitatorId }, transaction)).ToList();
        var live = parties.Where(p => p.DetailsRemovedAt is null).ToList();
        var outcome = await connection.QuerySingleAsync<(bool? Reached, bool? Exclusion)>(
            "SELECT agreement_reached, exclusion_avoided FROM conferences WHERE id = @Id", new { row.Id }, transaction);
        var agreement = await connection.QuerySingleOrDefaultAsync<(Guid Id, int Version)?>(
            "SELECT id, version FROM agreements WHERE conference_id = @Id", new { row.Id }, transaction);
        var actions = agreement is { } a ? (await connection.QueryAsync<ActionRow>("""
            SELECT id, action_type, text, done_by_party_id, due_on, checked_by_party_id, checked_by_user_id, amount_pence, hours, status
            FROM agreement_actions WHERE agreement_id = @Id ORDER BY number
            """, new { a.Id }, transaction)).Select(r => r.ToStored()).ToList() : [];
        return new OutcomeContext
        {
            ConferenceId = row.Id, CaseId = row.CaseId, Reference = row.Reference, SchoolName = row.SchoolName, StartsAt = row.StartsAt,
            Status = row.Status, CaseStatus = row.CaseStatus, StartPassed = row.StartsAt <= clock.GetUtcNow(), MayRecord = MayRecord(row, user),
            Participants = parties.Where(p => attendance.ContainsKey(p.Id))
                .Select(p => new OutcomeParticipant(p.Id, p.DisplayName, p.PartyRole, p.RoleLabel, attendance[p.Id])).ToList(),
            Doers = live.Where(p => p.PartyRole is "responsible" or "supporter").Select(p => new Choice(p.Id.ToString(), $"{p.DisplayName} – {p.RoleLabel.ToLowerInvariant()}")).ToList(),
            Checkers = facilitators.Select((f, i) => new Choice(Checker.User(f.Id), $"{f.Name} ({(i == 0 ? "facilitator" : "co-facilitator")})"))
                .Concat(live.Where(p => p.PartyRole is not "responsible").Select(p => new Choice(Checker.Party(p.Id), $"{p.DisplayName} – {p.RoleLabel.ToLowerInvariant()}")))
                .ToList(),
            AgreementReached = outcome.Reached, ExclusionAvoided = outcome.Exclusion,
            AgreementId = agreement?.Id, AgreementVersion = agreement?.Version ?? 0, Actions = actions,
        };
    }

    /// <summary>Writes the actions in the order given (numbered from 1): changes the stored ones, adds new ones, deletes the rest.</summary>
    private static async Task SaveActionsAsync(DbConnection connection, IDbTransaction transaction, Guid agreementId,
        IReadOnlyList<ActionForm> actions, IReadOnlyList<Guid> existing, DateOnly conferenceDate)
    {
        var keep = actions.Where(a => a.Id is not null).Select(a => a.Id!.Value).ToHashSet();
        // A removed action takes the history of its extended due dates with it (the case timeline keeps it).
        var notKept = SqlDialect.Of(connection).NotIn("id", "@keep");
        await connection.ExecuteAsync($"""
            DELETE FROM agreement_action_extensions
            WHERE action_id IN (SELECT id FROM agreement_actions WHERE agreement_id = @agreementId AND {notKept})
            """, new { agreementId, keep = TypeHandlers.ToText(keep) }, transaction);
        await connection.ExecuteAsync($"DELETE FROM agreement_actions WHERE agreement_id = @agreementId AND {notKept}",
            new { agreementId, keep = TypeHandlers.ToText(keep) }, transaction);
        // Numbers are unique: move the kept ones out of the way first.
        await connection.ExecuteAsync("UPDATE agreement_actions SET number = number + 100000 WHERE agreement_id = @agreementId",
            new { agreementId }, transaction);
        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            var parsed = OutcomeValidator.Parse(a, conferenceDate);
            Checker.TryParse(a.CheckedBy, out var checkerParty, out var checkerUser);
            var values = new
            {
                id = a.Id ?? Guid.NewGuid(), agreementId, number = i + 1, a.Type, text = a.Text!.Trim(), a.DoneBy, dueOn = parsed.DueOn,
                checkerParty, checkerUser, amount = a.Type == "compensation" ? parsed.AmountPence : null,
                hours = a.Type == "work" ? (double?)parsed.Hours : null,
            };
            if (a.Id is not null && existing.Contains(a.Id.Value))
            {
                await connection.ExecuteAsync("""
                    UPDATE agreement_actions SET number = @number, action_type = @Type, text = @text, done_by_party_id = @DoneBy, due_on = @dueOn,
                           checked_by_party_id = @checkerParty, checked_by_user_id = @checkerUser, amount_pence = @amount, hours = @hours
                    WHERE id = @id AND agreement_id = @agreementId
                    """, values, transaction);
            }
            else
            {
                await connection.ExecuteAsync("""
                    INSERT INTO agreement_actions (id, agreement_id, number, action_type, text, done_by_party_id, due_on,
                                                   checked_by_party_id, checked_by_user_id, amount_pence, hours, status)
                    VALUES (@id, @agreementId, @number, @Type, @text, @DoneBy, @dueOn, @checkerParty, @checkerUser, @amount, @hours, 'pending')
                    """, values, transaction);
            }
        }
    }

    /// <summary>Stores the hash of what the document now shows; true when it changed.</summary>
    internal static async Task<bool> StoreContentHashAsync(DbConnection connection, IDbTransaction transaction, Guid agreementId, Guid conferenceId)
    {
        var sourced = await AgreementDocumentSource.LoadAsync(connection, transaction, conferenceId, null);
        var hash = sourced!.Document.ContentHash();
        return await connection.ExecuteAsync("UPDATE agreements SET content_hash = @hash WHERE id = @agreementId AND content_hash <> @hash",
            new { hash, agreementId }, transaction) > 0;
    }

    private static Task HistoryAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId, DateTimeOffset now, Guid userId, string kind, string? reason) =>
        connection.ExecuteAsync("""
            INSERT INTO conference_history (conference_id, changed_at, changed_by, kind, starts_at, ends_at, room_id, facilitator_id, reason)
            SELECT id, @now, @userId, @kind, starts_at, ends_at, room_id, facilitator_id, @reason FROM conferences WHERE id = @conferenceId
            """, new { conferenceId, now, userId, kind, reason }, transaction);


    private sealed class ActionRow
    {
        public Guid Id { get; set; }
        public string ActionType { get; set; } = "";
        public string Text { get; set; } = "";
        public Guid DoneByPartyId { get; set; }
        public DateOnly DueOn { get; set; }
        public Guid? CheckedByPartyId { get; set; }
        public Guid? CheckedByUserId { get; set; }
        public long? AmountPence { get; set; }
        public double? Hours { get; set; }
        public string Status { get; set; } = "";

        public StoredAction ToStored() => new(new ActionForm
        {
            Id = Id, Type = ActionType, Text = Text, DoneBy = DoneByPartyId, DueOn = DateInput.From(DueOn),
            CheckedBy = CheckedByPartyId is { } p ? Checker.Party(p) : Checker.User(CheckedByUserId!.Value),
            Amount = AmountPence is { } pence ? (pence / 100m).ToString("0.00", CultureInfo.InvariantCulture) : null,
            Hours = Hours is { } h ? ((decimal)h).ToString("0.##", CultureInfo.InvariantCulture) : null,
        }, Status);
    }
}
