using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Backups;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>The scheduled backup of a SQLite database, on a fake clock: it runs at its London time, keeps N copies, and never leaves a partial one.</summary>
[Trait("Category", "SqliteOnly")]
public sealed class ScheduledBackupTests : IDisposable
{
    private readonly TestDatabase database = new(provider: RjConferences.Data.DatabaseProvider.Sqlite);

    public void Dispose() => database.Dispose();

    private string Folder => Path.Combine(database.Folder, "copies");

    private ServiceProvider Services(FakeTimeProvider clock, int keep = 14) => TestServices.Build(database, clock, new Dictionary<string, string?>
    {
        ["Backups:Enabled"] = "true",
        ["Backups:Folder"] = "copies",
        ["Backups:RunAt"] = "02:00",
        ["Backups:Keep"] = keep.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [Fact]
    public async Task Runs_at_its_London_time_and_writes_a_checked_copy()
    {
        await new AuditLog(database.Db, new RunningClock()).RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "school", EntityId: "1"));
        // Monday 15 June 2026, 01:30 in London (BST): half an hour before the backup.
        var clock = TestClock.Fixed(new DateTimeOffset(2026, 6, 15, 0, 30, 0, TimeSpan.Zero));
        await using var services = Services(clock);
        var service = services.GetServices<IHostedService>().OfType<ScheduledBackupService>().Single();
        await service.StartAsync(CancellationToken.None);
        try
        {
            await JobRetryTests.WaitForAsync(service.Schedule, 0, clock.GetUtcNow() + TimeSpan.FromMinutes(30)); // it waits for 02:00
            Assert.False(Directory.Exists(Folder) && Directory.GetFiles(Folder).Length > 0, "A backup was written before its time.");

            clock.Advance(TimeSpan.FromMinutes(30));
            var expected = Path.Combine(Folder, "rjconferences-2026-06-15-0200.db");
            var waited = System.Diagnostics.Stopwatch.StartNew(); // a timeout on the monotonic clock, not a date
            while (!await RanAsync() && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);

            Assert.True(File.Exists(expected), $"No backup at {expected}: {string.Join(", ", Directory.Exists(Folder) ? Directory.GetFiles(Folder) : [])}");
            await using var copy = new SqliteConnection(TestDatabase.ConnectionStringFor(expected));
            Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
            Assert.Equal(1, await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events"));
            Assert.Empty(Directory.GetFiles(Folder, "*.partial"));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private async Task<bool> RanAsync()
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM job_runs WHERE job = 'backup'") > 0;
    }

    [Fact]
    public async Task Keeps_the_newest_copies_and_deletes_the_oldest_beyond_Keep()
    {
        var clock = TestClock.Fixed(new DateTimeOffset(2026, 6, 15, 1, 0, 0, TimeSpan.Zero));
        await using var services = Services(clock, keep: 3);
        var backup = services.GetRequiredService<ScheduledBackup>();
        for (var day = 0; day < 5; day++)
        {
            Assert.NotNull(await backup.RunOnceTodayAsync());
            Assert.Null(await backup.RunOnceTodayAsync()); // once a day
            clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(["rjconferences-2026-06-17-0200.db", "rjconferences-2026-06-18-0200.db", "rjconferences-2026-06-19-0200.db"],
            backup.Backups().Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_backup_leaves_no_partial_file_and_is_not_recorded_as_run()
    {
        var clock = TestClock.Fixed(new DateTimeOffset(2026, 6, 15, 1, 0, 0, TimeSpan.Zero));
        await using var services = Services(clock);
        var backup = services.GetRequiredService<ScheduledBackup>();
        Directory.CreateDirectory(Folder);
        // What a power cut mid-copy left yesterday, and something in the way of today's name, so that today's copy fails after it was written.
        await File.WriteAllTextAsync(Path.Combine(Folder, "rjconferences-2026-06-14-0200.db.partial"), "half a copy");
        Directory.CreateDirectory(Path.Combine(Folder, "rjconferences-2026-06-15-0200.db"));

        await Assert.ThrowsAnyAsync<IOException>(() => backup.RunOnceTodayAsync());

        Assert.Empty(Directory.GetFiles(Folder, "*.partial"));
        Assert.Empty(backup.Backups());
        Assert.False(await RanAsync(), "A failed backup was recorded as run: it would not be tried again today.");

        // Out of the way, the next try writes it.
        Directory.Delete(Path.Combine(Folder, "rjconferences-2026-06-15-0200.db"));
        Assert.NotNull(await backup.RunOnceTodayAsync());
        Assert.Single(backup.Backups());
    }

    [Fact]
    public async Task A_failed_backup_is_tried_again_after_1_then_2_minutes_and_written_once_the_folder_can_be()
    {
        // Monday 15 June 2026, 10:30 in London: past the backup's time, so it runs at start-up.
        var clock = TestClock.Fixed(new DateTimeOffset(2026, 6, 15, 9, 30, 0, TimeSpan.Zero));
        await using var services = Services(clock);
        await File.WriteAllTextAsync(Folder, "a file where the folder of the copies should be"); // the folder cannot be made
        var service = services.GetServices<IHostedService>().OfType<ScheduledBackupService>().Single();
        var start = clock.GetUtcNow();
        await service.StartAsync(CancellationToken.None);
        try
        {
            // Fails at once, then a minute later; the next try is 2 minutes on, not at 02:00 tomorrow.
            await JobRetryTests.WaitForAsync(service.Schedule, 1, start + TimeSpan.FromMinutes(1));
            clock.Advance(TimeSpan.FromMinutes(1));
            await JobRetryTests.WaitForAsync(service.Schedule, 2, start + TimeSpan.FromMinutes(3));
            Assert.False(await RanAsync());

            // The folder can be written: the next try writes today's copy, and then it waits for 02:00 tomorrow.
            File.Delete(Folder);
            clock.Advance(TimeSpan.FromMinutes(2));
            await JobRetryTests.WaitForAsync(service.Schedule, 0, new DateTimeOffset(2026, 6, 16, 1, 0, 0, TimeSpan.Zero));
            Assert.Equal(["rjconferences-2026-06-15-1033.db"], services.GetRequiredService<ScheduledBackup>().Backups().Select(Path.GetFileName));
            Assert.True(await RanAsync());
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
