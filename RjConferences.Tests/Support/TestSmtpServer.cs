using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RjConferences.Tests.Support;

/// <summary>
/// A real SMTP server on a loopback port for one test: aiosmtpd (Debian's python3-aiosmtpd, installed by test.sh; the Python
/// is RJ_TEST_SMTP_PYTHON, else /usr/bin/python3), started and stopped by the test. It saves each message it accepts as an
/// <c>.eml</c> file in <see cref="Folder"/>, refuses any recipient whose address holds "reject" with 550 (permanent) and any
/// holding "busy" with 451 (try again later).
/// <para>
/// Given a certificate it requires STARTTLS before anything is sent (<see cref="SelfSignedCertificate"/> makes one); given a
/// user name and password it requires AUTH (PLAIN or LOGIN, only over TLS when it has a certificate) and refuses any other
/// with 535. Given a port and a folder it serves there, so a test can stop the server and start it again where it was.
/// </para>
/// </summary>
public sealed class TestSmtpServer : IDisposable
{
    private const string Script = """
        import asyncio, os, ssl, sys, uuid
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        class Handler:
            def __init__(self, folder):
                self.folder = folder

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if 'reject' in address:
                    return '550 5.1.1 No such mailbox here'
                if 'busy' in address:
                    return '451 4.3.0 Mailbox busy, try again later'
                envelope.rcpt_tos.append(address)
                return '250 OK'

            async def handle_DATA(self, server, session, envelope):
                if delay > 0:
                    await asyncio.sleep(delay)
                name = os.path.join(self.folder, uuid.uuid4().hex + '.eml')
                with open(name + '.tmp', 'wb') as f:
                    f.write(envelope.original_content or envelope.content)
                os.replace(name + '.tmp', name)
                with open(os.path.join(self.folder, 'peers.log'), 'a') as f:
                    f.write('%s:%s\n' % tuple(session.peer[:2]))
                return '250 Message accepted for delivery'

        folder, port, certfile, keyfile, user, password = sys.argv[1:7]
        delay = float(sys.argv[7]) / 1000
        options = {}
        if certfile != '-':
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile, keyfile)
            options.update(tls_context=context, require_starttls=True)
        if user != '-':
            def authenticator(server, session, envelope, mechanism, auth_data):
                return AuthResult(handled=False, success=isinstance(auth_data, LoginPassword)
                                  and auth_data.login == user.encode() and auth_data.password == password.encode())
            options.update(authenticator=authenticator, auth_required=True, auth_require_tls=certfile != '-')
        controller = Controller(Handler(folder), hostname='127.0.0.1', port=int(port), **options)
        controller.start()
        print('ready', flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private readonly Process process;
    private readonly string scriptPath;
    private readonly bool ownsFolder;
    private bool disposed;

    /// <param name="port">Where to listen (to start a stopped server again); a free loopback port when null.</param>
    /// <param name="folder">Where to save what it accepts (another server's <see cref="Folder"/>, kept on dispose); a new folder when null.</param>
    /// <param name="certificate">With its private key: STARTTLS is offered with it and required.</param>
    /// <param name="userName">With <paramref name="password"/>: AUTH is required, and only these credentials are accepted.</param>
    /// <param name="delayMilliseconds">How long it takes over each message before accepting it, as a real relay does (0: at once).</param>
    public TestSmtpServer(int? port = null, string? folder = null, X509Certificate2? certificate = null, string? userName = null, string? password = null,
        int delayMilliseconds = 0)
    {
        ownsFolder = folder is null;
        Folder = folder ?? Directory.CreateTempSubdirectory("rj-smtp-").FullName;
        var stem = Path.Combine(Path.GetTempPath(), $"rj-smtp-{Guid.NewGuid():N}");
        scriptPath = stem + ".py";
        File.WriteAllText(scriptPath, Script);
        string certificateFile = "-", keyFile = "-";
        if (certificate is not null)
        {
            (certificateFile, keyFile) = (stem + ".crt", stem + ".key");
            File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
            File.WriteAllText(keyFile, ((AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
                ?? throw new ArgumentException("The certificate has no private key.", nameof(certificate))).ExportPkcs8PrivateKeyPem());
        }
        Port = port ?? FreePort();
        var python = Environment.GetEnvironmentVariable("RJ_TEST_SMTP_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        process = Process.Start(new ProcessStartInfo(python, [scriptPath, Folder, Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            certificateFile, keyFile, userName ?? "-", password ?? "-",
            delayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start {python} for the test SMTP server.");
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "ready")
        {
            var error = process.StandardError.ReadToEnd();
            Dispose();
            throw new InvalidOperationException($"The test SMTP server (aiosmtpd under {python}) did not start: {error} " +
                "./test.sh installs python3-aiosmtpd; or set RJ_TEST_SMTP_PYTHON to a Python that has aiosmtpd.");
        }
    }

    public int Port { get; }

    /// <summary>
    /// A self-signed certificate for 127.0.0.1 and localhost, as a private relay might have (no root this machine trusts
    /// issued it); valid from a fixed date for years, so no test depends on today's.
    /// </summary>
    public static X509Certificate2 SelfSignedCertificate(string subject = "CN=relay.partnership.test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        return request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>The SHA-256 of <paramref name="certificate"/> as hex, as <c>Notifications:Smtp:CertificateThumbprint</c> takes it.</summary>
    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

    /// <summary>Where the accepted messages are, one <c>.eml</c> each.</summary>
    public string Folder { get; }

    public IReadOnlyList<string> Messages => Directory.GetFiles(Folder, "*.eml");

    /// <summary>The client's address and port of each message accepted, in order: messages sent over one connection share one.</summary>
    public IReadOnlyList<string> Peers => File.Exists(Path.Combine(Folder, "peers.log")) ? File.ReadAllLines(Path.Combine(Folder, "peers.log")) : [];

    /// <summary>A loopback port nothing listens on (for "the server is down").</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Stops the server (a test may do so before its end, to have it down); a second call does nothing.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(5000)) process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
        foreach (var file in new[] { scriptPath, Path.ChangeExtension(scriptPath, ".crt"), Path.ChangeExtension(scriptPath, ".key") })
        {
            File.Delete(file);
        }
        if (ownsFolder)
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
