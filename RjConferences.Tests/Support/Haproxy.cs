using System.Diagnostics;
using System.Text;

namespace RjConferences.Tests.Support;

/// <summary>
/// HAProxy (Debian's package) in front of app instances, started as a child process with a configuration derived from
/// the sample the project ships, docs/haproxy.cfg: the same options, timeouts, sticky cookie and health check, with
/// its listen address on a loopback port and the given instances as its servers. Each response also says which
/// server answered (<see cref="ServedByHeader"/>) and a stats page tells each server's state.
/// </summary>
public sealed class Haproxy : IAsyncDisposable
{
    public const string ExecutableVariable = "RJ_HAPROXY";

    /// <summary>The sticky-session cookie of docs/haproxy.cfg; its value names the server (its <c>cookie</c>).</summary>
    public const string CookieName = "rj.instance";

    /// <summary>Added by the test's configuration only: the name of the server that answered.</summary>
    public const string ServedByHeader = "X-Served-By";

    private readonly StringBuilder log = new();
    private readonly Process process;
    private readonly string folder;

    private Haproxy(string executable, string configuration, int port, int statsPort)
    {
        Port = port;
        StatsPort = statsPort;
        folder = Path.Combine(Path.GetTempPath(), "rjconferences-tests", "haproxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        ConfigurationPath = Path.Combine(folder, "haproxy.cfg");
        File.WriteAllText(ConfigurationPath, configuration);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = folder,
        };
        // -db: stay in the foreground, whatever the configuration says.
        foreach (var arg in new[] { "-db", "-f", ConfigurationPath })
        {
            start.ArgumentList.Add(arg);
        }
        process = Process.Start(start)!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int StatsPort { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string ConfigurationPath { get; }

    /// <summary>HAProxy's own log (one line a request, and server state changes).</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>The sample configuration the project ships.</summary>
    public static string SamplePath => Path.Combine(AppProcess.RepositoryRoot, "docs", "haproxy.cfg");

    /// <summary>HAProxy's executable: RJ_HAPROXY, else haproxy on the PATH or in /usr/sbin (Debian's package); fails with what to install.</summary>
    public static string Executable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } given)
        {
            return File.Exists(given)
                ? given
                : throw new InvalidOperationException($"{ExecutableVariable} is set to '{given}', which is not a file.");
        }
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/local/sbin")
            .Select(dir => Path.Combine(dir, "haproxy"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "The tests of several instances behind a load balancer need HAProxy. On Debian or Ubuntu run 'apt-get install haproxy' " +
            $"(./test.sh installs it when missing), or set {ExecutableVariable} to the haproxy executable.");
    }

    /// <summary>
    /// docs/haproxy.cfg for a test: the frontend's <c>bind</c> on 127.0.0.1:<paramref name="port"/>, the sample's
    /// servers replaced by <paramref name="servers"/> (each server's name is also its cookie value), a header naming
    /// the server that answered, and a stats page on 127.0.0.1:<paramref name="statsPort"/>.
    /// </summary>
    public static string ConfigurationFor(string sample, int port, int statsPort, IEnumerable<AppServer> servers)
    {
        var lines = new List<string>();
        var bindReplaced = false;
        var serversAdded = false;
        foreach (var line in sample.Split('\n'))
        {
            var trimmed = line.Trim();
            if (!bindReplaced && trimmed.StartsWith("bind ", StringComparison.Ordinal))
            {
                lines.Add($"    bind 127.0.0.1:{port}");
                bindReplaced = true;
            }
            else if (trimmed.StartsWith("server ", StringComparison.Ordinal))
            {
                if (serversAdded) continue;
                lines.Add($"    http-response set-header {ServedByHeader} %[srv_name]");
                lines.AddRange(servers.Select(s => $"    server {s.Name} 127.0.0.1:{s.Port} cookie {s.Name}"));
                serversAdded = true;
            }
            else
            {
                lines.Add(line.TrimEnd('\r'));
            }
        }
        if (!bindReplaced || !serversAdded)
        {
            throw new InvalidOperationException($"{SamplePath} no longer has a frontend 'bind' line and backend 'server' lines for the test to replace.");
        }
        lines.Add("");
        lines.Add("listen stats");
        lines.Add($"    bind 127.0.0.1:{statsPort}");
        lines.Add("    stats enable");
        lines.Add("    stats uri /stats");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Checks docs/haproxy.cfg itself with <c>haproxy -c</c>, then starts HAProxy before <paramref name="servers"/> and waits until it listens.</summary>
    public static async Task<Haproxy> StartAsync(IReadOnlyList<AppServer> servers)
    {
        var executable = Executable();
        var check = await RunAsync(executable, "-c", "-f", SamplePath);
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException($"docs/haproxy.cfg is not a valid HAProxy configuration:\n{check.Output}");
        }
        var (port, statsPort) = (AppServer.FreePort(), AppServer.FreePort());
        var configuration = ConfigurationFor(await File.ReadAllTextAsync(SamplePath), port, statsPort, servers);
        var haproxy = new Haproxy(executable, configuration, port, statsPort);
        await haproxy.WaitForServersAsync(servers.Select(s => s.Name).ToArray(), []);
        return haproxy;
    }

    /// <summary>Each server's state as HAProxy's health checks see it ("UP", "DOWN", "UP 1/2", …), from its stats page.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ServerStatesAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var csv = await client.GetStringAsync($"http://127.0.0.1:{StatsPort}/stats;csv");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = rows[0].TrimStart('#', ' ').Split(',');
        var (proxy, server, status) = (Array.IndexOf(header, "pxname"), Array.IndexOf(header, "svname"), Array.IndexOf(header, "status"));
        return rows.Skip(1).Select(r => r.Split(','))
            .Where(r => r[proxy] == "rjconferences_app" && r[server] is not ("FRONTEND" or "BACKEND"))
            .ToDictionary(r => r[server], r => r[status]);
    }

    /// <summary>Waits until HAProxy's checks show <paramref name="up"/> as UP and <paramref name="down"/> as DOWN.</summary>
    public async Task WaitForServersAsync(string[] up, string[] down, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, string>? states = null;
        while (clock.Elapsed < limit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"HAProxy exited with code {process.ExitCode}:\n{Log}");
            }
            try
            {
                states = await ServerStatesAsync();
                if (up.All(s => states.GetValueOrDefault(s) == "UP") && down.All(s => states.GetValueOrDefault(s) == "DOWN")) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException(
            $"HAProxy did not see {string.Join(", ", up)} up and {string.Join(", ", down)} down within {limit.TotalSeconds:0} s " +
            $"(states: {(states is null ? "no stats page" : string.Join(", ", states.Select(s => $"{s.Key} {s.Value}")))}).\n{Log}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, params string[] args)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
        await process.WaitForExitAsync();
        process.Dispose();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
