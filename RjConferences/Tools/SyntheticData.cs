using System.Diagnostics;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Identity;
using RjConferences.Features.Demo;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Features.Reports;
using SQLitePCL;

namespace RjConferences.Tools;

/// <param name="HeldAlone">The run had the database to itself (a rollback journal, faster); false when something else had it open.</param>
/// <param name="IndexesSetAside">The run set aside the indexes it does not read and made them again at its end (held alone, into a
/// database with no more cases than it added).</param>
public sealed record SyntheticResult(int Cases, long Rows, TimeSpan Elapsed, bool HeldAlone, bool IndexesSetAside)
{
    public double CasesPerSecond => Cases / Math.Max(Elapsed.TotalSeconds, 0.001);
}

/// <summary>
/// The <c>generate-synthetic --cases N</c> command (a tool for benchmarks, outside the feature folders: it writes a dozen
/// tables itself rather than through the features' services): adds N synthetic cases for benchmarks, fast
/// (a million in minutes). Each case has a young person, a parent and a harmed party, and the
/// consents, suitability assessment, ineligibility reasons and timeline entries its status needs,
/// written as <see cref="ReferralService"/> and <see cref="CaseChanges"/> would write them (the moves
/// are checked against <see cref="CaseLifecycle"/>). Referral times are spread over the last five
/// years on school days, reference numbers continue <c>reference_counters</c> per year.
/// <para>
/// Speed comes from one connection, one write transaction per <see cref="BatchSize"/> cases, SQLite statements
/// prepared once and bound by position (not Dapper, nor a <see cref="SqliteCommand"/>, per row), 32 rows a statement,
/// two threads (one works out the cases and encodes their text, the other writes their rows in the same order),
/// SQLite's memory statistics off in the command's process, time-ordered (version 7) ids so that
/// the primary-key indexes grow at their end, and, for the duration of the run only, on this connection
/// only, <c>PRAGMA synchronous = OFF</c>, a 1 GiB page cache, the database held alone with a rollback journal
/// when nothing else has it open (see HoldAlone; a crash of the process loses the batch it was writing, which
/// the next connection rolls back; a power cut during the run can spoil a benchmark database, which is why this is
/// no way to write real ones), when such a run at least doubles the database the indexes it does not read set aside and made from the
/// finished tables at its end (see SetIndexesAside and <see cref="SetAsideIndexes"/>), and no foreign-key checks (the generator
/// writes every parent row before its children, in the same transaction; the tests run <c>PRAGMA
/// foreign_key_check</c> on what it wrote). The audit log is skipped: synthetic rows are for benchmarks,
/// not a record of anyone's actions.
/// </para>
/// </summary>
public static class SyntheticData
{
    public const string Command = "generate-synthetic";
    public const string UserEmail = "synthetic@demo.rjconferences.example";
    /// <summary>
    /// Cases a transaction. With the database held alone (a rollback journal, see <see cref="HoldAlone"/>), a million cases took
    /// 205 s in batches of 100,000 against 214 s in batches of 50,000 and 222 s in batches of 200,000 (whose pages no longer fit
    /// the 1 GiB page cache); with WAL, 50,000 was the best.
    /// </summary>
    public const int BatchSize = 100_000;
    public const int MaxCases = 10_000_000;
    public const int Years = 5;
    public const string Usage = "Usage: generate-synthetic --cases <N> [--seed <number>]   (N from 1 to 10,000,000)";

