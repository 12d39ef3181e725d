using RjConferences.Features.Referrals;

namespace RjConferences.Features.Conferences;

/// <summary>
/// Books, reschedules, cancels and records "not held". The checks and the write run in one
/// transaction that takes the write lock first, so two conflicting bookings can never both succeed.
/// Conflict messages name the room, a facilitator or one of this case's own parties, never
/// anything of another case.
/// </summary>
public sealed class ConferenceBooking(CaseWork work, TimeProvider clock, IOptions<ConferenceOptions> options)
{
    private TimeSpan Buffer => TimeSpan.FromMinutes(options.Value.BufferMinutes);

    private sealed record CaseRow(Guid Id, string Status, long SchoolId, long BoroughId, string Reference);

    private sealed record Times(DateTimeOffset Start, DateTimeOffset End);

    public Task<BookingResult> BookAsync(Guid caseId, BookingForm form, ClaimsPrincipal user) =>
        SaveAsync(caseId, null, form, user);

    public Task<BookingResult> RescheduleAsync(Guid conferenceId, BookingForm form, ClaimsPrincipal user) =>
        SaveAsync(null, conferenceId, form, user);

    private async Task<BookingResult> SaveAsync(Guid? caseId, Guid? conferenceId, BookingForm form, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var rescheduling = conferenceId is not null;
        if (!CaseChanges.IsCaseWorker(user))
        {
            errors.Add("", "Only a referrer or a facilitator can book a conference");
            return new BookingResult(errors, []);
        }
        if (rescheduling && string.IsNullOrWhiteSpace(form.Reason)) errors.Add("Reason", "Give the reason for the new time");
        else if (form.Reason is { Length: > TextLimits.Reason }) errors.Add("Reason", TextLimits.TooLong("The reason", TextLimits.Reason));
        var times = ParseTimes(form, errors, out var needsOccurrence);
        if (needsOccurrence) return new BookingResult(errors, [], NeedsOccurrence: true);
        if (!errors.IsEmpty) return new BookingResult(errors, []);
        if (form.RoomId is null) errors.Add("RoomId", "Choose a room");
        if (form.FacilitatorId is null) errors.Add("FacilitatorId", "Choose a facilitator");
        if (form.CoFacilitatorId is not null && form.CoFacilitatorId == form.FacilitatorId) errors.Add("CoFacilitatorId", "The co-facilitator must be someone other than the facilitator");
        if (form.ParticipantIds.Count == 0) errors.Add("ParticipantIds", "Choose who will take part");
        if (!errors.IsEmpty) return new BookingResult(errors, []);

        var userId = user.UserId();
        if (rescheduling && form.CaseVersion is null)
        {
            return new BookingResult(SaveResult.Conflict().Errors, [], Refused: SaveOutcome.Conflict);
        }
        var ofCase = rescheduling ? await work.CaseOfAsync("conference", conferenceId!.Value, userId, "outside the user's scope or missing") : caseId;
        if (ofCase is null) return NotFound();
        BookingResult? answer = null;
        var result = await work.ChangeWithResultAsync(ofCase.Value, userId, async change =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            var theCase = await CaseAsync(connection, transaction, change.CaseId);
            if (rescheduling)
            {
                var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM conferences WHERE id = @conferenceId", new { conferenceId }, transaction);
                if (!IsChangeable(status)) return Refuse("", "Only a scheduled conference can be rescheduled");
            }
            else if (!AllowsBooking(theCase.Status))
            {
                return Refuse("", $"A conference can be booked only when the case is ready to schedule; this case is {CaseStatus.Label(theCase.Status).ToLowerInvariant()}");
            }

            var problems = await CheckAsync(connection, transaction, theCase, conferenceId, form, times!, errors);
            if (!problems.IsEmpty) return new BookingResult(problems, []);

            var warnings = Scheduler.Warnings(times!.Start, times.End, await CalendarAsync(connection, transaction, theCase.BoroughId));
            if (warnings.Count > 0 && !form.ConfirmedWarnings) return new BookingResult(errors, warnings);

            var id = conferenceId ?? Guid.NewGuid();
            // Who had this conference's invitation before a new time: any of them it leaves out is told it is off for them.
            var formerRecipients = rescheduling ? await ConferenceInvitations.RecipientsAsync(connection, transaction, id) : [];
            if (rescheduling)
            {
                var before = await connection.QuerySingleAsync<(DateTimeOffset Start, DateTimeOffset End, long Room, Guid Facilitator)>(
                    "SELECT starts_at, ends_at, room_id, facilitator_id FROM conferences WHERE id = @id", new { id }, transaction);
                await connection.ExecuteAsync("""
                    UPDATE conferences SET starts_at = @Start, ends_at = @End, room_id = @RoomId, facilitator_id = @FacilitatorId,
                                           co_facilitator_id = @CoFacilitatorId, sequence = sequence + 1, version = version + 1,
                                           reason = @Reason, updated_at = @now
                    WHERE id = @id
                    """, new { times.Start, times.End, form.RoomId, form.FacilitatorId, form.CoFacilitatorId, Reason = form.Reason!.Trim(), now, id }, transaction);
                await connection.ExecuteAsync("DELETE FROM conference_participants WHERE conference_id = @id", new { id }, transaction);
                await HistoryAsync(connection, transaction, id, now, userId, "rescheduled", before.Start, before.End, before.Room, before.Facilitator, form.Reason.Trim());
                await change.RecordAsync("conference", $"Conference moved to {LondonTime.Format(times.Start)} (was {LondonTime.Format(before.Start)})");
            }
            else
            {
                await connection.ExecuteAsync("""
                    INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, co_facilitator_id,
                                             status, sequence, version, created_by, created_at, updated_at)
                    VALUES (@id, @caseId, @SchoolId, @RoomId, @Start, @End, @FacilitatorId, @CoFacilitatorId,
                            'scheduled', 0, 1, @userId, @now, @now)
                    """, new { id, caseId = theCase.Id, theCase.SchoolId, form.RoomId, times.Start, times.End, form.FacilitatorId, form.CoFacilitatorId, userId, now }, transaction);
                await HistoryAsync(connection, transaction, id, now, userId, "booked", times.Start, times.End, form.RoomId!.Value, form.FacilitatorId!.Value, null);
                await change.MoveAsync(CaseStatus.ConferenceScheduled, $"Conference booked for {LondonTime.Format(times.Start)}");
            }
            foreach (var (partyId, personKey) in await PersonKeysAsync(connection, transaction, form.ParticipantIds))
            {
                await connection.ExecuteAsync(
                    "INSERT INTO conference_participants (conference_id, party_id, person_key) VALUES (@id, @partyId, @personKey)",
                    new { id, partyId, personKey }, transaction);
            }
            await ConferenceInvitations.QueueAsync(connection, transaction, id, now, formerRecipients);
            change.AuditNote = rescheduling ? "conference rescheduled" : "conference booked";
            answer = new BookingResult(errors, warnings, ConferenceId: id);
            return null;
        }, version: rescheduling ? form.CaseVersion : null);
        return result switch
        {
            BookingResult booking => booking,
            { Saved: true } => answer!,
            { Outcome: SaveOutcome.NotFound } => NotFound(),
            _ => new BookingResult(result.Errors, [], Refused: result.Outcome),
        };
    }

    // The rules that the case page asks before it offers "Book a conference", "Change the time", "Cancel the
    // conference" and "Record not held", and that the methods above refuse on (same messages).

    /// <summary>A conference is booked for a case that is ready to schedule.</summary>
    public static bool AllowsBooking(string caseStatus) => caseStatus == CaseStatus.ReadyToSchedule;

    /// <summary>Only a scheduled conference is rescheduled, cancelled or recorded as not held.</summary>
    public static bool IsChangeable(string? conferenceStatus) => conferenceStatus == "scheduled";

    private static bool HasStarted(DateTimeOffset startsAt, DateTimeOffset now) => startsAt <= now;

    /// <summary>Whether <paramref name="user"/> may book a conference for a case in <paramref name="caseStatus"/> (<see cref="BookAsync"/>).</summary>
    public static bool CanBook(ClaimsPrincipal user, string caseStatus) => CaseChanges.IsCaseWorker(user) && AllowsBooking(caseStatus);

    /// <summary>Whether <paramref name="user"/> may move this conference to another time (<see cref="RescheduleAsync"/>).</summary>
    public static bool CanReschedule(ClaimsPrincipal user, ConferenceView conference) => CaseChanges.IsCaseWorker(user) && IsChangeable(conference.Status);

    /// <summary>Whether <paramref name="user"/> may cancel this conference (<see cref="EndAsync"/> with "cancelled").</summary>
    public static bool CanCancel(ClaimsPrincipal user, ConferenceView conference) => CaseChanges.IsCaseWorker(user) && IsChangeable(conference.Status);

    /// <summary>Whether <paramref name="user"/> may record this conference as not held now (<see cref="EndAsync"/> with "not_held"): once its time has come.</summary>
    public static bool CanRecordNotHeld(ClaimsPrincipal user, ConferenceView conference, DateTimeOffset now) =>
        CanCancel(user, conference) && HasStarted(conference.StartsAt, now);

    /// <summary>Whether the case page offers this conference's calendar file (the endpoint's policy, <see cref="Policies.CaseWorker"/>): while it is scheduled, or to cancel it in calendars.</summary>
    public static bool OffersInvitation(ClaimsPrincipal user, ConferenceView conference) =>
        CaseChanges.IsCaseWorker(user) && conference.Status is "scheduled" or "cancelled";

    private Times? ParseTimes(BookingForm form, FieldErrors errors, out bool needsOccurrence)
    {
        needsOccurrence = false;
        var date = form.Date.Parse("Date", out var dateError);
        if (dateError is not null) errors.Add("Date", dateError);
        TimeOnly time = default;
        if (string.IsNullOrWhiteSpace(form.StartTime)) errors.Add("StartTime", "Enter the start time, like 10:00");
        else if (!TimeOnly.TryParseExact(form.StartTime.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            errors.Add("StartTime", "Enter the start time as hours and minutes, like 10:00");
        if (form.LengthMinutes is not { } length || length < 1 || length > options.Value.MaxLengthMinutes)
            errors.Add("LengthMinutes", $"Length must be between 1 minute and {options.Value.MaxLengthMinutes / 60} hours");
        if (!errors.IsEmpty) return null;

        var local = date!.Value.ToDateTime(time);
        if (LondonTime.Zone.IsInvalidTime(local))
        {
            errors.Add("StartTime", $"{form.StartTime} does not exist in London on {LondonTime.FormatDate(date.Value)}: the clocks go forward an hour. Choose another time.");
            return null;
        }
        DateTimeOffset start;
        if (LondonTime.Zone.IsAmbiguousTime(local))
        {
            var offsets = LondonTime.Zone.GetAmbiguousTimeOffsets(local).OrderByDescending(o => o).ToArray();
            switch (form.Occurrence)
            {
                case "BST": start = new DateTimeOffset(local, offsets[0]).ToUniversalTime(); break;
                case "GMT": start = new DateTimeOffset(local, offsets[^1]).ToUniversalTime(); break;
                default:
                    needsOccurrence = true;
                    errors.Add("Occurrence", $"{form.StartTime} happens twice on {LondonTime.FormatDate(date.Value)} because the clocks go back: choose the first (BST) or the second (GMT)");
                    return null;
            }
        }
        else
        {
            LondonTime.TryToUtc(date.Value, time, out start, out _);
        }
        if (start < clock.GetUtcNow())
        {
            errors.Add("Date", "The conference must be in the future");
            return null;
        }
        return new Times(start, start.AddMinutes(form.LengthMinutes!.Value));
    }

    /// <summary>The field checks that need the database: the room, the facilitators, the participants, training and collisions.</summary>
    private async Task<FieldErrors> CheckAsync(DbConnection connection, IDbTransaction transaction, CaseRow theCase, Guid? excluding,
        BookingForm form, Times times, FieldErrors errors)
    {
        // The clash checks below and the write after them happen under the bookings lock (on PostgreSQL; SQLite's write
        // transaction already holds the whole database), so two instances booking at once cannot both pass the check.
        await Db.LockAsync(connection, transaction, DbLock.Bookings);
        var room = await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT name FROM rooms WHERE id = @RoomId AND school_id = @SchoolId", new { form.RoomId, theCase.SchoolId }, transaction);
        if (room is null) errors.Add("RoomId", "Choose a room at this school");

        var date = LondonTime.DateOf(times.Start);
        var facilitatorName = await FacilitatorProblemAsync(connection, transaction, form.FacilitatorId!.Value, date, "FacilitatorId", errors);
        var coName = form.CoFacilitatorId is { } co ? await FacilitatorProblemAsync(connection, transaction, co, date, "CoFacilitatorId", errors) : null;

        var parties = (await connection.QueryAsync<(Guid Id, string Name)>($"""
            SELECT p.id, {PartyNames.Sql("p")} FROM parties AS p
            WHERE p.case_id = @Id AND p.details_removed_at IS NULL
            """, new { theCase.Id }, transaction)).ToDictionary(p => p.Id, p => p.Name);
        if (form.ParticipantIds.Any(p => !parties.ContainsKey(p))) errors.Add("ParticipantIds", "Choose participants from this case's people");
        if (!errors.IsEmpty) return errors;

        var window = new { from = times.Start - Buffer - TimeSpan.FromDays(1), to = times.End + Buffer, excluding };
        const string overlapping = "status = 'scheduled' AND starts_at < @to AND ends_at > @from AND (@excluding IS NULL OR id <> @excluding)";
        foreach (var b in await connection.QueryAsync<Booking>(
            $"""SELECT starts_at AS "start", ends_at AS "end" FROM conferences WHERE room_id = @RoomId AND {overlapping}""",
            new { form.RoomId, window.from, window.to, window.excluding }, transaction))
        {
            if (Scheduler.Collides(times.Start, times.End, b, Buffer)) errors.Add("RoomId", Clash($"{room} is booked", b, times));
        }
        foreach (var (personId, name, field) in new[] { (form.FacilitatorId, facilitatorName, "FacilitatorId"), (form.CoFacilitatorId, coName, "CoFacilitatorId") })
        {
            if (personId is null) continue;
            foreach (var b in await connection.QueryAsync<Booking>($"""
                SELECT starts_at AS "start", ends_at AS "end" FROM conferences
                WHERE (facilitator_id = @personId OR co_facilitator_id = @personId) AND {overlapping}
                """, new { personId, window.from, window.to, window.excluding }, transaction))
            {
                if (Scheduler.Collides(times.Start, times.End, b, Buffer)) errors.Add(field, Clash($"{name} is facilitating another conference", b, times));
            }
        }
        foreach (var (partyId, personKey) in await PersonKeysAsync(connection, transaction, form.ParticipantIds))
        {
            foreach (var b in await connection.QueryAsync<Booking>($"""
                SELECT c.starts_at AS "start", c.ends_at AS "end"
                FROM conference_participants AS cp JOIN conferences AS c ON c.id = cp.conference_id
                WHERE cp.person_key = @personKey AND c.{overlapping}
                """, new { personKey, window.from, window.to, window.excluding }, transaction))
            {
                if (Scheduler.Collides(times.Start, times.End, b, Buffer)) errors.Add("ParticipantIds", Clash($"{parties[partyId]} is in another conference", b, times));
            }
        }
        return errors;
    }

    /// <summary>Null (and an error at the field) unless the user is an enabled facilitator with training current on the date.</summary>
    private static async Task<string?> FacilitatorProblemAsync(DbConnection connection, IDbTransaction transaction, Guid id, DateOnly on, string field, FieldErrors errors)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Name, DateOnly? CompletedOn, DateOnly? RefresherDueOn)?>("""
            SELECT u.display_name, t.completed_on, t.refresher_due_on
            FROM users AS u
            JOIN user_roles AS ur ON ur.user_id = u.id JOIN roles AS r ON r.id = ur.role_id AND r.name = 'Facilitator'
            LEFT JOIN facilitator_training AS t ON t.user_id = u.id
            WHERE u.id = @id AND u.disabled_at IS NULL
            """, new { id }, transaction);
        if (row is not { } f)
        {
            errors.Add(field, "Choose a facilitator from the list");
            return null;
        }
        if (Scheduler.TrainingProblem(f.Name, f.CompletedOn, f.RefresherDueOn, on) is { } problem)
        {
            errors.Add(field, problem);
        }
        return f.Name;
    }

    /// <summary>
    /// "Room 2 is booked 10:00–11:00", and when the times only come too close (not overlap):
    /// "…: 15 minutes are needed between conferences".
    /// </summary>
    private string Clash(string what, Booking other, Times times) =>
        Scheduler.Collides(times.Start, times.End, other, TimeSpan.Zero)
            ? $"{what} {LondonTime.Span(other.Start, other.End)}"
            : $"{what} {LondonTime.Span(other.Start, other.End)}: {Scheduler.BufferRule(Buffer)}";

    /// <summary>
    /// The same person across cases: a young person by name and date of birth; anyone else by name
    /// and email or phone; otherwise only this party.
    /// </summary>
    public static async Task<IReadOnlyList<(Guid PartyId, string PersonKey)>> PersonKeysAsync(DbConnection connection, IDbTransaction? transaction, IEnumerable<Guid> partyIds) =>
        (await connection.QueryAsync<(Guid, string)>($"""
            SELECT id, CASE
                WHEN party_role = 'responsible' AND date_of_birth IS NOT NULL THEN 'yp|' || first_name_key || '|' || last_name_key || '|' || date_of_birth
                WHEN first_name_key IS NOT NULL AND coalesce(email, phone) IS NOT NULL THEN 'p|' || first_name_key || '|' || last_name_key || '|' || lower(coalesce(email, phone))
                ELSE 'party|' || id END
            FROM parties WHERE {SqlDialect.Of(connection).In("id", "@ids")}
            """, new { ids = TypeHandlers.ToText(partyIds) }, transaction)).ToList();

    public static async Task<SchoolCalendar> CalendarAsync(DbConnection connection, IDbTransaction? transaction, long boroughId)
    {
        var settings = (await connection.QueryAsync<(string Key, string Value)>("SELECT key, value FROM settings", transaction: transaction)).ToDictionary(s => s.Key, s => s.Value);
        var terms = (await connection.QueryAsync<(DateOnly, DateOnly)>(
            "SELECT starts_on, ends_on FROM term_dates WHERE borough_id = @boroughId ORDER BY starts_on", new { boroughId }, transaction)).ToList();
        var holidays = (await connection.QueryAsync<DateOnly>("SELECT holiday_date FROM bank_holidays", transaction: transaction)).ToHashSet();
        return new SchoolCalendar(
            TimeOnly.Parse(settings.GetValueOrDefault("school_day_start", "08:30"), CultureInfo.InvariantCulture),
            TimeOnly.Parse(settings.GetValueOrDefault("school_day_end", "17:00"), CultureInfo.InvariantCulture),
            terms, holidays);
    }

    private static Task<CaseRow> CaseAsync(DbConnection connection, IDbTransaction transaction, Guid caseId) =>
        connection.QuerySingleAsync<CaseRow>("""
            SELECT c.id, c.status, c.school_id, s.borough_id, c.reference FROM cases AS c JOIN schools AS s ON s.id = c.school_id
            WHERE c.id = @caseId
            """, new { caseId }, transaction);

    private static BookingResult NotFound()
    {
        var errors = new FieldErrors();
        errors.Add("", "This case was not found");
        return new BookingResult(errors, [], Refused: SaveOutcome.NotFound);
    }

    private static BookingResult Refuse(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return new BookingResult(errors, []);
    }

    private static Task HistoryAsync(DbConnection connection, IDbTransaction transaction, Guid id, DateTimeOffset now, Guid userId, string kind,
        DateTimeOffset start, DateTimeOffset end, long roomId, Guid facilitatorId, string? reason) =>
        connection.ExecuteAsync("""
            INSERT INTO conference_history (conference_id, changed_at, changed_by, kind, starts_at, ends_at, room_id, facilitator_id, reason)
            VALUES (@id, @now, @userId, @kind, @start, @end, @roomId, @facilitatorId, @reason)
            """, new { id, now, userId, kind, start, end, roomId, facilitatorId, reason }, transaction);


    /// <summary>Cancels (reason required) or records "not held" (who did not attend); the case goes back to ready to schedule.</summary>
    public async Task<SaveResult> EndAsync(Guid conferenceId, string outcome, string? reason, IReadOnlyCollection<Guid> absent, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (outcome is not ("cancelled" or "not_held")) throw new ArgumentOutOfRangeException(nameof(outcome));
        if (!CaseChanges.IsCaseWorker(user)) errors.Add("", "Only a referrer or a facilitator can change a conference");
        if (string.IsNullOrWhiteSpace(reason)) errors.Add("Reason", outcome == "cancelled" ? "Give the reason for cancelling" : "Give the reason the conference was not held");
        else if (reason.Length > TextLimits.Reason) errors.Add("Reason", TextLimits.TooLong("The reason", TextLimits.Reason));
        if (!errors.IsEmpty) return SaveResult.Invalid(errors);
        var userId = user.UserId();
        if (await work.CaseOfAsync("conference", conferenceId, userId, "outside the user's scope or missing") is not { } caseId) return NotFound();
        return await work.ChangeWithResultAsync(caseId, userId, async change =>
        {
            var (connection, transaction, now) = (change.Connection, change.Transaction, change.Now);
            var current = await connection.QuerySingleAsync<(string Status, DateTimeOffset Start, DateTimeOffset End, long Room, Guid Facilitator)>(
                "SELECT status, starts_at, ends_at, room_id, facilitator_id FROM conferences WHERE id = @conferenceId", new { conferenceId }, transaction);
            if (!IsChangeable(current.Status)) return SaveResult.Invalid("", "Only a scheduled conference can be changed");
            if (outcome == "not_held" && !HasStarted(current.Start, now)) return SaveResult.Invalid("", "A conference can be recorded as not held only once its time has come");
            var participants = (await connection.QueryAsync<Guid>("SELECT party_id FROM conference_participants WHERE conference_id = @conferenceId", new { conferenceId }, transaction)).ToHashSet();
            if (absent.Any(a => !participants.Contains(a))) return SaveResult.Invalid("Absent", "Choose people who were invited");

            await connection.ExecuteAsync("""
                UPDATE conferences SET status = @outcome, reason = @reason, sequence = sequence + 1, version = version + 1, updated_at = @now
                WHERE id = @conferenceId
                """, new { outcome, reason = reason!.Trim(), now, conferenceId }, transaction);
            if (outcome == "not_held")
            {
                await connection.ExecuteAsync($"UPDATE conference_participants SET attended = NOT ({SqlDialect.Of(connection).In("party_id", "@absent")}) WHERE conference_id = @conferenceId",
                    new { absent = TypeHandlers.ToText(absent), conferenceId }, transaction);
            }
            await HistoryAsync(connection, transaction, conferenceId, now, userId, outcome, current.Start, current.End, current.Room, current.Facilitator, reason.Trim());
            if (outcome == "cancelled")
            {
                await ConferenceInvitations.QueueAsync(connection, transaction, conferenceId, now);
            }
            await change.MoveAsync(CaseStatus.ReadyToSchedule, outcome == "cancelled" ? "Conference cancelled" : "Conference not held");
            change.AuditNote = outcome == "cancelled" ? "conference cancelled" : "conference not held";
            return null;
        });
    }
}
