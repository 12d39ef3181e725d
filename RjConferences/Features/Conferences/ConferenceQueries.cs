using RjConferences.Features.Referrals;

namespace RjConferences.Features.Conferences;

public sealed class ConferenceView
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public string Reference { get; set; } = "";
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public long RoomId { get; set; }
    public string RoomName { get; set; } = "";
    public string SchoolName { get; set; } = "";
    public Guid FacilitatorId { get; set; }
    public string FacilitatorName { get; set; } = "";
    public Guid? CoFacilitatorId { get; set; }
    public string? CoFacilitatorName { get; set; }
    public string Status { get; set; } = "";
    public int Sequence { get; set; }
    public string? Reason { get; set; }
    public List<ParticipantView> Participants { get; set; } = [];
    public List<HistoryView> History { get; set; } = [];
    /// <summary>Parties invited who have no preparation meeting recorded yet (for the facilitator's week).</summary>
    public int MissingPreparation { get; set; }
    public DateOnly? FacilitatorCompletedOn { get; set; }
    public DateOnly? FacilitatorRefresherDueOn { get; set; }
    public DateOnly? CoFacilitatorCompletedOn { get; set; }
    public DateOnly? CoFacilitatorRefresherDueOn { get; set; }

    /// <summary>
    /// While the conference is still to be held: why its facilitator or co-facilitator may not facilitate
    /// on its date (a refresher date shortened after it was booked, say). Empty when both are current.
    /// </summary>
    public IReadOnlyList<string> TrainingProblems
    {
        get
        {
            if (Status != "scheduled") return [];
            var on = LondonTime.DateOf(StartsAt);
            var problems = new List<string>();
            if (Scheduler.TrainingProblem(FacilitatorName, FacilitatorCompletedOn, FacilitatorRefresherDueOn, on) is { } p) problems.Add(p);
            if (CoFacilitatorName is { } co && Scheduler.TrainingProblem(co, CoFacilitatorCompletedOn, CoFacilitatorRefresherDueOn, on) is { } q) problems.Add(q);
            return problems;
        }
    }
}

/// <summary>A booked conference that a facilitator's training would not cover (the training register's warning).</summary>
public sealed class TrainingClash
{
    public Guid ConferenceId { get; set; }
    public string Reference { get; set; } = "";
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public string SchoolName { get; set; } = "";
    public string BoroughName { get; set; } = "";
    public bool AsCoFacilitator { get; set; }

    /// <summary>"Tuesday 16 June 2026, 10:00–11:00: NE-2026-0001 at Langdon Park, Newham (as co-facilitator)".</summary>
    public string Describe() =>
        $"{ConferenceWords.Span(StartsAt, EndsAt)}: {Reference} at {Schools.SchoolName.WithBorough(SchoolName, BoroughName)}{(AsCoFacilitator ? " (as co-facilitator)" : "")}";
}

public sealed class ParticipantView
{
    public Guid ConferenceId { get; set; }
    public Guid PartyId { get; set; }
    public string Name { get; set; } = "";
    public string PartyRole { get; set; } = "";
    public bool? Attended { get; set; }
}

public sealed class HistoryView
{
    public Guid ConferenceId { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";
    public string Kind { get; set; } = "";
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public string RoomName { get; set; } = "";
    public string? Reason { get; set; }
}

/// <summary>Reads for the scheduling pages, always within the user's scope.</summary>
public sealed class ConferenceQueries(Db db, AuditLog audit, TimeProvider clock, IOptions<ConferenceOptions> options)
{
    private const string ConferenceColumns = """
        c.id, c.case_id, k.reference, c.starts_at, c.ends_at, c.room_id, r.name AS room_name, s.name AS school_name,
        c.facilitator_id, f.display_name AS facilitator_name, c.co_facilitator_id, cf.display_name AS co_facilitator_name,
        c.status, c.sequence, c.reason,
        ft.completed_on AS facilitator_completed_on, ft.refresher_due_on AS facilitator_refresher_due_on,
        cft.completed_on AS co_facilitator_completed_on, cft.refresher_due_on AS co_facilitator_refresher_due_on
        """;

