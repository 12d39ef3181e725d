using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace RjConferences.Features.Notifications;

/// <summary>
/// The <c>Smtp</c> channel: each email through the partnership's mail server with MailKit — TLS on connect for port 465,
/// else STARTTLS required (<see cref="SmtpOptions.UseTls"/>), authenticated when a user name is set. The server's answer
/// decides what happens next: a 5xx refusal (an unknown mailbox, a rejected message) is permanent and not retried; a 4xx,
/// a refused or dropped connection or a timeout is temporary and tried again later (<see cref="OutboxSender"/>).
/// </summary>
public sealed class SmtpChannel(IOptions<NotificationOptions> options) : IMessageChannel
{
    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel != "email")
        {
            throw new PermanentDeliveryException($"The SMTP channel delivers email only, not {message.Channel}.");
        }
        var settings = options.Value;
        var mime = OutboxMime.Build(message, settings.From);
        using var client = new SmtpClient { Timeout = 30_000 };
        var security = !settings.Smtp.UseTls ? SecureSocketOptions.None
            : settings.Smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        try
        {
            await client.ConnectAsync(settings.Smtp.Host!, settings.Smtp.Port, security, cancellationToken); // validated at start-up
            if (!string.IsNullOrEmpty(settings.Smtp.UserName))
            {
                await client.AuthenticateAsync(settings.Smtp.UserName, settings.Smtp.Password ?? "", cancellationToken);
            }
            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"The mail server refused it: {(int)e.StatusCode} {e.Message}");
        }
        catch (SmtpCommandException e)
        {
            throw new IOException($"The mail server could not take it now: {(int)e.StatusCode} {e.Message}", e);
        }
        catch (AuthenticationException e)
        {
            // Wrong credentials are the deployment's to fix: tried again later, so nothing is lost meanwhile.
            throw new IOException($"The mail server did not accept the user name and password: {e.Message}", e);
        }
        catch (Exception e) when (e is SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException)
        {
            throw new IOException($"The mail server could not take it now: {e.Message}", e);
        }
    }
}
