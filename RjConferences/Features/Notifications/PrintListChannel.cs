namespace RjConferences.Features.Notifications;

/// <summary>
/// Letters on a deployment without GOV.UK Notify: each goes on the print list of its case's school (<see cref="PrintList"/>),
/// where the school office downloads it as a PDF (<see cref="LetterPdf"/>), prints it, posts it and marks it as posted. A
/// letter can go there only with an address that has a UK postcode, and for a school whose own postal address (the return
/// address) is set; otherwise it fails with the reason, and an administrator can try it again from the Outbox page once the
/// address is put right. Putting it there again after a crash changes nothing but the time.
/// </summary>
public sealed class PrintListChannel(Db db, TimeProvider clock) : IMessageChannel
{
    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel != "letter")
        {
            throw new PermanentDeliveryException($"The print list takes letters only, not {message.Channel}.");
        }
        if (PostalAddress.Parse(message.ToAddress, out var problem) is null)
        {
            throw new PermanentDeliveryException($"The recipient's address cannot go on a letter: {problem}.");
        }
        await db.WriteAsync(async (connection, transaction) =>
        {
            var school = await connection.QuerySingleOrDefaultAsync<(string Name, string? PostalAddress)?>("""
                SELECT s.name, s.postal_address FROM cases AS k JOIN schools AS s ON s.id = k.school_id WHERE k.id = @CaseId
                """, new { message.CaseId }, transaction);
            if (school is not { } s)
            {
                throw new PermanentDeliveryException("A letter goes on the print list of its case's school, and this message has no case.");
            }
            if (PostalAddress.Parse(s.PostalAddress, out _) is null)
            {
                throw new PermanentDeliveryException($"{s.Name} has no postal address for the letter's return address: an administrator " +
                    "sets it on the Rooms page (Administration), then tries this message again on the Outbox page.");
            }
            await connection.ExecuteAsync("UPDATE outbox SET print_list_at = @now WHERE id = @Id",
                new { now = clock.GetUtcNow(), message.Id }, transaction);
        }, cancellationToken);
    }
}

/// <summary>
/// Where each message goes, by its channel, on this deployment (<c>Notifications:Channel</c>): an email through the
/// deployment's email channel (the pickup folder, the mail server or GOV.UK Notify); a text message through Notify — on the
/// pickup default it is written to the pickup folder as a <c>.txt</c> file instead, and a mail server cannot send one, so
/// there it fails naming the setting; a letter through Notify's letter service on a Notify deployment, else onto the
/// school's print list.
/// </summary>
public sealed class MessageRouter(IOptions<NotificationOptions> options, IServiceProvider services) : IMessageChannel
{
    public Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken) =>
        ChannelFor(message.Channel).DeliverAsync(message, cancellationToken);

    /// <summary>The channel that delivers a message sent by <paramref name="channel"/> (email, text, letter) here.</summary>
    public IMessageChannel ChannelFor(string channel) => (options.Value.Channel, channel) switch
    {
        ("Notify", _) => services.GetRequiredService<NotifyChannel>(),
        ("Smtp", "email") => services.GetRequiredService<SmtpChannel>(),
        ("Smtp", "text") => NoTextMessages.Instance,
        (_, "letter") => services.GetRequiredService<PrintListChannel>(),
        _ => services.GetRequiredService<PickupChannel>(),
    };

    private sealed class NoTextMessages : IMessageChannel
    {
        public static readonly NoTextMessages Instance = new();

        public Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken) =>
            throw new PermanentDeliveryException("A text message can be sent only through GOV.UK Notify: set Notifications:Channel to Notify " +
                "(with Notifications:Notify:ApiKey and the template ids); a mail server cannot send one.");
    }
}