    private const string ConferenceJoins = """
        FROM conferences AS c
        JOIN cases AS k ON k.id = c.case_id
        JOIN rooms AS r ON r.id = c.room_id
        JOIN schools AS s ON s.id = c.school_id
        JOIN users AS f ON f.id = c.facilitator_id
        LEFT JOIN users AS cf ON cf.id = c.co_facilitator_id
        LEFT JOIN facilitator_training AS ft ON ft.user_id = c.facilitator_id
        LEFT JOIN facilitator_training AS cft ON cft.user_id = c.co_facilitator_id
        """;

    /// <summary>The conferences of a case, newest first, with participants and history (the case page).</summary>
    public async Task<IReadOnlyList<ConferenceView>> ForCaseAsync(Guid caseId, Guid userId)
    {
        await using var connection = await db.OpenAsync();
        var conferences = (await connection.QueryAsync<ConferenceView>($"""
            SELECT {ConferenceColumns} {ConferenceJoins}
            WHERE c.case_id = @caseId AND c.{SchoolScope.SqlFilter}
            ORDER BY c.starts_at DESC
            """, new { caseId, ScopeUserId = userId })).ToList();
        await LoadDetailsAsync(connection, conferences);
        return conferences;
    }

    /// <summary>One conference within the user's scope, with participants and history (the reschedule page); null when not found.</summary>
    public async Task<ConferenceView?> GetAsync(Guid conferenceId, Guid userId)
    {
        await using var connection = await db.OpenAsync();
        var conference = await connection.QuerySingleOrDefaultAsync<ConferenceView>($"""
            SELECT {ConferenceColumns} {ConferenceJoins}
            WHERE c.id = @conferenceId AND c.{SchoolScope.SqlFilter}
            """, new { conferenceId, ScopeUserId = userId });
        if (conference is not null)
        {
            await LoadDetailsAsync(connection, [conference]);
        }
        return conference;
    }

    /// <summary>
    /// The participants and history of <paramref name="conferences"/>: one query per table whatever their
    /// number (not a pair per conference), shared out here in the order each query gives.
    /// </summary>
    private static async Task LoadDetailsAsync(DbConnection connection, IReadOnlyList<ConferenceView> conferences)
    {
        if (conferences.Count == 0) return;
        var ids = TypeHandlers.ToText(conferences.Select(c => c.Id));
        var participants = (await connection.QueryAsync<ParticipantView>($"""
            SELECT cp.conference_id, p.id AS party_id, {PartyNames.Sql("p")} AS name,
                   p.party_role, cp.attended
            FROM conference_participants AS cp JOIN parties AS p ON p.id = cp.party_id
            WHERE {SqlDialect.Of(connection).In("cp.conference_id", "@ids")} ORDER BY p.sort_order
            """, new { ids })).ToLookup(p => p.ConferenceId);
        var history = (await connection.QueryAsync<HistoryView>($"""
            SELECT h.conference_id, h.changed_at, u.display_name AS changed_by, h.kind, h.starts_at, h.ends_at, r.name AS room_name, h.reason
            FROM conference_history AS h JOIN users AS u ON u.id = h.changed_by JOIN rooms AS r ON r.id = h.room_id
            WHERE {SqlDialect.Of(connection).In("h.conference_id", "@ids")} ORDER BY h.id
            """, new { ids })).ToLookup(h => h.ConferenceId);
        foreach (var conference in conferences)
        {
            conference.Participants = participants[conference.Id].ToList();
            conference.History = history[conference.Id].ToList();
        }
    }

    /// <summary>A facilitator's conferences in the week starting <paramref name="monday"/>, with preparation meetings still missing.</summary>
    public async Task<IReadOnlyList<ConferenceView>> MyWeekAsync(Guid userId, DateOnly monday)
    {
        var (from, to) = Week(monday);
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<ConferenceView>($"""
            SELECT {ConferenceColumns},
                   (SELECT count(*) FROM conference_participants AS cp
                    WHERE cp.conference_id = c.id
                      AND NOT EXISTS (SELECT 1 FROM preparation_meetings AS pm WHERE pm.party_id = cp.party_id)) AS missing_preparation
            {ConferenceJoins}
            WHERE (c.facilitator_id = @userId OR c.co_facilitator_id = @userId) AND c.status = 'scheduled'
              AND c.starts_at >= @from AND c.starts_at < @to AND c.{SchoolScope.SqlFilter}
            ORDER BY c.starts_at
            """, new { userId, from, to, ScopeUserId = userId })).ToList();
    }

    /// <summary>Conferences shown at a time in a list of the user's work.</summary>
    public const int PageSize = 50;

