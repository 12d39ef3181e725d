using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RjConferences.Tests.Support;

/// <summary>One request the stand-in received: the endpoint, its JSON body, and whether its bearer token was good.</summary>
public sealed record NotifyRequest(string Path, JsonObject Body)
{
    public string? TemplateId => Body["template_id"]?.GetValue<string>();

    public string? Reference => Body["reference"]?.GetValue<string>();

    public string? Personalisation(string name) => Body["personalisation"]?[name]?.GetValue<string>();
}

/// <summary>
/// A local stand-in of GOV.UK Notify's documented HTTP API (v2: POST /v2/notifications/email, /sms and /letter), on a
/// loopback port, for contract tests of the Notify channel: it is not Notify. Like Notify it accepts only a JWT bearer token
/// signed (HS256) with the service's secret, whose <c>iss</c> is the service id and whose <c>iat</c> is within 30 seconds of
/// now, answering 403 AuthError otherwise; it checks the fields each endpoint requires (400 ValidationError), records every
/// request it accepts, and answers 201 with Notify's response. A test can make it answer an error instead (<see cref="AnswerNext"/>),
/// in Notify's error format: <c>{"status_code": 400, "errors": [{"error": "BadRequestError", "message": "…"}]}</c>.
/// </summary>
public sealed class TestNotifyServer : IAsyncDisposable
{
    public static readonly Guid ServiceId = Guid.Parse("26785a09-ab16-4eb0-8407-a37497a57506");
    public static readonly Guid Secret = Guid.Parse("3d844edf-8d35-48ac-975b-e847b4f122b0");

    /// <summary>A key as Notify shows it: the key's name, the service id, the secret.</summary>
    public static string ApiKey => $"rjconferences_test-{ServiceId:D}-{Secret:D}";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<(int Status, string Error, string Message)> answers = new();

    public ConcurrentQueue<NotifyRequest> Requests { get; } = new();

    /// <summary>Requests refused for their bearer token.</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    public string BaseUrl { get; }

    private TestNotifyServer(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<TestNotifyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestNotifyServer? server = null;
        app.MapPost("/v2/notifications/{type}", async (string type, HttpContext context) => await server!.HandleAsync(type, context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new TestNotifyServer(app, address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The next request is answered with this error (Notify's format) instead of being accepted.</summary>
    public void AnswerNext(int status, string error, string message) => answers.Enqueue((status, error, message));

    private async Task<IResult> HandleAsync(string type, HttpContext context)
    {
        if (TokenProblem(context.Request.Headers.Authorization.ToString()) is { } problem)
        {
            Refused.Enqueue(problem);
            return Error(403, "AuthError", problem);
        }
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        }
        catch (JsonException)
        {
            return Error(400, "BadRequestError", "Invalid JSON supplied in POST data");
        }
        var required = type switch
        {
            "email" => ["email_address", "template_id"],
            "sms" => ["phone_number", "template_id"],
            "letter" => body["content"] is null ? new[] { "template_id", "personalisation" } : ["reference", "content"],
            _ => null,
        };
        if (required is null) return Results.NotFound();
        if (required.FirstOrDefault(field => body[field] is null) is { } missing)
        {
            return Error(400, "ValidationError", $"{missing} is a required property");
        }
        if (type == "letter" && body["content"] is null)
        {
            var lines = Enumerable.Range(1, 7).Select(i => body["personalisation"]?[$"address_line_{i}"]?.GetValue<string>())
                .Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
            if (lines.Count < 3) return Error(400, "ValidationError", "Address must be at least 3 lines");
            if (!RjConferences.Features.Notifications.PostalAddress.IsPostcode(lines[^1]!))
                return Error(400, "ValidationError", "Last line of address must be a real UK postcode or another country");
        }
        if (answers.TryDequeue(out var answer))
        {
            Requests.Enqueue(new NotifyRequest(context.Request.Path, body));
            return Error(answer.Status, answer.Error, answer.Message);
        }
        Requests.Enqueue(new NotifyRequest(context.Request.Path, body));
        var templateId = body["template_id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
        var id = Guid.NewGuid();
        var response = new JsonObject
        {
            ["id"] = id.ToString(),
            ["reference"] = body["reference"]?.GetValue<string>(),
            ["content"] = type == "sms"
                ? new JsonObject { ["body"] = body["personalisation"]?["body"]?.GetValue<string>(), ["from_number"] = "RJCONF" }
                : new JsonObject { ["subject"] = body["personalisation"]?["subject"]?.GetValue<string>(), ["body"] = body["personalisation"]?["body"]?.GetValue<string>(), ["from_email"] = "rj@notifications.service.gov.uk" },
            ["uri"] = $"{BaseUrl}v2/notifications/{id}",
            ["template"] = new JsonObject { ["id"] = templateId, ["version"] = 1, ["uri"] = $"{BaseUrl}services/{ServiceId}/templates/{templateId}" },
        };
        if (type == "letter") response["postage"] = "second";
        return Results.Json(response, statusCode: 201);
    }

    /// <summary>Why Notify would refuse this Authorization header, or null: a JWT (HS256) signed with the secret, iss the service id, iat within 30 s.</summary>
    private static string? TokenProblem(string authorization)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return "Unauthorized: authentication token must be provided";
        var parts = authorization["Bearer ".Length..].Split('.');
        if (parts.Length != 3) return "Invalid token: not a JWT";
        var header = JsonNode.Parse(Base64Url(parts[0]));
        if (header?["alg"]?.GetValue<string>() != "HS256") return "Invalid token: algorithm used is not HS256";
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret.ToString("D")), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Base64UrlBytes(parts[2]))) return "Invalid token: signature, api token not found";
        var payload = JsonNode.Parse(Base64Url(parts[1]))!;
        if (payload["iss"]?.GetValue<string>() != ServiceId.ToString("D")) return "Invalid token: service not found";
        var iat = payload["iat"]?.GetValue<double>() ?? 0;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - iat) > 30) return "Error: Your system clock must be accurate to within 30 seconds";
        return null;
    }

    private static string Base64Url(string part) => Encoding.UTF8.GetString(Base64UrlBytes(part));

    private static byte[] Base64UrlBytes(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    private static IResult Error(int status, string error, string message) =>
        Results.Json(new { status_code = status, errors = new[] { new { error, message } } }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
