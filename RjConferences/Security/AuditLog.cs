using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace RjConferences.Security;

/// <summary>
/// One audited action. Ids only — never a name or other personal data. <see cref="UserId"/> is null
/// for anonymous events (a failed sign-in with an unknown email). <see cref="CorrelationId"/>
/// defaults to the current trace id.
/// </summary>
public sealed record AuditEvent(
    AuditAction Action,
    string? EntityType = null,
    string? EntityId = null,
    Guid? UserId = null,
    string? Justification = null,
    string? Recipient = null,
    string? CorrelationId = null);

/// <summary>The result of checking the whole hash chain; when broken, the first row that is wrong.</summary>
public sealed record AuditChainResult(bool Intact, long EventsChecked, long? FirstBrokenId, string? Problem);

/// <summary>Filters of the audit log search; null or blank means "any". Dates are London days, inclusive.</summary>
public sealed record AuditQuery(
    Guid? UserId = null,
    AuditAction? Action = null,
    string? EntityType = null,
    string? EntityId = null,
    DateOnly? From = null,
    DateOnly? To = null);

/// <summary>One row of the audit log as the search page shows it.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset OccurredAt,
    Guid? UserId,
    AuditAction Action,
    string? EntityType,
    string? EntityId,
    string? Justification,
    string? Recipient,
    string? CorrelationId)
{
    /// <summary>The user's name now, looked up when shown (the stored row holds the id only); null when no such account.</summary>
    public string? UserName { get; init; }

    /// <summary>The entity as people know it (a case's reference, a user's name), looked up when shown; null when unknown.</summary>
    public string? EntityName { get; init; }
}

