namespace RjConferences.Features.Notifications;

/// <summary>A file sent with a message (a calendar invitation's <c>.ics</c>): its name, MIME type and text.</summary>
public sealed record OutboxAttachment(string FileName, string ContentType, string Content);

/// <summary>
/// One message to send. Only what the recipient needs: no child's name, offence or case details in <see cref="Subject"/>
/// (the callers' templates keep to that; see docs/notifications.md).
/// </summary>
public sealed record OutboxMessage(string Kind, string ToAddress, string? ToName, string Subject, string TextBody,
    string? HtmlBody = null, Guid? CaseId = null, OutboxAttachment? Attachment = null, string Channel = "email")
{
    /// <summary>The template (<see cref="MessageTemplates"/>) that writes the message when it is sent, with <see cref="Model"/>'s values.</summary>
    public string? Template { get; init; }

    /// <summary>The template's values (serialised as JSON): only what the recipient needs.</summary>
    public object? Model { get; init; }

    /// <summary>The record the message is about: a conference, an agreement.</summary>
    public Guid? AboutId { get; init; }

    /// <summary>A message with a key is queued once, however often the job that queues it runs, on any instance.</summary>
    public string? DedupeKey { get; init; }

    /// <summary>A message the template <paramref name="template"/> writes when it is sent.</summary>
    public static OutboxMessage FromTemplate(string template, string channel, string toAddress, string? toName, object model, Guid? caseId = null,
        OutboxAttachment? attachment = null) =>
        new(template, toAddress, toName, "", "", null, caseId, attachment, channel) { Template = template, Model = model };
}

/// <summary>
/// The transactional outbox (migration 0020): a message is written in the transaction of the change that causes it, so it is
/// sent exactly when that change commits (<see cref="OutboxSender"/> delivers it). Callers pass their own connection and
/// transaction; nothing here opens one.
/// </summary>
public static class Outbox
{
    /// <summary>Queues <paramref name="message"/> in <paramref name="transaction"/>, due at once; returns its id (also its Message-ID).</summary>
    public static async Task<Guid> EnqueueAsync(DbConnection connection, IDbTransaction transaction, OutboxMessage message, DateTimeOffset now) =>
        message.DedupeKey is null
            ? (await EnqueueOnceAsync(connection, transaction, message, now))!.Value
            : throw new ArgumentException("A message with a dedupe key is queued with EnqueueOnceAsync.", nameof(message));

    /// <summary>
    /// Queues <paramref name="message"/> in <paramref name="transaction"/>, due at <paramref name="dueAt"/> (else at once); returns
    /// its id (also its Message-ID), or null when a message with the same <see cref="OutboxMessage.DedupeKey"/> is already queued or sent.
    /// </summary>
    public static async Task<Guid?> EnqueueOnceAsync(DbConnection connection, IDbTransaction transaction, OutboxMessage message, DateTimeOffset now,
        DateTimeOffset? dueAt = null)
    {
        var id = Guid.CreateVersion7(now);
        var added = await connection.ExecuteAsync("""
            INSERT INTO outbox (id, created_at, kind, case_id, channel, to_address, to_name, subject, text_body, html_body,
                                attachment_name, attachment_type, attachment, status, attempts, next_attempt_at, template, model, about_id, dedupe_key)
            VALUES (@id, @now, @Kind, @CaseId, @Channel, @ToAddress, @ToName, @Subject, @TextBody, @HtmlBody,
                    @AttachmentName, @AttachmentType, @Attachment, 'queued', 0, @due, @Template, @model, @AboutId, @DedupeKey)
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new
        {
            id, now, due = dueAt ?? now, message.Kind, message.CaseId, message.Channel, message.ToAddress, message.ToName, message.Subject,
            message.TextBody, message.HtmlBody, AttachmentName = message.Attachment?.FileName, AttachmentType = message.Attachment?.ContentType,
            Attachment = message.Attachment?.Content, message.Template,
            model = message.Model is null ? null : System.Text.Json.JsonSerializer.Serialize(message.Model, ModelJson), message.AboutId, message.DedupeKey,
        }, transaction);
        return added == 1 ? id : null;
    }

    /// <summary>Template values are named as the templates name them: snake_case.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions ModelJson = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };
}
