
namespace RjConferences.Features.Referrals;

/// <summary>A referral's <see cref="SaveResult"/>, with the case it made (or, for a school's internal matter, none).</summary>
public sealed record ReferralResult(FieldErrors Errors, Guid? CaseId = null, string? Reference = null, bool InternalMatter = false)
    : SaveResult(Errors.IsEmpty ? SaveOutcome.Saved : SaveOutcome.Invalid, Errors)
{
    public bool Succeeded => Errors.IsEmpty;
}

/// <summary>One reason a case is not eligible for a conference; PartyName names the young person for the age reasons.</summary>
public sealed record IneligibilityReason(string Code, string? PartyName)
{
    public string Label => Vocabulary.Label(Vocabulary.IneligibilityReasons, Code) + (PartyName is null ? "" : $" ({PartyName})");
}

/// <summary>Saves a new referral: validation, eligibility, reference number, parties, timeline and audit in one transaction.</summary>
public sealed class ReferralService(Db db, SchoolScope scope, AuditLog audit, TimeProvider clock, IOptions<ReferralOptions> options)
{
    public async Task<ReferralValidator.Context> ContextAsync(Guid userId)
    {
        await using var connection = await db.OpenAsync();
        var categories = (await connection.QueryAsync<long>("SELECT id FROM offence_categories WHERE active = TRUE")).ToHashSet();
        var now = clock.GetUtcNow();
        return new ReferralValidator.Context(await scope.SchoolIdsAsync(userId), categories, LondonTime.Today(clock), now);
    }

