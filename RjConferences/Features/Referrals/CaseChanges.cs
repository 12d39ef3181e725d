
namespace RjConferences.Features.Referrals;

public sealed class SuitabilityForm
{
    /// <summary>Made when the form is opened: saving the same form again saves nothing (<see cref="FormSubmissions"/>).</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();
    public string? RiskToParties { get; set; }
    public string? PowerImbalance { get; set; }
    public string? AcceptanceOfResponsibility { get; set; }
    public string? HarmedPartyWishes { get; set; }
    public string? Outcome { get; set; }
    public string? Reason { get; set; }
}

public sealed class ConsentForm
{
    /// <summary>Made when the form is opened: saving the same form again saves nothing (<see cref="FormSubmissions"/>).</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();
    public Guid? PartyId { get; set; }
    public string? Purpose { get; set; }
    public string? Decision { get; set; }
    public DateInput DecidedOn { get; set; } = new();
    public string? Method { get; set; }
}

public sealed class CaseEdit
{
    /// <summary>Made when the form is opened: saving the same form again saves nothing (<see cref="FormSubmissions"/>).</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();
    public string? Description { get; set; }
    public string? Location { get; set; }
    public string? OutcomeRoute { get; set; }
    public DateInput VictimFirstOfferedOn { get; set; } = new();
}

/// <summary>A correction of a party's name and contact details; who they are in the case (role, whom they support) stays.</summary>
public sealed class PartyEdit
{
    /// <summary>Made when the form is opened: saving the same form again saves nothing (<see cref="FormSubmissions"/>).</summary>
    public Guid SubmissionId { get; set; } = Guid.NewGuid();
    public Guid PartyId { get; set; }
    public PartyForm Party { get; set; } = new();
}

/// <summary>
/// Changes to a case after referral: suitability, consent, the victim-contact date, details, and
/// withdrawal. Each runs in one write transaction within the user's scope, moves the case only as
/// <see cref="CaseLifecycle"/> allows, adds to the timeline and the audit log (alter), and bumps the
/// case's version so that a stale edit is refused rather than silently overwriting.
/// </summary>
public sealed class CaseChanges(Db db, CaseWork work, TimeProvider clock)
{
    public const int MaxAssessmentText = 2000;

