using MimeKit;

namespace RjConferences.Features.Notifications;

/// <summary>
/// The embedded default channel: each email is written as an RFC 5322 <c>.eml</c> file, named by its id, in
/// <see cref="NotificationOptions.PickupFolder"/> — a laptop install shows what would be sent, and a mail server's pickup
/// directory can take them from there. Written to a temporary name and moved into place, so a reader never sees half a
/// file; a second delivery of the same message (after a crash) replaces the first with the same content and Message-ID.
/// </summary>
public sealed class PickupChannel(IOptions<NotificationOptions> options) : IMessageChannel
{
    public string Folder => Path.GetFullPath(options.Value.PickupFolder);

    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel != "email")
        {
            throw new PermanentDeliveryException($"The pickup channel delivers email only, not {message.Channel}.");
        }
        var mime = Build(message, options.Value.From);
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{message.Id:D}.eml");
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await mime.WriteToAsync(file, cancellationToken);
        }
        File.Move(temporary, path, overwrite: true);
    }

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
