using System.Diagnostics.Metrics;

namespace RjConferences.Features.Notifications;

/// <summary>
/// The gauge <c>rjconferences.outbox.messages</c>: how many messages wait in the outbox (queued) and how many gave up
/// (failed), read when the metrics are collected (once an export interval, 60 s by default). The query counts only those
/// two statuses, a range of the (status, next_attempt_at) index, so it stays cheap however many sent messages pile up.
/// Created only when telemetry is on (<see cref="AppTelemetry.AddTelemetry"/>).
/// </summary>
public sealed class OutboxDepth
{
    private readonly Db db;

    public OutboxDepth(Db db, IMeterFactory meters)
    {
        this.db = db;
        // A meter of this app's container (not the static one): each app host in a test process has its own gauge over its own database.
        meters.Create(AppTelemetry.Name).CreateObservableGauge("rjconferences.outbox.messages", Measure, "{message}",
            "Messages in the outbox by status: queued (waiting to be sent or retried) and failed (given up).");
    }

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM outbox WHERE status IN ('queued', 'failed') GROUP BY status");
        var counts = new Dictionary<string, long> { ["queued"] = 0, ["failed"] = 0 };
        foreach (var (status, count) in rows) counts[status] = count;
        return counts;
    }

    private IEnumerable<Measurement<long>> Measure()
    {
        IReadOnlyDictionary<string, long> counts;
        try
        {
            // The metrics reader's own thread calls this, never a request's: waiting here holds up nothing else.
            counts = CountAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (Db.IsDatabaseError(e) || Db.IsUnavailable(e))
        {
            // The database is away: no reading this time (the health check says so); the next collection tries again.
            return [];
        }
        return counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("status", c.Key))).ToList();
    }
}
