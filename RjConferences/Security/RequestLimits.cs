using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace RjConferences.Security;

/// <summary>The limits that keep one client or one user from taking the app down (section <c>Limits</c>), each configurable.</summary>
public sealed class RequestLimitOptions
{
    /// <summary>Sign-in attempts (posts of the sign-in form) per client address per minute, on each instance.</summary>
    public int SignInsPerMinute { get; set; } = 30;

    /// <summary>Downloads that build a file (report CSVs and workbook, the board report, agreement PDFs) per user per minute, on each instance.</summary>
    public int ExportsPerMinute { get; set; } = 30;

    /// <summary>The largest request body an HTTP request may carry: the forms are tiny, and a circuit's largest message is smaller.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The most fields a posted form may carry (the largest form of the app has a few dozen).</summary>
    public int MaxFormFields { get; set; } = 200;

    /// <summary>Open circuits (tabs or windows) one signed-in user may have on each instance; one more is refused with a message.</summary>
    public int CircuitsPerUser { get; set; } = 20;

    /// <summary>Circuits whose browser went away kept in memory for a reconnection (Blazor's DisconnectedCircuitMaxRetained).</summary>
    public int DisconnectedCircuitsKept { get; set; } = 100;

    /// <summary>How long a disconnected circuit is kept, in seconds (Blazor's DisconnectedCircuitRetentionPeriod).</summary>
    public int DisconnectedCircuitSeconds { get; set; } = 180;

    /// <summary>Render batches sent to a browser and not yet acknowledged before the circuit stops rendering for it (Blazor's MaxBufferedUnacknowledgedRenderBatches).</summary>
    public int UnacknowledgedRenderBatches { get; set; } = 10;

    /// <summary>How long the server waits for a JavaScript call in the browser, in seconds (Blazor's JSInteropDefaultCallTimeout).</summary>
    public int JavaScriptCallSeconds { get; set; } = 60;

    /// <summary>How long a circuit's connection may stay silent before the server closes it, in seconds (SignalR's ClientTimeoutInterval; browsers ping every 15 s).</summary>
    public int CircuitSilenceSeconds { get; set; } = 30;
}

/// <summary>
/// Rate limits (ASP.NET Core's rate limiting) and request sizes. A request over a limit is answered <c>429 Too Many
/// Requests</c> with <c>Retry-After</c> and a page that says what happened and when to try again — never an error page.
/// Sign-in attempts are counted per client address (behind a load balancer, forwarded addresses must be trusted for this to
/// be per user rather than per balancer: docs/deployment.md); exports per signed-in user. The counts are per instance.
/// </summary>
public static class RequestLimits
{
    public const string SignIn = "sign-in";
    public const string Exports = "exports";