    public Task<SaveResult> RecordSuitabilityAsync(Guid caseId, SuitabilityForm form, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (!user.Allows(Policies.Facilitator))
        {
            errors.Add("", "Only a facilitator can record a suitability assessment");
            return Task.FromResult(SaveResult.Invalid(errors));
        }
        Required(errors, "RiskToParties", form.RiskToParties, "Describe the risk to either party", "Risk to either party");
        Required(errors, "PowerImbalance", form.PowerImbalance, "Describe any power imbalance between the parties", "Power imbalance between the parties");
        Required(errors, "AcceptanceOfResponsibility", form.AcceptanceOfResponsibility, "Describe how far the young person accepts responsibility", "The young person's acceptance of responsibility");
        Required(errors, "HarmedPartyWishes", form.HarmedPartyWishes, "Describe the harmed party's wishes", "The harmed party's wishes");
        if (form.Outcome is not ("suitable" or "not_suitable")) errors.Add("Outcome", "Choose suitable or not suitable");
        else if (form.Outcome == "not_suitable") Required(errors, "Reason", form.Reason, "Give the reason the case is not suitable", "Reason");
        // A reason typed before choosing "suitable" is saved too, so it has the same limit.
        if (form.Outcome != "not_suitable" && form.Reason is { Length: > MaxAssessmentText }) errors.Add("Reason", TextLimits.TooLong("Reason", MaxAssessmentText));
        if (!errors.IsEmpty) return Task.FromResult(SaveResult.Invalid(errors));

        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            var (connection, transaction, state, now) = (change.Connection, change.Transaction, change.Case, change.Now);
            if (!AllowsAssessment(state.Status))
            {
                return $"A case that is {CaseStatus.Label(state.Status).ToLowerInvariant()} cannot be assessed again";
            }
            await connection.ExecuteAsync("""
                INSERT INTO suitability_assessments (id, case_id, assessed_by, assessed_at, risk_to_parties, power_imbalance,
                                                     acceptance_of_responsibility, harmed_party_wishes, outcome, reason, number)
                VALUES (@id, @caseId, @userId, @now, @RiskToParties, @PowerImbalance, @AcceptanceOfResponsibility, @HarmedPartyWishes, @Outcome, @reason,
                        (SELECT coalesce(max(number), 0) + 1 FROM suitability_assessments WHERE case_id = @caseId))
                """, new
            {
                id = Guid.NewGuid(), caseId, userId = user.UserId(), now, RiskToParties = form.RiskToParties!.Trim(),
                PowerImbalance = form.PowerImbalance!.Trim(), AcceptanceOfResponsibility = form.AcceptanceOfResponsibility!.Trim(),
                HarmedPartyWishes = form.HarmedPartyWishes!.Trim(), form.Outcome, reason = form.Reason?.Trim(),
            }, transaction);
            await SettleAsync(change, form.Outcome == "suitable" ? "Suitability assessed: suitable" : "Suitability assessed: not suitable");
            return null;
        }, submissionId: form.SubmissionId);
    }

    public Task<SaveResult> RecordConsentAsync(Guid caseId, ConsentForm form, ClaimsPrincipal user)
    {
        if (!IsCaseWorker(user))
        {
            return Task.FromResult(SaveResult.Invalid("", "Only a referrer or a facilitator can record consent"));
        }
        var errors = new FieldErrors();
        if (form.PartyId is null) errors.Add("PartyId", "Choose whose consent this is");
        if (!Vocabulary.IsCode(Vocabulary.ConsentPurposes, form.Purpose)) errors.Add("Purpose", "Choose what the consent is for");
        if (form.Decision is not ("given" or "refused")) errors.Add("Decision", "Choose given or refused");
        if (!Vocabulary.IsCode(Vocabulary.ConsentMethods, form.Method)) errors.Add("Method", "Choose how the consent was taken");
        var decidedOn = form.DecidedOn.Parse("Date of the decision", out var dateError);
        if (dateError is not null) errors.Add("DecidedOn", dateError);
        else if (decidedOn > LondonTime.Today(clock)) errors.Add("DecidedOn", "Date of the decision must be today or in the past");
        if (!errors.IsEmpty) return Task.FromResult(SaveResult.Invalid(errors));

        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            var (connection, transaction, state, now) = (change.Connection, change.Transaction, change.Case, change.Now);
            if (!AllowsConsent(state.Status))
            {
                return $"Consent cannot be recorded for a case that is {CaseStatus.Label(state.Status).ToLowerInvariant()}";
            }
            if (decidedOn < state.OffenceDate)
            {
                return "Date of the decision must be on or after the date of the offence";
            }
            var party = await connection.QuerySingleOrDefaultAsync<(string Role, string? SupporterType, string? Removed)?>(
                "SELECT party_role, supporter_type, details_removed_at FROM parties WHERE id = @PartyId AND case_id = @caseId",
                new { form.PartyId, caseId }, transaction);
            if (party is not { } p || p.Removed is not null || !(p.Role is "responsible" or "harmed" || p.SupporterType is "parent" or "guardian"))
            {
                return "Choose a young person, harmed party, parent or guardian of this case";
            }
            var inForce = await connection.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (SELECT 1 FROM consents WHERE party_id = @PartyId AND purpose = @Purpose AND decision = 'given' AND withdrawn_on IS NULL)
                """, new { form.PartyId, form.Purpose }, transaction);
            if (inForce && form.Decision == "given")
            {
                return "This consent has already been given";
            }
            await connection.ExecuteAsync("""
                INSERT INTO consents (id, case_id, party_id, purpose, decision, decided_on, method, taken_by, recorded_at)
                VALUES (@id, @caseId, @PartyId, @Purpose, @Decision, @decidedOn, @Method, @userId, @now)
                """, new { id = Guid.NewGuid(), caseId, form.PartyId, form.Purpose, form.Decision, decidedOn, form.Method, userId = user.UserId(), now }, transaction);
            if (p.Role == "harmed")
            {
                // A harmed party who gave or refused consent had been offered restorative justice by that day.
                await change.HarmedPartyDecidedAsync(decidedOn!.Value);
            }

            var purpose = Vocabulary.Label(Vocabulary.ConsentPurposes, form.Purpose).ToLowerInvariant();
            if (form.Decision == "refused" && form.Purpose == "take_part")
            {
                // Keep only what reports need (age, gender, ethnic group) of someone who said no.
                await connection.ExecuteAsync("""
                    UPDATE parties SET first_name = NULL, last_name = NULL, organisation_name = NULL, first_name_key = NULL,
                                       last_name_key = NULL, date_of_birth = NULL, phone = NULL, email = NULL, address = NULL,
                                       contact_consent = NULL, contact_by = NULL, details_removed_at = @now
                    WHERE id = @PartyId
                    """, new { form.PartyId, now }, transaction);
                await change.WithdrawAsync("consent refused", $"Consent refused for {purpose}: the case cannot go to a conference; the party's details were removed");
                return null;
            }
            await SettleAsync(change, $"Consent {(form.Decision == "given" ? "given" : "refused")} for {purpose}");
            return null;
        }, submissionId: form.SubmissionId);
    }

    public Task<SaveResult> WithdrawConsentAsync(Guid caseId, Guid consentId, DateInput withdrawnOn, ClaimsPrincipal user)
    {
        if (!IsCaseWorker(user))
        {
            return Task.FromResult(SaveResult.Invalid("", "Only a referrer or a facilitator can record a withdrawal of consent"));
        }
        var date = withdrawnOn.Parse("Date consent was withdrawn", out var dateError);
        if (dateError is not null) return Task.FromResult(SaveResult.Invalid("WithdrawnOn", dateError));
        if (date > LondonTime.Today(clock)) return Task.FromResult(SaveResult.Invalid("WithdrawnOn", "Date consent was withdrawn must be today or in the past"));

        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            var (connection, transaction, state, now) = (change.Connection, change.Transaction, change.Case, change.Now);
            if (!AllowsChange(state.Status)) return ClosedRefusal;
            var consent = await connection.QuerySingleOrDefaultAsync<(string Purpose, DateOnly DecidedOn)?>("""
                SELECT purpose, decided_on FROM consents
                WHERE id = @consentId AND case_id = @caseId AND decision = 'given' AND withdrawn_on IS NULL
                """, new { consentId, caseId }, transaction);
            if (consent is not { } c) return "This consent is not in force";
            if (date < c.DecidedOn) return "Date consent was withdrawn must be on or after the date it was given";
            await connection.ExecuteAsync("UPDATE consents SET withdrawn_on = @date WHERE id = @consentId", new { date, consentId }, transaction);
            var summary = $"Consent withdrawn for {Vocabulary.Label(Vocabulary.ConsentPurposes, c.Purpose).ToLowerInvariant()}";
            if (state.Status == CaseStatus.ConferenceScheduled && c.Purpose == "take_part")
            {
                await change.MoveAsync(CaseStatus.AwaitingConsent, summary);
            }
            else
            {
                await SettleAsync(change, summary);
            }
            return null;
        });
    }

    /// <summary>Edits the details that can change after referral, refusing a stale version.</summary>
    public Task<SaveResult> EditAsync(Guid caseId, CaseEdit form, long version, ClaimsPrincipal user)
    {
        if (!IsCaseWorker(user))
        {
            return Task.FromResult(SaveResult.Invalid("", "Only a referrer or a facilitator can change a case"));
        }
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(form.Description)) errors.Add("Description", "Describe what happened");
        else if (form.Description.Length > ReferralValidator.MaxDescription) errors.Add("Description", $"What happened must be {ReferralValidator.MaxDescription:N0} characters or fewer (it is {form.Description.Length:N0})");
        if (!Vocabulary.IsCode(Vocabulary.Locations, form.Location)) errors.Add("Location", "Choose where it happened");
        if (!Vocabulary.IsCode(Vocabulary.OutcomeRoutes, form.OutcomeRoute)) errors.Add("OutcomeRoute", "Choose the outcome route");
        DateOnly? offered = null;
        if (!form.VictimFirstOfferedOn.IsEmpty)
        {
            offered = form.VictimFirstOfferedOn.Parse("Date the harmed party was first offered restorative justice", out var error);
            if (error is not null) errors.Add("VictimFirstOfferedOn", error);
            else if (offered > LondonTime.Today(clock)) errors.Add("VictimFirstOfferedOn", "Date the harmed party was first offered restorative justice must be today or in the past");
        }
        if (!errors.IsEmpty) return Task.FromResult(SaveResult.Invalid(errors));

        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            var (connection, transaction, state, now) = (change.Connection, change.Transaction, change.Case, change.Now);
            if (!AllowsChange(state.Status)) return ClosedRefusal;
            if (offered < state.OffenceDate) return "Date the harmed party was first offered restorative justice must be on or after the date of the offence";
            // A recorded decision of the harmed party (consent given or refused) means they were offered it by then: a later
            // date is refused, not quietly replaced; an empty date takes the day of that decision.
            var decidedOn = await connection.ExecuteScalarAsync<DateOnly?>("""
                SELECT min(k.decided_on) FROM consents AS k JOIN parties AS p ON p.id = k.party_id
                WHERE k.case_id = @caseId AND p.party_role = 'harmed'
                """, new { caseId }, transaction);
            if (offered > decidedOn)
            {
                return $"Date the harmed party was first offered restorative justice must be on or before {decidedOn:d MMMM yyyy}, when their decision was recorded";
            }
await change.UpdateDetailsAsync(form.Description!.Trim(), form.Location, form.OutcomeRoute, offered);
            await change.RecordAsync("edited", "Case details changed");
            return null;
        }, version: version, submissionId: form.SubmissionId);
    }

    /// <summary>
    /// Corrects a party's name and contact details (a misspelt name, a new phone number), refusing a
    /// stale version of the case. The search keys follow the name (the database derives them from the
    /// party's name keys), the report facts follow through the timeline, and each agreement's content
    /// hash is stored again, so that the next agreement document is a new version with the new name.
    /// Not on a closed or anonymised case, nor for a party whose details were removed.
    /// </summary>
    public async Task<SaveResult> EditPartyAsync(Guid caseId, PartyEdit form, long version, ClaimsPrincipal user)
    {
        if (!IsCaseWorker(user))
        {
            return SaveResult.Invalid("", "Only a referrer or a facilitator can change a party's details");
        }
        // Who a party is in the case never changes after referral: read it to know which rules apply.
        PartyDetails? saved;
        await using (var connection = await db.OpenAsync())
        {
            saved = await connection.QuerySingleOrDefaultAsync<PartyDetails>(
                "SELECT id, party_role, harmed_type, supporter_type FROM parties WHERE id = @PartyId AND case_id = @caseId", new { form.PartyId, caseId });
        }
        var party = form.Party;
        party.Role = saved?.PartyRole ?? "responsible";
        party.HarmedType = saved?.HarmedType;
        var errors = ReferralValidator.PartyDetails(party, "Party");
        if (!errors.IsEmpty) return SaveResult.Invalid(errors);

        return await work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            var (connection, transaction, state, now) = (change.Connection, change.Transaction, change.Case, change.Now);
            if (!AllowsChange(state.Status)) return ClosedRefusal;
            var person = !party.IsOrganisation;
            var updated = await connection.ExecuteAsync("""
                UPDATE parties SET first_name = @firstName, last_name = @lastName, organisation_name = @organisation,
                                   first_name_key = @firstKey, last_name_key = @lastKey, phone = @phone, email = @email, address = @address,
                                   contact_consent = @contactConsent, contact_by = @contactBy
                WHERE id = @PartyId AND case_id = @caseId AND details_removed_at IS NULL
                """, new
            {
                firstName = person ? party.FirstName!.Trim() : null, lastName = person ? party.LastName!.Trim() : null,
                organisation = person ? null : party.OrganisationName!.Trim(),
                firstKey = person ? NameKeys.Key(party.FirstName) : null, lastKey = person ? NameKeys.Key(party.LastName) : null,
                phone = ReferralService.Blank(party.Phone), email = ReferralService.Blank(party.Email), address = ReferralService.Blank(party.Address),
                contactConsent = party.StoredContactConsent, contactBy = party.StoredContactBy, form.PartyId, caseId,
            }, transaction);
            if (updated == 0) return "This person's details cannot be changed: they were removed, or they are not part of this case";
            var agreements = await connection.QueryAsync<(Guid Id, Guid ConferenceId)>(
                "SELECT id, conference_id FROM agreements WHERE case_id = @caseId", new { caseId }, transaction);
            foreach (var agreement in agreements)
            {
                await Agreements.AgreementOutcomes.StoreContentHashAsync(connection, transaction, agreement.Id, agreement.ConferenceId);
            }
            // The timeline never repeats personal data: the party is named by role.
            await CaseTimeline.RecordAsync(connection, transaction, caseId, user.UserId(), now, "edited",
                $"Details corrected: {saved!.RoleLabel.ToLowerInvariant()}", null, null);
            return null;
        }, version: version, submissionId: form.SubmissionId);
    }

    public Task<SaveResult> WithdrawCaseAsync(Guid caseId, string? reason, ClaimsPrincipal user)
    {
        if (!IsCaseWorker(user))
        {
            return Task.FromResult(SaveResult.Invalid("", "Only a referrer or a facilitator can withdraw a case"));
        }
        if (string.IsNullOrWhiteSpace(reason)) return Task.FromResult(SaveResult.Invalid("WithdrawReason", "Give the reason the case is withdrawn"));
        if (reason.Length > TextLimits.Reason) return Task.FromResult(SaveResult.Invalid("WithdrawReason", TextLimits.TooLong("The reason", TextLimits.Reason)));
        return work.ChangeAsync(caseId, user.UserId(), async change =>
        {
            if (!AllowsChange(change.Status)) return ClosedRefusal;
            await change.WithdrawAsync(reason.Trim(), "Case withdrawn");
            return null;
        });
    }

    // The rules that the case page asks before it offers a form, and that the methods above refuse on
    // (the role at the top of each method, the status inside its unit of work, with the same messages).

    /// <summary>A referrer or a facilitator: who records consent, corrects details, withdraws and closes a case.</summary>
    public static bool IsCaseWorker(ClaimsPrincipal user) => user.Allows(Policies.CaseWorker);

    /// <summary>A case can be assessed (again) before its conference, or after it was found not suitable.</summary>
    public static bool AllowsAssessment(string status) => CaseLifecycle.IsBeforeConference(status) || status == CaseStatus.NotSuitable;

    /// <summary>Whether <paramref name="user"/> may record a suitability assessment of a case in <paramref name="status"/> (<see cref="RecordSuitabilityAsync"/>).</summary>
    public static bool CanAssess(ClaimsPrincipal user, string status) => user.Allows(Policies.Facilitator) && AllowsAssessment(status);

    /// <summary>Consent is recorded until the conference is held.</summary>
    public static bool AllowsConsent(string status) => CaseLifecycle.IsBeforeConference(status) || status == CaseStatus.ConferenceScheduled;

    /// <summary>Whether <paramref name="user"/> may record consent for a case in <paramref name="status"/> (<see cref="RecordConsentAsync"/>).</summary>
    public static bool CanRecordConsent(ClaimsPrincipal user, string status) => IsCaseWorker(user) && AllowsConsent(status);

    /// <summary>A closed case is read-only.</summary>
    public static bool AllowsChange(string status) => status != CaseStatus.Closed;

    private const string ClosedRefusal = "A closed case cannot be changed";

    /// <summary>
    /// Whether <paramref name="user"/> may change a case in <paramref name="status"/>: its details (<see cref="EditAsync"/>),
    /// a party's details (<see cref="EditPartyAsync"/>) and a withdrawal of consent (<see cref="WithdrawConsentAsync"/>).
    /// </summary>
    public static bool CanEdit(ClaimsPrincipal user, string status) => IsCaseWorker(user) && AllowsChange(status);

    /// <summary>
    /// Whether <paramref name="user"/> may withdraw a case in <paramref name="status"/> (<see cref="WithdrawCaseAsync"/>): the lifecycle
    /// allows the move, and the case is not closed (closed to withdrawn is the lifecycle's row for an administrator's reopening, not a withdrawal).
    /// </summary>
    public static bool CanWithdraw(ClaimsPrincipal user, string status) =>
        IsCaseWorker(user) && AllowsChange(status) && CaseLifecycle.CanMove(status, CaseStatus.Withdrawn);

    /// <summary>Puts a case before its conference where its assessment and consents say it belongs.</summary>
    private static async Task SettleAsync(CaseChange change, string summary)
    {
        var target = change.Status;
        if (CaseLifecycle.IsBeforeConference(change.Status) || change.Status == CaseStatus.NotSuitable)
        {
            var suitability = await change.Connection.ExecuteScalarAsync<string?>(
                "SELECT outcome FROM suitability_assessments WHERE case_id = @CaseId ORDER BY number DESC LIMIT 1", new { change.CaseId }, change.Transaction);
            target = CaseLifecycle.Settle(suitability, await AllConsentsGivenAsync(change.Connection, change.Transaction, change.CaseId));
        }
        if (target == change.Status)
        {
            await change.RecordAsync("changed", summary);
            return;
        }
        // A new referral, or a reassessed "not suitable" case, passes through assessing on its way.
        if (!CaseLifecycle.CanMove(change.Status, target) && CaseLifecycle.CanMove(change.Status, CaseStatus.Assessing)
            && CaseLifecycle.CanMove(CaseStatus.Assessing, target))
        {
            await change.MoveAsync(CaseStatus.Assessing, "Assessment started");
        }
        await change.MoveAsync(target, summary);
    }

    /// <summary>Every young person, harmed party and parent or guardian has given consent to take part, and it is in force.</summary>
    public static Task<bool> AllConsentsGivenAsync(DbConnection connection, IDbTransaction? transaction, Guid caseId) =>
        connection.ExecuteScalarAsync<bool>("""
            SELECT NOT EXISTS (
                SELECT 1 FROM parties AS p
                WHERE p.case_id = @caseId
                  AND (p.party_role IN ('responsible', 'harmed') OR (p.party_role = 'supporter' AND p.supporter_type IN ('parent', 'guardian')))
                  AND NOT EXISTS (SELECT 1 FROM consents AS k WHERE k.party_id = p.id AND k.purpose = 'take_part'
                                  AND k.decision = 'given' AND k.withdrawn_on IS NULL))
            """, new { caseId }, transaction);

    private static void Required(FieldErrors errors, string field, string? value, string missing, string label)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(field, missing);
        else if (value.Length > MaxAssessmentText) errors.Add(field, TextLimits.TooLong(label, MaxAssessmentText));
    }

}
