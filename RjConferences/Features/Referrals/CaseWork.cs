
namespace RjConferences.Features.Referrals;

/// <summary>What a change knows about its case, read in the change's own transaction.</summary>
public sealed record CaseState(Guid Id, string Status, long Version, DateOnly OffenceDate, DateOnly ReferredOn, long SchoolId,
    string Reference, DateTimeOffset? AnonymisedAt);

/// <summary>Whose cases a change may touch.</summary>
public enum CaseAccess
{
    /// <summary>Only a case at one of the user's schools (every change a user makes).</summary>
    UserSchools,
    /// <summary>Any case: an administrator's act on a case at a school they are not assigned (reopening).</summary>
    AnyCase,
    /// <summary>Any case, with no user: the daily job.</summary>
    System,
}

/// <summary>
/// One change to one case, inside <see cref="CaseWork.ChangeWithResultAsync"/>: the connection and transaction to
/// write with, the case as it was read, who is changing it and when. Status moves go through
/// <see cref="MoveAsync"/> (the lifecycle), never through SQL of their own.
/// </summary>
public sealed class CaseChange(DbConnection connection, IDbTransaction transaction, CaseState state, Guid? userId, DateTimeOffset now)
{
    public DbConnection Connection { get; } = connection;
    public IDbTransaction Transaction { get; } = transaction;
    public CaseState Case { get; private set; } = state;
    public Guid CaseId => Case.Id;
    public string Status => Case.Status;
    public Guid? UserId { get; } = userId;
    public DateTimeOffset Now { get; } = now;

    /// <summary>What was done, for the audit event (no personal data).</summary>
    public string? AuditNote { get; set; }

    /// <summary>How the change is audited: alter, or erase for anonymisation.</summary>
    public AuditAction AuditAction { get; set; } = AuditAction.Alter;

    /// <summary>A refusal to audit as access denied once the change has rolled back (<see cref="Deny"/>).</summary>
    internal AuditEvent? Denial { get; private set; }

    /// <summary>
    /// Refuses the change as not permitted (or not found) for this user: nothing of the change is kept,
    /// and the refusal is audited as access denied. Return what this returns from the work.
    /// </summary>
    public SaveResult Deny(string entityType, Guid entityId, string note, SaveResult result)
    {
        Denial = new AuditEvent(AuditAction.AccessDenied, EntityType: entityType, EntityId: entityId.ToString(), UserId: UserId, Justification: note);
        return result;
    }

    /// <summary>Moves the case as <see cref="CaseLifecycle"/> allows (a move it forbids refuses the whole change) and records it on the timeline.</summary>
    public async Task MoveAsync(string to, string summary)
    {
        await CaseLifecycle.MoveAsync(Connection, Transaction, Case.Id, Case.Status, to, UserId, Now, summary);
        Case = Case with { Status = to };
    }

    /// <summary>Adds an entry to the case's timeline (never personal data: name people by their role).</summary>
    public Task RecordAsync(string kind, string summary) =>
        CaseTimeline.RecordAsync(Connection, Transaction, Case.Id, UserId, Now, kind, summary, null, null);

    // The case row's own columns change only here (and its status only in CaseLifecycle): one place
    // that knows which columns go together.

    /// <summary>Closes the case with its closure outcome (and, for one that entered the criminal justice system, the first entry).</summary>
    public async Task CloseAsync(string outcome, string? reason, string summary, string? cjsOutcomeType = null, DateOnly? cjsEnteredOn = null)
    {
        await Connection.ExecuteAsync("""
            UPDATE cases SET closed_at = @Now, closure_outcome = @outcome, closure_reason = @reason, cjs_outcome_type = @cjsOutcomeType,
                             cjs_entered_on = @cjsEnteredOn
            WHERE id = @CaseId
            """, new { Now, outcome, reason, cjsOutcomeType, cjsEnteredOn, CaseId }, Transaction);
        await MoveAsync(CaseStatus.Closed, summary);
    }

    /// <summary>Reopens a closed case into <paramref name="to"/>, the status it was closed from; its closure is cleared.</summary>
    public async Task ReopenAsync(string to, string summary)
    {
        await Connection.ExecuteAsync("""
            UPDATE cases SET closed_at = NULL, closure_outcome = NULL, closure_reason = NULL, cjs_outcome_type = NULL, cjs_entered_on = NULL
            WHERE id = @CaseId
            """, new { CaseId }, Transaction);
        await MoveAsync(to, summary);
    }