    /// <summary>
    /// Conferences whose outcome the user may record (<see cref="Agreements.AgreementOutcomes.CanRecordOutcome(ConferenceView, ClaimsPrincipal, DateTimeOffset)"/>)
    /// that have started but are still "scheduled": the ones they facilitate or co-facilitate, or with <paramref name="everyone"/>
    /// (an administrator) every one in their scope. Oldest first, <see cref="PageSize"/> a page.
    /// </summary>
    public async Task<(IReadOnlyList<ConferenceView> Conferences, int Total)> AwaitingOutcomeAsync(Guid userId, int page, bool everyone = false)
    {
        const string where = $"""
            WHERE (@everyone OR c.facilitator_id = @ScopeUserId OR c.co_facilitator_id = @ScopeUserId) AND c.status = 'scheduled'
              AND c.starts_at <= @now AND c.{SchoolScope.SqlFilter}
            """;
        await using var connection = await db.OpenAsync();
        var parameters = new { ScopeUserId = userId, everyone, now = clock.GetUtcNow(), limit = PageSize, offset = (Math.Max(1, page) - 1) * PageSize };
        var conferences = (await connection.QueryAsync<ConferenceView>($"""
            SELECT {ConferenceColumns} {ConferenceJoins}
            {where}
            ORDER BY c.starts_at, k.reference
            LIMIT @limit OFFSET @offset
            """, parameters)).ToList();
        var total = await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM conferences AS c {where}", parameters);
        return (conferences, total);
    }

    /// <summary>
    /// Conferences still to come whose facilitator or co-facilitator will not have current training on the
    /// day (a refresher date shortened after they were booked): the user's own conferences, or with
    /// <paramref name="everyone"/> (administrators) every one within their scope. Soonest first.
    /// </summary>
    public async Task<IReadOnlyList<ConferenceView>> TrainingNotCurrentAsync(Guid userId, bool everyone)
    {
        // The dates compare as text: an instant written "2027-03-12T…" sorts after the date "2027-03-11" and
        // before "2027-03-13". The WHERE keeps a day either side of each boundary (London is UTC or UTC+1);
        // TrainingProblems decides on the London date.
        await using var connection = await db.OpenAsync();
        var conferences = await connection.QueryAsync<ConferenceView>($"""
            SELECT {ConferenceColumns} {ConferenceJoins}
            WHERE c.status = 'scheduled' AND c.starts_at >= @now AND c.{SchoolScope.SqlFilter}
              AND (@everyone OR c.facilitator_id = @ScopeUserId OR c.co_facilitator_id = @ScopeUserId)
              AND (ft.user_id IS NULL OR c.starts_at < ft.completed_on OR c.starts_at >= ft.refresher_due_on
                   OR (c.co_facilitator_id IS NOT NULL
                       AND (cft.user_id IS NULL OR c.starts_at < cft.completed_on OR c.starts_at >= cft.refresher_due_on)))
            ORDER BY c.starts_at, k.reference
            """, new { ScopeUserId = userId, everyone, now = clock.GetUtcNow() });
        return conferences.Where(c => c.TrainingProblems.Count > 0).ToList();
    }

    /// <summary>
    /// The conferences still to come that <paramref name="facilitatorId"/> facilitates or co-facilitates and
    /// that training from <paramref name="completedOn"/> to <paramref name="refresherDueOn"/> would not cover,
    /// soonest first; in the caller's transaction, so that a save checks what it saves against.
    /// </summary>
    internal static async Task<IReadOnlyList<TrainingClash>> BookedOutsideTrainingAsync(System.Data.Common.DbConnection connection, System.Data.IDbTransaction transaction,
        Guid facilitatorId, DateOnly completedOn, DateOnly refresherDueOn, DateTimeOffset now)
    {
        var rows = await connection.QueryAsync<TrainingClash>("""
            SELECT c.id AS conference_id, k.reference, c.starts_at, c.ends_at, s.name AS school_name, b.name AS borough_name,
                   c.co_facilitator_id IS NOT NULL AND c.co_facilitator_id = @facilitatorId AS as_co_facilitator
            FROM conferences AS c
            JOIN cases AS k ON k.id = c.case_id
            JOIN schools AS s ON s.id = c.school_id JOIN boroughs AS b ON b.id = s.borough_id
            WHERE (c.facilitator_id = @facilitatorId OR c.co_facilitator_id = @facilitatorId)
              AND c.status = 'scheduled' AND c.starts_at >= @now
            ORDER BY c.starts_at, k.reference
            """, new { facilitatorId, now }, transaction);
        return rows.Where(c => !Scheduler.IsCurrent(completedOn, refresherDueOn, LondonTime.DateOf(c.StartsAt))).ToList();
    }