    public async Task<IReadOnlyList<Choice>> OffenceCategoriesAsync()
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(long Id, string Name)>("SELECT id, name FROM offence_categories WHERE active = TRUE ORDER BY sort_order"))
            .Select(c => new Choice(c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Name)).ToList();
    }

    /// <summary>
    /// Saves the referral. When the database fails the save (full disk, I/O error, busy, out of reach) nothing is
    /// committed, and the result says so in the error summary: the form keeps what was typed, to send again.
    /// </summary>
    public Task<ReferralResult> SaveAsync(ReferralForm form, Guid userId) =>
        SaveResult.CatchNotSavedAsync(() => SaveCheckedAsync(form, userId), notSaved => new ReferralResult(notSaved.Errors), "The referral");

    private async Task<ReferralResult> SaveCheckedAsync(ReferralForm form, Guid userId)
    {
        var context = await ContextAsync(userId);
        var errors = ReferralValidator.All(form, context, out var offenceAt);
        if (form.SchoolId is { } school && !context.SchoolsInScope.Contains(school))
        {
            // A school outside the user's scope can only come from a forged form.
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "school", EntityId: school.ToString(System.Globalization.CultureInfo.InvariantCulture),
                UserId: userId, Justification: "referral for a school outside the user's scope"));
        }
        if (!errors.IsEmpty)
        {
            return new ReferralResult(errors);
        }

        if (form.SchoolWouldDealInternally == true)
        {
            await db.WriteAsync(async (connection, transaction) =>
            {
                await connection.ExecuteAsync("""
                    INSERT INTO school_internal_matters (school_id, recorded_on, offence_category_id, recorded_by, submission_id)
                    VALUES (@SchoolId, @today, @OffenceCategoryId, @userId, @SubmissionId)
                    ON CONFLICT (submission_id) DO NOTHING
                    """, new { form.SchoolId, today = context.Today, form.OffenceCategoryId, userId, form.SubmissionId }, transaction);
            });
            return new ReferralResult(errors, InternalMatter: true);
        }

        var offenceDate = form.OffenceDate.Parse("x", out _)!.Value;
        var partyIds = form.AllParties.ToDictionary(p => p.Key, _ => Guid.NewGuid());
        var reasons = Eligibility.Evaluate(form.Admitted == true, form.Gravity!.Value, options.Value.MaxGravity, offenceDate,
            form.YoungPeople.Select(p => (partyIds[p.Key], p.DateOfBirth.Parse("x", out _)!.Value)));
        var status = CaseLifecycle.Initial(eligible: reasons.Count == 0);

        return await db.WriteAsync(async (connection, transaction) =>
        {
            // Saving twice (a double click, a retried request, on any instance) returns the first referral.
            await Db.LockAsync(connection, transaction, DbLock.NewReferral);
            var existing = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Reference)?>(
                "SELECT id, reference FROM cases WHERE submission_id = @SubmissionId", new { form.SubmissionId }, transaction);
            if (existing is { } done)
            {
                return new ReferralResult(errors, done.Id, done.Reference);
            }

            var now = clock.GetUtcNow();
            var year = LondonTime.ToLondon(now).Year;
            var number = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO reference_counters (year, last_number) VALUES (@year, 1)
                ON CONFLICT (year) DO UPDATE SET last_number = reference_counters.last_number + 1
                RETURNING last_number
                """, new { year }, transaction);
            var reference = $"RJ-{year}-{number:D5}";
            var caseId = Guid.NewGuid();

            await connection.ExecuteAsync("""
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id,
                                   gravity, description, admitted, admitted_on, admitted_to, outcome_route, eligible,
                                   referred_at, referred_on, referred_by, victim_first_offered_on, submission_id, version, updated_at)
                VALUES (@caseId, @reference, @SchoolId, @status, @Location, @offenceAt, @offenceDate, @OffenceCategoryId,
                        @Gravity, @Description, @Admitted, @admittedOn, @AdmittedTo, @OutcomeRoute, @eligible,
                        @now, @today, @userId, @victimOfferedOn, @SubmissionId, 1, @now)
                """, new
            {
                caseId, reference, form.SchoolId, status, form.Location, offenceAt, offenceDate, form.OffenceCategoryId,
                form.Gravity, Description = form.Description!.Trim(), form.Admitted,
                admittedOn = form.Admitted == true ? form.AdmittedOn.Parse("x", out _) : null,
                AdmittedTo = form.Admitted == true ? form.AdmittedTo?.Trim() : null,
                form.OutcomeRoute, eligible = reasons.Count == 0, now, today = LondonTime.DateOf(now),
                userId, victimOfferedOn = form.VictimFirstOfferedOn.IsEmpty ? null : form.VictimFirstOfferedOn.Parse("x", out _), form.SubmissionId,
            }, transaction);

            var order = 0;
            foreach (var party in form.AllParties)
            {
                await InsertPartyAsync(connection, transaction, caseId, partyIds, party, offenceDate, order++);
            }
            foreach (var reason in reasons)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO case_ineligibility_reasons (case_id, reason, party_id) VALUES (@caseId, @Code, @PartyId)",
                    new { caseId, reason.Code, reason.PartyId }, transaction);
            }
            await CaseTimeline.RecordAsync(connection, transaction, caseId, userId, now, "referred",
                status == CaseStatus.Referred ? "Referral recorded: eligible for a conference" : "Referral recorded: not eligible",
                null, status);
            await CaseDerivedData.RefreshAsync(connection, transaction, caseId);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Collect, EntityType: "case", EntityId: caseId.ToString(), UserId: userId));
            return new ReferralResult(errors, caseId, reference);
        });
    }

    /// <summary>
    /// Why a case is not eligible, in the order of <see cref="Vocabulary.IneligibilityReasons"/>, with the young
    /// person's name for the age reasons; empty when it is eligible or outside the user's scope.
    /// </summary>
    public async Task<IReadOnlyList<IneligibilityReason>> IneligibilityReasonsAsync(Guid caseId, Guid userId)
    {
        var sql = $"""
            SELECT r.reason, CASE WHEN p.id IS NOT NULL THEN {PartyNames.Sql("p")} END
            FROM case_ineligibility_reasons AS r
            JOIN cases AS c ON c.id = r.case_id
            LEFT JOIN parties AS p ON p.id = r.party_id
            WHERE r.case_id = @caseId AND c.{SchoolScope.SqlFilter}
            ORDER BY p.sort_order
            """;
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<(string Code, string? PartyName)>(sql, new { caseId, ScopeUserId = userId });
        return rows
            .OrderBy(r => Vocabulary.IneligibilityReasons.ToList().FindIndex(c => c.Code == r.Code))
            .Select(r => new IneligibilityReason(r.Code, r.PartyName))
            .ToList();
    }

    private static Task InsertPartyAsync(DbConnection connection, IDbTransaction transaction, Guid caseId,
        IReadOnlyDictionary<Guid, Guid> partyIds, PartyForm p, DateOnly offenceDate, int order)
    {
        var dob = p.Role == "responsible" ? p.DateOfBirth.Parse("x", out _) : null;
        return connection.ExecuteAsync("""
            INSERT INTO parties (id, case_id, party_role, harmed_type, supporter_type, supports_party_id, first_name, last_name,
                                 organisation_name, first_name_key, last_name_key, date_of_birth, age_at_offence, gender,
                                 ethnic_group, year_group, special_educational_needs, phone, email, address, contact_consent, contact_by, sort_order)
            VALUES (@id, @caseId, @Role, @HarmedType, @SupporterType, @supports, @firstName, @lastName,
                    @organisation, @firstKey, @lastKey, @dob, @age, @Gender,
                    @EthnicGroup, @YearGroup, @SpecialEducationalNeeds, @phone, @email, @address, @contactConsent, @contactBy, @order)
            """, new
        {
            id = partyIds[p.Key], caseId, p.Role,
            HarmedType = p.Role == "harmed" ? p.HarmedType : null,
            SupporterType = p.Role == "supporter" ? p.SupporterType : null,
            supports = p.SupportsKey is { } s && p.Role == "supporter" ? partyIds[s] : (Guid?)null,
            firstName = p.IsOrganisation ? null : p.FirstName?.Trim(),
            lastName = p.IsOrganisation ? null : p.LastName?.Trim(),
            organisation = p.IsOrganisation ? p.OrganisationName?.Trim() : null,
            firstKey = p.IsOrganisation ? null : NameKeys.Key(p.FirstName),
            lastKey = p.IsOrganisation ? null : NameKeys.Key(p.LastName),
            dob, age = dob is { } d ? Eligibility.AgeOn(d, offenceDate) : (int?)null,
            Gender = p.Role == "responsible" ? p.Gender : null,
            EthnicGroup = p.Role == "responsible" ? p.EthnicGroup : null,
            YearGroup = p.Role == "responsible" ? p.YearGroup : null,
            SpecialEducationalNeeds = p.Role == "responsible" ? p.SpecialEducationalNeeds : null,
            phone = Blank(p.Phone), email = Blank(p.Email), address = Blank(p.Address),
            contactConsent = p.StoredContactConsent, contactBy = p.StoredContactBy, order,
        }, transaction);
    }

    internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The case timeline: every change, who and when.</summary>
public static class CaseTimeline
{
    /// <summary>
    /// Records a change to a case on its timeline, after the change itself, in the same transaction.
    /// The case's derived data is refreshed once at the end of the change (<see cref="CaseWork"/>).
    /// </summary>
    public static async Task RecordAsync(DbConnection connection, IDbTransaction transaction, Guid caseId, Guid? userId,
        DateTimeOffset at, string kind, string summary, string? fromStatus, string? toStatus)
    {
        await connection.ExecuteAsync("""
            INSERT INTO case_events (case_id, occurred_at, user_id, kind, summary, from_status, to_status)
            VALUES (@caseId, @at, @userId, @kind, @summary, @fromStatus, @toStatus)
            """, new { caseId, at, userId, kind, summary, fromStatus, toStatus }, transaction);
    }
}
