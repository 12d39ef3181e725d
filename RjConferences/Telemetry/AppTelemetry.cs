using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace RjConferences.Telemetry;

/// <summary>
/// The app's own metrics and traces (meter and activity source "RjConferences") and their registration. Every label is
/// low-cardinality and never personal: a provider name, a job's name, an outcome, an audit action, a message status. No
/// case id, user, name or offence ever goes into a label or a tag. See docs/telemetry.md for every instrument.
/// </summary>
public static class AppTelemetry
{
    public const string Name = "RjConferences";

    /// <summary>Set to an OTLP collector's address (e.g. http://otel-collector:4318) to export metrics and traces there.</summary>
    public const string EndpointKey = "OpenTelemetry:Otlp:Endpoint";

    /// <summary>Grpc (the OTLP default, port 4317) or HttpProtobuf (port 4318).</summary>
    public const string ProtocolKey = "OpenTelemetry:Otlp:Protocol";

    /// <summary>
    /// Collects the metrics and traces with no OTLP endpoint (for an exporter added in code, as the tests do). Without it
    /// and without an endpoint nothing listens: the instruments cost one "is anyone listening?" check each.
    /// </summary>
    public const string EnabledKey = "OpenTelemetry:Enabled";

    /// <summary>The standard variable, read by the OTLP exporter itself.</summary>
    public const string StandardEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>The meters of ASP.NET Core and Blazor that .NET 10 has built in (the instrumentation package adds the hosting and Kestrel ones).</summary>
    public static readonly string[] BuiltInMeters =
    [
        "Microsoft.AspNetCore.Components",
        "Microsoft.AspNetCore.Components.Lifecycle",
        "Microsoft.AspNetCore.Components.Server.Circuits",
        "Npgsql",
    ];

    /// <summary>The activity sources of .NET 10's Blazor (circuits, navigation, event handlers) and of Npgsql.</summary>
    public static readonly string[] BuiltInSources =
    [
        "Microsoft.AspNetCore.Components",
        "Microsoft.AspNetCore.Components.Server.Circuits",
        "Npgsql",
    ];

    public static readonly Histogram<double> TransactionDuration = Meter.CreateHistogram<double>(
        "rjconferences.db.transaction.duration", "s",
        "How long a write transaction (Db.WriteAsync) took from asking for the write lock to its commit or rollback.");

    public static readonly Histogram<double> LockWait = Meter.CreateHistogram<double>(
        "rjconferences.db.lock.wait", "s",
        "Time spent waiting for a write lock: SQLite's database write lock (BEGIN IMMEDIATE) or a PostgreSQL advisory lock.");

    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>(
        "rjconferences.db.command.duration", "s",
        "SQLite: how long a statement took to run up to its first row (PostgreSQL: see Npgsql's own db.client.operation.duration).");

