namespace RjConferences.Features.Agreements;

/// <summary>
/// Renders agreement documents off the caller's thread (a Blazor circuit or a request), at most as
/// many at once as the machine has cores, so that one user's downloads cannot take every thread and
/// stall everyone's pages. One instance for the app (a singleton).
/// </summary>
public sealed class AgreementRenderer(DocumentFonts fonts) : IDisposable
{
    private readonly SemaphoreSlim slots = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private AgreementPdf? pdf;
    private int running, peak;

    /// <summary>The most renders that ran at the same time so far (never more than <see cref="MaxConcurrency"/>).</summary>
    public int PeakConcurrency => Volatile.Read(ref peak);

    /// <summary>Why documents cannot be made (no font), or null when they can.</summary>
    public string? Problem => fonts.Fonts is null ? fonts.Problem : null;

    public int MaxConcurrency => Environment.ProcessorCount;

    /// <exception cref="DocumentFontsMissingException">No font was found; the message says what to do.</exception>
    public async Task<byte[]> RenderAsync(AgreementDocument document, CancellationToken cancellationToken = default)
    {
        var renderer = pdf ??= new AgreementPdf(fonts.Fonts ?? throw new DocumentFontsMissingException(fonts.Problem ?? "No font was found."));
        await slots.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() =>
            {
                var now = Interlocked.Increment(ref running);
                for (var seen = Volatile.Read(ref peak); now > seen && Interlocked.CompareExchange(ref peak, now, seen) != seen; seen = Volatile.Read(ref peak))
                {
                }
                try
                {
                    return renderer.Render(document);
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            }, cancellationToken);
        }
        finally
        {
            slots.Release();
        }
    }

    public void Dispose() => slots.Dispose();
}
