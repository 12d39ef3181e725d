using RjConferences.Features.Referrals;

namespace RjConferences.Features.FollowUps;

public sealed class FollowUpForm
{
    public string? Source { get; set; }
    public string? Result { get; set; }
    public string? CjsOutcomeType { get; set; }
    public DateInput CjsEnteredOn { get; set; } = new();
    public DateInput CheckedOn { get; set; } = new();
}

/// <summary>What /follow-ups is narrowed to: ids and dates only, so that it can live in the URL.</summary>
public sealed record FollowUpFilter(long? SchoolId = null, DateOnly? DueFrom = null, DateOnly? DueTo = null, bool OverdueOnly = false);

public sealed class FollowUpCheckView
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public string Reference { get; set; } = "";
    public string SchoolName { get; set; } = "";
    public string BoroughName { get; set; } = "";
    public string School => Schools.SchoolName.WithBorough(SchoolName, BoroughName);
    public int IntervalMonths { get; set; }
    public DateOnly DueOn { get; set; }
    public DateTimeOffset? OverdueFlaggedAt { get; set; }
    public DateOnly? CheckedOn { get; set; }
    public string? CheckedByName { get; set; }
    public string? Source { get; set; }
    public string? Result { get; set; }
    public string? CjsOutcomeType { get; set; }
    public DateOnly? CjsEnteredOn { get; set; }
}

