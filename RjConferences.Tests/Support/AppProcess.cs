using System.Diagnostics;

namespace RjConferences.Tests.Support;

/// <summary>Runs the built app as its own process, the way `dotnet run` would, for command tests.</summary>
public static class AppProcess
{
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RjConferences.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("RjConferences.sln not found above the test output.");
        }
    }

    /// <summary>The app's own build output, in the same configuration as the tests.</summary>
    public static string AppDll
    {
        get
        {
            // .../RjConferences.Tests/bin/<Configuration>/net10.0/
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryRoot, "RjConferences", "bin", configuration, "net10.0", "RjConferences.dll");
        }
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string connectionString, string? standardInput, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(AppDll)!,
        };
        start.ArgumentList.Add(AppDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["Database__Provider"] = TestDatabase.ProviderOf(connectionString).ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