    public static IServiceCollection AddRequestLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestLimitOptions>().Bind(configuration.GetSection("Limits"))
            .Validate(o => o.SignInsPerMinute >= 1 && o.ExportsPerMinute >= 1, "Limits:SignInsPerMinute and Limits:ExportsPerMinute must be 1 or more.")
            .Validate(o => o.MaxRequestBodyBytes >= RjConferences.Components.Forms.TextLimits.HubMessageBytes,
                $"Limits:MaxRequestBodyBytes must be at least {RjConferences.Components.Forms.TextLimits.HubMessageBytes} (the largest message of a circuit, which a long-polling browser posts).")
            .Validate(o => o.MaxFormFields >= 20, "Limits:MaxFormFields must be 20 or more (the app's forms need that many).")
            .Validate(o => o.CircuitsPerUser >= 1 && o.DisconnectedCircuitsKept >= 0 && o.DisconnectedCircuitSeconds >= 1
                && o.UnacknowledgedRenderBatches >= 1 && o.JavaScriptCallSeconds >= 1,
                "Limits:CircuitsPerUser, UnacknowledgedRenderBatches, DisconnectedCircuitSeconds and JavaScriptCallSeconds must be 1 or more; DisconnectedCircuitsKept 0 or more.")
            .Validate(o => o.CircuitSilenceSeconds >= 20, "Limits:CircuitSilenceSeconds must be at least 20 (twice the browser's 15 s keep-alive would be safer: 30).")
            .ValidateOnStart();
        services.AddOptions<Microsoft.AspNetCore.Http.Features.FormOptions>()
            .Configure<IOptions<RequestLimitOptions>>((form, limits) => form.ValueCountLimit = limits.Value.MaxFormFields);
        services.AddOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>()
            .Configure<IOptions<RequestLimitOptions>>((circuit, limits) =>
            {
                circuit.DisconnectedCircuitMaxRetained = limits.Value.DisconnectedCircuitsKept;
                circuit.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(limits.Value.DisconnectedCircuitSeconds);
                circuit.MaxBufferedUnacknowledgedRenderBatches = limits.Value.UnacknowledgedRenderBatches;
                circuit.JSInteropDefaultCallTimeout = TimeSpan.FromSeconds(limits.Value.JavaScriptCallSeconds);
            });
        services.AddOptions<Microsoft.AspNetCore.SignalR.HubOptions>()
            .Configure<IOptions<RequestLimitOptions>>((hub, limits) => hub.ClientTimeoutInterval = TimeSpan.FromSeconds(limits.Value.CircuitSilenceSeconds));
        services.AddCircuitsPerUser();
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<RequestLimitOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignIn, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter($"address:{context.Connection.RemoteIpAddress}",
                    _ => PerMinute(Limits(context).SignInsPerMinute))
                : RateLimitPartition.GetNoLimiter("page"));
            o.AddPolicy(Exports, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.Identity?.IsAuthenticated == true ? $"user:{context.User.UserId()}" : $"address:{context.Connection.RemoteIpAddress}",
                _ => PerMinute(Limits(context).ExportsPerMinute)));
            o.OnRejected = RefuseAsync;
        });
        return services;
    }

    /// <summary>
    /// A posted form with more fields than <see cref="RequestLimitOptions.MaxFormFields"/> is answered 413 with a sentence, not
    /// the exception its reading would throw (the form is read here once; the antiforgery check and the page read the same copy).
    /// </summary>
    public static IApplicationBuilder UseFormLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.HasFormContentType)
        {
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync($"The form has too many fields: at most {Limits(context).MaxFormFields} are accepted. Nothing was saved.");
                return;
            }
        }
        await next();
    });

    /// <summary>
    /// A request that says its body is larger than <see cref="RequestLimitOptions.MaxRequestBodyBytes"/> is answered 413 before
    /// anything reads it (Kestrel stops a body without a length at the same size).
    /// </summary>
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var max = Limits(context).MaxRequestBodyBytes;
        if (context.Request.ContentLength > max)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"The request is too large: at most {max / 1024} KB is accepted. Nothing was saved.");
            return;
        }
        await next();
    });

    private static RequestLimitOptions Limits(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value;

    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new()
    {
        PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
    };

    /// <summary>429 with Retry-After and a short page in the app's words (the status code pages leave a written body alone).</summary>
    private static async ValueTask RefuseAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var signIn = rejected.HttpContext.Request.Path.StartsWithSegments("/account/login", StringComparison.OrdinalIgnoreCase);
        var (title, text) = signIn
            ? ("Too many sign-in attempts", $"Too many sign-in attempts came from your network in the last minute. Nothing was checked. Try again in {seconds} seconds.")
            : ("Too many downloads", $"You have asked for too many downloads in the last minute. Try again in {seconds} seconds; nothing is lost.");
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8"><title>{title} – RjConferences</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body style="font-family: Arial, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em;">
            <main><h1>{title}</h1><p>{WebUtility.HtmlEncode(text)}</p><p><a href="/">Go to the home page</a></p></main>
            </body></html>
            """, cancellationToken);
    }
}
