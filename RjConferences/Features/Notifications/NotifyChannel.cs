using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using Notify.Client;
using Notify.Exceptions;

namespace RjConferences.Features.Notifications;

/// <summary>GOV.UK Notify (<c>Notifications:Notify:*</c>): the API key and the id of one Notify template per kind of message.</summary>
public sealed class NotifyOptions
{
    /// <summary>The service's API key, as Notify shows it: "name-{service id}-{secret}".</summary>
    public string? ApiKey { get; set; }

    /// <summary>Notify's API; set only to reach another one (the tests' stand-in).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>An email template whose subject is <c>((subject))</c> and body <c>((body))</c>.</summary>
    public string? EmailTemplateId { get; set; }

    /// <summary>A text message template whose body is <c>((body))</c>.</summary>
    public string? TextTemplateId { get; set; }

    /// <summary>A letter template: the address in <c>address_line_1</c>…<c>7</c> (Notify's own), heading <c>((subject))</c>, body <c>((body))</c>.</summary>
    public string? LetterTemplateId { get; set; }

    public const string DefaultBaseUrl = "https://api.notifications.service.gov.uk/";

    /// <summary>What is wrong with these settings, naming each setting; empty when they will do.</summary>
    public IEnumerable<string> Problems()
    {
        if (!LooksLikeApiKey(ApiKey))
        {
            yield return "Notifications:Notify:ApiKey must be the API key GOV.UK Notify gave the service (\"key name-service id-secret\").";
        }
        if (BaseUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            yield return "Notifications:Notify:BaseUrl must be an http or https address (or be left out for GOV.UK Notify itself).";
        }
        foreach (var (name, value) in new[] { ("EmailTemplateId", EmailTemplateId), ("TextTemplateId", TextTemplateId), ("LetterTemplateId", LetterTemplateId) })
        {
            if (!Guid.TryParse(value, out _))
            {
                yield return $"Notifications:Notify:{name} must be the id of a GOV.UK Notify template (a GUID, from the template's page in Notify).";
            }
        }
    }

    /// <summary>Notify's keys end with the service id and the secret, two GUIDs; the client takes them from there.</summary>
    private static bool LooksLikeApiKey(string? key) =>
        key is { Length: >= 74 } && !key.Contains(' ', StringComparison.Ordinal)
        && Guid.TryParse(key[^73..^37], out _) && key[^37] == '-' && Guid.TryParse(key[^36..], out _);
}

/// <summary>
/// The <c>Notify</c> channel: email, text messages and letters through GOV.UK Notify with its .NET client (GovukNotify).
/// Our templates write the words; Notify's templates (one per channel, by id) only place them: <c>((subject))</c> and
/// <c>((body))</c>, and for a letter the address in Notify's <c>address_line_1</c>…<c>7</c>. Our message id goes as Notify's
/// <c>reference</c>. Letters use a template letter, not a precompiled PDF: Notify lays it out, checks the address and
/// postcode when it is sent (a 400 we record) and prints it to its own specification (docs/notifications.md says more).
/// Notify's answers decide what happens next, as its API documentation describes them: 400 (a bad request, an invalid
/// recipient, a team-only key) and 403 (the key) are permanent, with Notify's reason; 429 (rate or daily limit), 5xx and a
/// network failure are temporary and tried again later. An email's calendar file is not sent: Notify sends no attachments.
/// </summary>
public sealed partial class NotifyChannel : IMessageChannel, IDisposable
{
    private readonly NotifyOptions options;
    private readonly Lazy<NotificationClient> client;

    public NotifyChannel(IOptions<NotificationOptions> notificationOptions)
    {
        options = notificationOptions.Value.Notify;
        client = new(() => new NotificationClient(options.BaseUrl is { Length: > 0 } url ? url : NotifyOptions.DefaultBaseUrl, options.ApiKey!));
    }

