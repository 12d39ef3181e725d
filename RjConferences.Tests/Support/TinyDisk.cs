using System.Data.Common;
using System.Diagnostics;
using Dapper;

namespace RjConferences.Tests.Support;

/// <summary>
/// A real, small filesystem for disk-full tests: a tmpfs of a few megabytes mounted on a temporary folder (the tests run
/// as root; see <see cref="TinyDiskFactAttribute"/> for where they cannot). <see cref="Fill"/> takes every free byte with a
/// file of its own, <see cref="Free"/> deletes it; disposing unmounts.
/// </summary>
public sealed class TinyDisk : IDisposable
{
    private TinyDisk(string mountPoint) => MountPoint = mountPoint;

    public string MountPoint { get; }

    private string FillerPath => Path.Combine(MountPoint, "filler.bin");

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MB (12, as the operator had).</summary>
    public static TinyDisk Mount(int megabytes = 12)
    {
        var mountPoint = Path.Combine(Path.GetTempPath(), "rjconferences-tests", "tinydisk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mountPoint);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", mountPoint);
        if (code != 0)
        {
            Directory.Delete(mountPoint);
            throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {output}");
        }
        return new TinyDisk(mountPoint);
    }

    /// <summary>Why a tmpfs cannot be mounted here (not root, no mount, a container without CAP_SYS_ADMIN), or null when it can.</summary>
    public static readonly Lazy<string?> CannotMount = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs needs Linux";
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot()) return "mounting a tmpfs needs root";
        try
        {
            using var disk = Mount(1);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return "mounting a tmpfs is not allowed here: " + e.Message;
        }
    });

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:") && l.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1] == "0");

    /// <summary>Free bytes on the filesystem now.</summary>
    public long FreeBytes => new DriveInfo(MountPoint).AvailableFreeSpace;

    /// <summary>
    /// Writes a file until the filesystem refuses more (ENOSPC): big blocks first, then small ones to the last byte.
    /// With <paramref name="leaveFree"/>, stops instead when about that many bytes are left.
    /// </summary>
    public void Fill(long leaveFree = 0)
    {
        using var file = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1);
        foreach (var size in leaveFree > 0 ? new[] { 1 << 20, 64 << 10 } : new[] { 1 << 20, 64 << 10, 4 << 10, 512, 1 })
        {
            var block = new byte[size];
            Random.Shared.NextBytes(block);
            while (leaveFree == 0 || FreeBytes - size >= leaveFree)
            {
                try
                {
                    file.Write(block);
                    file.Flush();
                }
                catch (IOException)
                {
                    break; // no room for a block of this size: try smaller ones
                }
            }
        }
        if (leaveFree == 0 && FreeBytes > 4096) throw new InvalidOperationException($"The disk still has {FreeBytes} bytes free after filling it.");
    }

    /// <summary>
    /// Fills the disk as a running app meets it: with its connections open (the app's pool keeps the WAL and its index in
    /// place; <paramref name="kept"/>, a connection the test keeps open, does that here) and the WAL checkpointed, so that the
    /// next write must grow a file.
    /// </summary>
    public async Task FillUnderAsync(DbConnection kept, long leaveFree = 0)
    {
        await kept.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        Fill(leaveFree);
    }

    /// <summary>Deletes the filler: the space comes back.</summary>
    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", "-l", MountPoint);
        try { Directory.Delete(MountPoint); } catch (IOException) { /* the OS cleans the temporary folder */ }
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>A test that needs a <see cref="TinyDisk"/>: skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class TinyDiskFactAttribute : FactAttribute
{
    public TinyDiskFactAttribute()
    {
        if (TinyDisk.CannotMount.Value is { } reason) Skip = reason;
    }
}
