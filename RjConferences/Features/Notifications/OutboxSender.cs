using RjConferences.Features.Agreements;

namespace RjConferences.Features.Notifications;

/// <summary>The options of the notifications (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// <c>Pickup</c> (the embedded default: each message a <c>.eml</c> file in <see cref="PickupFolder"/>), <c>Smtp</c>
    /// (a mail server, <see cref="Smtp"/>) or <c>Notify</c> (GOV.UK Notify, <see cref="Notify"/>). Where a text message or a
    /// letter goes on each is <see cref="MessageRouter"/>'s.
    /// </summary>
    public string Channel { get; set; } = "Pickup";

    public SmtpOptions Smtp { get; set; } = new();

    public NotifyOptions Notify { get; set; } = new();

    /// <summary>Where the pickup channel writes; relative to the working folder unless rooted.</summary>
    public string PickupFolder { get; set; } = "mail-pickup";

    /// <summary>The sender of every message.</summary>
    public string From { get; set; } = "RjConferences <no-reply@rjconferences.invalid>";

    /// <summary>How often the background sender looks for due messages.</summary>
    public int PollSeconds { get; set; } = 5;

    /// <summary>Where the message templates are; by default the ones the app ships (<see cref="MessageTemplates"/>).</summary>
    public string? TemplateFolder { get; set; }

    /// <summary>After this many temporary failures a message is marked failed.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long a sender's claim on a message lasts (<c>Notifications:LeaseSeconds</c>): longer than any delivery takes.</summary>
    public int LeaseSeconds { get; set; } = (int)OutboxSender.Lease.TotalSeconds;
}

/// <summary>The mail server of the <c>Smtp</c> channel (<c>Notifications:Smtp:*</c>).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>TLS: on connect for port 465, else STARTTLS, required. Off only for a relay on the same machine or network.</summary>
    public bool UseTls { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// The SHA-256 of the mail server's own certificate (hex; colons and spaces allowed), for a private relay whose certificate
    /// does not chain to a root this machine trusts: that certificate is accepted, any other must pass the normal validation.
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary><paramref name="thumbprint"/> as 64 upper-case hex digits, or null when none is given.</summary>
    public static string? NormalizeThumbprint(string? thumbprint) =>
        string.IsNullOrWhiteSpace(thumbprint) ? null : new string(thumbprint.Where(c => c is not (':' or ' ' or '-')).ToArray()).ToUpperInvariant();
}

/// <summary>How a message leaves the app: the pickup folder, a mail server, GOV.UK Notify or the print list (<see cref="MessageRouter"/> chooses).</summary>
public interface IMessageChannel
{
    /// <summary>Delivers <paramref name="message"/>; throws <see cref="PermanentDeliveryException"/> when it never can, anything else when it may later.</summary>
    Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken);

    /// <summary>The sender has nothing more due for now: a channel that keeps a connection across a run closes it.</summary>
    Task RunEndedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A delivery that will never succeed as it is (an address that is not one, a refusal by the server): not retried.</summary>
public sealed class PermanentDeliveryException(string reason) : Exception(reason);

/// <summary>A message claimed for delivery, as the channel needs it.</summary>
public sealed record ClaimedMessage(Guid Id, DateTimeOffset CreatedAt, string Kind, Guid? CaseId, string Channel, string ToAddress, string? ToName,
    string Subject, string TextBody, string? HtmlBody, string? AttachmentName, string? AttachmentType, string? Attachment, long Attempts,
    string? Template = null, string? Model = null, Guid? AboutId = null);

