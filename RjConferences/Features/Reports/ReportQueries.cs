using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Reports;

/// <summary>
/// Computes the report page's figures for a selection, from <c>case_report_facts</c> (see
/// <see cref="ReportFacts"/>), always within the schools of the user's scope (<see cref="SchoolScope"/>:
/// a reviewer sees the schools of their boroughs). The cohort is the cases referred
/// (<c>cases.referred_on</c>, a London date) from <see cref="ReportSelection.From"/> to
/// <see cref="ReportSelection.To"/> inclusive, narrowed by the selection's filters; the filters by age
/// band, gender and ethnic group look at the case's first responsible young person (the lowest
/// <c>sort_order</c>): a case is counted once, under that young person.
/// <para>
/// One range scan reads three packed integers a case and every table is tallied from them in one pass
/// (a year of 200,000 cases in well under 300 ms; see docs/performance.md, "Reports"). Semantics of every
/// figure are in docs/reports.md and on <see cref="ReportFacts.Stage"/> and <see cref="ReportFacts.Reason"/>;
/// in short:
/// </para>
/// <list type="bullet">
/// <item>Counts are of cases; a rate is numerator / denominator, null when the denominator is 0; a
/// median is over the cases that have the value (null when none; the mean of the two middle values for
/// an even number).</item>
/// <item>The "12-month check" is the follow-up check at the last configured interval
/// (<see cref="FollowUpOptions.IntervalsMonths"/>). Diversion rate = cases whose 12-month check is
/// recorded and on which no recorded check found the young person entered the CJS ÷ cases whose
/// 12-month check is recorded. Entered the CJS within 12 months = the rest of that denominator.</item>
/// <item>Disproportionality: for each ethnic group, each funnel stage's rate is its count ÷ the group's
/// count at the stage before (the last stage: ÷ the group's completed agreements whose 12-month check is
/// recorded); the relative rate index is that rate ÷ the reference group's rate.</item>
/// </list>
/// </summary>
public sealed class ReportQueries(Db db, IOptions<FollowUpOptions> followUps)
{
    /// <summary>A group with fewer referred cases than this is flagged <see cref="GroupRates.SmallBase"/>.</summary>
    public const int SmallBaseBelow = 30;

    /// <summary>The suitability assessment is due within this many working days of the referral.</summary>
    public const int AssessmentTargetWorkingDays = 10;

    /// <summary>The Victims' Code: the harmed party is offered restorative justice within this many working days of the referral.</summary>
    public const int VictimOfferTargetWorkingDays = 5;

    public static readonly IReadOnlyList<string> StageKeys =
        ["referred", "eligible", "consented", "conference_held", "agreement_reached", "agreement_completed", "no_cjs_12_months"];

    public static readonly IReadOnlyList<string> StageLabels =
        ["Referred", "Eligible", "Consented", "Conference held", "Agreement reached", "Agreement completed", "No CJS entry at 12 months"];

    /// <summary>The filters that school-internal matters do not record: when one is set, that count is not applicable (Value null).</summary>
    public static bool InternalMattersApply(ReportSelection s) => s.OutcomeRoute is null && s.AgeBand is null && s.Gender is null && s.EthnicGroup is null;

    /// <summary>The report for <paramref name="selection"/>, within <paramref name="userId"/>'s scope, from the stored facts.</summary>
    public Task<ReportResult> RunAsync(Guid userId, ReportSelection selection, CancellationToken ct) =>
        RunAsync(userId, selection, "case_report_facts", ct);

    /// <summary>
    /// The same report computed straight from the source tables (the view <c>case_report_facts_source</c>):
    /// slow, every case is read. For tests and the benchmark, which check that the stored facts never drift.
    /// </summary>
    public Task<ReportResult> RunFromSourceTablesAsync(Guid userId, ReportSelection selection, CancellationToken ct) =>
        RunAsync(userId, selection, "case_report_facts_source", ct);

