using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RjConferences.Tests.Support;

/// <summary>
/// A real SMTP server on a loopback port for one test: aiosmtpd (Debian's python3-aiosmtpd, installed by test.sh; the Python
/// is RJ_TEST_SMTP_PYTHON, else /usr/bin/python3), started and stopped by the test. It saves each message it accepts as an
/// <c>.eml</c> file in <see cref="Folder"/>, refuses any recipient whose address holds "reject" with 550 (permanent) and any
/// holding "busy" with 451 (try again later).
/// </summary>
public sealed class TestSmtpServer : IDisposable
{
    private const string Script = """
        import os, sys, uuid
        from aiosmtpd.controller import Controller

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
                name = os.path.join(self.folder, uuid.uuid4().hex + '.eml')
                with open(name + '.tmp', 'wb') as f:
                    f.write(envelope.original_content or envelope.content)
                os.replace(name + '.tmp', name)
                return '250 Message accepted for delivery'

        controller = Controller(Handler(sys.argv[1]), hostname='127.0.0.1', port=int(sys.argv[2]))
        controller.start()
        print('ready', flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private readonly Process process;
    private readonly string scriptPath;

    public TestSmtpServer()
    {
        Folder = Directory.CreateTempSubdirectory("rj-smtp-").FullName;
        scriptPath = Path.Combine(Folder, "..", $"rj-smtp-{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, Script);
        Port = FreePort();
        var python = Environment.GetEnvironmentVariable("RJ_TEST_SMTP_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        process = Process.Start(new ProcessStartInfo(python, [scriptPath, Folder, Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
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

    /// <summary>Where the accepted messages are, one <c>.eml</c> each.</summary>
    public string Folder { get; }

    public IReadOnlyList<string> Messages => Directory.GetFiles(Folder, "*.eml");

    /// <summary>A loopback port nothing listens on (for "the server is down").</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
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
        File.Delete(scriptPath);
        Directory.Delete(Folder, recursive: true);
    }
}
