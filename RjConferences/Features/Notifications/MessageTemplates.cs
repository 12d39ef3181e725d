using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;

namespace RjConferences.Features.Notifications;

/// <summary>A message as its template wrote it: the subject, the plain text and (for email) the HTML.</summary>
public sealed record RenderedMessage(string Subject, string TextBody, string? HtmlBody);

/// <summary>A template that is missing or cannot be written with its values: that message fails with this reason.</summary>
public sealed class TemplateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The messages' words, as Liquid templates (Fluid) in files the app ships (<c>Features/Notifications/Templates</c>, copied to
/// <c>NotificationTemplates</c> next to the app; <c>Notifications:TemplateFolder</c> points elsewhere). Each message has
/// <c>name.text.liquid</c>, whose first line is <c>Subject: …</c> and the rest the plain-text body; <c>name.html.liquid</c>,
/// the HTML body inside <c>layout.html.liquid</c>; and, when it may go as a text message, <c>name.sms.liquid</c>.
/// Rendering is strict: a value the template names but the message lacks, or an unknown filter, is an error, so a template
/// that cannot be written stops its message with the reason (on the Outbox page) instead of sending gaps. en-GB, London time.
/// </summary>
public sealed class MessageTemplates(IOptions<NotificationOptions> options)
{
    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Strict = new TemplateOptionsBuilder()
        .WithStrictVariables(true)
        .WithStrictFilters(true)
        .WithCultureInfo(AppSetup.Culture)
        .WithTimeZone(LondonTime.Zone)
        .WithMaxSteps(100_000)
        .Build();

    private readonly ConcurrentDictionary<string, (DateTime Written, IFluidTemplate Template)> parsed = new();

    public string Folder => options.Value.TemplateFolder is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(AppContext.BaseDirectory, "NotificationTemplates");

    /// <summary>Writes the message <paramref name="template"/> for <paramref name="channel"/> (email, text, letter) with the values in <paramref name="modelJson"/>.</summary>
    public RenderedMessage Render(string template, string channel, string modelJson)
    {
        var model = ToModel(modelJson);
        if (channel == "text")
        {
            var sms = Write($"{template}.sms.liquid", model, NullEncoder.Default).Trim();
            return new RenderedMessage("", sms, null);
        }
        var text = Write($"{template}.text.liquid", model, NullEncoder.Default);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = newline < 0 ? text : text[..newline];
        if (!first.StartsWith("Subject:", StringComparison.Ordinal))
        {
            throw new TemplateException($"The template {template}.text.liquid must start with a line \"Subject: …\".");
        }
        var subject = first["Subject:".Length..].Trim();
        var body = newline < 0 ? "" : text[(newline + 1)..].Trim('\r', '\n') + "\n";
        string? html = null;
        if (channel == "email")
        {
            var content = Write($"{template}.html.liquid", model, HtmlEncoder.Default);
            var layoutModel = new Dictionary<string, object?>(model) { ["content"] = content, ["subject"] = subject };
            html = Write("layout.html.liquid", layoutModel, HtmlEncoder.Default);
        }
        return new RenderedMessage(subject, body, html);
    }

    private string Write(string file, IReadOnlyDictionary<string, object?> model, TextEncoder encoder)
    {
        var fluid = Load(file);
        try
        {
            var context = new TemplateContext(Strict);
            foreach (var (name, value) in model)
            {
                if (value is null) context.SetValue(name, Fluid.Values.NilValue.Instance);
                else context.SetValue(name, value);
            }
            return fluid.Render(context, encoder);
        }
        catch (Exception e) when (e is InvalidOperationException or FluidException or ArgumentException or FormatException)
        {
            throw new TemplateException($"The template {file} could not be written: {e.Message}", e);
        }
    }

    private IFluidTemplate Load(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path))
        {
            throw new TemplateException($"The template {file} is missing from {Folder}.");
        }
        var written = File.GetLastWriteTimeUtc(path);
        if (parsed.TryGetValue(path, out var cached) && cached.Written == written)
        {
            return cached.Template;
        }
        if (!Parser.TryParse(File.ReadAllText(path), out var fluid, out var error))
        {
            throw new TemplateException($"The template {file} is not valid Liquid: {error}");
        }
        parsed[path] = (written, fluid);
        return fluid;
    }

    /// <summary>The message's values as Liquid reads them: text, numbers, yes/no, lists and nested objects.</summary>
    private static Dictionary<string, object?> ToModel(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new TemplateException("A message's values must be a JSON object.");
        }
        return (Dictionary<string, object?>)Convert(document.RootElement)!;
    }

    private static object? Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