/// <summary>
/// Youth justice reviewers record whether the young person entered the criminal justice system.
/// A check is dated on or after its due date and not in the future (London date). Once every check
/// is recorded and the agreement is completed, the case closes as diverted or entered_cjs
/// (<see cref="CloseWhenFollowUpDoneAsync"/>).
/// </summary>
public sealed class FollowUpChecks(Db db, CaseWork work, TimeProvider clock, IOptions<FollowUpOptions> options)
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<Choice> Sources =
        [new("police_records", "Police records"), new("youth_offending_team_records", "Youth offending team records"), new("school", "The school")];

    public static readonly IReadOnlyList<Choice> Results =
    [
        new("no_further_offending", "No further offending"),
        new("dealt_with_informally", "A further incident, dealt with informally"),
        new("entered_cjs", "Entered the criminal justice system"),
    ];

    public static readonly IReadOnlyList<Choice> CjsOutcomes =
    [
        new("community_resolution", "Community resolution"), new("youth_caution", "Youth caution"),
        new("youth_conditional_caution", "Youth conditional caution"), new("charge", "Charge"), new("conviction", "Conviction"),
    ];

    /// <summary>
    /// The checks with their case, school and borough; the caller adds its conditions after the WHERE (<c>AND …</c>). The checks
    /// come first: CROSS JOIN is SQLite's way to keep a join's order, and the list of checks waiting needs it (it walks them in
    /// the order shown, ix_follow_up_checks_waiting, and stops at the page's end; left to itself SQLite started from every case
    /// of the three statuses in the user's schools and sorted their checks: 0.6-1 s with a million cases). To PostgreSQL it is
    /// an inner join like any other, its condition in the WHERE.
    /// </summary>
    private const string ViewSql = """
        SELECT f.id, f.case_id, c.reference, s.name AS school_name, b.name AS borough_name, f.interval_months, f.due_on, f.overdue_flagged_at,
               f.checked_on, u.display_name AS checked_by_name, f.source, f.result, f.cjs_outcome_type, f.cjs_entered_on
        FROM follow_up_checks AS f
        CROSS JOIN cases AS c
        JOIN schools AS s ON s.id = c.school_id
        JOIN boroughs AS b ON b.id = s.borough_id
        LEFT JOIN users AS u ON u.id = f.checked_by
        WHERE c.id = f.case_id
        """;

    public async Task<IReadOnlyList<FollowUpCheckView>> ForCaseAsync(Guid caseId, Guid userId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<FollowUpCheckView>($"""
            {ViewSql}
              AND f.case_id = @caseId AND c.{SchoolScope.SqlFilter}
            ORDER BY f.interval_months
            """, new { caseId, ScopeUserId = userId })).ToList();
    }

    /// <summary>
    /// Checks waiting to be recorded in the user's scope, overdue first, then by due date; narrowed by
    /// school, due date range and overdue only when the filter asks.
    /// </summary>
    public async Task<(IReadOnlyList<FollowUpCheckView> Checks, int Total)> DueAsync(Guid userId, int page, FollowUpFilter? filter = null)
    {
        filter ??= new FollowUpFilter();
        const string conditions = $"""
            f.checked_on IS NULL AND c.status IN ('agreement_active', 'agreement_completed', 'follow_up') AND c.{SchoolScope.SqlFilter}
              AND (@SchoolId IS NULL OR c.school_id = @SchoolId)
              AND (@DueFrom IS NULL OR f.due_on >= @DueFrom) AND (@DueTo IS NULL OR f.due_on <= @DueTo)
              AND (NOT @OverdueOnly OR f.overdue_flagged_at IS NOT NULL)
            """;
        var parameters = new
        {
            ScopeUserId = userId, filter.SchoolId, filter.DueFrom, filter.DueTo, filter.OverdueOnly,
            limit = PageSize, offset = (Math.Max(1, page) - 1) * PageSize,
        };
        await using var connection = await db.OpenAsync();
        var checks = (await connection.QueryAsync<FollowUpCheckView>($"""
            {ViewSql}
              AND {conditions}
            ORDER BY f.overdue_flagged_at IS NULL, f.due_on, c.reference
            LIMIT @limit OFFSET @offset
            """, parameters)).ToList();
        // Counted the other way, in the planner's own order: from the cases in scope to their checks waiting.
        var total = await connection.ExecuteScalarAsync<int>($"""
            SELECT count(*) FROM follow_up_checks AS f JOIN cases AS c ON c.id = f.case_id
            WHERE {conditions}
            """, parameters);
        return (checks, total);
    }

    public async Task<SaveResult> RecordAsync(Guid checkId, FollowUpForm form, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (!user.Allows(Policies.Reviewer)) errors.Add("", "Only a youth justice reviewer can record a follow-up check");
        if (!Vocabulary.IsCode(Sources, form.Source)) errors.Add("Source", "Choose the records you checked");
        if (!Vocabulary.IsCode(Results, form.Result)) errors.Add("Result", "Choose what the check found");
        var today = LondonTime.Today(clock);
        var checkedOn = form.CheckedOn.Parse("Date of the check", out var checkedError);
        if (checkedError is not null) errors.Add("CheckedOn", checkedError);
        else if (checkedOn > today) errors.Add("CheckedOn", "Date of the check must be today or in the past");
        DateOnly? enteredOn = null;
        if (form.Result == "entered_cjs")
        {
            if (!Vocabulary.IsCode(CjsOutcomes, form.CjsOutcomeType)) errors.Add("CjsOutcomeType", "Choose the criminal justice outcome");
            enteredOn = form.CjsEnteredOn.Parse("Date of the criminal justice outcome", out var enteredError);
            if (enteredError is not null) errors.Add("CjsEnteredOn", enteredError);
            else if (enteredOn > today) errors.Add("CjsEnteredOn", "Date of the criminal justice outcome must be today or in the past");
        }
        if (!errors.IsEmpty) return SaveResult.Invalid(errors);

        var userId = user.UserId();
        if (await work.CaseOfAsync("follow_up_check", checkId, userId, "follow-up check outside the user's scope or missing") is not { } caseId)
        {
            errors.Add("", "This follow-up check was not found");
            return new SaveResult(SaveOutcome.NotFound, errors);
        }
        return await work.ChangeWithResultAsync(caseId, userId, async change =>
        {
            var check = await change.Connection.QuerySingleAsync<(int IntervalMonths, DateOnly DueOn, DateOnly? CheckedOn)>(
                "SELECT interval_months, due_on, checked_on FROM follow_up_checks WHERE id = @checkId", new { checkId }, change.Transaction);
            if (check.CheckedOn is not null) return SaveResult.Invalid("", "This check has already been recorded");
            if (change.Status == CaseStatus.Closed) return SaveResult.Invalid("", "The case is closed: it cannot be changed");
            if (!IsFollowedUp(change.Status)) return SaveResult.Invalid("", $"A case that is {CaseStatus.Label(change.Status).ToLowerInvariant()} has no follow-up checks to record");
            // A check looks back over the months since the conference: it cannot be made before it is due.
            if (checkedOn < check.DueOn)
            {
                errors.Add("CheckedOn", $"Date of the check must be on or after {LondonTime.FormatDate(check.DueOn)}, when the {check.IntervalMonths}-month check is due");
            }
            if (enteredOn > checkedOn) errors.Add("CjsEnteredOn", "Date of the criminal justice outcome must be on or before the date of the check");
            if (!errors.IsEmpty) return SaveResult.Invalid(errors);

            await change.Connection.ExecuteAsync("""
                UPDATE follow_up_checks SET checked_on = @checkedOn, checked_by = @userId, source = @Source, result = @Result,
                       cjs_outcome_type = @outcome, cjs_entered_on = @enteredOn, recorded_at = @Now
                WHERE id = @checkId
                """, new { checkedOn, userId, form.Source, form.Result, outcome = form.Result == "entered_cjs" ? form.CjsOutcomeType : null, enteredOn, change.Now, checkId },
                change.Transaction);
            await change.RecordAsync("follow_up", $"{check.IntervalMonths}-month follow-up check: {Vocabulary.Label(Results, form.Result).ToLowerInvariant()}");
            await CloseWhenFollowUpDoneAsync(change, options.Value.IntervalsMonths);
            change.AuditNote = $"{check.IntervalMonths}-month follow-up check recorded";
            return null;
        });
    }

    /// <summary>
    /// The statuses in which follow-up checks are created and recorded. The checks count from the
    /// conference, not from the end of the agreement: whether the young person entered the criminal
    /// justice system in the months after the conference does not depend on the agreement's actions,
    /// so a check that comes due while the agreement is still active is recorded when it is due.
    /// </summary>
    public static bool IsFollowedUp(string status) =>
        status is CaseStatus.AgreementActive or CaseStatus.AgreementCompleted or CaseStatus.FollowUp;

    /// <summary>Whether <paramref name="user"/> may record a follow-up check of a case in <paramref name="status"/> (<see cref="RecordAsync"/>): a youth justice reviewer, while the case is followed up.</summary>
    public static bool CanRecord(ClaimsPrincipal user, string status) => user.Allows(Policies.Reviewer) && IsFollowedUp(status);

    /// <summary>
    /// The closing rule, for every way a case can reach its end of follow-up (a check recorded, the
    /// agreement completed, the daily job): once the agreement is completed and a check is recorded
    /// for every configured interval — whenever each was recorded — the case moves through follow-up
    /// to closed: diverted, or entered_cjs with the first recorded entry's date and outcome type.
    /// Does nothing otherwise. Returns whether it closed the case.
    /// </summary>
    public static async Task<bool> CloseWhenFollowUpDoneAsync(CaseChange change, IReadOnlyCollection<int> intervalsMonths)
    {
        if (change.Status is not (CaseStatus.FollowUp or CaseStatus.AgreementCompleted))
        {
            return false;
        }
        var recorded = (await change.Connection.QueryAsync<int>(
            "SELECT interval_months FROM follow_up_checks WHERE case_id = @CaseId AND checked_on IS NOT NULL", new { change.CaseId }, change.Transaction)).ToHashSet();
        if (!intervalsMonths.All(recorded.Contains))
        {
            return false;
        }
        if (change.Status == CaseStatus.AgreementCompleted)
        {
            await change.MoveAsync(CaseStatus.FollowUp, "Agreement completed: every follow-up check is already recorded");
        }
        var entry = await change.Connection.QueryFirstOrDefaultAsync<(string Type, DateOnly On)?>("""
            SELECT cjs_outcome_type, cjs_entered_on FROM follow_up_checks
            WHERE case_id = @CaseId AND result = 'entered_cjs' ORDER BY cjs_entered_on LIMIT 1
            """, new { change.CaseId }, change.Transaction);
        var outcome = entry is null ? "diverted" : "entered_cjs";
        await change.CloseAsync(outcome, null,
            outcome == "diverted" ? "Closed: diverted — the young person did not enter the criminal justice system" : "Closed: entered the criminal justice system",
            entry?.Type, entry?.On);
        return true;
    }
}