    /// <summary>
    /// Called first thing in a process that runs the command, before SQLite starts: turns off SQLite's memory statistics
    /// (<c>SQLITE_CONFIG_MEMSTATUS</c>, off in SQLite's recommended build options), which make every allocation of the writer
    /// take a global mutex; about 3 % of the run. Nothing in the app reads them. And it leaves out the mutex SQLite takes on
    /// every call on a connection (<c>SQLITE_CONFIG_MULTITHREAD</c>: each connection is used by one thread at a time, as
    /// Microsoft.Data.Sqlite requires anyway), which the writer took and released for each of its ~20 million bound values.
    /// Both can only be set before SQLite starts and while no other thread uses it, so never in a process already running (the
    /// app, a test host).
    /// </summary>
    public static void BeforeSqliteStarts()
    {
        Batteries_V2.Init();
        // SQLITE_MISUSE if SQLite has started: then it keeps its statistics and its mutexes.
        raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
        raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD);
    }

    /// <summary>The command, its options read by the command line: <c>--cases</c> (required) and <c>--seed</c>.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string? casesOption, string? seedOption, TextWriter output, TextWriter error)
    {
        if (casesOption is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        if (!int.TryParse(casesOption, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var cases) || cases is < 1 or > MaxCases)
        {
            await error.WriteLineAsync($"Unexpected value '{casesOption}' for --cases.\n{Usage}");
            return 2;
        }
        var seed = 1;
        if (seedOption is not null && !int.TryParse(seedOption, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
        {
            await error.WriteLineAsync($"Unexpected value '{seedOption}' for --seed.\n{Usage}");
            return 2;
        }

        var db = services.GetRequiredService<Db>();
        var userId = await EnsureUserAsync(services, output);
        await output.WriteLineAsync($"Adding {cases:N0} synthetic cases to {db.DatabasePath} ({BatchSize:N0} a transaction)...");
        var result = await GenerateAsync(db, cases, userId, services.GetRequiredService<TimeProvider>().GetUtcNow(), seed,
            services.GetRequiredService<IOptions<ReferralOptions>>().Value.MaxGravity, output,
            overdueAfterDays: services.GetRequiredService<IOptions<FollowUpOptions>>().Value.OverdueAfterDays);
        await output.WriteLineAsync(
            $"Added {result.Cases:N0} synthetic cases ({result.Rows:N0} rows) in {result.Elapsed.TotalSeconds:N1} s: {result.CasesPerSecond:N0} cases a second.");
        return 0;
    }

    /// <summary>
    /// For the benchmarks: tops the database up to <paramref name="cases"/> synthetic cases, saying how
    /// long it took; does nothing when it holds that many already (a benchmark's database is reused).
    /// </summary>
    public static async Task EnsureCasesAsync(IServiceProvider services, long cases, TextWriter output)
    {
        var db = services.GetRequiredService<Db>();
        long existing;
        await using (var connection = await db.OpenAsync())
        {
            existing = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
        }
        if (existing >= cases) return;
        var userId = await EnsureUserAsync(services, output);
        await output.WriteLineAsync($"Generating {cases - existing:N0} synthetic cases (it has {existing:N0})...");
        var result = await GenerateAsync(db, (int)(cases - existing), userId, services.GetRequiredService<TimeProvider>().GetUtcNow(), progress: output);
        await output.WriteLineAsync($"generate-synthetic: {result.Cases:N0} cases, {result.Rows:N0} rows in {result.Elapsed.TotalSeconds:N1} s ({result.CasesPerSecond:N0} cases/s)");
    }

    /// <summary>The account synthetic cases are referred by: created (Referrer and Facilitator, every borough) when missing.</summary>
    public static async Task<Guid> EnsureUserAsync(IServiceProvider services, TextWriter? output = null)
    {
        var db = services.GetRequiredService<Db>();
        await using (var connection = await db.OpenAsync())
        {
            var existing = await connection.ExecuteScalarAsync<Guid?>(
                "SELECT id FROM users WHERE normalized_email = @email", new { email = UserEmail.ToUpperInvariant() });
            if (existing is { } id) return id;
        }
        List<long> boroughs;
        await using (var connection = await db.OpenAsync())
        {
            boroughs = (await connection.QueryAsync<long>("SELECT id FROM boroughs ORDER BY id")).ToList();
        }
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        // Nobody signs in as this account: its one-time password is never shown.
        var result = await accounts.CreateAsync(new NewAccount("Synthetic data", UserEmail, [Roles.Referrer, Roles.Facilitator], [], boroughs,
            UserAccounts.GeneratePassword(), MustChangePassword: true), actorId: null);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not create {UserEmail}: {string.Join("; ", result.Errors.SelectMany(e => e.Value))}");
        }
        if (output is not null) await output.WriteLineAsync($"Created the account {UserEmail} that refers the synthetic cases (no one signs in with it).");
        return result.UserId!.Value;
    }

    /// <summary>
    /// Adds <paramref name="cases"/> cases. The same <paramref name="seed"/> and <paramref name="now"/> give the same rows, except the
    /// random bits of the ids, which come from an unseeded source unless <paramref name="idSeed"/> is given (a test that compares whole
    /// databases gives it; a second run into the same database must make new ids).
    /// </summary>
    public static async Task<SyntheticResult> GenerateAsync(Db db, int cases, Guid userId, DateTimeOffset now, int seed = 1,
        int maxGravity = 2, TextWriter? progress = null, int? idSeed = null, int batchSize = BatchSize, int? overdueAfterDays = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cases, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cases, MaxCases);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException("generate-synthetic writes to an SQLite database (its bulk loader is SQLite's); " +
                "generate into SQLite, then move the data with copy-database --to-postgres.");
        }
        var stopwatch = Stopwatch.StartNew();
        await using var connection = (SqliteConnection)await db.OpenAsync();
        Pragma(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;");
        var alone = HoldAlone(connection);
        if (!alone)
        {
            progress?.WriteLine($"Something else has {db.DatabasePath} open (the app?), so the cases are written beside it, in WAL mode: " +
                "about a tenth slower than with the database to itself.");
        }
        try
        {
            // Setting indexes aside pays when building them from all the cases costs less than inserting the new ones into them one
            // at a time: when the run at least doubles the database. Not beside the app, whose queries need them.
            var setIndexesAside = alone && cases >= connection.ExecuteScalar<long>("SELECT count(*) FROM cases");
            if (setIndexesAside)
            {
                progress?.WriteLine("The indexes the run does not read are set aside and made again from the finished tables at its end " +
                    "(if it is stopped before, the next start of the app or any command makes them).");
            }
            var generator = new Generator(connection, new Random(seed), idSeed is { } bits ? new Random(bits) : new Random(), userId, now, maxGravity,
                overdueAfterDays ?? new FollowUpOptions().OverdueAfterDays);
            long rows;
            try
            {
                rows = generator.Run(cases, batchSize, setIndexesAside, (done, elapsed, derived, commits) =>
                    progress?.WriteLine($"  {done,12:N0} cases  {done / Math.Max(elapsed.TotalSeconds, 0.001),9:N0} cases/s  {elapsed.TotalSeconds,7:N1} s" +
                        $"  (derived data {derived.TotalSeconds:N1} s, commits {commits.TotalSeconds:N1} s)"),
                    stopwatch);
            }
            catch when (setIndexesAside)
            {
                // The batches committed stay: give them their indexes now, or, if that fails too, at the next start.
                try
                {
                    await SetAsideIndexes.RebuildAsync(connection);
                }
                catch (Exception e) when (Db.IsDatabaseError(e))
                {
                }
                throw;
            }
            if (setIndexesAside)
            {
                var started = stopwatch.Elapsed;
                var made = await SetAsideIndexes.RebuildAsync(connection);
                progress?.WriteLine($"  Made the {made} indexes set aside in {(stopwatch.Elapsed - started).TotalSeconds:N1} s.");
            }
            return new SyntheticResult(cases, rows, stopwatch.Elapsed, alone, setIndexesAside);
        }
        finally
        {
            // The connection may go back to the pool: give it the settings every connection runs with, and the file WAL mode again.
            if (alone) Pragma(connection, "PRAGMA locking_mode = NORMAL; SELECT count(*) FROM sqlite_schema; PRAGMA journal_mode = WAL;");
            Pragma(connection, $"PRAGMA synchronous = FULL; PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON;");
        }
    }

    /// <summary>
    /// Takes the database for the run alone, when nothing else has it open: SQLite's exclusive locking and a rollback journal
    /// (<c>TRUNCATE</c>) in place of WAL. In WAL mode every page a batch writes goes to the log, then again into the database at the
    /// checkpoint; with a rollback journal the new pages (most of them) are written once, and only the old pages a batch changes are
    /// copied to the journal first. At a million cases the commits took 43 s in WAL mode and 19–26 s so. Meanwhile no one else can
    /// read or write the file (the app cannot start on it). A crash of the process leaves the journal, and the next connection to
    /// open the file rolls the unfinished batch back with it, as WAL mode would drop it. Returns false, changing nothing, when another connection
    /// (another process, or a pooled one of this process in use) has the file open: SQLite answers "database is locked" at once.
    /// </summary>
    private static bool HoldAlone(SqliteConnection connection)
    {
        // Idle pooled connections of this process to the same file would hold it open; the one in use goes when it is closed.
        SqliteConnection.ClearPool(connection);
        try
        {
            Pragma(connection, "PRAGMA locking_mode = EXCLUSIVE;");
            if (connection.ExecuteScalar<string>("PRAGMA journal_mode = TRUNCATE") == "truncate") return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
        }
        Pragma(connection, "PRAGMA locking_mode = NORMAL;");
        return false;
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// An INSERT prepared once as SQLite's own statements (SQLitePCLRaw, what Microsoft.Data.Sqlite runs on), its values bound by
    /// position. The generator only queues a row (<see cref="Run"/>); the writer thread collects a chunk's rows of each table
    /// (<see cref="Add"/>, in the order they were queued) and inserts them table by table (<see cref="Flush"/>), up to
    /// <see cref="RowsPerStatement"/> rows a statement. Through a <see cref="SqliteCommand"/> each row also cost a lookup of every
    /// parameter by name, a data reader and the command's checks: about a quarter of the run. A statement of one row each opened
    /// the table's and its indexes' cursors and ran the statement's program afresh for every row.
    /// </summary>
    private sealed class Insert : IDisposable
    {
        /// <summary>Rows one statement inserts (a multi-row VALUES; the rest of a chunk's rows go one a statement).</summary>
        public const int RowsPerStatement = 32;

        private readonly sqlite3 handle;
        private readonly sqlite3_stmt one, many;
        private readonly RowQueue queue;
        private readonly int columns;
        private readonly List<object?[]> pending = [];

        public Insert(SqliteConnection connection, RowQueue queue, string table, params string[] columns)
        {
            handle = connection.Handle!;
            this.queue = queue;
            this.columns = columns.Length;
            // Table and column names are the constants of the generator, never input. OR ROLLBACK: a row that breaks a
            // constraint (a bug of the generator) ends the whole transaction, as the failure ends the run anyway. With the
            // default (ABORT) SQLite keeps a statement journal of every page a multi-row statement changes, so that it could
            // undo that statement alone: 5 % of the run's CPU.
            var head = $"INSERT OR ROLLBACK INTO {table} ({string.Join(", ", columns)}) VALUES ";
            var row = $"({string.Join(", ", columns.Select(_ => "?"))})";
            SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(handle, head + row, out one), handle);
            SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(handle, head + string.Join(", ", Enumerable.Repeat(row, RowsPerStatement)), out many), handle);
        }

        public long Rows { get; private set; }

        public void Run(params object?[] values)
        {
            if (values.Length != columns) throw new ArgumentException($"{values.Length} values for {columns} columns.", nameof(values));
            // Text is encoded here, on the generator's thread, which has time to spare; the writer binds the bytes.
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is string text) values[i] = Encoding.UTF8.GetBytes(text);
            }
            queue.Rows.Add((this, values));
        }

        /// <summary>Holds a row for the next <see cref="Flush"/>.</summary>
        public void Add(object?[] values) => pending.Add(values);

        /// <summary>Inserts the rows held, in the order they were added.</summary>
        public void Flush()
        {
            var next = 0;
            for (; next + RowsPerStatement <= pending.Count; next += RowsPerStatement)
            {
                for (var row = 0; row < RowsPerStatement; row++) Bind(many, row * columns, pending[next + row]);
                Step(many);
            }
            for (; next < pending.Count; next++)
            {
                Bind(one, 0, pending[next]);
                Step(one);
            }
            Rows += pending.Count;
            pending.Clear();
        }

        /// <summary>Binds a row's values as Microsoft.Data.Sqlite binds them (text, as UTF-8 or a string, 64-bit integers, NULL) after the first <paramref name="offset"/> parameters.</summary>
        private void Bind(sqlite3_stmt statement, int offset, object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var index = offset + i + 1;
                var bound = values[i] switch
                {
                    null => raw.sqlite3_bind_null(statement, index),
                    byte[] text => raw.sqlite3_bind_text(statement, index, text),
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    int number => raw.sqlite3_bind_int64(statement, index, number),
                    long number => raw.sqlite3_bind_int64(statement, index, number),
                    var other => throw new InvalidOperationException($"A synthetic value of type {other.GetType().Name} has no binding."),
                };
                SqliteException.ThrowExceptionForRC(bound, handle);
            }
        }

        private void Step(sqlite3_stmt statement)
        {
            var result = raw.sqlite3_step(statement);
            try
            {
                if (result != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(result, handle);
            }
            finally
            {
                raw.sqlite3_reset(statement);
            }
        }

        public void Dispose()
        {
            one.Dispose();
            many.Dispose();
        }
    }

    /// <summary>The rows the generator has queued and not yet handed to the writer.</summary>
    private sealed class RowQueue
    {
        public List<(Insert Insert, object?[] Values)> Rows { get; private set; } = new(RowsPerChunk);

        public List<(Insert Insert, object?[] Values)> Take()
        {
            var rows = Rows;
            Rows = new(RowsPerChunk);
            return rows;
        }
    }

    /// <summary>Rows handed from the generator to the writer in one piece; the last piece of a batch ends it.</summary>
    private sealed record Chunk(List<(Insert Insert, object?[] Values)> Rows, int Cases, bool EndsBatch);

    private const int CasesPerChunk = 250, RowsPerChunk = 25 * CasesPerChunk;

    /// <summary>A case's reference, numbered by the writer in its transaction (after reading the counters).</summary>
    private sealed record ReferenceInYear(int Year);

    private sealed record SchoolRow(long Id, string Name);

    private sealed class Generator(SqliteConnection connection, Random random, Random idBits, Guid userId, DateTimeOffset now, int maxGravity,
        int overdueAfterDays)
    {
        private const string TakePart = "take_part";
        private readonly string user = userId.ToString("D");
        private readonly Dictionary<int, long> lastNumbers = [];
        private List<SchoolRow> schools = [];
        private long[] categories = [];

        private Insert cases = null!, parties = null!, reasons = null!, assessments = null!, consents = null!, events = null!, participants = null!;
        private Insert conferences = null!, agreements = null!, actions = null!, checks = null!, batch = null!;
        private readonly RowQueue queue = new();
        private Dictionary<long, long> rooms = [];

        // The case being written.
        private string caseId = "", status = "";
        private string? suitability;
        private int version;
        private DateTimeOffset lastChange;
        private readonly HashSet<string> consented = [];
        private readonly List<string> required = [];

        public long Run(int count, int batchSize, bool setIndexesAside, Action<int, TimeSpan, TimeSpan, TimeSpan> report, Stopwatch stopwatch)
        {
            schools = connection.Query<SchoolRow>("SELECT id, name FROM schools ORDER BY id").ToList();
            categories = connection.Query<long>("SELECT id FROM offence_categories WHERE active = TRUE ORDER BY sort_order").ToArray();
            // Conferences need a room: one per school that has none.
            connection.Execute("""
                INSERT INTO rooms (school_id, name, capacity)
                SELECT id, 'Meeting room', 8 FROM schools WHERE NOT EXISTS (SELECT 1 FROM rooms AS r WHERE r.school_id = schools.id)
                """);
            rooms = connection.Query<(long School, long Room)>("SELECT school_id, min(id) FROM rooms GROUP BY school_id").ToDictionary(r => r.School, r => r.Room);
            var referredAt = ReferralTimes(count);
            cases = new Insert(connection, queue, "cases", "id", "reference", "school_id", "status", "location", "offence_at", "offence_date",
                "offence_category_id", "gravity", "description", "admitted", "admitted_on", "admitted_to", "outcome_route", "eligible",
                "referred_at", "referred_on", "referred_by", "victim_first_offered_on", "withdrawn_reason", "submission_id", "version", "updated_at",
                "closed_at", "closure_outcome", "closure_reason", "cjs_outcome_type", "cjs_entered_on");
            parties = new Insert(connection, queue, "parties", "id", "case_id", "party_role", "harmed_type", "supporter_type", "supports_party_id",
                "first_name", "last_name", "organisation_name", "first_name_key", "last_name_key", "date_of_birth", "age_at_offence", "gender",
                "ethnic_group", "year_group", "special_educational_needs", "phone", "email", "details_removed_at", "sort_order");
            reasons = new Insert(connection, queue, "case_ineligibility_reasons", "case_id", "reason", "party_id");
            assessments = new Insert(connection, queue, "suitability_assessments", "id", "case_id", "assessed_by", "assessed_at", "risk_to_parties",
                "power_imbalance", "acceptance_of_responsibility", "harmed_party_wishes", "outcome", "reason", "number");
            consents = new Insert(connection, queue, "consents", "id", "case_id", "party_id", "purpose", "decision", "decided_on", "method", "taken_by",
                "withdrawn_on", "recorded_at");
            events = new Insert(connection, queue, "case_events", "case_id", "occurred_at", "user_id", "kind", "summary", "from_status", "to_status");
            conferences = new Insert(connection, queue, "conferences", "id", "case_id", "school_id", "room_id", "starts_at", "ends_at", "facilitator_id",
                "status", "sequence", "reason", "version", "created_by", "created_at", "updated_at", "agreement_reached", "exclusion_avoided",
                "harmed_satisfaction", "outcome_recorded_by", "outcome_recorded_at");
            participants = new Insert(connection, queue, "conference_participants", "conference_id", "party_id", "person_key", "attended");
            agreements = new Insert(connection, queue, "agreements", "id", "conference_id", "case_id", "content_hash", "version", "created_by", "created_at",
                "updated_by", "updated_at");
            actions = new Insert(connection, queue, "agreement_actions", "id", "agreement_id", "number", "action_type", "text", "done_by_party_id", "due_on",
                "checked_by_user_id", "amount_pence", "hours", "status", "status_changed_at", "status_changed_by", "overdue_flagged_at");
            checks = new Insert(connection, queue, "follow_up_checks", "id", "case_id", "interval_months", "due_on", "created_at", "checked_on", "checked_by",
                "source", "result", "cjs_outcome_type", "cjs_entered_on", "recorded_at", "overdue_flagged_at");
            connection.Execute("CREATE TEMP TABLE IF NOT EXISTS synthetic_batch (id TEXT NOT NULL PRIMARY KEY)");
            batch = new Insert(connection, queue, "temp.synthetic_batch", "id");
            Insert[] all = [cases, parties, reasons, assessments, consents, events, conferences, participants, agreements, actions, checks, batch];
            using var facts = connection.CreateCommand();
            facts.CommandText = BatchFacts;
            var first = facts.Parameters.Add("@first", SqliteType.Text);
            var last = facts.Parameters.Add("@last", SqliteType.Text);
            // Two threads (the machine's two cores): this one works out the cases (random numbers, names, times, ids), the writer
            // inserts their rows, in the order they were made, and refreshes the derived data of each batch meanwhile.
            using var chunks = new BlockingCollection<Chunk>(boundedCapacity: 4);
            using var stop = new CancellationTokenSource();
            var writer = Task.Factory.StartNew(() =>
            {
                try
                {
                    Write(chunks, all, facts, first, last, count, setIndexesAside, report, stopwatch, stop.Token);
                }
                catch
                {
                    stop.Cancel();
                    throw;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                try
                {
                    for (var start = 0; start < count; start += batchSize)
                    {
                        var end = Math.Min(count, start + batchSize);
                        var chunkStart = start;
                        for (var i = start; i < end; i++)
                        {
                            WriteCase(new DateTimeOffset(referredAt[i], TimeSpan.Zero));
                            if (i + 1 == end || i + 1 - chunkStart == CasesPerChunk)
                            {
                                chunks.Add(new Chunk(queue.Take(), i + 1 - chunkStart, EndsBatch: i + 1 == end), stop.Token);
                                chunkStart = i + 1;
                            }
                        }
                    }
                    chunks.CompleteAdding();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The writer failed: its exception follows.
                }
                catch
                {
                    // The writer stops at its next chunk and rolls its transaction back.
                    stop.Cancel();
                    try
                    {
                        writer.Wait(CancellationToken.None);
                    }
                    catch (AggregateException)
                    {
                    }
                    throw;
                }
                writer.GetAwaiter().GetResult();
                return all.Sum(i => i.Rows); // a case's derived rows counted as one, by the batch table
            }
            finally
            {
                foreach (var insert in all) insert.Dispose();
            }
        }

        /// <summary>
        /// The writer: one transaction per batch of cases (<see cref="BatchSize"/>), which reads the reference counters, inserts the rows,
        /// refreshes the batch's derived data and saves the counters; the first also sets indexes aside when asked
        /// (<see cref="SetIndexesAside"/>). It reports progress after the first batch, then every five seconds, and at the end.
        /// </summary>
        private void Write(BlockingCollection<Chunk> chunks, Insert[] all, SqliteCommand facts, SqliteParameter first, SqliteParameter last, int count,
            bool setIndexesAside, Action<int, TimeSpan, TimeSpan, TimeSpan> report, Stopwatch stopwatch, CancellationToken cancel)
        {
            SqliteTransaction? transaction = null;
            try
            {
                var lastReport = TimeSpan.Zero;
                var done = 0;
                string? firstId = null, lastId = null;
                TimeSpan derivedTime = TimeSpan.Zero, commitTime = TimeSpan.Zero;
                var batches = 0;
                foreach (var chunk in chunks.GetConsumingEnumerable(cancel))
                {
                    if (transaction is null)
                    {
                        transaction = connection.BeginTransaction(deferred: false);
                        facts.Transaction = transaction;
                        ReadCounters(transaction);
                        if (setIndexesAside && batches == 0) SetIndexesAside(transaction);
                    }
                    foreach (var (insert, values) in chunk.Rows)
                    {
                        if (insert == cases) values[1] = NextReference(((ReferenceInYear)values[1]!).Year);
                        else if (insert == batch)
                        {
                            var id = Encoding.UTF8.GetString((byte[])values[0]!);
                            if (firstId is null || string.CompareOrdinal(id, firstId) < 0) firstId = id;
                            if (lastId is null || string.CompareOrdinal(id, lastId) > 0) lastId = id;
                        }
                        insert.Add(values);
                    }
                    // Table by table in the order of their references (a party after its case, a participant after its conference).
                    foreach (var insert in all) insert.Flush();
                    done += chunk.Cases;
                    if (!chunk.EndsBatch) continue;
                    first.Value = firstId;
                    last.Value = lastId;
                    var started = stopwatch.Elapsed;
                    facts.ExecuteNonQuery();
                    derivedTime += stopwatch.Elapsed - started;
                    firstId = lastId = null;
                    SaveCounters(transaction);
                    started = stopwatch.Elapsed;
                    transaction.Commit();
                    commitTime += stopwatch.Elapsed - started;
                    transaction.Dispose();
                    transaction = null;
                    if (++batches == 1 || done == count || stopwatch.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
                    {
                        report(done, stopwatch.Elapsed, derivedTime, commitTime);
                        lastReport = stopwatch.Elapsed;
                    }
                }
            }
            finally
            {
                transaction?.Dispose();
            }
        }

        /// <summary>
        /// Sets aside (<see cref="SetAsideIndexes"/>), in the first batch's transaction, the indexes of the tables the run writes that it
        /// does not read itself: all but the unique ones (which check what is inserted) and those that lead with <c>case_id</c> (the
        /// refresh of the derived data finds a batch's rows by them, and with time-ordered ids they grow at their end). The others are
        /// ordered by names, schools, statuses and dates, so each batch inserted into nearly all of their pages and each commit wrote
        /// those pages again (a million cases wrote 11.7 GB for an 8.8 GB database; 9.0 GB with them set aside); making them from the
        /// finished tables, which SQLite does by sorting, takes 23–28 s at a million.
        /// </summary>
        private void SetIndexesAside(SqliteTransaction transaction)
        {
            var names = connection.Query<string>("""
                SELECT i.name
                FROM sqlite_schema AS i
                WHERE i.type = 'index' AND i.sql IS NOT NULL AND i.tbl_name IN @tables
                  AND NOT (SELECT l."unique" FROM pragma_index_list(i.tbl_name) AS l WHERE l.name = i.name)
                  AND coalesce((SELECT c.name FROM pragma_index_info(i.name) AS c WHERE c.seqno = 0), '') <> 'case_id'
                ORDER BY i.name
                """, new { tables = WrittenTables }, transaction).ToList();
            SetAsideIndexes.SetAside(connection, transaction, names);
        }

        /// <summary>The tables a run adds rows to: those of the cases and the derived data (not rooms or counters, a row or two each).</summary>
        private static readonly string[] WrittenTables = ["cases", "parties", "case_ineligibility_reasons", "suitability_assessments", "consents",
            "case_events", "conferences", "conference_participants", "agreements", "agreement_actions", "follow_up_checks", "case_name_keys",
            "case_report_facts", "case_activity"];

        /// <summary>
        /// The derived data (name keys, report facts, activity) of every case in <c>temp.synthetic_batch</c>, by the app's own SQL
        /// (<see cref="CaseDerivedData.RefreshSqlFor"/>), then the batch emptied: one statement a batch instead of one a case
        /// (the views are evaluated case by case either way; what goes is the per-statement work, half the run's time).
        /// <para>
        /// The range of the batch's ids (<c>@first</c>, <c>@last</c>; time-ordered ids, so a batch's cases are one stretch of the
        /// id index) is what lets SQLite narrow every part of the views to the batch: a condition with a subquery (<c>IN (SELECT
        /// …)</c>) is applied to a grouped view after its grouping, so alone it had every batch walk and sort the whole of
        /// <c>cases</c> and <c>case_events</c>, and the refresh slowed as the database grew. The plain range is applied before. In
        /// the second statement the bare <c>case_id</c> after the range is the name key's (<c>k.case_id = c.id</c> there).
        /// </para>
        /// </summary>
        private static readonly string BatchFacts =
            CaseDerivedData.RefreshSqlFor("BETWEEN @first AND @last AND case_id IN (SELECT id FROM temp.synthetic_batch)") +
            "\nDELETE FROM temp.synthetic_batch;";

        /// <summary>The next reference of a year: RJ-2026-00042.</summary>
        private string NextReference(int year)
        {
            var number = lastNumbers[year] = lastNumbers.GetValueOrDefault(year) + 1;
            return $"RJ-{year}-{number:D5}";
        }

        /// <summary>Referral instants on school days between 08:00 and 17:00 London time over the last five years, oldest first.</summary>
        private long[] ReferralTimes(int count)
        {
            var today = LondonTime.DateOf(now);
            var first = today.AddYears(-Years);
            var days = today.DayNumber - first.DayNumber;
            var ticks = new long[count];
            for (var i = 0; i < count; i++)
            {
                DateOnly day;
                do
                {
                    day = first.AddDays(random.Next(days));
                } while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || day.Month == 8);
                var minute = random.Next(8 * 60, 17 * 60);
                ticks[i] = LondonInstant(day, minute).UtcTicks;
            }
            Array.Sort(ticks);
            return ticks;
        }

        private void ReadCounters(SqliteTransaction transaction)
        {
            if (lastNumbers.Count == 0)
            {
                // Once: the numbers already used, in case a counter is behind them.
                foreach (var (year, last) in connection.Query<(long Year, long Last)>("""
                    SELECT CAST(substr(reference, 4, 4) AS INTEGER), max(CAST(substr(reference, 9) AS INTEGER))
                    FROM cases GROUP BY 1
                    """, transaction: transaction))
                {
                    lastNumbers[(int)year] = last;
                }
            }
            // Inside the write transaction: referrals saved by the app meanwhile are counted too.
            foreach (var (year, last) in connection.Query<(long Year, long Last)>("SELECT year, last_number FROM reference_counters", transaction: transaction))
            {
                lastNumbers[(int)year] = Math.Max(lastNumbers.GetValueOrDefault((int)year), last);
            }
        }

        private void SaveCounters(SqliteTransaction transaction) =>
            connection.Execute("""
                INSERT INTO reference_counters (year, last_number) VALUES (@Year, @Last)
                ON CONFLICT (year) DO UPDATE SET last_number = max(last_number, excluded.last_number)
                """, lastNumbers.Select(p => new { Year = p.Key, Last = p.Value }), transaction);

        private void WriteCase(DateTimeOffset referredAt)
        {
            var ageInDays = (now - referredAt).TotalDays;
            var target = ageInDays < 14
                ? Weighted((CaseStatus.Referred, 45), (CaseStatus.NotEligible, 12), (CaseStatus.Assessing, 25), (CaseStatus.NotSuitable, 3),
                    (CaseStatus.AwaitingConsent, 10), (CaseStatus.Withdrawn, 2), (CaseStatus.ReadyToSchedule, 3))
                : ageInDays < 60
                    ? Weighted((CaseStatus.Referred, 6), (CaseStatus.NotEligible, 12), (CaseStatus.Assessing, 15), (CaseStatus.NotSuitable, 7),
                        (CaseStatus.AwaitingConsent, 22), (CaseStatus.Withdrawn, 8), (CaseStatus.ReadyToSchedule, 30))
                    : Weighted((CaseStatus.Referred, 1), (CaseStatus.NotEligible, 13), (CaseStatus.Assessing, 2), (CaseStatus.NotSuitable, 10),
                        (CaseStatus.AwaitingConsent, 6), (CaseStatus.Withdrawn, 13), (CaseStatus.ReadyToSchedule, 55));
            var ineligible = target == CaseStatus.NotEligible
                ? Weighted(("not_admitted", 45), (maxGravity < 4 ? "gravity_too_high" : "not_admitted", 35), ("over_17", 15), ("under_10", 5))
                : null;

            // The offence: on the day of the referral or up to a week before, during the school day.
            var referredOn = LondonDate(referredAt);
            var offenceDate = referredOn.AddDays(-Weighted((0, 40), (1, 30), (2, 10), (3, 10), (6, 10)));
            var offenceAt = LondonInstant(offenceDate, random.Next(8 * 60, 16 * 60 + 30));
            if (offenceAt >= referredAt)
            {
                offenceAt = referredAt.AddMinutes(-random.Next(30, 300));
                offenceDate = LondonDate(offenceAt);
            }
            var admitted = ineligible != "not_admitted";
            var year = referredOn.Year;
            var school = schools[random.Next(schools.Count)];
            var category = Weighted((1, 25), (2, 15), (3, 15), (4, 20), (5, 10), (6, 7), (7, 4), (8, 4));
            var categoryId = categories[Math.Min(category, categories.Length) - 1];

            caseId = NewId(referredAt);
            status = ineligible is null ? CaseStatus.Referred : CaseStatus.NotEligible;
            suitability = null;
            version = 1;
            lastChange = referredAt;
            consented.Clear();
            required.Clear();
            pendingAssessments.Clear();
            pendingConsents.Clear();
            pendingEvents.Clear();
            removed.Clear();
            offeredOn = null;
            withdrawnReason = null;
            closedAt = null;
            closureOutcome = closureReason = cjsOutcomeType = cjsEnteredOn = null;
            pendingConferences.Clear();
            pendingAgreements.Clear();
            pendingActions.Clear();
            pendingChecks.Clear();

            // Parties: the young person, a parent or guardian, the harmed party.
            var origin = DemoNames.PickOrigin(random);
            var gender = Weighted(("female", 44), ("male", 52), ("other", 1), ("prefer_not_to_say", 3));
            var dateOfBirth = ineligible switch
            {
                "over_17" => SchoolYears.DateOfBirth(random, offenceDate, 13, age => age >= 18),
                "under_10" => SchoolYears.DateOfBirth(random, offenceDate, 5, age => age < 10),
                _ => SchoolYears.DateOfBirth(random, offenceDate, Weighted((7, 18), (8, 22), (9, 22), (10, 18), (11, 12), (12, 6), (13, 2)),
                    age => age is >= 11 and <= 17),
            };
            var youngFirst = DemoNames.FirstName(random, origin, gender);
            var youngLast = DemoNames.LastName(random, origin, gender);
            var youngPerson = NewId(referredAt);
            var parentGender = random.Next(100) < 65 ? "female" : "male";
            var parentFirst = DemoNames.FirstName(random, origin, parentGender);
            var parentLast = random.Next(100) < 80 ? youngLast : DemoNames.LastName(random, origin, parentGender);
            var parent = NewId(referredAt);
            var harmedType = Weighted(("pupil", 50), ("staff", 15), ("member_of_public", 10), ("organisation", 25));
            var harmed = NewId(referredAt);
            string? harmedFirst = null, harmedLast = null, organisation = null;
            if (harmedType == "organisation")
            {
                organisation = random.Next(2) == 0 ? $"{school.Name} school" : DemoNames.Pick(random, DemoNames.Organisations);
            }
            else
            {
                (harmedFirst, harmedLast) = DemoNames.Adult(random);
            }

            if (ineligible is null) required.AddRange([youngPerson, harmed, parent]);
            Event(referredAt, "referred", ineligible is null ? "Referral recorded: eligible for a conference" : "Referral recorded: not eligible", null, status);

            // What happened next, step by step, as CaseChanges would record it; kept in memory, then written in one go.
            var steps = target switch
            {
                CaseStatus.Referred or CaseStatus.NotEligible => 1,
                CaseStatus.Assessing or CaseStatus.NotSuitable => 2,
                CaseStatus.AwaitingConsent or CaseStatus.Withdrawn => 4,
                _ => 6,
            };
            var clock = new StepClock(referredAt, now, steps, random);
            switch (target)
            {
                case CaseStatus.Referred:
                    if (ageInDays > 7 && random.Next(2) == 0) OfferVictim(clock.Next());
                    break;
                case CaseStatus.Assessing:
                    OfferVictim(clock.Next());
                    Consent(clock.Next(), parent, "given");
                    break;
                case CaseStatus.NotSuitable:
                    OfferVictim(clock.Next());
                    Assess(clock.Next(), suitable: false);
                    break;
                case CaseStatus.AwaitingConsent:
                    OfferVictim(clock.Next());
                    Assess(clock.Next(), suitable: true);
                    Consent(clock.Next(), parent, "given");
                    if (random.Next(2) == 0) Consent(clock.Next(), youngPerson, "given");
                    break;
                case CaseStatus.Withdrawn when random.Next(2) == 0:
                    OfferVictim(clock.Next());
                    Withdraw(clock.Next(), DemoNames.Pick(random, DemoData.WithdrawReasons));
                    break;
                case CaseStatus.Withdrawn:
                    OfferVictim(clock.Next());
                    Assess(clock.Next(), suitable: true);
                    Consent(clock.Next(), parent, "given");
                    Consent(clock.Next(), harmed, "refused");
                    break;
                case CaseStatus.ReadyToSchedule:
                    OfferVictim(clock.Next());
                    Assess(clock.Next(), suitable: true);
                    Consent(clock.Next(), parent, "given");
                    Consent(clock.Next(), youngPerson, "given");
                    Consent(clock.Next(), harmed, "given");
                    if (random.Next(100) < 30) Consent(clock.Next(), parent, "given", "share_agreement_with_school");
                    if (status != target) break;
                    // Then the conference, its agreement, the actions and the follow-up checks, as far as time allows.
                    youngPersonId = youngPerson;
                    schoolId = school.Id;
                    Conference(lastChange, rebooking: false);
                    break;
            }
            if (status != target && target != CaseStatus.ReadyToSchedule)
            {
                throw new InvalidOperationException($"Synthetic case {caseId} ended as {status}, not {target}.");
            }
            if (status is CaseStatus.NotEligible or CaseStatus.NotSuitable or CaseStatus.Withdrawn or CaseStatus.NoAgreement or CaseStatus.AgreementFailed)
            {
                // Most cases that ended early are closed a few weeks later.
                var closeAt = lastChange.AddDays(random.Next(3, 40)).AddMinutes(random.Next(0, 480));
                if (closeAt < now && random.Next(100) < 80) Close(closeAt, ClosureOutcomes[status], "Synthetic: closed after the case ended");
            }

            // The rows, parents before children.
            cases.Run(caseId, new ReferenceInYear(year), school.Id, status,
                Weighted(("on_school_premises", 55), ("immediate_vicinity", 20), ("journey_to_or_from_school", 20), ("elsewhere", 5)),
                Utc(offenceAt), Date(offenceDate), categoryId,
                ineligible == "gravity_too_high" ? random.Next(maxGravity + 1, 5) : random.Next(1, Math.Min(2, maxGravity) + 1),
                "Synthetic: " + DemoNames.Pick(random, DemoNames.Descriptions[Math.Min(category, 8)]),
                admitted ? 1 : 0, admitted ? Date(offenceDate.AddDays(random.Next(0, referredOn.DayNumber - offenceDate.DayNumber + 1))) : null,
                admitted ? DemoNames.Pick(random, DemoNames.AdmittedTo) : null,
                Weighted(("community_resolution", 45), ("outcome_22", 25), ("not_decided", 30)),
                ineligible is null ? 1 : 0, Utc(referredAt), Date(referredOn), user, offeredOn, withdrawnReason,
                NewId(referredAt), version, Utc(lastChange), closedAt is { } closed ? Utc(closed) : null, closureOutcome, closureReason,
                cjsOutcomeType, cjsEnteredOn);
            var youngRemoved = removed.GetValueOrDefault(youngPerson);
            parties.Run(youngPerson, caseId, "responsible", null, null, null,
                youngRemoved is null ? youngFirst : null, youngRemoved is null ? youngLast : null, null,
                youngRemoved is null ? NameKeys.Key(youngFirst) : null, youngRemoved is null ? NameKeys.Key(youngLast) : null,
                youngRemoved is null ? Date(dateOfBirth) : null, Eligibility.AgeOn(dateOfBirth, offenceDate), gender,
                random.Next(100) < 4 ? "prefer_not_to_say" : DemoNames.Pick(random, origin.EthnicGroups), SchoolYears.YearGroup(dateOfBirth, offenceDate),
                random.Next(100) < 18 ? 1 : 0, null, null, youngRemoved, 0);
            var harmedRemoved = removed.GetValueOrDefault(harmed);
            if (harmedRemoved is not null) (harmedFirst, harmedLast, organisation) = (null, null, null);
            parties.Run(harmed, caseId, "harmed", harmedType, null, null, harmedFirst, harmedLast, organisation,
                NameKeys.Key(harmedFirst), NameKeys.Key(harmedLast), null, null, null, null, null, null,
                harmedType is "staff" or "organisation" && harmedRemoved is null ? $"020 7946 0{random.Next(100, 1000):D3}" : null, null,
                harmedRemoved, 1);
            parties.Run(parent, caseId, "supporter", null, random.Next(100) < 8 ? "guardian" : "parent", youngPerson, parentFirst, parentLast, null,
                NameKeys.Key(parentFirst), NameKeys.Key(parentLast), null, null, null, null, null, null,
                $"07700 900{random.Next(0, 1000):D3}", null, null, 2);
            if (ineligible is not null)
            {
                reasons.Run(caseId, ineligible, ineligible is "over_17" or "under_10" ? youngPerson : null);
            }
            var assessmentNumber = 0;
            foreach (var a in pendingAssessments)
            {
                assessments.Run(NewId(a.At), caseId, user, Utc(a.At), DemoNames.Pick(random, DemoData.RiskTexts), DemoNames.Pick(random, DemoData.PowerTexts),
                    DemoNames.Pick(random, DemoData.AcceptanceTexts), DemoNames.Pick(random, DemoData.WishesTexts), a.Outcome,
                    a.Outcome == "suitable" ? null : DemoNames.Pick(random, DemoData.NotSuitableReasons), ++assessmentNumber);
            }
            foreach (var k in pendingConsents)
            {
                consents.Run(NewId(k.At), caseId, k.Party, k.Purpose, k.Decision, Date(LondonDate(k.At)),
                    Weighted(("in_person", 50), ("phone", 35), ("written", 15)), user, null, Utc(k.At));
            }
            foreach (var c in pendingConferences)
            {
                conferences.Run(c.Id, caseId, school.Id, rooms[school.Id], Utc(c.Start), Utc(c.Start.AddHours(1)), user, c.Status, c.Status == "scheduled" ? 0 : 1,
                    c.Status == "not_held" ? "Synthetic: the young person was ill" : null, c.Status == "scheduled" ? 1 : 2, user, Utc(c.BookedAt),
                    Utc(c.Status == "scheduled" ? c.BookedAt : c.Start.AddHours(1)),
                    c.Reached is { } r ? (r ? 1 : 0) : null, c.ExclusionAvoided is { } x ? (x ? 1 : 0) : null, c.Satisfaction,
                    c.Status == "scheduled" ? null : user, c.Status == "scheduled" ? null : Utc(c.Start.AddHours(1)));
                // The young person and the harmed party are invited; at a held conference the young person attends and the
                // harmed party mostly does (some send a statement instead).
                participants.Run(c.Id, youngPerson, "synthetic:" + youngPerson, c.Status == "held" ? 1 : c.Status == "not_held" ? 0 : null);
                participants.Run(c.Id, harmed, "synthetic:" + harmed, c.Status == "held" ? (random.Next(100) < 85 ? 1 : 0) : c.Status == "not_held" ? 0 : null);
            }
            foreach (var a in pendingAgreements)
            {
                agreements.Run(a.Id, a.ConferenceId, caseId, "synthetic", 1, user, Utc(a.At), user, Utc(a.At));
            }
            foreach (var a in pendingActions)
            {
                actions.Run(NewId(referredAt), a.AgreementId, a.Number, a.Type, "Synthetic: " + a.Type.Replace('_', ' '), youngPerson, Date(a.DueOn), user,
                    a.Type == "compensation" ? random.Next(5, 60) * 100 : null, a.Type == "work" ? random.Next(2, 11) : null, a.Status,
                    a.ChangedAt is { } changed ? Utc(changed) : null, a.ChangedAt is null ? null : user, a.OverdueFlaggedAt is { } flagged ? Utc(flagged) : null);
            }
            foreach (var k in pendingChecks)
            {
                checks.Run(NewId(referredAt), caseId, k.Months, Date(k.DueOn), Utc(k.CreatedAt), k.CheckedOn is { } on ? Date(on) : null,
                    k.CheckedOn is null ? null : user, k.Source, k.Result, k.CjsType, k.CjsOn is { } cjs ? Date(cjs) : null,
                    k.RecordedAt is { } at ? Utc(at) : null, k.OverdueFlaggedAt is { } flaggedAt ? Utc(flaggedAt) : null);
            }
            foreach (var e in pendingEvents)
            {
                events.Run(caseId, Utc(e.At), e.System ? null : user, e.Kind, e.Summary, e.From, e.To);
            }
            batch.Run(caseId);
        }

        private static readonly Dictionary<string, string> ClosureOutcomes = new()
        {
            [CaseStatus.NotEligible] = "not_eligible", [CaseStatus.NotSuitable] = "not_suitable", [CaseStatus.Withdrawn] = "withdrawn",
            [CaseStatus.NoAgreement] = "no_agreement", [CaseStatus.AgreementFailed] = "escalated",
        };

        private sealed record PendingConference(string Id, DateTimeOffset BookedAt, DateTimeOffset Start, string Status, bool? Reached,
            bool? ExclusionAvoided, int? Satisfaction);

        private sealed record PendingAction(string AgreementId, int Number, string Type, DateOnly DueOn, string Status, DateTimeOffset? ChangedAt,
            DateTimeOffset? OverdueFlaggedAt = null);

        private sealed record PendingCheck(int Months, DateOnly DueOn, DateTimeOffset CreatedAt, DateOnly? CheckedOn, string? Source, string? Result,
            string? CjsType, DateOnly? CjsOn, DateTimeOffset? RecordedAt, DateTimeOffset? OverdueFlaggedAt = null);

        private readonly List<PendingConference> pendingConferences = [];
        private readonly List<(string Id, string ConferenceId, DateTimeOffset At)> pendingAgreements = [];
        private readonly List<PendingAction> pendingActions = [];
        private readonly List<PendingCheck> pendingChecks = [];
        private DateTimeOffset? closedAt;
        private string? closureOutcome, closureReason, cjsOutcomeType, cjsEnteredOn;
        private string youngPersonId = "";
        private long schoolId;
        private static readonly int[] CheckMonths = [3, 6, 12];
        private static readonly string[] ActionTypes = ["written_apology", "verbal_apology", "repair_or_replace", "compensation", "work", "programme", "behaviour_commitment"];

        /// <summary>
        /// Books a conference a few days after <paramref name="after"/> and plays out what follows, as
        /// ConferenceBooking, AgreementOutcomes, the daily job and FollowUpChecks would record it, up to now:
        /// 10% not held (half of those booked again), 85% of those held reach an agreement, 12% of agreements fail.
        /// </summary>
        private void Conference(DateTimeOffset after, bool rebooking)
        {
            var bookedAt = after.AddDays(random.Next(1, 6)).AddMinutes(random.Next(0, 240));
            if (bookedAt >= now) return;
            var day = LondonDate(bookedAt).AddDays(random.Next(5, 22));
            while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
            var start = LondonInstant(day, random.Next(9 * 60, 15 * 60) / 15 * 15);
            var id = NewId(bookedAt);
            Changed(bookedAt);
            Move(bookedAt, CaseStatus.ConferenceScheduled, rebooking ? "Conference booked again" : "Conference booked");
            var end = start.AddHours(1);
            if (end >= now)
            {
                pendingConferences.Add(new(id, bookedAt, start, "scheduled", null, null, null));
                return;
            }
            if (random.Next(100) < 10)
            {
                pendingConferences.Add(new(id, bookedAt, start, "not_held", null, null, null));
                Changed(end);
                Move(end, CaseStatus.ReadyToSchedule, "Conference not held");
                if (!rebooking && random.Next(2) == 0) Conference(end, rebooking: true);
                else if (end.AddDays(14) < now && random.Next(2) == 0) Withdraw(end.AddDays(random.Next(3, 14)), "Synthetic: the family no longer wished to take part");
                return;
            }
            var reached = random.Next(100) < 85;
            bool? exclusion = random.Next(100) < 75 ? random.Next(100) < 30 : null;
            int? satisfaction = random.Next(100) < 70 ? Weighted((5, 40), (4, 35), (3, 13), (2, 7), (1, 5)) : null;
            pendingConferences.Add(new(id, bookedAt, start, "held", reached, exclusion, satisfaction));
            Changed(end);
            Move(end, CaseStatus.ConferenceHeld, "Conference held");
            if (!reached)
            {
                Move(end, CaseStatus.NoAgreement, "No agreement reached");
                return;
            }
            var agreementId = NewId(end);
            pendingAgreements.Add((agreementId, id, end));
            var count = Weighted((1, 30), (2, 45), (3, 25));
            Move(end, CaseStatus.AgreementActive, $"Agreement reached with {count} action{(count == 1 ? "" : "s")}");
            var today = LondonDate(now);
            var dues = Enumerable.Range(0, count).Select(_ => day.AddDays(random.Next(14, 57))).Order().ToArray();
            var failed = random.Next(100) < 12;
            var missed = failed ? random.Next(count) : -1;
            DateTimeOffset? finished = null;
            for (var i = 0; i < count; i++)
            {
                var type = ActionTypes[random.Next(ActionTypes.Length)];
                var doneAt = LondonInstant(dues[i].AddDays(i == missed ? 3 : -random.Next(0, 10)), random.Next(9 * 60, 16 * 60));
                if (doneAt <= end) doneAt = end.AddHours(2);
                if (doneAt >= now)
                {
                    // Still pending. One already past its due date (a missed action, done late or never) is flagged overdue by the
                    // daily job's first night after that date, which writes it on the timeline, as the job does.
                    var flagged = LondonInstant(dues[i].AddDays(1), 2 * 60);
                    if (flagged >= now)
                    {
                        pendingActions.Add(new(agreementId, i + 1, type, dues[i], "pending", null));
                        continue;
                    }
                    pendingActions.Add(new(agreementId, i + 1, type, dues[i], "pending", null, flagged));
                    Changed(flagged);
                    Event(flagged, "agreement", DailyJob.OverdueActionSummary(i + 1, dues[i]), null, null, system: true);
                    continue;
                }
                pendingActions.Add(new(agreementId, i + 1, type, dues[i], i == missed ? "missed" : "completed", doneAt));
                if (finished is null || doneAt > finished) finished = doneAt;
            }
            if (pendingActions.Any(a => a.AgreementId == agreementId && a.Status == "pending") || finished is not { } last) return;
            Changed(last);
            if (failed)
            {
                Move(last, CaseStatus.AgreementFailed, "Agreement failed: an action was missed");
                return;
            }
            Move(last, CaseStatus.AgreementCompleted, "Agreement completed");
            var nextNight = LondonInstant(LondonDate(last).AddDays(1), 2 * 60);
            if (nextNight >= now) return;
            Event(nextNight, "status", "Agreement completed: follow-up checks continue until 12 months after the conference",
                CaseStatus.AgreementCompleted, CaseStatus.FollowUp, system: true);
            status = CaseStatus.FollowUp;

            string? enteredType = null;
            DateOnly? enteredOn = null;
            foreach (var months in CheckMonths)
            {
                var due = day.AddMonths(months);
                if (due > today) break;
                var createdAt = LondonInstant(due, 2 * 60);
                var checkedOn = due.AddDays(random.Next(0, 35));
                var recorded = checkedOn <= today && random.Next(100) < 95;
                if (!recorded)
                {
                    // Flagged overdue by the daily job's first night once it is more than OverdueAfterDays past due, as the job does.
                    var flagged = LondonInstant(due.AddDays(overdueAfterDays + 1), 2 * 60);
                    pendingChecks.Add(new(months, due, createdAt, null, null, null, null, null, null, flagged < now ? flagged : null));
                    continue;
                }
                var recordedAt = LondonInstant(checkedOn, random.Next(9 * 60, 17 * 60));
                if (recordedAt >= now) recordedAt = now.AddMinutes(-1);
                if (enteredType is null && random.Next(100) < 6)
                {
                    enteredType = Weighted(("community_resolution", 35), ("youth_caution", 30), ("youth_conditional_caution", 15), ("charge", 15), ("conviction", 5));
                    enteredOn = checkedOn.AddDays(-random.Next(1, 60));
                }
                var result = enteredType is not null ? "entered_cjs" : random.Next(100) < 8 ? "dealt_with_informally" : "no_further_offending";
                pendingChecks.Add(new(months, due, createdAt, checkedOn, Weighted(("police_records", 60), ("youth_offending_team_records", 30), ("school", 10)),
                    result, enteredType, enteredType is null ? null : enteredOn, recordedAt));
                Changed(recordedAt);
                Event(recordedAt, "follow_up", $"{months}-month follow-up check recorded", null, null);
                if (months == CheckMonths[^1])
                {
                    (closedAt, closureOutcome) = (recordedAt, enteredType is null ? "diverted" : "entered_cjs");
                    (cjsOutcomeType, cjsEnteredOn) = (enteredType, enteredOn is { } o ? Date(o) : null);
                    Move(recordedAt, CaseStatus.Closed, enteredType is null ? "Closed: diverted" : "Closed: entered the criminal justice system");
                }
            }
        }

        private void Close(DateTimeOffset at, string outcome, string reason)
        {
            Changed(at);
            (closedAt, closureOutcome, closureReason) = (at, outcome, reason);
            Move(at, CaseStatus.Closed, $"Closed: {outcome.Replace('_', ' ')}");
        }

        private readonly List<(DateTimeOffset At, string Outcome)> pendingAssessments = [];
        private readonly List<(DateTimeOffset At, string Party, string Purpose, string Decision)> pendingConsents = [];
        private readonly List<(DateTimeOffset At, string Kind, string Summary, string? From, string? To, bool System)> pendingEvents = [];
        private readonly Dictionary<string, string?> removed = [];
        private string? offeredOn, withdrawnReason;

        private void Changed(DateTimeOffset at)
        {
            version++;
            lastChange = at;
        }

        private void OfferVictim(DateTimeOffset at)
        {
            offeredOn = Date(LondonDate(at));
            Changed(at);
            Event(at, "edited", "Case details changed", null, null);
        }

        private void Assess(DateTimeOffset at, bool suitable)
        {
            suitability = suitable ? "suitable" : "not_suitable";
            pendingAssessments.Add((at, suitability));
            Changed(at);
            Settle(at, suitable ? "Suitability assessed: suitable" : "Suitability assessed: not suitable");
        }

        private void Consent(DateTimeOffset at, string party, string decision, string purpose = TakePart)
        {
            pendingConsents.Add((at, party, purpose, decision));
            Changed(at);
            var words = purpose == TakePart ? "taking part in a conference" : "sharing the agreement with the school";
            if (decision == "refused" && purpose == TakePart)
            {
                // Only age, gender and ethnic group are kept of someone who said no.
                removed[party] = Utc(at);
                Move(at, CaseStatus.Withdrawn, $"Consent refused for {words}: the case cannot go to a conference; the party's details were removed");
                return;
            }
            if (decision == "given" && purpose == TakePart) consented.Add(party);
            Settle(at, $"Consent {decision} for {words}");
        }

        private void Withdraw(DateTimeOffset at, string reason)
        {
            withdrawnReason = reason;
            Changed(at);
            Move(at, CaseStatus.Withdrawn, "Case withdrawn");
        }

        /// <summary>As CaseChanges.SettleAsync: before the conference, the status follows the assessment and the consents.</summary>
        private void Settle(DateTimeOffset at, string summary)
        {
            var goal = status;
            if (CaseLifecycle.IsBeforeConference(status) || status == CaseStatus.NotSuitable)
            {
                goal = CaseLifecycle.Settle(suitability, required.All(consented.Contains));
            }
            if (goal == status)
            {
                Event(at, "changed", summary, null, null);
                return;
            }
            if (status == CaseStatus.Referred && goal != CaseStatus.Assessing)
            {
                Move(at, CaseStatus.Assessing, "Assessment started");
            }
            Move(at, goal, summary);
        }

        private void Move(DateTimeOffset at, string to, string summary)
        {
            if (!CaseLifecycle.CanMove(status, to))
            {
                throw new LifecycleException(status, to);
            }
            Event(at, "status", summary, status, to);
            status = to;
        }

        private void Event(DateTimeOffset at, string kind, string summary, string? from, string? to, bool system = false) =>
            pendingEvents.Add((at, kind, summary, from, to, system));

        /// <summary>
        /// A version 7 (time-ordered) id: they sort by time, so the indexes on them grow at their end. Like
        /// <see cref="Guid.CreateVersion7(DateTimeOffset)"/>, without a system call for the random part. The random part comes from
        /// <c>idBits</c>, not the seeded source, so that a second run with the same seed makes new ids.
        /// </summary>
        private string NewId(DateTimeOffset at)
        {
            Span<byte> bytes = stackalloc byte[16];
            idBits.NextBytes(bytes);
            var milliseconds = at.ToUnixTimeMilliseconds();
            for (var i = 0; i < 6; i++)
            {
                bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
            }
            bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
            bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
            return new Guid(bytes, bigEndian: true).ToString("D");
        }

        private readonly Dictionary<long, TimeSpan> londonOffsets = [];

        /// <summary>The London date at an instant, as <see cref="LondonTime.DateOf"/>, with the offset remembered per hour.</summary>
        private DateOnly LondonDate(DateTimeOffset at)
        {
            var hour = at.UtcTicks / TimeSpan.TicksPerHour;
            if (!londonOffsets.TryGetValue(hour, out var offset))
            {
                londonOffsets[hour] = offset = LondonTime.Zone.GetUtcOffset(new DateTimeOffset(hour * TimeSpan.TicksPerHour, TimeSpan.Zero));
            }
            return DateOnly.FromDateTime(at.UtcDateTime + offset);
        }

        private static string Utc(DateTimeOffset value) => TypeHandlers.ToUtcText(value);

        private static string Date(DateOnly value) => TypeHandlers.ToDateText(value);

        private static DateTimeOffset LondonInstant(DateOnly day, int minuteOfDay)
        {
            LondonTime.TryToUtc(day, new TimeOnly(minuteOfDay / 60, minuteOfDay % 60), out var utc, out _);
            return utc;
        }

        private T Weighted<T>(params (T Value, int Weight)[] choices) => random.Weighted(choices);
    }

    /// <summary>Times of the steps after a referral: a few days apart, always after the referral and before now.</summary>
    private sealed class StepClock(DateTimeOffset referredAt, DateTimeOffset now, int steps, Random random)
    {
        private readonly double available = Math.Max(0, (now - referredAt).TotalMinutes - 1);
        private DateTimeOffset at = referredAt;

        public DateTimeOffset Next()
        {
            // Days apart when there is room; squeezed into the time since the referral when it is recent.
            var minutes = Math.Min(random.Next(1, 6) * 24 * 60 + random.Next(-120, 120), available / (steps + 1));
            at = at.AddMinutes(Math.Max(minutes, 0.01));
            return at;
        }
    }
}
