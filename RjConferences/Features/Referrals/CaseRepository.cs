using System.Text;

namespace RjConferences.Features.Referrals;

/// <summary>
/// Reads cases, always within the user's scope (<see cref="SchoolScope.SqlFilter"/>). Opening a
/// case is audited as consult; asking for one outside the scope answers "not found" and is audited
/// as access_denied.
/// </summary>
public sealed class CaseRepository(Db db, AuditLog auditLog, TimeProvider clock)
{
    public const int PageSize = 50;

    /// <summary>Counting stops here: "10,000 or more" is enough to page through, and counting all of a million rows is not free.</summary>
    public const int CountCap = 10_000;


    /// <summary>
    /// Counting the matches of a name stops here: past a thousand, the user needs more of the name
    /// or a filter, not a count (counting 10,000 "Ade..." took longer than finding the page).
    /// </summary>
    public const int NameCountCap = 1_000;

    /// <summary>Where the count of this query stops: the total is "at least this" when it reaches it.</summary>
    public static int CountCapFor(CaseQuery query) =>
        string.IsNullOrWhiteSpace(query.Search) || query.Search.Trim().StartsWith("RJ-", StringComparison.OrdinalIgnoreCase) ? CountCap : NameCountCap;

    /// <summary>
    /// The case with everything the case page shows, in the user's scope; null when missing or outside it
    /// (audited as access_denied when it exists). Opening a case is audited as consult: once per opening, so a
    /// page that reads the case again within the same opening (after the user's own change, which is audited
    /// as alter, or to take the latest version after a conflict) passes <paramref name="audit"/> false.
    /// </summary>
    public async Task<CaseDetails?> GetAsync(Guid caseId, Guid userId, bool audit = true, CancellationToken cancellationToken = default)
    {
        const string sql = $"""
            SELECT c.id, c.reference, c.school_id, s.name AS school_name, b.name AS borough_name, c.status, c.location,
                   c.offence_at, c.offence_date, c.offence_category_id, oc.name AS offence_category, c.gravity, c.description,
                   c.admitted, c.admitted_on, c.admitted_to, c.outcome_route, c.eligible, c.referred_at, c.referred_on,
                   u.display_name AS referred_by_name, c.victim_first_offered_on, c.withdrawn_reason, c.version,
                   c.closed_at, c.closure_outcome, c.closure_reason, c.cjs_outcome_type, c.cjs_entered_on, c.anonymised_at
            FROM cases AS c
            JOIN schools AS s ON s.id = c.school_id
            JOIN boroughs AS b ON b.id = s.borough_id
            JOIN offence_categories AS oc ON oc.id = c.offence_category_id
            JOIN users AS u ON u.id = c.referred_by
            WHERE c.id = @caseId AND c.{SchoolScope.SqlFilter}
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var details = await connection.QuerySingleOrDefaultAsync<CaseDetails>(sql, new { caseId, ScopeUserId = userId });
        if (details is null)
        {
            var exists = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM cases WHERE id = @caseId)", new { caseId });
            if (exists)
            {
                try
                {
                    await auditLog.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "case", EntityId: caseId.ToString(), UserId: userId,
                        Justification: "case outside the user's scope"), cancellationToken);
                }
                catch (Exception e) when (Db.IsDatabaseError(e))
                {
                    throw new AuditNotRecordedException(e);
                }
            }
            return null;
        }

        details.Parties = (await connection.QueryAsync<PartyDetails>("""
            SELECT id, party_role, harmed_type, supporter_type, supports_party_id, first_name, last_name, organisation_name,
                   date_of_birth, age_at_offence, gender, ethnic_group, year_group, special_educational_needs,
                   phone, email, address, contact_consent, contact_by, details_removed_at
            FROM parties WHERE case_id = @caseId ORDER BY sort_order
            """, new { caseId })).ToList();
        details.IneligibilityReasons = (await connection.QueryAsync<(string, Guid?)>(
            "SELECT reason, party_id FROM case_ineligibility_reasons WHERE case_id = @caseId ORDER BY reason", new { caseId })).ToList();
        details.Assessments = (await connection.QueryAsync<AssessmentDetails>("""
            SELECT a.id, u.display_name AS assessed_by_name, a.assessed_at, a.risk_to_parties, a.power_imbalance,
                   a.acceptance_of_responsibility, a.harmed_party_wishes, a.outcome, a.reason
            FROM suitability_assessments AS a JOIN users AS u ON u.id = a.assessed_by
            WHERE a.case_id = @caseId ORDER BY a.number
            """, new { caseId })).ToList();
        details.Consents = (await connection.QueryAsync<ConsentDetails>("""
            SELECT k.id, k.party_id, k.purpose, k.decision, k.decided_on, k.method, u.display_name AS taken_by_name, k.withdrawn_on
            FROM consents AS k JOIN users AS u ON u.id = k.taken_by
            WHERE k.case_id = @caseId ORDER BY k.recorded_at, k.id
            """, new { caseId })).ToList();
        details.Timeline = (await connection.QueryAsync<CaseEventDetails>("""
            SELECT e.occurred_at, u.display_name AS user_name, e.kind, e.summary, e.from_status, e.to_status
            FROM case_events AS e LEFT JOIN users AS u ON u.id = e.user_id
            WHERE e.case_id = @caseId ORDER BY e.id
            """, new { caseId })).ToList();
        details.PreviousReferrals = (await connection.QueryAsync<PreviousReferral>($"""
            SELECT DISTINCT c.id, c.reference, c.referred_on, c.status
            FROM parties AS me
            JOIN parties AS p ON p.party_role = 'responsible' AND p.last_name_key = me.last_name_key
                             AND p.first_name_key = me.first_name_key AND p.date_of_birth = me.date_of_birth
            JOIN cases AS c ON c.id = p.case_id
            WHERE me.case_id = @caseId AND me.party_role = 'responsible' AND me.date_of_birth IS NOT NULL
              AND c.id <> @caseId AND c.{SchoolScope.SqlFilter}
            ORDER BY c.referred_on DESC
            """, new { caseId, ScopeUserId = userId })).ToList();

        var holidays = (await connection.QueryAsync<DateOnly>("SELECT holiday_date FROM bank_holidays")).ToHashSet();
        details.VictimContactDueOn = WorkingDays.Add(details.ReferredOn, 5, holidays);
        details.VictimContactOverdue = details.VictimFirstOfferedOn is null
            && details.Status is not (CaseStatus.NotEligible or CaseStatus.Withdrawn or CaseStatus.Closed)
            && LondonTime.Today(clock) > details.VictimContactDueOn;

        if (audit)
        {
            // On the connection of the read (no second connection), in a write transaction of its own. Every opening of
            // a case is audited: when the event cannot be written (a full disk, a busy database) the case is not shown.
            try
            {
                await using var transaction = await Db.BeginWriteAsync(connection, cancellationToken);
                await auditLog.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Consult, EntityType: "case", EntityId: caseId.ToString(), UserId: userId));
                await transaction.CommitAsync(cancellationToken);
            }
            catch (Exception e) when (Db.IsDatabaseError(e))
            {
                throw new AuditNotRecordedException(e);
            }
        }
        return details;
    }

    public async Task<(IReadOnlyList<CaseListItem> Cases, int Total)> ListAsync(CaseQuery query, Guid userId, CancellationToken cancellationToken = default)
    {
        // The WHERE clause is built from fixed fragments only; every value is a parameter.
        // When searching by reference, the reference must drive the query: the filters on school and
        // status are written with a unary + (SQLite's way to keep a term from being used for an index),
        // because without statistics the planner takes "school in the user's schools" for the more
        // selective condition and reads every case of those schools (1.1 s with a million cases).
        // Searches by name go to SearchByNameAsync.
        var search = query.Search?.Trim();
        var column = string.IsNullOrEmpty(search) ? "c." : "+c.";
        var where = new StringBuilder($"{column}{SchoolScope.SqlFilter}");
        string? prefix = null, prefixEnd = null;
        if (!string.IsNullOrEmpty(search))
        {
            if (search.StartsWith("RJ-", StringComparison.OrdinalIgnoreCase))
            {
                (prefix, prefixEnd) = Range(search.ToUpperInvariant());
                where.Append(" AND c.reference >= @prefix AND c.reference < @prefixEnd");
            }
            else
            {
                // The start of a young person's name: "kwa", "kwame me" or "mens" for Kwame Mensah, folded
                // as the stored keys are ("o’b", "nguyen-o'b" and "suk" for Şükrü Nguyễn-O'Brien).
                var name = NameKeys.Fold(search);
                return name.Length == 0 ? ([], 0) : await SearchByNameAsync(query, name, userId, cancellationToken);
            }
        }
        if (query.Status is not null) where.Append($" AND {column}status = @Status");
        if (query.SchoolId is not null) where.Append($" AND {column}school_id = @SchoolId");
        if (query.BoroughId is not null) where.Append($" AND {column}school_id IN (SELECT id FROM schools WHERE borough_id = @BoroughId)");
        if (query.From is not null) where.Append(" AND c.referred_on >= @From");
        if (query.To is not null) where.Append(" AND c.referred_on <= @To");

        var sortKey = SortKey(query, "c");
        var direction = query.Descending ? "DESC" : "ASC";
        var schoolJoin = query.Sort == "school" ? "JOIN schools AS s ON s.id = c.school_id" : "";
        var countSql = $"SELECT count(*) FROM (SELECT 1 FROM cases AS c {schoolJoin} WHERE {where} LIMIT {CountCap}) AS capped";
        var parameters = new
        {
            ScopeUserId = userId, prefix, prefixEnd, query.Status, query.SchoolId, query.BoroughId,
            query.From, query.To, limit = PageSize, offset = (Math.Max(1, query.Page) - 1) * PageSize,
        };
        await using var connection = await db.OpenAsync(cancellationToken);

        // The page's case ids are chosen first; the columns shown, with the young people's names (a
        // subquery per row), are then read for those 50 only.
        if (string.IsNullOrEmpty(search))
        {
            // Newest first for a user who sees most of the partnership's schools (a youth justice reviewer): walking the
            // referral-time index and keeping the cases in scope stops after a page, about two index entries a row. Through
            // the school index instead, SQLite gathered and sorted every case of every school in scope for each page: 37 ms
            // instead of 2 with 20,000 cases, the most expensive statement of the capacity benchmark (docs/capacity.md).
            // A user of fewer schools keeps the school index, which holds their cases together however quiet their schools.
            if (query is { Sort: not ("reference" or "school" or "status"), Status: null, SchoolId: null, BoroughId: null }
                && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @ScopeUserId) * 2 > (SELECT count(*) FROM schools)",
                    parameters, cancellationToken: cancellationToken)))
            {
                where.Insert(0, '+');
            }
            // Without a search the page comes straight from an index in the order shown, and the
            // count stops at the cap: two statements.
            var sql = $"""
                SELECT {Columns}
                FROM (SELECT c.id FROM cases AS c {schoolJoin}
                      WHERE {where}
                      ORDER BY {sortKey} {direction}, c.id
                      LIMIT @limit OFFSET @offset) AS page
                {Joins}
                ORDER BY {sortKey} {direction}, c.id
                """;
            var cases = (await connection.QueryAsync<CaseListItem>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            // Fewer than a page on the first page is all there is: no need to count them again.
            var total = query.Page <= 1 && cases.Count < PageSize
                ? cases.Count
                : await connection.ExecuteScalarAsync<int>(new CommandDefinition(countSql, parameters, cancellationToken: cancellationToken));
            return (cases, total);
        }

        // A search has to visit every match to sort them anyway: the matches are found once, and
        // both the page and the count come from them.
        var searchSql = $"""
            WITH matches AS MATERIALIZED (
                SELECT c.id, {sortKey} AS sort_key FROM cases AS c {schoolJoin} WHERE {where})
            SELECT {Columns},
                   (SELECT count(*) FROM (SELECT 1 FROM matches LIMIT {CountCap}) AS capped) AS total
            FROM (SELECT id FROM matches ORDER BY sort_key {direction}, id LIMIT @limit OFFSET @offset) AS page
            {Joins}
            ORDER BY {sortKey} {direction}, c.id
            """;
        var rows = (await connection.QueryAsync<CaseListItem, long, (CaseListItem Case, long Total)>(
            new CommandDefinition(searchSql, parameters, cancellationToken: cancellationToken), (c, total) => (c, total), splitOn: "total")).ToList();
        var found = rows.Count > 0 ? (int)rows[0].Total
            : query.Page <= 1 ? 0
            : await connection.ExecuteScalarAsync<int>(new CommandDefinition(countSql, parameters, cancellationToken: cancellationToken));
        return (rows.Select(r => r.Case).ToList(), found);
    }

    // The columns the list shows, read for the page's 50 case ids only ("page" gives the ids).
    private static readonly string Columns = $"""
        c.id, c.reference, s.name AS school_name, b.name AS borough_name, c.status, c.referred_on,
        oc.name AS offence_category,
        (SELECT string_agg({PartyNames.Sql("p")}, ', ' ORDER BY p.sort_order)
         FROM parties AS p WHERE p.case_id = c.id AND p.party_role = 'responsible') AS young_people
        """;
    private const string Joins = """
        JOIN cases AS c ON c.id = page.id
        JOIN schools AS s ON s.id = c.school_id
        JOIN boroughs AS b ON b.id = s.borough_id
        JOIN offence_categories AS oc ON oc.id = c.offence_category_id
        """;

    private static string SortKey(CaseQuery query, string table) => query.Sort switch
    {
        "reference" => $"{table}.reference",
        "school" => "s.name",
        "status" => $"{table}.status",
        _ => $"{table}.referred_at",
    };

    /// <summary>
    /// A search by the start of a young person's whole name (first name first: "kwame me") or of any
    /// part of their last name ("mens"; "o'b" for Nguyen O'Brien), from <c>case_name_keys</c>
    /// (migrations 0011 and 0013), which holds those keys of each young person, folded by
    /// <see cref="NameKeys"/>, with the case's school, status, referral time and reference. Scope, filters, sort
    /// and count come from its indexes alone; only the page's 50 cases are read. Its search index
    /// starts with <c>name_start</c>, a name's first three letters, then the referral time: for a
    /// search of three letters or more (the case list asks for three) the matches come in the order of
    /// the default sort, and the page query stops after 50 rows however common the name.
    /// </summary>
    private async Task<(IReadOnlyList<CaseListItem> Cases, int Total)> SearchByNameAsync(CaseQuery query, string name, Guid userId,
        CancellationToken cancellationToken)
    {
        var (prefix, prefixEnd) = Range(name);
        // Letters as SQLite's substr counts them (code points), so that @start is what the index holds.
        var start = string.Concat(name.EnumerateRunes().Take(3));
        // Three letters are the whole of name_start: the name_key range would say the same again, and PostgreSQL, taking
        // the two conditions for independent, then expected a few hundred matches for "ade" instead of 45,000 and counted
        // them through the school index (100 ms instead of 6).
        var letters = name.EnumerateRunes().Count();
        var where = new StringBuilder(letters switch
        {
            3 => "k.name_start = @start",
            > 3 => "k.name_start = @start AND k.name_key >= @prefix AND k.name_key < @prefixEnd",
            _ => "k.name_start >= @prefix AND k.name_start < @prefixEnd AND k.name_key >= @prefix AND k.name_key < @prefixEnd",
        });
        where.Append($" AND k.{SchoolScope.SqlFilter}");
        if (query.Status is not null) where.Append(" AND k.status = @Status");
        if (query.SchoolId is not null) where.Append(" AND k.school_id = @SchoolId");
        if (query.BoroughId is not null) where.Append(" AND k.school_id IN (SELECT id FROM schools WHERE borough_id = @BoroughId)");
        // Referral dates are London dates of referred_at: the same filter as instants the index holds.
        if (query.From is not null) where.Append(" AND k.referred_at >= @fromAt");
        if (query.To is not null) where.Append(" AND k.referred_at < @toAt");

        var sortKey = SortKey(query, "k");
        var direction = query.Descending ? "DESC" : "ASC";
        var schoolJoin = query.Sort == "school" ? "JOIN schools AS s ON s.id = k.school_id" : "";
        var parameters = new
        {
            ScopeUserId = userId, start, prefix, prefixEnd, query.Status, query.SchoolId, query.BoroughId,
            fromAt = query.From is { } from ? LondonMidnight(from) : (DateTimeOffset?)null,
            toAt = query.To is { } to ? LondonMidnight(to.AddDays(1)) : (DateTimeOffset?)null,
            limit = PageSize, offset = (Math.Max(1, query.Page) - 1) * PageSize,
        };
        // A case is listed once, even when two of its young people, or both names of one, match. The
        // scope is checked again on the cases themselves: it never rests on a copy alone. Cases that sort
        // equal are ordered by id in the sort's direction: the search index read backwards gives exactly
        // that order for the default sort (newest first), so PostgreSQL stops after a page without sorting.
        var sql = $"""
            SELECT {Columns}
            FROM (SELECT DISTINCT k.case_id AS id, {sortKey} AS sort_key
                  FROM case_name_keys AS k {schoolJoin}
                  WHERE {where}
                  ORDER BY sort_key {direction}, id {direction}
                  LIMIT @limit OFFSET @offset) AS page
            {Joins}
            WHERE +c.{SchoolScope.SqlFilter}
            ORDER BY {SortKey(query, "c")} {direction}, c.id {direction}
            """;
        // A case has one referral time, so its distinct (referred_at, case_id) pairs are its distinct cases; in the search
        // index's order (after name_start) they come sorted, and the count stops at the cap instead of first gathering every
        // match to make them distinct (45,000 keys for "ade" over every borough).
        var countSql = $"""
            SELECT count(*) FROM (SELECT DISTINCT k.referred_at, k.case_id FROM case_name_keys AS k WHERE {where}
                                  ORDER BY k.referred_at, k.case_id LIMIT {NameCountCap}) AS capped
            """;

        await using var connection = await db.OpenAsync(cancellationToken);
        var cases = (await connection.QueryAsync<CaseListItem>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
        var total = query.Page <= 1 && cases.Count < PageSize
            ? cases.Count
            : await connection.ExecuteScalarAsync<int>(new CommandDefinition(countSql, parameters, cancellationToken: cancellationToken));
        return (cases, total);
    }

    /// <summary>
    /// New referrals in the user's schools that no facilitator has assessed yet: referred, or assessing
    /// (consent came first) with no suitability assessment. Oldest referral first, <see cref="PageSize"/> a page.
    /// </summary>
    public async Task<(IReadOnlyList<CaseListItem> Cases, int Total)> AwaitingAssessmentAsync(Guid userId, int page)
    {
        const string where = $"""
            WHERE c.status IN ('{CaseStatus.Referred}', '{CaseStatus.Assessing}') AND c.{SchoolScope.SqlFilter}
              AND NOT EXISTS (SELECT 1 FROM suitability_assessments AS a WHERE a.case_id = c.id)
            """;
        await using var connection = await db.OpenAsync();
        var parameters = new { ScopeUserId = userId, limit = PageSize, offset = (Math.Max(1, page) - 1) * PageSize };
        var cases = (await connection.QueryAsync<CaseListItem>($"""
            SELECT {Columns}
            FROM (SELECT c.id FROM cases AS c {where} ORDER BY c.referred_at, c.id LIMIT @limit OFFSET @offset) AS page
            {Joins}
            ORDER BY c.referred_at, c.id
            """, parameters)).ToList();
        var total = await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM cases AS c {where}", parameters);
        return (cases, total);
    }

    private static DateTimeOffset LondonMidnight(DateOnly date)
    {
        // Midnight always exists in London, and happens once (the clocks change at 01:00 and 02:00).
        LondonTime.TryToUtc(date, TimeOnly.MinValue, out var utc, out _);
        return utc;
    }

    /// <summary>[prefix, prefix with its last character incremented): a range an index can answer, unlike LIKE.</summary>
    private static (string, string) Range(string prefix) => (prefix, prefix[..^1] + (char)(prefix[^1] + 1));
}