    /// <summary>Withdraws the case, keeping the reason (or the one recorded before, when none is given).</summary>
    public async Task WithdrawAsync(string? reason, string summary)
    {
        await Connection.ExecuteAsync("UPDATE cases SET withdrawn_reason = coalesce(@reason, withdrawn_reason) WHERE id = @CaseId",
            new { reason, CaseId }, Transaction);
        await MoveAsync(CaseStatus.Withdrawn, summary);
    }

    /// <summary>
    /// The details that can change after referral. The date the harmed party was first offered
    /// restorative justice is the earlier of <paramref name="victimOfferedOn"/> and the day their first
    /// decision was recorded (a decision means they had been offered it by then).
    /// </summary>
    public Task UpdateDetailsAsync(string description, string? location, string? outcomeRoute, DateOnly? victimOfferedOn) =>
        Connection.ExecuteAsync("""
            UPDATE cases SET description = @description, location = @location, outcome_route = @outcomeRoute,
                             victim_first_offered_on = (
                                 SELECT min(offered.on_date) FROM (
                                     SELECT @victimOfferedOn AS on_date
                                     UNION ALL
                                     SELECT k.decided_on FROM consents AS k JOIN parties AS p ON p.id = k.party_id
                                     WHERE k.case_id = @CaseId AND p.party_role = 'harmed') AS offered)
            WHERE id = @CaseId
            """, new { description, location, outcomeRoute, victimOfferedOn, CaseId }, Transaction);

    /// <summary>The harmed party's decision on <paramref name="decidedOn"/> means they had been offered restorative justice by then.</summary>
    public Task HarmedPartyDecidedAsync(DateOnly decidedOn) =>
        Connection.ExecuteAsync("""
            UPDATE cases SET victim_first_offered_on = @decidedOn
            WHERE id = @CaseId AND (victim_first_offered_on IS NULL OR victim_first_offered_on > @decidedOn)
            """, new { decidedOn, CaseId }, Transaction);

    /// <summary>Removes the case's own free text under the retention policy (what reports count stays).</summary>
    public Task AnonymiseAsync() =>
        Connection.ExecuteAsync("""
            UPDATE cases SET description = NULL, admitted_to = NULL, withdrawn_reason = NULL, closure_reason = NULL, anonymised_at = @Now
            WHERE id = @CaseId
            """, new { Now, CaseId }, Transaction);
}

/// <summary>
/// The one unit of work for a change to a case. Every change goes through <see cref="ChangeWithResultAsync"/>,
/// in one write transaction:
/// <list type="number">
/// <item>the case is read within the user's scope (a case outside it, or none, is refused and audited as access denied);</item>
/// <item>a form that creates something claims its submission key (the same form saved again saves nothing);</item>
/// <item>the optimistic version check: <c>UPDATE cases … WHERE id = @id AND version = @version</c> (someone else saved first: conflict);</item>
/// <item>the work, with its lifecycle moves (<see cref="CaseChange.MoveAsync"/>);</item>
/// <item>one refresh of the case's derived data (<see cref="CaseDerivedData"/>);</item>
/// <item>the alter audit event.</item>
/// </list>
/// A refusal at any step rolls back everything but the access-denied audit event.
/// </summary>
public sealed class CaseWork(Db db, AuditLog audit, TimeProvider clock)
{
    /// <summary>
    /// Runs <paramref name="work"/> on the case. The work returns null to save, or a result to stop with
    /// (refused, needs confirmation): then nothing it wrote is kept.
    /// </summary>
    public async Task<SaveResult> ChangeWithResultAsync(Guid caseId, Guid? userId, Func<CaseChange, Task<SaveResult?>> work,
        long? version = null, Guid? submissionId = null, CaseAccess access = CaseAccess.UserSchools)
    {
        try
        {
            return await db.WriteAsync(async (connection, transaction) =>
            {
                var state = await ReadAsync(connection, transaction, caseId, userId, access);
                if (state is null)
                {
                    await DenyAsync(connection, transaction, "case", caseId, userId, "change to a case outside the user's scope or missing");
                    return SaveResult.NotFound();
                }
                var now = clock.GetUtcNow();
                if (submissionId is { } key && !await FormSubmissions.ClaimAsync(connection, transaction, key, caseId, userId!.Value, now))
                {
                    return SaveResult.Ok(); // this form was saved already
                }
                if (version is { } expected)
                {
                    var bumped = await connection.ExecuteAsync(
                        "UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @caseId AND version = @expected",
                        new { now, caseId, expected }, transaction);
                    if (bumped == 0) throw new StopException(SaveResult.Conflict());
                }
                var change = new CaseChange(connection, transaction, state, userId, now);
                if (await work(change) is { } stop) throw new StopException(stop, change.Denial);
                if (version is null)
                {
                    await connection.ExecuteAsync("UPDATE cases SET version = version + 1, updated_at = @now WHERE id = @caseId",
                        new { now, caseId }, transaction);
                }
                await CaseDerivedData.RefreshAsync(connection, transaction, caseId);
                await audit.RecordAsync(connection, transaction, new AuditEvent(change.AuditAction, EntityType: "case", EntityId: caseId.ToString(),
                    UserId: userId, Justification: change.AuditNote));
                return SaveResult.Ok();
            });
        }
        catch (StopException e)
        {
            if (e.Denial is not null) await audit.RecordAsync(e.Denial); // after the rollback: the refusal itself is kept
            return e.Result;
        }
        catch (LifecycleException e)
        {
            return SaveResult.Invalid("", e.Message);
        }
        catch (Exception e) when (Db.IsNotSaved(e))
        {
            return SaveResult.NotSaved(e); // rolled back with the connection: nothing of the change was kept
        }
    }

