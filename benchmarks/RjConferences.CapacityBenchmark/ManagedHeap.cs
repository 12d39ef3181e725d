using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

/// <summary>
/// The managed heap of another .NET process after a full, blocking, compacting GC: what its objects really hold, without
/// the garbage not yet collected that RSS also counts. Over EventPipe, as dotnet-gcdump does: a session with the GC
/// keyword and GCHeapCollect makes the runtime run an induced gen 2 GC, whose GCHeapStats event gives the sizes.
/// </summary>
static class ManagedHeap
{
    /// <summary>
    /// The live objects' bytes of the last reading (what the induced full GC kept: the sum of its promoted sizes), in MB.
    /// The heap's size also counts the free space left between them (the large object heap is not compacted), which moves
    /// by tens of KB a circuit from one run to the next; the live bytes are what the circuits' objects hold.
    /// </summary>
    public static double LastLiveMegabytes { get; private set; }

    public static double MegabytesAfterFullGc(int processId)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)], requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var inducedFullGc = false;
        double? megabytes = null;
        source.Clr.GCStart += e =>
        {
            if (e.Depth == 2 && e.Reason is GCReason.Induced or GCReason.InducedNotForced or GCReason.InducedCompacting) inducedFullGc = true;
        };
        source.Clr.GCHeapStats += e =>
        {
            if (!inducedFullGc || megabytes is not null) return;
            megabytes = e.TotalHeapSize / 1048576.0;
            LastLiveMegabytes = e.TotalPromoted / 1048576.0;
            Task.Run(session.Stop);
        };
        var processing = Task.Run(source.Process);
        if (!processing.Wait(TimeSpan.FromSeconds(60)))
        {
            session.Stop();
            throw new TimeoutException("No induced full GC was reported within 60 s.");
        }
        return megabytes ?? throw new InvalidOperationException("The session ended without an induced full GC.");
    }
}
