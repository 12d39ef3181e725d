using System.Diagnostics;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The disk-full drill (drills/disk-full.sh): the built app on a SQLite file on a 12 MB tmpfs that fills up, over HTTP
/// on loopback. It makes its own database, so it runs once (Category=SqliteOnly keeps it out of the PostgreSQL pass);
/// skipped with the reason where a tmpfs cannot be mounted.
/// </summary>
[RunsLong(20)]
[Trait("Category", "SqliteOnly")]
public class DiskFullDrillTests
{
    [TinyDiskFact]
    public async Task The_disk_full_drill_passes()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppProcess.RepositoryRoot,
        };
        foreach (var arg in new[] { Path.Combine(AppProcess.RepositoryRoot, "drills", "disk-full.sh"), "--app", AppProcess.AppDll })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The disk-full drill did not finish within 3 minutes:\n{await output}\n{await error}");
        }
        var text = await output + await error;

        Assert.True(process.ExitCode == 0, $"The disk-full drill exited with {process.ExitCode}:\n{text}");
        Assert.Contains("PASS:", text);
        Assert.DoesNotContain("FAIL", text);
        Assert.Contains("/health 503 Unhealthy database: Unhealthy: The database cannot write: the disk is full.", text);
        Assert.Contains("integrity_check: ok; verify-audit: Audit chain intact", text);
    }
}
