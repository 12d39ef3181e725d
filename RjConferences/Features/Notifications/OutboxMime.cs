using MimeKit;

namespace RjConferences.Features.Notifications;

/// <summary>An outbox message as the MIME message every email channel sends (pickup file or SMTP).</summary>
public static class OutboxMime
{
    /// <summary>The message as MIME: plain text (and HTML when given) with any attachment; its Message-ID is the outbox id.</summary>
    public static MimeMessage Build(ClaimedMessage message, string from)
    {
        if (!MailboxAddress.TryParse(message.ToAddress, out var to) || !to.Address.Contains('@', StringComparison.Ordinal))
        {
            throw new PermanentDeliveryException("The recipient's address is not an email address.");
        }
        if (message.ToName is { Length: > 0 } name)
        {
            to.Name = name;
        }
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        if (message.Attachment is { } content && message.AttachmentName is { } fileName)
        {
            body.Attachments.Add(fileName, System.Text.Encoding.UTF8.GetBytes(content), ContentType.Parse(message.AttachmentType ?? "application/octet-stream"));
        }
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = message.CreatedAt,
            MessageId = $"{message.Id:D}@rjconferences",
            Body = body.ToMessageBody(),
        };
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(to);
        return mime;
    }
}
