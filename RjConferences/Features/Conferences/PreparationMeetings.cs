using RjConferences.Features.Referrals;

namespace RjConferences.Features.Conferences;

public sealed class PreparationForm
{
    /// <summary>Made when the form is opened: saving the same form again saves nothing (<see cref="FormSubmissions"/>).</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();
    public Guid? PartyId { get; set; }
    public DateInput MetOn { get; set; } = new();
    public string? Method { get; set; }
    public string? Notes { get; set; }
    public bool? PartyReady { get; set; }
}

public sealed class PreparationMeetingView
{
    public Guid Id { get; set; }
    public Guid PartyId { get; set; }
    public string PartyName { get; set; } = "";
    public string FacilitatorName { get; set; } = "";
    public DateOnly MetOn { get; set; }
    public string Method { get; set; } = "";
    public string? Notes { get; set; }
    public bool PartyReady { get; set; }
}

/// <summary>A facilitator's meetings with each party before the conference.</summary>
public sealed class PreparationMeetings(Db db, CaseWork work, TimeProvider clock)
{
    public const int MaxNotes = 2000;

    public static readonly IReadOnlyList<Choice> Methods = [new("in_person", "In person"), new("phone", "By phone")];

    public async Task<IReadOnlyList<PreparationMeetingView>> ForCaseAsync(Guid caseId, Guid userId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<PreparationMeetingView>($"""
            SELECT m.id, m.party_id, {PartyNames.Sql("p")} AS party_name,
                   u.display_name AS facilitator_name, m.met_on, m.method, m.notes, m.party_ready
            FROM preparation_meetings AS m
            JOIN parties AS p ON p.id = m.party_id
            JOIN users AS u ON u.id = m.facilitator_id
            JOIN cases AS c ON c.id = m.case_id
            WHERE m.case_id = @caseId AND c.{SchoolScope.SqlFilter}
            ORDER BY m.met_on, m.recorded_at
            """, new { caseId, ScopeUserId = userId })).ToList();
    }

    public async Task<SaveResult> RecordAsync(Guid caseId, PreparationForm form, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (!user.Allows(Policies.Facilitator)) errors.Add("", "Only a facilitator can record a preparation meeting");
        if (form.PartyId is null) errors.Add("PartyId", "Choose who the meeting was with");
        var metOn = form.MetOn.Parse("Date of the meeting", out var dateError);
        if (dateError is not null) errors.Add("MetOn", dateError);
        else if (metOn > LondonTime.Today(clock)) errors.Add("MetOn", "Date of the meeting must be today or in the past");
        if (!Vocabulary.IsCode(Methods, form.Method)) errors.Add("Method", "Choose how you met");
        if (form.Notes is { Length: > MaxNotes }) errors.Add("Notes", $"Notes must be {MaxNotes:N0} characters or fewer");
        if (form.PartyReady is null) errors.Add("PartyReady", "Select yes if the party is ready for the conference");
        if (!errors.IsEmpty) return SaveResult.Invalid(errors);

        var result = await work.ChangeWithResultAsync(caseId, user.UserId(), async change =>
        {
            if (!AllowsMeeting(change.Status))
            {
                return SaveResult.Invalid("", $"A case that is {CaseStatus.Label(change.Status).ToLowerInvariant()} has no conference to prepare");
            }
            if (metOn < change.Case.ReferredOn)
            {
                return SaveResult.Invalid("MetOn", "Date of the meeting must be on or after the date of the referral");
            }
            var partyOk = await change.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM parties WHERE id = @PartyId AND case_id = @caseId AND details_removed_at IS NULL)", new { form.PartyId, caseId }, change.Transaction);
            if (!partyOk)
            {
                return SaveResult.Invalid("PartyId", "Choose someone from this case");
            }
            await change.Connection.ExecuteAsync("""
                INSERT INTO preparation_meetings (id, case_id, party_id, facilitator_id, met_on, method, notes, party_ready, recorded_at)
                VALUES (@id, @caseId, @PartyId, @userId, @metOn, @Method, @notes, @PartyReady, @Now)
                """, new { id = Guid.NewGuid(), caseId, form.PartyId, userId = change.UserId, metOn, form.Method, notes = string.IsNullOrWhiteSpace(form.Notes) ? null : form.Notes.Trim(), form.PartyReady, change.Now },
                change.Transaction);
            await change.RecordAsync("preparation", $"Preparation meeting recorded ({(form.PartyReady == true ? "ready" : "not yet ready")})");
            change.AuditNote = "preparation meeting recorded";
            return null;
        }, submissionId: form.SubmissionId);
        return result.Outcome == SaveOutcome.NotFound ? NotFound() : result;
    }

    /// <summary>
    /// Whether a preparation meeting can be recorded for a case in this status: while its conference is
    /// still to come (before it is booked, or booked and not yet held). The case page asks the same
    /// question (<see cref="CanRecord"/>) before it offers the form.
    /// </summary>
    public static bool AllowsMeeting(string status) =>
        CaseLifecycle.IsBeforeConference(status) || status == CaseStatus.ConferenceScheduled;

    /// <summary>Whether <paramref name="user"/> may record a preparation meeting for a case in <paramref name="status"/>: a facilitator, before the conference.</summary>
    public static bool CanRecord(ClaimsPrincipal user, string status) => user.Allows(Policies.Facilitator) && AllowsMeeting(status);

    private static SaveResult NotFound()
    {
        var errors = new FieldErrors();
        errors.Add("", "This case was not found");
        return new SaveResult(SaveOutcome.NotFound, errors);
    }
}