/// <summary>
/// Delivers the outbox. Any number of senders (one per instance) may run: each claims one due message at a time with a lease
/// (an UPDATE that only succeeds while no live lease is held, so two senders never hold the same message), delivers it, and
/// records the outcome under its lease. A temporary failure is retried after 1, 2, 4… minutes (at most an hour) up to
/// <see cref="NotificationOptions.MaxAttempts"/>; a permanent one is marked failed with its reason. A sender that dies mid-send
/// leaves its lease to expire, and the message is delivered again under the same Message-ID: at most the message in flight is
/// sent twice. Every send is audited as <c>disclose</c> with its recipient.
/// </summary>
public sealed class OutboxSender(Db db, IMessageChannel channel, MessageTemplates templates, AuditLog audit, TimeProvider clock,
    IOptions<NotificationOptions> options, ILogger<OutboxSender> logger)
{
    /// <summary>How long a claim lasts unless <see cref="NotificationOptions.LeaseSeconds"/> says otherwise: longer than any delivery takes.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Who this sender is, in the lease (machine, process and a random part; nothing personal).</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Delivers due messages until none is left (or another sender holds the rest); returns how many this sender sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var sent = 0;
        while (await ClaimAsync(cancellationToken) is { } message)
        {
            try
            {
                message = Written(message);
                await channel.DeliverAsync(message, cancellationToken);
                await RecordSentAsync(message, cancellationToken);
                sent++;
                Delivered(message, "sent");
            }
            catch (PermanentDeliveryException e)
            {
                logger.OutboxMessageRefused(message.Id, message.Kind, message.Channel, e.GetType().Name);
                await RecordFailureAsync(message, e.Message, permanent: true, cancellationToken);
                Delivered(message, "failed");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var giveUp = message.Attempts >= options.Value.MaxAttempts;
                logger.OutboxMessageNotDelivered(message.Id, message.Kind, message.Channel, message.Attempts, e.GetType().Name,
                    giveUp ? "no more attempts" : "it will be tried again");
                await RecordFailureAsync(message, e.Message, permanent: giveUp, cancellationToken);
                Delivered(message, giveUp ? "failed" : "retry");
            }
        }
        await channel.RunEndedAsync(cancellationToken);
        return sent;
    }

    private static void Delivered(ClaimedMessage message, string outcome) =>
        AppTelemetry.OutboxDeliveries.Add(1, new("channel", message.Channel), new("kind", message.Kind), new("outcome", outcome));

    /// <summary>The message as its template writes it now; a template that cannot be written fails this message only, with the reason.</summary>
    private ClaimedMessage Written(ClaimedMessage message)
    {
        if (message.Template is not { } template) return message;
        try
        {
            var written = templates.Render(template, message.Channel, message.Model ?? "{}");
            return message with { Subject = written.Subject, TextBody = written.TextBody, HtmlBody = written.HtmlBody };
        }
        catch (TemplateException e)
        {
            throw new PermanentDeliveryException(e.Message);
        }
    }

    private Task<ClaimedMessage?> ClaimAsync(CancellationToken cancellationToken) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            // The lease condition is checked again on the row the UPDATE changes: of two senders that picked the same message,
            // the second finds the first's live lease (PostgreSQL re-reads the row after waiting for its lock) and claims nothing.
            return await connection.QuerySingleOrDefaultAsync<ClaimedMessage>("""
                UPDATE outbox SET lease_holder = @Holder, lease_until = @until, attempts = attempts + 1
                WHERE id = (SELECT id FROM outbox
                            WHERE status = 'queued' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                            ORDER BY next_attempt_at, created_at LIMIT 1)
                  AND status = 'queued' AND (lease_until IS NULL OR lease_until <= @now)
                RETURNING id, created_at, kind, case_id, channel, to_address, to_name, subject, text_body, html_body,
                          attachment_name, attachment_type, attachment, attempts, template, model, about_id
                """, new { Holder, until = now + TimeSpan.FromSeconds(options.Value.LeaseSeconds), now }, transaction);
        }, cancellationToken);

    private Task RecordSentAsync(ClaimedMessage message, CancellationToken cancellationToken) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            // What was sent is kept as it was written (a template may change later).
            var updated = await connection.ExecuteAsync("""
                UPDATE outbox SET status = 'sent', sent_at = @now, lease_holder = NULL, lease_until = NULL, last_error = NULL,
                                  subject = @Subject, text_body = @TextBody, html_body = @HtmlBody
                WHERE id = @Id AND lease_holder = @Holder
                """, new { now, message.Id, Holder, message.Subject, message.TextBody, message.HtmlBody }, transaction);
            if (updated == 1)
            {
                // A letter on the print list is not with the harmed party yet: the telling is recorded when it is marked as posted.
                var onPrintList = message.Channel == "letter" && await connection.ExecuteScalarAsync<bool>(
                    "SELECT print_list_at IS NOT NULL FROM outbox WHERE id = @Id", new { message.Id }, transaction);
                if (message.Kind == HarmedPartyOutcome.Kind && message.AboutId is { } agreementId && !onPrintList)
                {
                    await HarmedPartyOutcome.RecordToldAsync(connection, transaction, agreementId, message.Channel, now);
                }
                await audit.RecordAsync(connection, (IDbTransaction)transaction, new AuditEvent(AuditAction.Disclose,
                    EntityType: message.CaseId is null ? "notification" : "case", EntityId: (message.CaseId ?? message.Id).ToString(),
                    Justification: $"{message.Kind} ({message.Channel}), message {message.Id}", Recipient: message.ToAddress));
            }
        }, cancellationToken);

    private Task RecordFailureAsync(ClaimedMessage message, string reason, bool permanent, CancellationToken cancellationToken) =>
        db.WriteAsync((connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            var wait = TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Max(0, message.Attempts - 1))));
            return connection.ExecuteAsync("""
                UPDATE outbox SET status = @status, next_attempt_at = @next, lease_holder = NULL, lease_until = NULL, last_error = @reason
                WHERE id = @Id AND lease_holder = @Holder
                """, new { status = permanent ? "failed" : "queued", next = now + wait, reason = Truncate(reason), message.Id, Holder }, transaction);
        }, cancellationToken);

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}