/// <summary>One page of search results, newest first, and how many events match in all.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Events, long TotalCount, int Page)
{
    public const int PageSize = 50;

    public int PageCount => (int)Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

/// <summary>
/// The tamper-evident audit log. Every row stores <c>hash</c> = SHA-256 (lower-case hex) over its own
/// content and <c>previous_hash</c>, the hash of the row before it (64 zeros for the first row), and
/// ids run 1, 2, 3... without gaps. Changing or deleting a row therefore breaks the chain at that row
/// (or the one after it), which <see cref="VerifyAsync"/> reports. The table's triggers refuse UPDATE
/// and DELETE.
/// <para>
/// The hashed content is the fields id, occurred_at, user_id, action, entity_type, entity_id,
/// justification, recipient, correlation_id, previous_hash, exactly as stored as text, in that order;
/// each written as "-" when null, otherwise as its UTF-8 byte count in decimal, ":", and its UTF-8
/// bytes. The fields are concatenated with nothing between them (see <see cref="Serialise"/>).
/// </para>
/// </summary>
/// <summary>
/// A read that must be audited (opening a case) could not write its audit event: the data is not shown. The page says
/// so in plain words; <see cref="Failure"/> tells why (a full disk, most likely).
/// </summary>
public sealed class AuditNotRecordedException(Exception inner)
    : Exception("The audit event of a read could not be written, so the data was not shown.", inner)
{
    public DbFailure Failure => Db.FailureOf(InnerException!);
}

public sealed class AuditLog(Db db, TimeProvider clock)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Records <paramref name="e"/> in its own write transaction.</summary>
    public Task RecordAsync(AuditEvent e, CancellationToken ct = default) =>
        db.WriteAsync((connection, transaction) => AppendAsync(connection, transaction, e), ct);

    /// <summary>
    /// Records <paramref name="e"/> inside the caller's write transaction (from <see cref="Db.WriteAsync"/>,
    /// so BEGIN IMMEDIATE), so that a change and its audit row commit or roll back together.
    /// </summary>
    public Task RecordAsync(DbConnection connection, IDbTransaction transaction, AuditEvent e) =>
        AppendAsync(connection, transaction, e);

    private async Task AppendAsync(DbConnection connection, IDbTransaction transaction, AuditEvent e)
    {
        const string lastSql = """
            SELECT id, hash
            FROM audit_events
            ORDER BY id DESC
            LIMIT 1
            """;
        const string insertSql = """
            INSERT INTO audit_events (id, occurred_at, user_id, action, entity_type, entity_id,
                                      justification, recipient, correlation_id, previous_hash, hash)
            VALUES (@Id, @OccurredAt, @UserId, @Action, @EntityType, @EntityId,
                    @Justification, @Recipient, @CorrelationId, @PreviousHash, @Hash)
            """;
        // One append at a time across every app instance: SQLite's write transaction holds the database's single
        // write lock (BEGIN IMMEDIATE); on PostgreSQL this takes the chain's lock until the transaction ends. So no other
        // append comes between this read and the insert; were one to, the explicit id would collide rather than fork the chain.
        await Db.LockAsync(connection, transaction, DbLock.AuditChain);
        var last = await connection.QueryFirstOrDefaultAsync<LastEvent>(lastSql, transaction: transaction);
        var row = new StoredEvent(
            Id: (last?.Id ?? 0) + 1,
            OccurredAt: TypeHandlers.ToUtcText(clock.GetUtcNow()),
            UserId: e.UserId?.ToString("D"),
            Action: e.Action.ToText(),
            EntityType: e.EntityType,
            EntityId: e.EntityId,
            Justification: e.Justification,
            Recipient: e.Recipient,
            CorrelationId: e.CorrelationId ?? CurrentTraceId(),
            PreviousHash: last?.Hash ?? GenesisHash,
            Hash: "");
        await connection.ExecuteAsync(insertSql, row with { Hash = ComputeHash(row) }, transaction);
        AppTelemetry.AuditEvents.Add(1, new KeyValuePair<string, object?>("action", row.Action));
    }

    /// <summary>
    /// Reads every row in id order (streamed, so it works for millions of rows), recomputes each
    /// hash and checks the links and ids. Stops at the first broken row.
    /// </summary>
    public async Task<AuditChainResult> VerifyAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, occurred_at, user_id, action, entity_type, entity_id,
                   justification, recipient, correlation_id, previous_hash, hash
            FROM audit_events
            ORDER BY id
            """;
        await using var connection = await db.OpenAsync(ct);
        long count = 0;
        long previousId = 0;
        var previousHash = GenesisHash;
        await foreach (var row in connection.QueryUnbufferedAsync<StoredEvent>(sql).WithCancellation(ct))
        {
            ct.ThrowIfCancellationRequested();
            count++;
            if (row.Id != previousId + 1)
            {
                var problem = previousId == 0
                    ? "it is the first event, but its id is not 1; the events before it are missing."
                    : $"it follows event {previousId}; the events between them are missing.";
                return new AuditChainResult(false, count, row.Id, problem);
            }
            if (!string.Equals(row.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                var problem = previousId == 0
                    ? "its previous hash is not the genesis hash."
                    : $"its previous hash does not match the hash of event {previousId}.";
                return new AuditChainResult(false, count, row.Id, problem);
            }
            if (!string.Equals(row.Hash, ComputeHash(row), StringComparison.Ordinal))
            {
                return new AuditChainResult(false, count, row.Id, "its hash does not match its content; the event was changed.");
            }
            previousId = row.Id;
            previousHash = row.Hash;
        }
        return new AuditChainResult(true, count, null, null);
    }

    /// <summary>
    /// The `verify-audit` command: prints the result of <see cref="VerifyAsync"/> and returns the exit
    /// code, 0 when the chain is intact and 1 when it is broken.
    /// </summary>
    public async Task<int> VerifyCommandAsync()
    {
        var result = await VerifyAsync();
        if (result.Intact)
        {
            Console.WriteLine($"Audit chain intact: {result.EventsChecked} events checked.");
            return 0;
        }
        await Console.Error.WriteLineAsync($"Audit chain broken at event {result.FirstBrokenId}: {result.Problem}");
        return 1;
    }

    /// <summary>Events matching <paramref name="q"/>, newest first, <see cref="AuditPage.PageSize"/> a page; pages start at 1.</summary>
    public async Task<AuditPage> SearchAsync(AuditQuery q, int page, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        var filters = new List<string>();
        var parameters = new DynamicParameters();
        if (q.UserId is { } userId)
        {
            filters.Add("user_id = @UserId");
            parameters.Add("UserId", userId.ToString("D"));
        }
        if (q.Action is { } action)
        {
            filters.Add("action = @Action");
            parameters.Add("Action", action.ToText());
        }
        if (!string.IsNullOrWhiteSpace(q.EntityType))
        {
            filters.Add("entity_type = @EntityType");
            parameters.Add("EntityType", q.EntityType.Trim());
        }
        if (!string.IsNullOrWhiteSpace(q.EntityId))
        {
            filters.Add("entity_id = @EntityId");
            parameters.Add("EntityId", q.EntityId.Trim());
        }
        if (q.From is { } from)
        {
            filters.Add("occurred_at >= @FromUtc");
            parameters.Add("FromUtc", TypeHandlers.ToUtcText(StartOfLondonDay(from)));
        }
        if (q.To is { } to)
        {
            filters.Add("occurred_at < @BeforeUtc");
            parameters.Add("BeforeUtc", TypeHandlers.ToUtcText(StartOfLondonDay(to.AddDays(1))));
        }
        parameters.Add("Take", AuditPage.PageSize);
        parameters.Add("Skip", (long)(page - 1) * AuditPage.PageSize);

        // Only the fixed fragments above go into the SQL text; every value is a parameter.
        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        var countSql = $"""
            SELECT count(*)
            FROM audit_events
            {where}
            """;
        // Names and references are looked up for display only: the stored rows keep ids.
        var pageSql = $"""
            SELECT e.id, e.occurred_at, e.user_id, e.action, e.entity_type, e.entity_id,
                   e.justification, e.recipient, e.correlation_id,
                   (SELECT u.display_name FROM users AS u WHERE u.id = e.user_id) AS user_name,
                   CASE e.entity_type
                       WHEN 'case' THEN (SELECT k.reference FROM cases AS k WHERE k.id = e.entity_id)
                       WHEN 'conference' THEN (SELECT k.reference FROM conferences AS c JOIN cases AS k ON k.id = c.case_id WHERE c.id = e.entity_id)
                       WHEN 'user' THEN (SELECT u.display_name FROM users AS u WHERE u.id = e.entity_id)
                       WHEN 'facilitator_training' THEN (SELECT u.display_name FROM users AS u WHERE u.id = e.entity_id)
                   END AS entity_name
            FROM (SELECT id, occurred_at, user_id, action, entity_type, entity_id, justification, recipient, correlation_id
                  FROM audit_events
                  {where}
                  ORDER BY occurred_at DESC, id DESC
                  LIMIT @Take OFFSET @Skip) AS e
            ORDER BY e.occurred_at DESC, e.id DESC
            """;

        await using var connection = await db.OpenAsync(ct);
        // One read transaction, so the count and the page see the same snapshot.
        await using var transaction = await Db.BeginSnapshotAsync(connection, ct);
        var total = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(countSql, parameters, transaction, cancellationToken: ct));
        var rows = await connection.QueryAsync<SearchRow>(
            new CommandDefinition(pageSql, parameters, transaction, cancellationToken: ct));
        var events = rows
            .Select(r => new AuditEntry(r.Id, r.OccurredAt, r.UserId, AuditActions.Parse(r.Action),
                r.EntityType, r.EntityId, r.Justification, r.Recipient, r.CorrelationId) { UserName = r.UserName, EntityName = r.EntityName })
            .ToList();
        return new AuditPage(events, total, page);
    }

    /// <summary>The canonical, unambiguous text that a row's hash covers (see the class summary).</summary>
    internal static string Serialise(
        long id, string occurredAt, string? userId, string action, string? entityType, string? entityId,
        string? justification, string? recipient, string? correlationId, string previousHash)
    {
        var text = new StringBuilder();
        foreach (var field in (string?[])[
            id.ToString(CultureInfo.InvariantCulture), occurredAt, userId, action, entityType, entityId,
            justification, recipient, correlationId, previousHash])
        {
            if (field is null)
            {
                text.Append('-');
            }
            else
            {
                text.Append(Encoding.UTF8.GetByteCount(field).ToString(CultureInfo.InvariantCulture)).Append(':').Append(field);
            }
        }
        return text.ToString();
    }

    private static string ComputeHash(StoredEvent row) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Serialise(
            row.Id, row.OccurredAt, row.UserId, row.Action, row.EntityType, row.EntityId,
            row.Justification, row.Recipient, row.CorrelationId, row.PreviousHash))));

    private static string? CurrentTraceId() =>
        Activity.Current is { } activity && activity.TraceId != default ? activity.TraceId.ToHexString() : null;

    /// <summary>The UTC instant at which <paramref name="day"/> begins in London (GMT or BST).</summary>
    private static DateTimeOffset StartOfLondonDay(DateOnly day) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), LondonTime.Zone), TimeSpan.Zero);

    private sealed record LastEvent(long Id, string Hash);

    /// <summary>A row exactly as stored: every value as its text, which is what the hash covers.</summary>
    private sealed record StoredEvent(
        long Id, string OccurredAt, string? UserId, string Action, string? EntityType, string? EntityId,
        string? Justification, string? Recipient, string? CorrelationId, string PreviousHash, string Hash);

    /// <summary>
    /// Properties, not a positional record: SQLite reports a looked-up name that is NULL on a page's first row
    /// as a BLOB column, which no constructor matches; Dapper converts property by property.
    /// </summary>
    private sealed class SearchRow
    {
        public long Id { get; init; }
        public DateTimeOffset OccurredAt { get; init; }
        public Guid? UserId { get; init; }
        public string Action { get; init; } = "";
        public string? EntityType { get; init; }
        public string? EntityId { get; init; }
        public string? Justification { get; init; }
        public string? Recipient { get; init; }
        public string? CorrelationId { get; init; }
        public string? UserName { get; init; }
        public string? EntityName { get; init; }
    }
}
