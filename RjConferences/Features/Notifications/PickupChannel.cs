
namespace RjConferences.Features.Notifications;

/// <summary>
/// The embedded default channel: each email is written as an RFC 5322 <c>.eml</c> file, named by its id, in
/// <see cref="NotificationOptions.PickupFolder"/> — a laptop install shows what would be sent, and a mail server's pickup
/// directory can take them from there. A text message (which only GOV.UK Notify can send) is written as a <c>.txt</c> file
/// beside them, so a laptop install shows those too. Written to a temporary name and moved into place, so a reader never sees half a
/// file; a second delivery of the same message (after a crash) replaces the first with the same content and Message-ID.
/// </summary>
public sealed class PickupChannel(IOptions<NotificationOptions> options) : IMessageChannel
{
    public string Folder => Path.GetFullPath(options.Value.PickupFolder);

    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel is not ("email" or "text"))
        {
            throw new PermanentDeliveryException($"The pickup channel writes email and text messages only, not {message.Channel}.");
        }
        var mime = message.Channel == "email" ? OutboxMime.Build(message, options.Value.From) : null;   // an address that is not one fails here, before any file
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{message.Id:D}.{(message.Channel == "text" ? "txt" : "eml")}");
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            if (mime is null)
            {
                // What a phone would show, and to which number: a text message has no subject and no sender address.
                await using var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false));
                await writer.WriteAsync($"To: {message.ToAddress}\nMessage-Id: {message.Id:D}\nDate: {message.CreatedAt:O}\n\n{message.TextBody.TrimEnd()}\n");
            }
            else
            {
                await mime.WriteToAsync(file, cancellationToken);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }
}
