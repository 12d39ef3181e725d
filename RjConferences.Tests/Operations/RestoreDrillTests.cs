using System.Diagnostics;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The PostgreSQL restore drill (drills/pg-restore-drill.sh) against the run's PostgreSQL server (RJ_TEST_POSTGRES):
/// a seeded database, pg_dump -Fc, pg_restore into a new one, verify-audit and every table's row count. It makes its own
/// databases, so it runs once, in ./test.sh's PostgreSQL pass (Category=PostgresPass), and fails when no server is given.
/// </summary>
[RunsLong(60)]
[Trait("Category", "PostgresPass")]
public class RestoreDrillTests
{
    [Fact]
    public async Task The_restore_drill_passes_against_the_test_server()
    {
        var server = TestDatabase.PostgresServer; // fails with what to set when RJ_TEST_POSTGRES is missing
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppProcess.RepositoryRoot,
        };
        foreach (var arg in new[] { Path.Combine(AppProcess.RepositoryRoot, "drills", "pg-restore-drill.sh"), "--server", server, "--app", AppProcess.AppDll })
        {
            start.ArgumentList.Add(arg);
        }
        // test.sh says where its server's programs are; elsewhere the drill finds them itself.
        if (Environment.GetEnvironmentVariable("RJ_TEST_PG_BIN") is { Length: > 0 } bin)
        {
            start.ArgumentList.Add("--pg-bin");
            start.ArgumentList.Add(bin);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The restore drill did not finish within 10 minutes:\n{await output}\n{await error}");
        }
        var text = await output + await error;

        Assert.True(process.ExitCode == 0, $"The restore drill exited with {process.ExitCode}:\n{text}");
        Assert.Contains("PASS:", text);
        Assert.DoesNotContain("FAIL", text);
        Assert.Matches(@"audit_events\s+(\d+)\s+\1\b", text); // the audit rows are all there
    }
}
