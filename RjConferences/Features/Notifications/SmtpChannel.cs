using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace RjConferences.Features.Notifications;

/// <summary>
/// The <c>Smtp</c> channel: each email through the partnership's mail server with MailKit — TLS on connect for port 465,
/// else STARTTLS required (<see cref="SmtpOptions.UseTls"/>), authenticated when a user name is set. The server's certificate
/// must be trusted by the machine, or be the one named by <see cref="SmtpOptions.CertificateThumbprint"/> (a private relay's
/// own certificate); validation is never switched off.
/// <para>
/// One connection serves a whole run of the sender (<see cref="IMessageChannel.RunEndedAsync"/> closes it): a new connection,
/// TLS handshake and login per message would cap delivery at a few dozen a second. A connection the server dropped while idle
/// is opened again and the message tried once more on it.
/// </para>
/// The server's answer decides what happens next: a 5xx refusal (an unknown mailbox, a rejected message) is permanent and not
/// retried; a 4xx, a refused or dropped connection, a timeout, credentials or a certificate it does not accept are temporary
/// and tried again later (<see cref="OutboxSender"/>), so nothing is lost while the deployment is fixed.
/// </summary>
public sealed class SmtpChannel(IOptions<NotificationOptions> options) : IMessageChannel, IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private SmtpClient? client;

    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        if (message.Channel != "email")
        {
            throw new PermanentDeliveryException($"The SMTP channel delivers email only, not {message.Channel}.");
        }
        var settings = options.Value;
        var mime = OutboxMime.Build(message, settings.From);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var reused = client is { IsConnected: true };
            try
            {
                await (await ConnectedAsync(cancellationToken)).SendAsync(mime, cancellationToken);
            }
            catch (Exception e) when (reused && e is IOException or SmtpProtocolException or ServiceNotConnectedException)
            {
                // The server closed the connection while it was idle (servers do, after a minute or so): once more on a new one.
                Drop();
                await (await ConnectedAsync(cancellationToken)).SendAsync(mime, cancellationToken);
            }
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
            Drop();
            throw new IOException($"The mail server did not accept the user name and password: {e.Message}", e);
        }
        catch (SslHandshakeException e)
        {
            Drop();
            throw new IOException(UntrustedReason ?? $"The TLS handshake with the mail server failed: {e.Message}", e);
        }
        catch (Exception e) when (e is SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException)
        {
            Drop();
            throw new IOException($"The mail server could not take it now: {e.Message}", e);
        }
        catch (OperationCanceledException)
        {
            Drop(); // mid-command: the connection is in no state to reuse
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The run is over: the connection is closed politely (QUIT), not left open until the next poll.</summary>
    public async Task RunEndedAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (client is { IsConnected: true })
            {
                try
                {
                    await client.DisconnectAsync(quit: true, cancellationToken);
                }
                catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
                {
                    // Gone already.
                }
            }
            Drop();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The app stops. (The container disposes it once for each of its two registrations, so a second call is harmless.)</summary>
    public ValueTask DisposeAsync() => new(RunEndedAsync(CancellationToken.None));

    /// <summary>The app stops, disposed without await: the connection is closed without waiting for the server.</summary>
    public void Dispose() => Drop();

    /// <summary>Why the last TLS handshake refused the server's certificate (with its SHA-256, for an operator to check), or null.</summary>
    private string? UntrustedReason { get; set; }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (client is { IsConnected: true, IsAuthenticated: var authenticated } connected
            && (authenticated || string.IsNullOrEmpty(options.Value.Smtp.UserName)))
        {
            return connected;
        }
        Drop();
        var settings = options.Value.Smtp;
        var pinned = SmtpOptions.NormalizeThumbprint(settings.CertificateThumbprint);
        UntrustedReason = null;
        var fresh = new SmtpClient { Timeout = 30_000 };
        fresh.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            var thumbprint = certificate is null ? null : Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
            if (thumbprint is not null && thumbprint == pinned) return true; // the relay's own certificate, named in the settings
            UntrustedReason = $"The mail server's certificate is not trusted ({errors}), so nothing was sent to it. " + (thumbprint is null ? "" :
                $"If it is your own relay's certificate (SHA-256 {thumbprint}), name it in Notifications:Smtp:CertificateThumbprint.");
            return false;
        };
        var security = !settings.UseTls ? SecureSocketOptions.None
            : settings.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        client = fresh;
        await fresh.ConnectAsync(settings.Host!, settings.Port, security, cancellationToken); // validated at start-up
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            await fresh.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
        }
        return fresh;
    }

    private void Drop()
    {
        client?.Dispose();
        client = null;
    }
}