    /// <summary>The report and, as its <see cref="ReportResult.PreviousYear"/>, the same selection twelve months earlier.</summary>
    private async Task<ReportResult> RunAsync(Guid userId, ReportSelection selection, string table, CancellationToken ct)
    {
        if (selection.To < selection.From) throw new ArgumentException("The period ends before it starts.", nameof(selection));
        // Three scans, each on its own pooled connection and thread: the selection's facts, the year before's, and the
        // selection's activity (SQLite's reads are synchronous, so Task.Run is what lets them overlap; see docs/performance.md).
        var current = Task.Run(() => RunOnceAsync(userId, selection, table, ct), ct);
        var previous = Task.Run(() => RunOnceAsync(userId, PreviousYear(selection), table, ct), ct);
        var activity = Task.Run(() => ActivityCountsAsync(userId, selection, table, ct), ct);
        await Task.WhenAll(current, previous, activity);
        var result = await current;
        return result with { PreviousYear = await previous, Activity = ActivityPoints(selection, result.Trend, await activity) };
    }

    /// <summary>The same selection a year earlier: both dates moved back twelve months (29 February to 28 February).</summary>
    public static ReportSelection PreviousYear(ReportSelection selection) =>
        selection with { From = selection.From.AddYears(-1), To = selection.To.AddYears(-1) };

    private async Task<ReportResult> RunOnceAsync(Guid userId, ReportSelection selection, string table, CancellationToken ct)
    {
        var finalMonths = followUps.Value.IntervalsMonths.Max();
        await using var connection = await db.OpenAsync(ct);

        var schools = (await connection.QueryAsync<ScopedSchool>(new CommandDefinition($"""
            SELECT s.id, s.name, b.id AS borough_id, b.name AS borough_name
            FROM schools AS s JOIN boroughs AS b ON b.id = s.borough_id
            WHERE s.id IN (SELECT school_id FROM user_school_scope WHERE user_id = @ScopeUserId)
            ORDER BY b.name, s.name
            """, new { ScopeUserId = userId }, cancellationToken: ct)))
            .Where(s => (selection.BoroughId is null || s.BoroughId == selection.BoroughId) && (selection.SchoolId is null || s.Id == selection.SchoolId))
            .ToList();
        var categories = (await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition(
            "SELECT id, name FROM offence_categories ORDER BY sort_order", cancellationToken: ct)))
            .Where(c => selection.OffenceCategoryId is null || c.Id == selection.OffenceCategoryId)
            .ToList();

