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
        var mime = OutboxMime.Build(message, options.Value.From);
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{message.Id:D}.eml");
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await mime.WriteToAsync(file, cancellationToken);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
