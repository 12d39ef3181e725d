namespace RjConferences.Features.Notifications;

/// <summary>A file sent with a message (a calendar invitation's <c>.ics</c>): its name, MIME type and text.</summary>
public sealed record OutboxAttachment(string FileName, string ContentType, string Content);

/// <summary>
/// One message to send. Only what the recipient needs: no child's name, offence or case details in <see cref="Subject"/>
/// (the callers' templates keep to that; see docs/notifications.md).
/// </summary>
public sealed record OutboxMessage(string Kind, string ToAddress, string? ToName, string Subject, string TextBody,
    string? HtmlBody = null, Guid? CaseId = null, OutboxAttachment? Attachment = null, string Channel = "email");

/// <summary>
/// The transactional outbox (migration 0020): a message is written in the transaction of the change that causes it, so it is
/// sent exactly when that change commits (<see cref="OutboxSender"/> delivers it). Callers pass their own connection and
/// transaction; nothing here opens one.
/// </summary>
public static class Outbox
{
    /// <summary>Queues <paramref name="message"/> in <paramref name="transaction"/>, due at once; returns its id (also its Message-ID).</summary>
    public static async Task<Guid> EnqueueAsync(DbConnection connection, IDbTransaction transaction, OutboxMessage message, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        await connection.ExecuteAsync("""
            INSERT INTO outbox (id, created_at, kind, case_id, channel, to_address, to_name, subject, text_body, html_body,
                                attachment_name, attachment_type, attachment, status, attempts, next_attempt_at)
            VALUES (@id, @now, @Kind, @CaseId, @Channel, @ToAddress, @ToName, @Subject, @TextBody, @HtmlBody,
                    @AttachmentName, @AttachmentType, @Attachment, 'queued', 0, @now)
            """, new
        {
            id, now, message.Kind, message.CaseId, message.Channel, message.ToAddress, message.ToName, message.Subject, message.TextBody,
            message.HtmlBody, AttachmentName = message.Attachment?.FileName, AttachmentType = message.Attachment?.ContentType,
            Attachment = message.Attachment?.Content,
        }, transaction);
        return id;
    }
}