/// <summary>Runs <see cref="OutboxSender"/> every few seconds on each instance (unless <c>Notifications:Sender:Enabled</c> is false).</summary>
public sealed class OutboxSenderService(OutboxSender sender, TimeProvider clock, IOptions<NotificationOptions> options,
    ILogger<OutboxSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sender.RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away for a while: look again at the next poll.
                logger.OutboxSenderFailed(e);
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, options.Value.PollSeconds)), clock, stoppingToken);
        }
    }
}

/// <summary>With <c>Notifications:Channel=Notify</c>, the key and the template ids must be there and well formed, or the app does not start.</summary>
public sealed class NotifySettingsValidation : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options) =>
        options.Channel != "Notify" || options.Notify.Problems().ToList() is not { Count: > 0 } problems
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems);
}

public static class NotificationServices
{
    public const string SenderEnabled = "Notifications:Sender:Enabled";

    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Notifications"))
            .Validate(o => o.Channel is "Pickup" or "Smtp" or "Notify", "Notifications:Channel must be Pickup, Smtp or Notify.")
            .Validate(o => o.Channel != "Smtp" || !string.IsNullOrWhiteSpace(o.Smtp.Host) && o.Smtp.Port is > 0 and < 65536,
                "Notifications:Smtp:Host and Notifications:Smtp:Port must name the mail server when Notifications:Channel is Smtp.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.PickupFolder), "Notifications:PickupFolder must name a folder.")
            .Validate(o => MimeKit.MailboxAddress.TryParse(o.From, out _), "Notifications:From must be an email address, e.g. \"RjConferences <no-reply@example.org>\".")
            .Validate(o => o.PollSeconds >= 1 && o.MaxAttempts >= 1, "Notifications:PollSeconds and MaxAttempts must be 1 or more.")
            .Validate(o => o.LeaseSeconds >= 5, "Notifications:LeaseSeconds must be 5 or more (longer than any delivery takes).")
            .Validate(o => SmtpOptions.NormalizeThumbprint(o.Smtp.CertificateThumbprint) is null or { Length: 64 } && (SmtpOptions.NormalizeThumbprint(o.Smtp.CertificateThumbprint) ?? "").All(char.IsAsciiHexDigit),
                "Notifications:Smtp:CertificateThumbprint must be the SHA-256 of the mail server's certificate: 64 hexadecimal digits.")
            .ValidateOnStart();
        // The Notify settings are checked at start too, each problem named (one message per setting).
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotifySettingsValidation>();
        services.AddSingleton<PickupChannel>();
        services.AddSingleton<SmtpChannel>();
        services.AddSingleton<NotifyChannel>();
        services.AddSingleton<PrintListChannel>();
        services.AddSingleton<MessageRouter>();
        services.AddSingleton<PrintList>();
        services.AddSingleton<IMessageChannel>(provider => provider.GetRequiredService<MessageRouter>());
        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<OutboxAdministration>();
        services.AddSingleton<OutboxSender>();
        if (configuration.GetValue(SenderEnabled, defaultValue: true))
        {
            services.AddHostedService<OutboxSenderService>();
        }
        return services;
    }

    /// <summary>The letter download address of the print list: the outbox id only, no personal data.</summary>
    public static string LetterUrl(Guid id) => $"letters/{id:D}.pdf";

    /// <summary>
    /// GET /letters/{id}.pdf — a letter on the print list as a PDF, for staff of its case's school (else 404, audited as
    /// access denied); each download is audited as a disclosure of the case.
    /// </summary>
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/letters/{id:guid}.pdf", async (Guid id, ClaimsPrincipal user, PrintList printList, CancellationToken cancellationToken) =>
            await printList.DownloadAsync(id, user.UserId(), cancellationToken) switch
            {
                null => Results.NotFound(),
                { Content: { } content, FileName: var name } => Results.File(content, "application/pdf", name),
                { Problem: var problem } => Results.Text(problem, "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable),
            })
            .RequireAuthorization(Policies.CaseWorker);
        return endpoints;
    }
}