    public async Task DeliverAsync(ClaimedMessage message, CancellationToken cancellationToken)
    {
        var reference = message.Id.ToString("D");
        try
        {
            switch (message.Channel)
            {
                case "email":
                    if (!MimeKit.MailboxAddress.TryParse(message.ToAddress, out var to) || !to.Address.Contains('@', StringComparison.Ordinal))
                    {
                        throw new PermanentDeliveryException("The recipient's address is not an email address.");
                    }
                    await client.Value.SendEmailAsync(to.Address, options.EmailTemplateId!,
                        new Dictionary<string, dynamic> { ["subject"] = message.Subject, ["body"] = message.TextBody }, reference);
                    break;
                case "text":
                    await client.Value.SendSmsAsync(message.ToAddress, options.TextTemplateId!,
                        new Dictionary<string, dynamic> { ["body"] = message.TextBody }, reference);
                    break;
                case "letter":
                    await client.Value.SendLetterAsync(options.LetterTemplateId!, LetterPersonalisation(message), reference);
                    break;
                default:
                    throw new PermanentDeliveryException($"GOV.UK Notify sends email, text messages and letters, not {message.Channel}.");
            }
        }
        catch (NotifyClientException e)
        {
            throw Failure(e.Message, e);
        }
        catch (NotifyAuthException e)
        {
            throw new PermanentDeliveryException($"GOV.UK Notify: {e.Message}");
        }
        catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException or IOException)
        {
            // The client waits on its request synchronously, so a connection that fails arrives wrapped.
            throw new IOException($"GOV.UK Notify could not be reached: {e.InnerException.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"GOV.UK Notify could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("GOV.UK Notify did not answer in time.", e);
        }
    }

    /// <summary>The letter's placeholders: the name and address on Notify's address lines, then the heading and the words.</summary>
    public static Dictionary<string, dynamic> LetterPersonalisation(ClaimedMessage message)
    {
        var address = PostalAddress.Parse(message.ToAddress, out var problem)
            ?? throw new PermanentDeliveryException($"The recipient's address cannot go on a letter: {problem}.");
        var lines = new List<string>();
        if (message.ToName is { Length: > 0 } name) lines.Add(name);
        lines.AddRange(address.Lines);
        var personalisation = new Dictionary<string, dynamic>();
        for (var i = 0; i < lines.Count; i++)
        {
            personalisation[$"address_line_{i + 1}"] = lines[i];
        }
        personalisation["subject"] = message.Subject;
        personalisation["body"] = message.TextBody;
        return personalisation;
    }

    /// <summary>
    /// What Notify's error means for the message. The client's exception says "Status code 400. The following errors occured
    /// [{"error": "BadRequestError", "message": "…"}]"; without a status code the request never got an answer.
    /// </summary>
    public static Exception Failure(string clientMessage, Exception? inner = null)
    {
        var status = StatusCode().Match(clientMessage) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : (int?)null;
        var reason = Reason(clientMessage);
        return status switch
        {
            429 => new IOException($"GOV.UK Notify asked us to slow down (429): {reason}", inner),
            >= 500 => new IOException($"GOV.UK Notify could not take it now ({status}): {reason}", inner),
            >= 400 => new PermanentDeliveryException($"GOV.UK Notify refused it ({status}): {reason}"),
            _ => new IOException($"GOV.UK Notify could not be reached: {reason}", inner),
        };
    }

    /// <summary>
    /// Notify's own words ("BadRequestError: Not a UK mobile number"), else the client's message. The client repeats Notify's
    /// error list in its message (as sent, then as it read it), so each error is taken once.
    /// </summary>
    private static string Reason(string clientMessage)
    {
        var words = NotifyError().Matches(clientMessage)
            .Select(m => $"{Unescape(m.Groups["error"].Value)}: {Unescape(m.Groups["message"].Value)}")
            .Distinct()
            .ToList();
        return words.Count > 0 ? string.Join("; ", words) : clientMessage;
    }

    private static string Unescape(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<string>($"\"{json}\"") ?? json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    [GeneratedRegex(@"""error""\s*:\s*""(?<error>(?:[^""\\]|\\.)*)""\s*,\s*""message""\s*:\s*""(?<message>(?:[^""\\]|\\.)*)""")]
    private static partial Regex NotifyError();

    [GeneratedRegex(@"Status code (\d{3})")]
    private static partial Regex StatusCode();

    public void Dispose()
    {
        if (client.IsValueCreated) (client.Value as IDisposable)?.Dispose();
    }
}