    /// <summary>A school's week of conferences: times, rooms and case references only.</summary>
    public async Task<IReadOnlyList<ConferenceView>> SchoolWeekAsync(long schoolId, DateOnly monday, Guid userId)
    {
        var (from, to) = Week(monday);
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<ConferenceView>($"""
            SELECT {ConferenceColumns} {ConferenceJoins}
            WHERE c.school_id = @schoolId AND c.status = 'scheduled' AND c.starts_at >= @from AND c.starts_at < @to
              AND c.{SchoolScope.SqlFilter}
            ORDER BY c.starts_at
            """, new { schoolId, from, to, ScopeUserId = userId })).ToList();
    }

    private static (DateTimeOffset, DateTimeOffset) Week(DateOnly monday)
    {
        LondonTime.TryToUtc(monday, TimeOnly.MinValue, out var from, out _);
        LondonTime.TryToUtc(monday.AddDays(7), TimeOnly.MinValue, out var to, out _);
        return (from, to);
    }

    public async Task<IReadOnlyList<Choice>> RoomsAsync(long schoolId)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<(long Id, string Name, int Capacity)>("SELECT id, name, capacity FROM rooms WHERE school_id = @schoolId ORDER BY name", new { schoolId }))
            .Select(r => new Choice(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{r.Name} (seats {r.Capacity})")).ToList();
    }

    /// <summary>Enabled users with the Facilitator role who can see the school, marked when their training is not current today.</summary>
    public async Task<IReadOnlyList<Choice>> FacilitatorsAsync(long schoolId)
    {
        var today = LondonTime.Today(clock);
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<(Guid Id, string Name, DateOnly? CompletedOn, DateOnly? RefresherDueOn)>("""
            SELECT u.id, u.display_name, t.completed_on, t.refresher_due_on
            FROM users AS u
            JOIN user_roles AS ur ON ur.user_id = u.id JOIN roles AS r ON r.id = ur.role_id AND r.name = 'Facilitator'
            LEFT JOIN facilitator_training AS t ON t.user_id = u.id
            WHERE u.disabled_at IS NULL
              AND EXISTS (SELECT 1 FROM user_school_scope AS sc WHERE sc.user_id = u.id AND sc.school_id = @schoolId)
            ORDER BY u.display_name
            """, new { schoolId });
        return rows.Select(f => new Choice(f.Id.ToString(),
            f.CompletedOn is { } c && f.RefresherDueOn is { } d && Scheduler.IsCurrent(c, d, today) ? f.Name : $"{f.Name} (training not current)")).ToList();
    }

    /// <summary>
    /// The scheduled conferences in a window that hold the room, a facilitator or one of the people
    /// (the slot finder's one query). One index search per kind rather than one OR: with the OR,
    /// SQLite scans every scheduled conference (see docs/performance.md, "Slot finder"). A conference found
    /// twice is harmless.
    /// </summary>
    internal static string BusySql(SqlDialect sql) => $"""
        SELECT starts_at AS "start", ends_at AS "end" FROM conferences
        WHERE room_id = @RoomId AND status = 'scheduled' AND starts_at < @to AND ends_at > @from AND (@excluding IS NULL OR id <> @excluding)
        UNION ALL
        SELECT starts_at, ends_at FROM conferences
        WHERE facilitator_id IN (@FacilitatorId, @CoFacilitatorId) AND status = 'scheduled' AND starts_at < @to AND ends_at > @from AND (@excluding IS NULL OR id <> @excluding)
        UNION ALL
        SELECT starts_at, ends_at FROM conferences
        WHERE co_facilitator_id IN (@FacilitatorId, @CoFacilitatorId) AND status = 'scheduled' AND starts_at < @to AND ends_at > @from AND (@excluding IS NULL OR id <> @excluding)
        UNION ALL
        SELECT c.starts_at, c.ends_at FROM conference_participants AS cp JOIN conferences AS c ON c.id = cp.conference_id
        WHERE {sql.In("cp.person_key", "@personKeys")} AND c.status = 'scheduled' AND c.starts_at < @to AND c.ends_at > @from AND (@excluding IS NULL OR c.id <> @excluding)
        """;

    /// <summary>
    /// "Find times": the next free slots for the chosen facilitator(s), room and participants. When
    /// rescheduling, pass the conference being moved, so that its own current time does not count as busy.
    /// </summary>
    public async Task<IReadOnlyList<DateTimeOffset>> FindTimesAsync(Guid caseId, BookingForm form, ClaimsPrincipal user, int count = 5, int schoolDays = 20,
        Guid? excluding = null)
    {
        var userId = user.UserId();
        await using var connection = await db.OpenAsync();
        var theCase = await connection.QuerySingleOrDefaultAsync<(long SchoolId, long BoroughId)?>($"""
            SELECT c.school_id, s.borough_id FROM cases AS c JOIN schools AS s ON s.id = c.school_id
            WHERE c.id = @caseId AND c.{SchoolScope.SqlFilter}
            """, new { caseId, ScopeUserId = userId });
        if (theCase is not { } k) return [];
        var calendar = await ConferenceBooking.CalendarAsync(connection, null, k.BoroughId);
        var from = clock.GetUtcNow();
        // The window: enough calendar days to hold the school days asked for.
        var last = LondonTime.DateOf(from);
        for (var seen = 0; seen < schoolDays && last < LondonTime.DateOf(from).AddDays(400); last = last.AddDays(1))
        {
            if (calendar.IsSchoolDay(last)) seen++;
        }
        LondonTime.TryToUtc(last.AddDays(1), TimeOnly.MinValue, out var to, out _);
        var buffer = TimeSpan.FromMinutes(options.Value.BufferMinutes);
        var personKeys = (await ConferenceBooking.PersonKeysAsync(connection, null, form.ParticipantIds)).Select(p => p.PersonKey).ToArray();
        var busy = (await connection.QueryAsync<Booking>(BusySql(SqlDialect.Of(connection)), new { to, from = from - buffer, form.RoomId, form.FacilitatorId, form.CoFacilitatorId, personKeys, excluding })).ToList();
        return Scheduler.FreeSlots(from, TimeSpan.FromMinutes(form.LengthMinutes ?? options.Value.DefaultLengthMinutes), busy, calendar, buffer, count, schoolDays);
    }

    /// <summary>The .ics of a conference; audited as a disclosure.</summary>
    public async Task<(string FileName, byte[] Content)?> InviteAsync(Guid conferenceId, Guid userId)
    {
        await using var connection = await db.OpenAsync();
        var details = await connection.QuerySingleOrDefaultAsync<InviteRow>($"""
            SELECT c.id, k.reference, c.starts_at, c.ends_at, r.name AS room_name, s.name AS school_name, b.name AS borough_name,
                   c.sequence, c.status, c.case_id
            FROM conferences AS c JOIN cases AS k ON k.id = c.case_id JOIN rooms AS r ON r.id = c.room_id
            JOIN schools AS s ON s.id = c.school_id JOIN boroughs AS b ON b.id = s.borough_id
            WHERE c.id = @conferenceId AND c.{SchoolScope.SqlFilter}
            """, new { conferenceId, ScopeUserId = userId });
        if (details is null)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "conference", EntityId: conferenceId.ToString(), UserId: userId,
                Justification: "calendar invitation outside the user's scope or missing"));
            return null;
        }
        var ics = CalendarInvite.Create(new InviteDetails(details.Id, details.Reference, details.StartsAt, details.EndsAt, details.RoomName,
            details.SchoolName, details.BoroughName, details.Sequence, details.Status == "cancelled"), clock.GetUtcNow());
        await audit.RecordAsync(new AuditEvent(AuditAction.Disclose, EntityType: "case", EntityId: details.CaseId.ToString(), UserId: userId,
            Recipient: "calendar invitation", Justification: $"conference {conferenceId}"));
        return ($"{details.Reference}.ics", System.Text.Encoding.UTF8.GetBytes(ics));
    }

    private sealed class InviteRow
    {
        public Guid Id { get; set; }
        public string Reference { get; set; } = "";
        public DateTimeOffset StartsAt { get; set; }
        public DateTimeOffset EndsAt { get; set; }
        public string RoomName { get; set; } = "";
        public string SchoolName { get; set; } = "";
        public string BoroughName { get; set; } = "";
        public int Sequence { get; set; }
        public string Status { get; set; } = "";
        public Guid CaseId { get; set; }
    }
}
