using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RjConferences.Data;
using RjConferences.Telemetry;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

public class TelemetryTests
{
    private static IServiceProvider Registered(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        // The outbox gauge's database: never read here (nothing is collected).
        services.AddSingleton(new Db("Data Source=:memory:"));
        services.AddTelemetry(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void With_nothing_configured_nothing_is_collected_or_exported()
    {
        using var none = (ServiceProvider)Registered([]);
        Assert.Null(none.GetService<MeterProvider>());
        Assert.Null(none.GetService<TracerProvider>());

        using var endpoint = (ServiceProvider)Registered(new() { [AppTelemetry.EndpointKey] = "http://127.0.0.1:4318" });
        Assert.NotNull(endpoint.GetService<MeterProvider>());
        using var standard = (ServiceProvider)Registered(new() { [AppTelemetry.StandardEndpointKey] = "http://127.0.0.1:4317" });
        Assert.NotNull(standard.GetService<TracerProvider>());
    }

    [Fact]
    public void A_wrong_endpoint_or_protocol_stops_the_app_with_a_clear_message()
    {
        var e = Assert.Throws<StartupException>(() => Registered(new() { [AppTelemetry.EndpointKey] = "collector:4318" }));
        Assert.Equal("OpenTelemetry:Otlp:Endpoint must be an absolute address, such as http://otel-collector:4318.", e.Message);
        e = Assert.Throws<StartupException>(() => Registered(new()
        {
            [AppTelemetry.EndpointKey] = "http://127.0.0.1:4318", [AppTelemetry.ProtocolKey] = "json",
        }));
        Assert.Equal("OpenTelemetry:Otlp:Protocol must be Grpc or HttpProtobuf, not 'json'.", e.Message);
    }

    [Fact]
    public void Input_carrying_categories_stay_at_Information_whatever_the_configuration_says()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore.SignalR"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher"] = "Debug",
        }).Build();
        var logs = new LogRecorder();
        var services = new ServiceCollection().AddLogging(b => b.AddConfiguration(configuration.GetSection("Logging")));
        LogRecorder.AddTo(services, logs);
        services.AddLogPrivacy();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();

        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher").IsEnabled(LogLevel.Debug));
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Trace));
    }

    [Fact]
    public async Task Configured_with_an_OTLP_endpoint_the_app_sends_its_metrics_and_traces_there()
    {
        await using var collector = await OtlpCollector.StartAsync();
        using var app = new AppHost(settings: new Dictionary<string, string?>
        {
            [AppTelemetry.EndpointKey] = collector.BaseUrl,
            [AppTelemetry.ProtocolKey] = "HttpProtobuf",
        });
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        var received = collector.Received.ToList();
        Assert.Contains(received, r => r.Path == "/v1/traces" && r.ContentType == "application/x-protobuf" && r.Bytes > 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics" && r.ContentType == "application/x-protobuf" && r.Bytes > 0);
        Assert.All(received, r => Assert.StartsWith("/v1/", r.Path));
    }

    /// <summary>A stand-in OTLP/HTTP collector on a free loopback port: it accepts POSTs and keeps what it was sent (path, type, size).</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        public sealed record Post(string Path, string? ContentType, long Bytes);

        private readonly WebApplication app;

        private OtlpCollector(WebApplication app, string baseUrl)
        {
            this.app = app;
            BaseUrl = baseUrl;
        }

        public ConcurrentQueue<Post> Received { get; } = new();

        public string BaseUrl { get; }

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            OtlpCollector? collector = null;
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector!.Received.Enqueue(new Post(context.Request.Path, context.Request.ContentType, body.Length));
                // An empty export response: all accepted.
                context.Response.ContentType = "application/x-protobuf";
                return Results.Ok();
            });
            await app.StartAsync();
            collector = new OtlpCollector(app, app.Urls.First());
            return collector;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