    /// <inheritdoc cref="ChangeWithResultAsync"/>
    /// <remarks>The work returns a message to refuse (shown in the error summary), or null to save.</remarks>
    public Task<SaveResult> ChangeAsync(Guid caseId, Guid? userId, Func<CaseChange, Task<string?>> work,
        long? version = null, Guid? submissionId = null, CaseAccess access = CaseAccess.UserSchools) =>
        ChangeWithResultAsync(caseId, userId, async change => await work(change) is { } refusal ? SaveResult.Invalid("", refusal) : null,
            version, submissionId, access);

    /// <summary>The tables whose rows belong to one case for ever (their <c>case_id</c> never changes).</summary>
    private static readonly Dictionary<string, string> ChildTables = new()
    {
        ["conference"] = "conferences", ["follow_up_check"] = "follow_up_checks", ["agreement"] = "agreements",
    };

    /// <summary>
    /// The case that a conference, follow-up check or agreement (<paramref name="entityType"/>) belongs to,
    /// when the user may see it. A row never moves to another case, so this can be read before the
    /// change's transaction. Null, and audited as access denied, when it is missing or outside the user's scope.
    /// </summary>
    public async Task<Guid?> CaseOfAsync(string entityType, Guid id, Guid userId, string note)
    {
        await using var connection = await db.OpenAsync();
        var caseId = await connection.ExecuteScalarAsync<Guid?>($"""
            SELECT x.case_id FROM {ChildTables[entityType]} AS x JOIN cases AS c ON c.id = x.case_id
            WHERE x.id = @id AND c.{SchoolScope.SqlFilter}
            """, new { id, ScopeUserId = userId });
        if (caseId is null)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: entityType, EntityId: id.ToString(), UserId: userId,
                Justification: note));
        }
        return caseId;
    }

    /// <summary>Audits a refused attempt on something outside the user's scope or missing.</summary>
    public async Task<SaveResult> DeniedAsync(string entityType, Guid id, Guid? userId, string note)
    {
        await using var connection = await db.OpenAsync();
        await DenyAsync(connection, null, entityType, id, userId, note);
        return SaveResult.NotFound();
    }

    private Task DenyAsync(DbConnection connection, IDbTransaction? transaction, string entityType, Guid id, Guid? userId, string note) =>
        transaction is null
            ? audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: entityType, EntityId: id.ToString(), UserId: userId, Justification: note))
            : audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AccessDenied, EntityType: entityType, EntityId: id.ToString(),
                UserId: userId, Justification: note));

    private static Task<CaseState?> ReadAsync(DbConnection connection, IDbTransaction transaction, Guid caseId, Guid? userId, CaseAccess access) =>
        connection.QuerySingleOrDefaultAsync<CaseState>($"""
            SELECT id, status, version, offence_date, referred_on, school_id, reference, anonymised_at FROM cases
            WHERE id = @caseId {(access == CaseAccess.UserSchools ? $"AND {SchoolScope.SqlFilter}" : "")}{SqlDialect.Of(connection).ForUpdate}
            """, new { caseId, ScopeUserId = userId }, transaction);

    private sealed class StopException(SaveResult result, AuditEvent? denial = null) : Exception
    {
        public SaveResult Result { get; } = result;
        public AuditEvent? Denial { get; } = denial;
    }
}