    public static readonly Counter<long> AuditEvents = Meter.CreateCounter<long>(
        "rjconferences.audit.events", "{event}",
        "Audit rows appended to the hash chain (counted at the append; a transaction that then rolls back takes its row with it).");

    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "rjconferences.job.runs", "{run}", "Once-a-day job attempts by job and outcome.");

    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        "rjconferences.job.duration", "s", "How long a once-a-day job attempt took, lease and all.");

    public static readonly Counter<long> OutboxDeliveries = Meter.CreateCounter<long>(
        "rjconferences.outbox.deliveries", "{message}", "Outbox delivery attempts by channel and outcome.");

    /// <summary>Names of <see cref="Db.Provider"/> as OpenTelemetry's db.system.name spells them.</summary>
    public static string SystemName(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? "postgresql" : "sqlite";

    /// <summary>The seconds since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double SecondsSince(long started) => Stopwatch.GetElapsedTime(started).TotalSeconds;

    /// <summary>
    /// The log categories whose Debug and Trace lines carry what people type: SignalR's hub dispatcher logs every message
    /// from the browser with its arguments, and in Blazor Server those are the values of form fields (a young person's
    /// name typed into the case search, for one). Found by the log canary test (LogCanaryBrowserTests).
    /// </summary>
    public static readonly string[] CategoriesThatLogInput = ["Microsoft.AspNetCore.SignalR"];

    /// <summary>
    /// Holds <see cref="CategoriesThatLogInput"/> at Information or above whatever the configuration or a logging
    /// provider's own rules ask for (Logging:LogLevel:Default = Trace included): each provider named in any rule, and
    /// every other provider, gets a rule for those categories that is more specific than any rule it had.
    /// </summary>
    public static IServiceCollection AddLogPrivacy(this IServiceCollection services)
    {
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            foreach (var category in CategoriesThatLogInput)
            {
                // A rule for a class within (…SignalR.Internal.DefaultHubDispatcher) is more specific than ours: hold it too.
                for (var i = 0; i < options.Rules.Count; i++)
                {
                    var rule = options.Rules[i];
                    if (rule.CategoryName?.StartsWith(category, StringComparison.OrdinalIgnoreCase) == true
                        && (rule.LogLevel ?? LogLevel.Trace) < LogLevel.Information)
                    {
                        options.Rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Information, rule.Filter);
                    }
                }
                foreach (var provider in providers)
                {
                    var level = options.Rules.Where(r => r.ProviderName == provider && r.CategoryName == category).Select(r => r.LogLevel)
                        .Append(LogLevel.Information).Max();
                    options.Rules.Add(new LoggerFilterRule(provider, category, level, filter: null));
                }
            }
        });
        return services;
    }

    /// <summary>
    /// Metrics and traces: registered only when an OTLP endpoint is configured (<see cref="EndpointKey"/> or the standard
    /// <see cref="StandardEndpointKey"/>) or <see cref="EnabledKey"/> is true. With none of them nothing is collected or sent.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration[EndpointKey];
        var standardEndpoint = configuration[StandardEndpointKey];
        var exported = !string.IsNullOrWhiteSpace(endpoint) || !string.IsNullOrWhiteSpace(standardEndpoint);
        if (!exported && !configuration.GetValue(EnabledKey, false))
        {
            return services;
        }
        if (!string.IsNullOrWhiteSpace(endpoint) && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new StartupException($"{EndpointKey} must be an absolute address, such as http://otel-collector:4318.");
        }
        var protocol = configuration[ProtocolKey] switch
        {
            null or "" => (OtlpExportProtocol?)null,
            var p when Enum.TryParse<OtlpExportProtocol>(p, ignoreCase: true, out var parsed) => parsed,
            var p => throw new StartupException($"{ProtocolKey} must be Grpc or HttpProtobuf, not '{p}'."),
        };

        services.AddMetrics();
        services.AddSingleton<RjConferences.Features.Notifications.OutboxDepth>();
        // The outbox gauge comes to life with the meter provider, so only when telemetry is on.
        services.ConfigureOpenTelemetryMeterProvider((sp, _) => sp.GetRequiredService<RjConferences.Features.Notifications.OutboxDepth>());
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(Name))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Name).AddMeter(BuiltInMeters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                if (exported) metrics.AddOtlpExporter(o => Configure(o, endpoint, protocol, "v1/metrics"));
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(Name).AddSource(BuiltInSources).AddAspNetCoreInstrumentation(o =>
                {
                    // The path of a case's page holds its id: a span names the route's template instead, like the metrics do.
                    o.EnrichWithHttpResponse = (activity, response) =>
                    {
                        if (response.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
                        {
                            activity.SetTag("url.path", route);
                        }
                        else
                        {
                            activity.SetTag("url.path", null);
                        }
                    };
                });
                if (exported) tracing.AddOtlpExporter(o => Configure(o, endpoint, protocol, "v1/traces"));
            });
        return services;
    }

    /// <summary>
    /// Our own setting, when given, wins over the standard variables; an HTTP endpoint given here is the collector's base
    /// address, and the signal's path is added as the standard variable's would be.
    /// </summary>
    private static void Configure(OtlpExporterOptions options, string? endpoint, OtlpExportProtocol? protocol, string signalPath)
    {
        if (protocol is { } p) options.Protocol = p;
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath)
                : new Uri(endpoint);
        }
    }
}
