using System.Diagnostics;
using Npgsql;

namespace RjConferences.Tests.Support;

/// <summary>
/// A PostgreSQL server of one test's own (initdb into a temporary folder, listening on a Unix socket there only), for
/// tests that stop and start the server: the run's shared server (RJ_TEST_POSTGRES) serves every other test meanwhile.
/// The programs are those of RJ_TEST_PG_BIN (set by test.sh), else the newest in /usr/lib/postgresql. As root the
/// server runs as the postgres user, as PostgreSQL requires.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string folder;
    private readonly bool asPostgres = Environment.UserName == "root";

    private PrivatePostgres(string bin, string folder) => (this.bin, this.folder) = (bin, folder);

    private string Data => Path.Combine(folder, "data");

    /// <summary>Its "postgres" database, without pooling (so a stopped server leaves no stale connections behind).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = folder, Username = "postgres", Database = "postgres", Pooling = false, Timeout = 5,
    }.ToString();

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("RJ_TEST_PG_BIN") is { Length: > 0 } given
            ? given
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                    .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
                : null;
        Assert.True(bin is not null, "PostgreSQL's programs are needed: set RJ_TEST_PG_BIN or install postgresql (test.sh does)");
        var folder = Directory.CreateTempSubdirectory("rj-private-pg-").FullName;
        var server = new PrivatePostgres(bin!, folder);
        if (server.asPostgres)
        {
            await RunAsync("chmod", "755", folder);
            await RunAsync("chown", "postgres", folder);
        }
        await server.PgAsync("initdb", "-D", server.Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        await server.StartServerAsync();
        return server;
    }

    public Task StartServerAsync() =>
        PgAsync("pg_ctl", "-D", Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-c listen_addresses='' -k {folder} -c fsync=off");

    /// <summary>Stops the server at once, as a crash or an operator's restart would (no waiting for clients).</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    private Task PgAsync(string program, params string[] args) =>
        asPostgres
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, program), .. args])
            : RunAsync(Path.Combine(bin, program), args);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed:\n{await output}\n{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (Xunit.Sdk.XunitException)
        {
            // already stopped
        }
        Directory.Delete(folder, recursive: true);
    }
}