        var everySchool = await ScopeIsEverySchoolAsync(connection, userId, ct);
        var holidays = await connection.QueryAsync<DateOnly>(new CommandDefinition("SELECT holiday_date FROM bank_holidays", cancellationToken: ct));
        // Working days from the referral dates to two years after: events later than that are counted one by one.
        var workingDays = new WorkingDays(holidays, selection.From.AddDays(-400), selection.To.AddYears(2));
        var tally = new ReportTally(finalMonths, selection.From, selection.To, schools.Count == 0 ? 0 : (int)schools.Max(s => s.Id), workingDays);
        var (sql, parameters) = FactsQuery(userId, selection, table: table, scopeIsEverySchool: everySchool);
        await ReadAsync(connection, sql, parameters, 3, (dims, flow, days) => tally.Add(new CaseFact(dims, flow, days)), ct);
        long? internalMatters = InternalMattersApply(selection) ? await InternalMattersAsync(connection, userId, selection, ct) : null;
        var result = tally.ToResult(selection, internalMatters, schools, categories);
        return result;
    }

    /// <summary>An Administrator or reviewer assigned every school needs no per-row scope check (it costs a fifth of the scan).</summary>
    private static Task<bool> ScopeIsEverySchoolAsync(DbConnection connection, Guid userId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM user_school_scope WHERE user_id = @ScopeUserId) = (SELECT count(*) FROM schools)
            """, new { ScopeUserId = userId }, cancellationToken: ct));

    private const int ActivityKinds = 8; // month_kind = month index × 8 + kind (1 held, 2 completed, 3 check recorded, 4 closed)

    /// <summary>
    /// What was recorded in each month of the period (<c>case_activity</c>, migration 0018): one range scan of the events' dates
    /// within the same scope and filters as the facts, one packed column a row, counted by month and kind and added up into the
    /// trend's months or quarters.
    /// </summary>
    private async Task<long[]> ActivityCountsAsync(Guid userId, ReportSelection selection, string factsTable, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var everySchool = await ScopeIsEverySchoolAsync(connection, userId, ct);
        var firstMonth = selection.From.Year * 12 + selection.From.Month - 1;
        var months = selection.To.Year * 12 + selection.To.Month - 1 - firstMonth + 1;
        var counts = new long[months * ActivityKinds];
        var table = factsTable == "case_report_facts" ? "case_activity" : "case_activity_source";
        var (sql, parameters) = FactsQuery(userId, selection, columns: "month_kind", table: table, scopeIsEverySchool: everySchool, dateColumn: "activity_on");
        await ReadAsync(connection, sql, parameters, 1, (monthKind, _, _) =>
        {
            var i = (int)(monthKind - (long)firstMonth * ActivityKinds);
            if (i >= 0 && i < counts.Length) counts[i]++;
        }, ct);
        return counts;
    }

    /// <summary>The activity counts (month × kind) added up into the trend's months or quarters.</summary>
    private static List<ActivityPoint> ActivityPoints(ReportSelection selection, IReadOnlyList<TrendPoint> trend, long[] counts)
    {
        var firstMonth = selection.From.Year * 12 + selection.From.Month - 1;
        var months = counts.Length / ActivityKinds;
        return trend.Select(point =>
        {
            var start = point.Start.Year * 12 + point.Start.Month - 1 - firstMonth;
            var end = selection.Trend == TrendGranularity.Quarter ? start + 3 : start + 1;
            long Sum(int kind)
            {
                long n = 0;
                for (var m = Math.Max(0, start); m < Math.Min(months, end); m++) n += counts[m * ActivityKinds + kind];
                return n;
            }
            return new ActivityPoint(point.Label, point.Start, point.Referrals, Sum(1), Sum(2), Sum(3), Sum(4));
        }).ToList();
    }

    /// <summary>
    /// The facts query: a range of referral dates, the user's scope, the selection's filters (parameters only).
    /// <paramref name="scopeIsEverySchool"/>: the caller has checked that the user's scope holds every school, so the
    /// per-row scope condition is left out.
    /// </summary>
    public static (string Sql, Dictionary<string, object> Parameters) FactsQuery(Guid userId, ReportSelection s, string columns = "dims, flow, days",
        string table = "case_report_facts", bool scopeIsEverySchool = false, string dateColumn = "referred_on")
    {
        var sql = new System.Text.StringBuilder($"""
            SELECT {columns} FROM {table}
            WHERE {dateColumn} >= @From AND {dateColumn} <= @To
            """);
        if (!scopeIsEverySchool) sql.Append($" AND {SchoolScope.SqlFilter}");
        var parameters = new Dictionary<string, object>
        {
            ["@From"] = s.From, ["@To"] = s.To, ["@ScopeUserId"] = userId.ToString("D"),
        };
        void Filter(string column, string name, object? value)
        {
            if (value is null) return;
            sql.Append($" AND {column} = {name}");
            parameters[name] = value;
        }
        Filter("borough_id", "@BoroughId", s.BoroughId);
        Filter("school_id", "@SchoolId", s.SchoolId);
        Filter("offence_category_id", "@OffenceCategoryId", s.OffenceCategoryId);
        Filter("outcome_route", "@OutcomeRoute", s.OutcomeRoute);
        Filter("age_band", "@AgeBand", s.AgeBand);
        Filter("gender", "@Gender", s.Gender);
        Filter("ethnic_group", "@EthnicGroup", s.EthnicGroup);
        return (sql.ToString(), parameters);
    }

    /// <summary>
    /// The hot loop: a year is about 200,000 rows. It steps the statement with SQLitePCL's raw calls (the
    /// library under Microsoft.Data.Sqlite, on the same connection): one native call per row and per value,
    /// where SqliteDataReader also asks each value's type first (a third more time). Parameters are bound, never
    /// written into the SQL.
    /// </summary>
    private static async Task ReadAsync(DbConnection connection, string sql, Dictionary<string, object> parameters, int columns,
        Action<long, long, long> add, CancellationToken ct)
    {
        if (connection is SqliteConnection sqlite)
        {
            ReadRows(sqlite, sql, parameters, columns, add, ct);
        }
        else
        {
            await ReadRowsAsync(connection, sql, parameters, columns, add, ct);
        }
    }

    private static void ReadRows(SqliteConnection connection, string sql, Dictionary<string, object> parameters, int columns,
        Action<long, long, long> add, CancellationToken ct)
    {
        Check(connection, raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
        using (statement)
        {
            foreach (var (name, value) in parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, name);
                if (index == 0) continue; // not used by this query (the scope, for a user assigned every school)
                Check(connection, value switch
                {
                    long number => raw.sqlite3_bind_int64(statement, index, number),
                    DateOnly date => raw.sqlite3_bind_text(statement, index, TypeHandlers.ToDateText(date)),
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    _ => throw new ArgumentException($"Unexpected parameter type for {name}"),
                });
            }
            var rows = 0;
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                add(raw.sqlite3_column_int64(statement, 0), columns > 1 ? raw.sqlite3_column_int64(statement, 1) : 0,
                    columns > 2 ? raw.sqlite3_column_int64(statement, 2) : 0);
                if ((++rows & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
            if (rc != raw.SQLITE_DONE) Check(connection, rc);
        }
    }

    /// <summary>
    /// The same loop on PostgreSQL: the facts query as a binary COPY (<c>COPY (SELECT …) TO STDOUT (FORMAT BINARY)</c>), three
    /// bigints a row with nothing between the row and the tally — faster than a data reader over the same query (see
    /// docs/performance.md, "PostgreSQL"). COPY takes no parameters, so it is used only when every value is a date or a
    /// number or the user's id, written by this code from a typed value (<c>DATE 'yyyy-MM-dd'</c>, digits, a GUID's hex
    /// digits and dashes): no text anyone typed ever goes into the SQL. A selection with a text filter (a gender, an ethnic
    /// group, an outcome route) runs with bound parameters through a data reader instead.
    /// </summary>
    private static async Task ReadRowsAsync(DbConnection connection, string sql, Dictionary<string, object> parameters, int columns,
        Action<long, long, long> add, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        static bool IsId(object v) => v is string text && Guid.TryParseExact(text, "D", out _); // hex digits and dashes only
        if (parameters.Values.All(v => v is DateOnly or long || IsId(v)))
        {
            // Longest names first, so that @School is never replaced inside @SchoolId.
            foreach (var (name, value) in parameters.OrderByDescending(p => p.Key.Length))
            {
                sql = sql.Replace(name, value switch
                {
                    DateOnly date => $"DATE '{TypeHandlers.ToDateText(date)}'",
                    long number => number.ToString(CultureInfo.InvariantCulture),
                    string id when IsId(id) => $"'{id}'",
                    _ => throw new ArgumentException($"Unexpected parameter value for {name}"),
                });
            }
            await using var export = await npgsql.BeginBinaryExportAsync($"COPY ({sql}) TO STDOUT (FORMAT BINARY)", ct);
            var rows = 0;
            while (await export.StartRowAsync(ct) != -1)
            {
                var first = export.Read<long>(NpgsqlDbType.Bigint);
                add(first, columns > 1 ? export.Read<long>(NpgsqlDbType.Bigint) : 0, columns > 2 ? export.Read<long>(NpgsqlDbType.Bigint) : 0);
                if ((++rows & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
            return;
        }
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            add(reader.GetInt64(0), columns > 1 ? reader.GetInt64(1) : 0, columns > 2 ? reader.GetInt64(2) : 0);
        }
    }

    private static void Check(SqliteConnection connection, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc);
        }
    }

    private static Task<long> InternalMattersAsync(DbConnection connection, Guid userId, ReportSelection s, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition($"""
            SELECT count(*) FROM school_internal_matters
            WHERE recorded_on >= @From AND recorded_on <= @To AND {SchoolScope.SqlFilter}
              AND (@BoroughId IS NULL OR school_id IN (SELECT id FROM schools WHERE borough_id = @BoroughId))
              AND (@SchoolId IS NULL OR school_id = @SchoolId)
              AND (@OffenceCategoryId IS NULL OR offence_category_id = @OffenceCategoryId)
            """, new { s.From, s.To, ScopeUserId = userId, s.BoroughId, s.SchoolId, s.OffenceCategoryId }, cancellationToken: ct));
}

/// <summary>
/// The running totals of one report, fed one <see cref="CaseFact"/> at a time, then turned into a
/// <see cref="ReportResult"/>. Public so that tests and the benchmark can feed it facts computed
/// straight from the source tables and compare.
/// </summary>
public sealed class ReportTally
{
    // Columns of a breakdown row.
    private const int Referrals = 0, Eligible = 1, Held = 2, Reached = 3, Completed = 4, DivNum = 5, DivDen = 6, Width = 7;
    private const int Groups = 6;

    private readonly int finalMonths;
    private readonly int firstMonth, months;
    private readonly long[] atStage = new long[8];               // cases whose furthest stored stage is exactly k
    private readonly long[,] reasons = new long[8, 8];           // [stage, reason] of cases stopped at that stage
    private readonly long[] ineligible = new long[4];
    private long checkDone, checkDoneNoCjs, noCjs12, enteredCjsCompleted, exclusionYes, exclusionAnswered, satisfied, satisfactionAnswered;
    private readonly Dictionary<int, long> daysToConference = [], daysToVictim = [];
    private readonly Dictionary<int, long> workingDaysToAssessment = [], workingDaysToVictimOffer = [], workingDaysToConference = [];
    private long harmedConsented, harmedTookPart;
    private readonly WorkingDays workingDays;
    private readonly long[,] groupAtStage = new long[Groups, 8];
    private readonly long[] groupFinalBase = new long[Groups], groupNoCjs = new long[Groups];
    private readonly long[] bySchool;
    private readonly long[] byCategory = new long[256 * Width];
    private readonly long[] byMonth;
    private readonly long[] awaitingCheckByMonth;

    /// <param name="maxSchoolId">The largest school id that can occur (the schools in scope); up to 65,535.</param>
    /// <param name="workingDays">The calendar the timeliness figures count in (default: weekends only, no bank holidays).</param>
    public ReportTally(int finalMonths, DateOnly from, DateOnly to, int maxSchoolId = 65535, WorkingDays? workingDays = null)
    {
        this.workingDays = workingDays ?? new WorkingDays([], from.AddDays(-400), to.AddYears(2));
        bySchool = new long[(Math.Clamp(maxSchoolId, 0, 65535) + 1) * Width];
        this.finalMonths = finalMonths;
        firstMonth = from.Year * 12 + from.Month - 1;
        months = Math.Max(0, to.Year * 12 + to.Month - 1 - firstMonth + 1);
        byMonth = new long[months * Width];
        awaitingCheckByMonth = new long[months];
    }

    public void Add(CaseFact f)
    {
        var stage = f.Stage;
        var done = f.LastCheckMonths >= finalMonths;
        var cjs = f.EnteredCjs;
        atStage[stage]++;
        reasons[stage, f.Reason]++;
        if (stage == ReportFacts.Stage.Referred)
        {
            var mask = f.IneligibleMask;
            for (var bit = 0; bit < 4; bit++) if ((mask & (1 << bit)) != 0) ineligible[bit]++;
        }
        var divNum = done && !cjs ? 1 : 0;
        var divDen = done ? 1 : 0;
        checkDone += divDen;
        checkDoneNoCjs += divNum;
        if (stage == ReportFacts.Stage.Completed)
        {
            if (done && !cjs) noCjs12++;
            else if (cjs) enteredCjsCompleted++;
        }
        if (f.ExclusionAvoided is { } excluded)
        {
            exclusionAnswered++;
            if (excluded) exclusionYes++;
        }
        if (f.Satisfaction is { } s)
        {
            satisfactionAnswered++;
            if (s >= 4) satisfied++;
        }
        if (f.DaysToConference is { } dc) daysToConference[dc] = daysToConference.GetValueOrDefault(dc) + 1;
        if (f.DaysToVictimContact is { } dv) daysToVictim[dv] = daysToVictim.GetValueOrDefault(dv) + 1;
        if (f.DaysToAssessment is not null || f.DaysToVictimContact is not null || f.DaysToConference is not null)
        {
            var referred = f.ReferredOn;
            void Working(Dictionary<int, long> histogram, int? days)
            {
                if (days is not { } d) return;
                var w = workingDays.Between(referred, referred.AddDays(d));
                histogram[w] = histogram.GetValueOrDefault(w) + 1;
            }
            Working(workingDaysToAssessment, f.DaysToAssessment);
            Working(workingDaysToVictimOffer, f.DaysToVictimContact);
            Working(workingDaysToConference, f.DaysToConference);
        }
        harmedConsented += f.HarmedConsented;
        harmedTookPart += f.HarmedTookPart;

        var group = Math.Min(f.EthnicGroup, Groups - 1);
        groupAtStage[group, stage]++;
        if (stage == ReportFacts.Stage.Completed && done)
        {
            groupFinalBase[group]++;
            if (!cjs) groupNoCjs[group]++;
        }

        if (f.SchoolId * Width < bySchool.Length) AddRow(bySchool, f.SchoolId, stage, divNum, divDen);
        AddRow(byCategory, f.OffenceCategoryId, stage, divNum, divDen);
        var month = f.MonthIndex - firstMonth;
        if (month >= 0 && month < months)
        {
            AddRow(byMonth, month, stage, divNum, divDen);
            // A case with an agreement (active or completed) whose 12-month check is not recorded yet: it will count in
            // the diversion rate once it is, so a month without a rate says how many are still waiting.
            if (!done && (stage == ReportFacts.Stage.Completed || (stage == ReportFacts.Stage.Reached && f.Reason == ReportFacts.Reason.InProgress)))
            {
                awaitingCheckByMonth[month]++;
            }
        }
    }

    private static void AddRow(long[] rows, int index, int stage, int divNum, int divDen)
    {
        var i = index * Width;
        rows[i + Referrals]++;
        if (stage >= ReportFacts.Stage.Eligible) rows[i + Eligible]++;
        if (stage >= ReportFacts.Stage.Held) rows[i + Held]++;
        if (stage >= ReportFacts.Stage.Reached) rows[i + Reached]++;
        if (stage >= ReportFacts.Stage.Completed) rows[i + Completed]++;
        rows[i + DivNum] += divNum;
        rows[i + DivDen] += divDen;
    }

    /// <summary>Cases at or beyond each funnel stage (index 0 referred … 6 no CJS entry at 12 months).</summary>
    private long[] StageCounts(Func<int, long> exactly, long lastStage)
    {
        var counts = new long[7];
        for (var k = 1; k <= 6; k++)
        {
            for (var s = k; s <= 6; s++) counts[k - 1] += exactly(s);
        }
        counts[6] = lastStage;
        return counts;
    }

    public ReportResult ToResult(ReportSelection selection, long? internalMatters, IReadOnlyList<ScopedSchool> schools,
        IReadOnlyList<(long Id, string Name)> categories)
    {
        var counts = StageCounts(s => atStage[s], noCjs12);
        var (referred, eligible, consented, held, reached, completed, _) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);
        var (conferenceMedian, conferenceN) = Median(daysToConference);
        var (victimMedian, victimN) = Median(daysToVictim);
        var headlines = new List<HeadlineFigure>
        {
            Count("referrals", "Referrals", referred),
            internalMatters is { } n
                ? Count("school_internal", "Referrals the school handled internally", n)
                : new HeadlineFigure("school_internal", "Referrals the school handled internally (not recorded by outcome route, age, gender or ethnic group)",
                    FigureKind.Count, 0, null, null),
            Rate("eligible", "Eligible referrals", eligible, referred),
            Rate("conferences_held", "Conferences held", held, eligible),
            Rate("agreements_reached", "Agreements reached", reached, held),
            Rate("agreements_completed", "Agreements completed", completed, reached),
            Rate("diversion_rate", "Diversion rate: did not enter the CJS within 12 months", checkDoneNoCjs, checkDone),
            Rate("entered_cjs_12", "Entered the CJS within 12 months", checkDone - checkDoneNoCjs, checkDone),
            Rate("exclusions_avoided", "School exclusions avoided", exclusionYes, exclusionAnswered),
            new("median_days_to_conference", "Median days from referral to conference", FigureKind.MedianDays, conferenceN, conferenceN, conferenceMedian),
            new("median_days_to_victim_contact", "Median days from referral to first contact with the harmed party", FigureKind.MedianDays, victimN, victimN, victimMedian),
            Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5 out of 5)", satisfied, satisfactionAnswered),
            // Timeliness, in working days, and the harmed parties who took part.
            Rate("assessed_in_time", $"Suitability assessed within {ReportQueries.AssessmentTargetWorkingDays} working days of referral",
                Within(workingDaysToAssessment, ReportQueries.AssessmentTargetWorkingDays), workingDaysToAssessment.Values.Sum()),
            WorkingDaysMedian("median_working_days_to_assessment", "Median working days from referral to suitability assessment", workingDaysToAssessment),
            Rate("victim_offer_in_time", $"Harmed party offered restorative justice within {ReportQueries.VictimOfferTargetWorkingDays} working days of referral (Victims' Code)",
                Within(workingDaysToVictimOffer, ReportQueries.VictimOfferTargetWorkingDays), workingDaysToVictimOffer.Values.Sum()),
            WorkingDaysMedian("median_working_days_to_victim_offer", "Median working days from referral to the offer of restorative justice to the harmed party", workingDaysToVictimOffer),
            WorkingDaysMedian("median_working_days_to_conference", "Median working days from referral to conference", workingDaysToConference),
            Rate("harmed_took_part", "Harmed parties who took part in a conference, of those who consented to take part", harmedTookPart, harmedConsented),
        };

        var leavers = new List<StageLeavers>[7];
        leavers[0] = [];
        leavers[1] = ReportFacts.IneligibilityCodes.Select((code, bit) =>
            new StageLeavers(code, "Not eligible: " + Vocabulary.Label(Vocabulary.IneligibilityReasons, code).ToLowerInvariant(), ineligible[bit])).ToList();
        leavers[2] = BeforeConference(ReportFacts.Stage.Eligible, "Still being assessed or awaiting consent", notHeld: false);
        leavers[3] = BeforeConference(ReportFacts.Stage.Consented, "Waiting for a conference", notHeld: true);
        leavers[4] = [new("no_agreement", "Conference held, no agreement reached", reasons[ReportFacts.Stage.Held, ReportFacts.Reason.NoAgreement])];
        leavers[5] =
        [
            new("agreement_failed", "Agreement failed", reasons[ReportFacts.Stage.Reached, ReportFacts.Reason.AgreementFailed]),
            new("in_progress", "Agreement still active", reasons[ReportFacts.Stage.Reached, ReportFacts.Reason.InProgress]),
        ];
        leavers[6] =
        [
            new("entered_cjs", "Entered the criminal justice system", enteredCjsCompleted),
            new("in_progress", "12-month follow-up check not yet recorded", atStage[ReportFacts.Stage.Completed] - noCjs12 - enteredCjsCompleted),
        ];
        var funnel = Enumerable.Range(0, 7).Select(k => new FunnelStage(ReportQueries.StageKeys[k], ReportQueries.StageLabels[k], counts[k],
            Share(counts[k], referred), k == 0 ? null : Share(counts[k], counts[k - 1]), leavers[k])).ToList();

        return new ReportResult(selection, headlines, funnel, Disproportionality(selection.ReferenceGroup), Trend(selection.Trend),
            Boroughs(schools), schools.Select(s => Row(s.FullName, bySchool, (int)s.Id) with { Borough = s.BoroughName }).ToList(),
            categories.Select(c => Row(c.Name, byCategory, (int)c.Id)).ToList());
    }

    private List<StageLeavers> BeforeConference(int stage, string inProgress, bool notHeld)
    {
        var list = new List<StageLeavers>
        {
            new("not_suitable", "Not suitable", reasons[stage, ReportFacts.Reason.NotSuitable]),
            new("consent_refused", "Consent refused", reasons[stage, ReportFacts.Reason.ConsentRefused]),
            new("withdrawn", "Withdrawn", reasons[stage, ReportFacts.Reason.Withdrawn]),
        };
        if (notHeld) list.Add(new("conference_not_held", "Conference not held", reasons[stage, ReportFacts.Reason.ConferenceNotHeld]));
        list.Add(new("in_progress", inProgress, reasons[stage, ReportFacts.Reason.InProgress]));
        return list;
    }

    private List<GroupRates> Disproportionality(string referenceGroup)
    {
        var headings = Vocabulary.EthnicGroupHeadings;
        var rates = new (long Count, long Base, double? Rate)[Groups][];
        for (var g = 0; g < Groups; g++)
        {
            var counts = StageCounts(s => groupAtStage[g, s], groupNoCjs[g]);
            rates[g] = new (long, long, double?)[7];
            for (var k = 1; k < 7; k++)
            {
                var b = k == 6 ? groupFinalBase[g] : counts[k - 1];
                rates[g][k] = (counts[k], b, Share(counts[k], b));
            }
            rates[g][0] = (counts[0], counts[0], null);
        }
        var reference = headings.ToList().IndexOf(referenceGroup);
        return Enumerable.Range(0, Groups).Select(g => new GroupRates(headings[g], rates[g][0].Count, rates[g][0].Count < ReportQueries.SmallBaseBelow,
            Enumerable.Range(1, 6).Select(k =>
            {
                var (count, b, rate) = rates[g][k];
                double? referenceRate = reference >= 0 ? rates[reference][k].Rate : null;
                var index = rate is { } r && referenceRate is { } rr && rr > 0 ? r / rr : (double?)null;
                return new GroupStageRate(ReportQueries.StageKeys[k], count, b, rate, index, Intervals.Wilson(count, b),
                    index is null || g == reference ? null : Intervals.RelativeRateIndex(count, b, rates[reference][k].Count, rates[reference][k].Base));
            }).ToList())).ToList();
    }

    private List<TrendPoint> Trend(TrendGranularity granularity)
    {
        var points = new List<TrendPoint>();
        var culture = AppSetup.Culture;
        var step = granularity == TrendGranularity.Quarter ? 3 : 1;
        // Calendar quarters (January–March ...): the first point starts at the quarter holding From.
        var start = granularity == TrendGranularity.Quarter ? firstMonth - (firstMonth % 12) % 3 : firstMonth;
        for (var m = start; m < firstMonth + months; m += step)
        {
            long referrals = 0, held = 0, divNum = 0, divDen = 0, awaiting = 0;
            for (var i = Math.Max(m, firstMonth); i < Math.Min(m + step, firstMonth + months); i++)
            {
                var o = (i - firstMonth) * Width;
                awaiting += awaitingCheckByMonth[i - firstMonth];
                referrals += byMonth[o + Referrals];
                held += byMonth[o + Held];
                divNum += byMonth[o + DivNum];
                divDen += byMonth[o + DivDen];
            }
            var first = new DateOnly(m / 12, m % 12 + 1, 1);
            var label = step == 1
                ? first.ToString("MMMM yyyy", culture)
                : $"{first.ToString("MMMM", culture)} to {first.AddMonths(2).ToString("MMMM yyyy", culture)}";
            points.Add(new TrendPoint(label, first, referrals, held, divNum, divDen, awaiting));
        }
        return points;
    }

    private List<BreakdownRow> Boroughs(IReadOnlyList<ScopedSchool> schools) =>
        schools.GroupBy(s => (s.BoroughId, s.BoroughName)).OrderBy(g => g.Key.BoroughName, StringComparer.Ordinal).Select(g =>
        {
            var sum = new long[Width];
            foreach (var s in g)
            {
                for (var c = 0; c < Width; c++) sum[c] += bySchool[(int)s.Id * Width + c];
            }
            return new BreakdownRow(g.Key.BoroughName, sum[Referrals], sum[Eligible], sum[Held], sum[Reached], sum[Completed], sum[DivNum], sum[DivDen]);
        }).ToList();

    private static BreakdownRow Row(string name, long[] rows, int index)
    {
        var i = index * Width;
        return new BreakdownRow(name, rows[i + Referrals], rows[i + Eligible], rows[i + Held], rows[i + Reached], rows[i + Completed], rows[i + DivNum], rows[i + DivDen]);
    }

    private static HeadlineFigure Count(string key, string label, long count) => new(key, label, FigureKind.Count, count, null, count);

    private static HeadlineFigure WorkingDaysMedian(string key, string label, IReadOnlyDictionary<int, long> histogram)
    {
        var (median, n) = Median(histogram);
        return new(key, label, FigureKind.MedianDays, n, n, median);
    }

    /// <summary>The cases of a histogram (working days → cases) at or within <paramref name="target"/>.</summary>
    private static long Within(IReadOnlyDictionary<int, long> histogram, int target) => histogram.Where(p => p.Key <= target).Sum(p => p.Value);

    private static HeadlineFigure Rate(string key, string label, long numerator, long denominator) =>
        new(key, label, FigureKind.Rate, numerator, denominator, Share(numerator, denominator));

    private static double? Share(long numerator, long denominator) => denominator == 0 ? null : (double)numerator / denominator;

    /// <summary>The median of a histogram (value → cases): the middle value, or the mean of the two middle values.</summary>
    public static (double? Median, long N) Median(IReadOnlyDictionary<int, long> histogram)
    {
        var n = histogram.Values.Sum();
        if (n == 0) return (null, 0);
        long lower = (n - 1) / 2, upper = n / 2, seen = 0;
        int? low = null, high = null;
        foreach (var (value, count) in histogram.OrderBy(p => p.Key))
        {
            if (low is null && lower < seen + count) low = value;
            if (upper < seen + count) { high = value; break; }
            seen += count;
        }
        return ((low!.Value + high!.Value) / 2.0, n);
    }
}
