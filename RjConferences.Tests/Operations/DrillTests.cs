using System.Diagnostics;
using RjConferences.Tests.Support;
using Xunit.Abstractions;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The short forms of the drills in drills/ (kill9.sh, backup-restore.sh, failover.sh): each script run as an operator runs
/// it, with small numbers, against the app's own build; the test asserts its exit code and its one-line verdict. The full
/// forms and their last results are in drills/README.md. Each makes its own database, so they run once
/// (Category=SqliteOnly keeps them out of the PostgreSQL pass); failover uses the run's PostgreSQL server (RJ_TEST_POSTGRES).
/// </summary>
internal static class Drill
{
    public static async Task<string> RunAsync(ITestOutputHelper output, string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppProcess.RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppProcess.RepositoryRoot, "drills", script));
        foreach (var arg in args.Concat(["--app", AppProcess.AppDll]))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 3 minutes:\n{await stdout}\n{await stderr}");
        }
        var text = await stdout + await stderr;
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"{script} exited with {process.ExitCode}:\n{text}");
        return text;
    }
}

[RunsLong(25)]
[Trait("Category", "SqliteOnly")]
public sealed class Kill9DrillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_kill_9_cycles_lose_no_acknowledged_save()
    {
        var text = await Drill.RunAsync(output, "kill9.sh", "--cycles", "3", "--writers", "2");

        var verdict = Assert.Single(text.Split('\n'), l => l.StartsWith("kill9: ", StringComparison.Ordinal));
        Assert.Matches(@"^kill9: PASS — 3 cycles, [1-9]\d* acknowledged saves, 0 lost, restart \d+\.\d–\d+\.\d s$", verdict);
    }
}

[RunsLong(15)]
[Trait("Category", "SqliteOnly")]
public sealed class BackupRestoreDrillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_backup_under_load_restores_and_the_app_starts_on_it()
    {
        var text = await Drill.RunAsync(output, "backup-restore.sh", "--writers", "2", "--seconds", "1");

        var verdict = Assert.Single(text.Split('\n'), l => l.StartsWith("backup-restore: ", StringComparison.Ordinal));
        Assert.Matches(@"^backup-restore: PASS — backup under load \(2 writers, \d+ saves acknowledged during it\), [1-9]\d* cases restored of \d+ at the end, audit chain intact, \d+ events, /health 200 in \d+\.\d s$", verdict);
    }
}

[RunsLong(15)]
[Trait("Category", "SqliteOnly")]
public sealed class FailoverDrillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_one_of_two_instances_killed_the_other_saves_on_and_nothing_acknowledged_is_lost()
    {
        var server = TestDatabase.PostgresServer; // fails with what to set when RJ_TEST_POSTGRES is missing
        var args = new List<string> { "--postgres", server, "--writers", "2", "--after", "20" };
        if (Environment.GetEnvironmentVariable("RJ_TEST_PG_BIN") is { Length: > 0 } bin)
        {
            args.AddRange(["--pg-bin", bin]);
        }

        var text = await Drill.RunAsync(output, "failover.sh", [.. args]);

        var verdict = Assert.Single(text.Split('\n'), l => l.StartsWith("failover: ", StringComparison.Ordinal));
        Assert.Matches(@"^failover: PASS — 2 instances, A killed after [1-9]\d* saves, B saved [1-9]\d* more, \d+ acknowledged, 0 lost, audit chain intact \(\d+ events\)$", verdict);
    }
}

/// <summary>
/// The drills' shared command line (drill-common.sh, parse_options): an unknown option or a missing value stops a drill before
/// it does anything, with exit code 2 and what was wrong; --help prints the script's usage; both forms of a value are read.
/// </summary>
[Trait("Category", "SqliteOnly")]
public sealed class DrillCommandLineTests
{
    private static async Task<(int ExitCode, string Text)> RunAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppProcess.RepositoryRoot };
        start.ArgumentList.Add(Path.Combine(AppProcess.RepositoryRoot, "drills", script));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Theory]
    [InlineData("kill9.sh"), InlineData("failover.sh"), InlineData("backup-restore.sh"), InlineData("disk-full.sh"), InlineData("pg-restore-drill.sh")]
    public async Task Every_drill_refuses_an_unknown_option_and_prints_its_usage_on_help(string script)
    {
        var (unknownCode, unknown) = await RunAsync(script, "--no-such-option", "1");
        var (helpCode, help) = await RunAsync(script, "--help");

        Assert.Equal(2, unknownCode);
        Assert.Contains("Unknown option '--no-such-option' (see --help).", unknown);
        Assert.Equal(0, helpCode);
        Assert.Contains("Usage:", help);
        Assert.Contains($"drills/{script}", help);
    }

    [Fact]
    public async Task A_value_is_read_after_a_space_or_an_equals_sign_and_a_missing_one_is_refused()
    {
        var (missingCode, missing) = await RunAsync("kill9.sh", "--cycles");
        var (badCode, bad) = await RunAsync("kill9.sh", "--cycles=0");
        var (flagCode, flag) = await RunAsync("kill9.sh", "--keep=1");

        Assert.Equal(2, missingCode);
        Assert.Contains("--cycles needs a value (see --help).", missing);
        Assert.Equal(2, badCode); // read as 0, then refused by the drill's own check
        Assert.Contains("--cycles and --writers take a whole number from 1.", bad);
        Assert.Equal(2, flagCode);
        Assert.Contains("Unknown option '--keep=1'", flag);
    }
}
