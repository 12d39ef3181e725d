using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RjConferences.Tests.Support;

/// <summary>
/// The built app serving on a loopback port as a process of its own (as `dotnet RjConferences.dll` runs in production),
/// for tests of several instances: unlike <see cref="AppHost"/> it can be killed outright (<see cref="KillAsync"/>, SIGKILL)
/// and started again on the same port. It runs on the machine's clock.
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly IDictionary<string, string?> settings;
    private readonly StringBuilder log = new();
    private Process? process;

    public AppServer(string name, string connectionString, int? port = null, IDictionary<string, string?>? settings = null)
    {
        Name = name;
        this.connectionString = connectionString;
        this.settings = settings ?? new Dictionary<string, string?>();
        Port = port ?? FreePort();
    }

    /// <summary>A name for messages (and the load balancer's server name).</summary>
    public string Name { get; }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public bool Running => process is { HasExited: false };

    /// <summary>What the app wrote to its console so far (for failure messages).</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>A TCP port on the loopback interface that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the app and waits until its /health answers 200 (it migrates first, under PostgreSQL's advisory lock).</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (Running) return;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(AppProcess.AppDll)!,
        };
        start.ArgumentList.Add(AppProcess.AppDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl);
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["Database__Provider"] = TestDatabase.ProviderOf(connectionString).ToString();
        // Development: the build output serves its static web assets (CSS, scripts) only there; a published app needs no such thing.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Backups__Enabled"] = "false"; // no scheduled backup of a test's database (a test's settings may say otherwise)
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }
        lock (log) log.AppendLine($"--- {Name} starting on {BaseUrl} ---");
        process = Process.Start(start)!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"App instance {Name} exited with code {process.ExitCode} while starting:\n{Log}");
            }
            try
            {
                if ((await client.GetAsync(BaseUrl + "/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"App instance {Name} did not answer /health with 200 within {limit.TotalSeconds:0} s:\n{Log}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Kills the process at once (SIGKILL, as `kill -9`): no shutdown, no connection closed politely.</summary>
    public async Task KillAsync()
    {
        if (process is null) return;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        lock (log) log.AppendLine($"--- {Name} killed ---");
        process.Dispose();
        process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
