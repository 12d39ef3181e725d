using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace RjConferences.Tests.Support;

/// <summary>
/// A Blazor Server circuit driven at the protocol level, without a browser, as blazor.web.js drives it: GET a page (its
/// prerendered HTML carries the <c>&lt;!--Blazor:{…}--&gt;</c> markers of its interactive root components and the
/// persisted state), connect to <c>/_blazor</c> with the user's cookies over the "blazorpack" protocol (MessagePack under
/// another name), <c>StartCircuit</c>, add the root components (<c>UpdateRootComponents</c>), acknowledge every render batch
/// (<c>OnRenderCompleted</c>) and answer every JavaScript call with "done, no result" (<c>EndInvokeJSFromDotNet</c>).
/// Navigation is <c>OnLocationChanged</c>, as when a user follows a link.
/// A page has "shown" when a render batch carried the expected text (every string of a batch is in its strings table as
/// UTF-8) and then no batch came for <see cref="QuietTime"/>; its time is from the navigation to the last batch.
/// Used by the tests (circuit limits) and by benchmarks/RjConferences.CapacityBenchmark.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    /// <summary>How long no render batch must come after the expected text for a page to count as shown.</summary>
    public static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(100);

    private readonly HubConnection connection;
    private readonly string baseUrl;
    private readonly object gate = new();
    private readonly List<string> errors = [];
    private Waiter? waiter;

    private CircuitClient(HubConnection connection, string baseUrl)
    {
        this.connection = connection;
        this.baseUrl = baseUrl;
    }

    public string? CircuitId { get; private set; }

    /// <summary>Render batches received (each acknowledged).</summary>
    public int Batches { get; private set; }

    /// <summary>The JS.Error messages of the circuit (a circuit that failed), and failures to send an acknowledgement.</summary>
    public IReadOnlyList<string> Errors
    {
        get { lock (gate) return errors.ToList(); }
    }

    /// <summary>The strings of the last few render batches, for checking what a page said (the text of a batch is split at each expression).</summary>
    public string Text
    {
        get { lock (gate) return string.Join("\n", recentBatches.Select(b => Encoding.UTF8.GetString(b))); }
    }

    public bool Connected => connection.State == HubConnectionState.Connected;

    /// <summary>
    /// Opens <paramref name="path"/> as a browser would (the prerendered page, then its circuit) and waits until
    /// <paramref name="expectedText"/> has been rendered interactively.
    /// </summary>
    public static async Task<(CircuitClient Client, TimeSpan Time)> OpenAsync(string baseUrl, CookieContainer cookies, string path,
        string expectedText, TimeSpan timeout, HttpClient? http = null)
    {
        var ownHttp = http is null;
        http ??= new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        try
        {
            var started = Stopwatch.StartNew();
            using var response = await http.GetAsync(baseUrl + path);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}, not 200 (signed in?).");
            }
            var html = await response.Content.ReadAsStringAsync();
            var markers = Markers().Matches(html).Select(m => m.Groups[1].Value).Where(m => m.Contains("\"type\":\"server\"", StringComparison.Ordinal)).ToList();
            if (markers.Count == 0) throw new InvalidOperationException($"GET {path} has no interactive server component.");
            var state = State().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

            var builder = new HubConnectionBuilder();
            builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
            var connection = builder
                .WithUrl(baseUrl + "/_blazor", o =>
                {
                    o.Cookies = cookies;
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .Build();
            connection.ServerTimeout = TimeSpan.FromMinutes(2);
            var client = new CircuitClient(connection, baseUrl);
            client.Listen();
            var first = client.Expect(expectedText);
            await connection.StartAsync();
            client.CircuitId = await connection.InvokeAsync<string>("StartCircuit", baseUrl + "/", baseUrl + path, "[]", state);
            if (string.IsNullOrEmpty(client.CircuitId))
            {
                await connection.DisposeAsync();
                throw new InvalidOperationException("The server did not start a circuit.");
            }
            var operations = string.Join(",", markers.Select((m, i) => $$"""{"type":"add","ssrComponentId":{{i + 1}},"marker":{{m}}}"""));
            await connection.SendAsync("UpdateRootComponents", $$"""{"batchId":1,"operations":[{{operations}}]}""", state);
            await client.WaitAsync(first, timeout, path);
            client.Path = path;
            return (client, started.Elapsed);
        }
        finally
        {
            if (ownHttp) http.Dispose();
        }
    }

    /// <summary>The page the circuit was last taken to and got to (null while it is on its way).</summary>
    public string? Path { get; private set; }

    /// <summary>Follows a link to <paramref name="path"/> and returns the time until the page showed <paramref name="expectedText"/>.</summary>
    public async Task<TimeSpan> NavigateAsync(string path, string expectedText, TimeSpan timeout)
    {
        var wait = Expect(expectedText);
        Path = null;
        await connection.SendAsync("OnLocationChanged", baseUrl + path, null, true);
        var time = await WaitAsync(wait, timeout, path);
        Path = path;
        return time;
    }

    /// <summary>Waits until a render batch carries <paramref name="expectedText"/> (e.g. a message the circuit shows by itself).</summary>
    public Task<TimeSpan> WaitForTextAsync(string expectedText, TimeSpan timeout) => WaitAsync(Expect(expectedText, alreadySeen: true), timeout, "(the page)");

    private readonly List<byte[]> recentBatches = [];

    private Waiter Expect(string text, bool alreadySeen = false)
    {
        var w = new Waiter(Encoding.UTF8.GetBytes(text));
        lock (gate)
        {
            if (alreadySeen && recentBatches.Any(b => b.AsSpan().IndexOf(w.Text) >= 0))
            {
                w.Seen = true;
                w.Last = Stopwatch.GetTimestamp();
            }
            waiter = w;
        }
        return w;
    }

    private async Task<TimeSpan> WaitAsync(Waiter w, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            long last;
            bool seen;
            lock (gate)
            {
                seen = w.Seen;
                last = w.Last;
            }
            if (seen && Stopwatch.GetElapsedTime(last) >= QuietTime)
            {
                lock (gate) if (waiter == w) waiter = null;
                return Stopwatch.GetElapsedTime(w.Start, last);
            }
            if (deadline.Elapsed > timeout)
            {
                lock (gate) if (waiter == w) waiter = null;
                var why = Errors.Count > 0 ? " The circuit failed: " + string.Join("; ", Errors) : connection.State != HubConnectionState.Connected ? " The connection closed." : "";
                string seenText;
                lock (gate) seenText = string.Join(" | ", recentBatches.Select(b => Regex.Replace(Encoding.UTF8.GetString(b), "[^ -~]+", " ")));
                throw new TimeoutException($"{what} did not show the expected text within {timeout.TotalSeconds:0} s ({Batches} batches).{why} Last batches: {seenText[..Math.Min(seenText.Length, 3000)]}");
            }
            await Task.Delay(seen ? 20 : 10);
        }
    }

    private void Listen()
    {
        connection.On("JS.RenderBatch", [typeof(long), typeof(byte[])], async args =>
        {
            var batchId = (long)args[0]!;
            var data = (byte[])args[1]!;
            lock (gate)
            {
                Batches++;
                recentBatches.Add(data);
                if (recentBatches.Count > 8) recentBatches.RemoveAt(0);
                if (waiter is { } w)
                {
                    w.Last = Stopwatch.GetTimestamp();
                    if (!w.Seen && data.AsSpan().IndexOf(w.Text) >= 0) w.Seen = true;
                }
            }
            try
            {
                await connection.SendAsync("OnRenderCompleted", batchId, null);
            }
            catch (Exception e)
            {
                lock (gate) errors.Add("acknowledging a render batch: " + e.Message);
            }
        });
        connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long)], async args =>
        {
            var handle = (long)args[0]!;
            if (handle == 0) return; // fire and forget
            try
            {
                await connection.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,null]");
            }
            catch (Exception e)
            {
                lock (gate) errors.Add("answering a JavaScript call: " + e.Message);
            }
        });
        connection.On("JS.Error", [typeof(string)], args =>
        {
            lock (gate) errors.Add((string?)args[0] ?? "JS.Error");
            return Task.CompletedTask;
        });
        connection.On("JS.AttachComponent", [typeof(int), typeof(string)], _ => Task.CompletedTask);
        connection.On("JS.EndUpdateRootComponents", [typeof(long)], _ => Task.CompletedTask);
        connection.On("JS.EndInvokeDotNet", [typeof(string), typeof(bool), typeof(string)], _ => Task.CompletedTask);
        connection.On("JS.EndLocationChanging", [typeof(int), typeof(bool)], _ => Task.CompletedTask);
    }

    /// <summary>Closes the tab: as blazor.web.js does when the page unloads, tells the server to end the circuit now, then closes the connection.</summary>
    public async Task CloseTabAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(baseUrl + "/_blazor/disconnect",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["circuitId"] = CircuitId ?? "" }));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"/_blazor/disconnect answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await DisposeAsync();
    }

    /// <summary>Closes the connection as a lost network does: the server keeps the circuit as disconnected for a while.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception)
        {
            // Already gone.
        }
    }

    private sealed class Waiter(byte[] text)
    {
        public byte[] Text { get; } = text;
        public long Start { get; } = Stopwatch.GetTimestamp();
        public long Last { get; set; }
        public bool Seen { get; set; }
    }

    /// <summary>The server's "blazorpack" is SignalR's MessagePack hub protocol under its own name (blazor.web.js renames it likewise).</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol inner = new();
        public string Name => "blazorpack";
        public int Version => inner.Version;
        public TransferFormat TransferFormat => TransferFormat.Binary;
        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) => inner.TryParseMessage(ref input, binder, out message);
        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);
        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);
    }

    [GeneratedRegex("<!--Blazor:(\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex Markers();

    [GeneratedRegex("<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex State();
}
