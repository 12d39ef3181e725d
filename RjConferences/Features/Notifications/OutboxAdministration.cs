namespace RjConferences.Features.Notifications;

/// <summary>One message as the Outbox page lists it.</summary>
public sealed record OutboxItem(Guid Id, DateTimeOffset CreatedAt, string Kind, string Channel, string ToAddress, string Subject, string Status,
    long Attempts, DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset? SentAt, string? Template = null, string? Model = null);

public sealed record OutboxPageResult(IReadOnlyList<OutboxItem> Items, long TotalCount, int Page, int PageSize)
{
    public int Pages => (int)Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

/// <summary>
/// The administrator's view of the outbox: the messages, newest first, by status; a failed message can be tried again and a
/// queued one cancelled. Each change only from the status it was shown in (two administrators, or the sender, may have moved
/// it meanwhile: then nothing changes and the page says so), and each is audited as <c>admin_change</c>.
/// </summary>
public sealed class OutboxAdministration(Db db, AuditLog audit, MessageTemplates templates, TimeProvider clock)
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<string> Statuses = ["queued", "sent", "failed", "cancelled"];

    public async Task<OutboxPageResult> ListAsync(string? status, int page, CancellationToken cancellationToken = default)
    {
        status = Statuses.Contains(status) ? status : null; // from the browser: anything else lists every status
        page = Math.Max(1, page);
        await using var connection = await db.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM outbox WHERE (@status IS NULL OR status = @status)", new { status }, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<OutboxItem>(new CommandDefinition("""
            SELECT id, created_at, kind, channel, to_address, subject, status, attempts, next_attempt_at, last_error, sent_at, template, model
            FROM outbox WHERE (@status IS NULL OR status = @status)
            ORDER BY created_at DESC, id DESC
            LIMIT @PageSize OFFSET @offset
            """, new { status, PageSize, offset = (page - 1) * PageSize }, cancellationToken: cancellationToken));
        return new OutboxPageResult(items.Select(Previewed).ToList(), total, page, PageSize);
    }

    /// <summary>A message not sent yet is written when it is sent: the page shows its subject as the template writes it now.</summary>
    private OutboxItem Previewed(OutboxItem item)
    {
        if (item.Subject.Length > 0 || item.Template is not { } template) return item;
        try
        {
            var written = templates.Render(template, item.Channel, item.Model ?? "{}");
            return item with { Subject = item.Channel == "text" ? "Text message" : written.Subject };
        }
        catch (TemplateException e)
        {
            return item with { Subject = $"(cannot be written: {e.Message})" };
        }
    }

    /// <summary>A failed message queued again, due at once (its attempts start again). False when it is no longer failed.</summary>
    public Task<bool> RetryAsync(Guid id, Guid adminId, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, adminId, from: "failed", """
            UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = @now, last_error = NULL
            WHERE id = @id AND status = 'failed'
            """, "outbox message retried", cancellationToken);

    /// <summary>A queued message cancelled (never sent). False when it is no longer queued, or a sender holds it right now.</summary>
    public Task<bool> CancelAsync(Guid id, Guid adminId, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, adminId, from: "queued", """
            UPDATE outbox SET status = 'cancelled'
            WHERE id = @id AND status = 'queued' AND (lease_until IS NULL OR lease_until <= @now)
            """, "outbox message cancelled", cancellationToken);

    private Task<bool> ChangeAsync(Guid id, Guid adminId, string from, string sql, string note, CancellationToken cancellationToken) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync(sql, new { id, now = clock.GetUtcNow() }, transaction) != 1)
            {
                return false;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange, EntityType: "outbox_message",
                EntityId: id.ToString(), UserId: adminId, Justification: $"{note} (was {from})"));
            return true;
        }, cancellationToken);
}
