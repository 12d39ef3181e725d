using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Contract tests of the Notify channel: the outbox's sender and the official client (GovukNotify) against a local stand-in of
/// GOV.UK Notify's documented API (<see cref="TestNotifyServer"/>), not Notify itself. An email, a text message and a letter
/// arrive at their endpoints with the right template id, placeholders and our message id as the reference, under a bearer
/// token signed with the key; Notify's 400 is a permanent failure with Notify's reason, its 429 and 500 and no answer at all
/// are temporary.
/// </summary>
public sealed class NotifyChannelTests : IAsyncLifetime
{
    private const string EmailTemplate = "0c7e5f7e-1f2b-4a55-9e6e-5b1a8d0f0a01";
    private const string TextTemplate = "0c7e5f7e-1f2b-4a55-9e6e-5b1a8d0f0a02";
    private const string LetterTemplate = "0c7e5f7e-1f2b-4a55-9e6e-5b1a8d0f0a03";

    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = TestClock.Fixed();
    private TestNotifyServer notify = null!;

    public async Task InitializeAsync() => notify = await TestNotifyServer.StartAsync();

    public async Task DisposeAsync()
    {
        await notify.DisposeAsync();
        database.Dispose();
    }

    private ServiceProvider Services(string? baseUrl = null, string? apiKey = null) => TestServices.Build(database, clock, new Dictionary<string, string?>
    {
        ["Notifications:Channel"] = "Notify",
        ["Notifications:Notify:ApiKey"] = apiKey ?? TestNotifyServer.ApiKey,
        ["Notifications:Notify:BaseUrl"] = baseUrl ?? notify.BaseUrl,
        ["Notifications:Notify:EmailTemplateId"] = EmailTemplate,
        ["Notifications:Notify:TextTemplateId"] = TextTemplate,
        ["Notifications:Notify:LetterTemplateId"] = LetterTemplate,
    });

    private Task<Guid> EnqueueAsync(OutboxMessage message) =>
        database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueAsync(connection, transaction, message, clock.GetUtcNow()));

    private static OutboxMessage Outcome(string channel, string to) => OutboxMessage.FromTemplate("harmed_party_outcome", channel, to, "Sam Taylor", new
    {
        RecipientName = "Sam Taylor",
        ConferenceDate = "Wednesday 17 June 2026",
        Kept = true,
        SchoolName = "Langdon Park",
        ContactName = "Fran Facilitator",
        ContactEmail = "fran@school.example",
    });

    private async Task<(string Status, long Attempts, string? Error)> RowAsync(Guid id)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(string, long, string?)>("SELECT status, attempts, last_error FROM outbox WHERE id = @id", new { id });
    }

    [Fact]
    public async Task Email_text_message_and_letter_arrive_with_their_template_placeholders_and_our_reference()
    {
        using var services = Services();
        var email = await EnqueueAsync(Outcome("email", "sam.taylor@example.org"));
        var text = await EnqueueAsync(Outcome("text", "07700 900123"));
        var letter = await EnqueueAsync(Outcome("letter", "12 Acacia Avenue\nPoplar\nLondon E14 0AA"));

        Assert.Equal(3, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        Assert.Empty(notify.Refused);
        var requests = notify.Requests.ToList();
        var sentEmail = Assert.Single(requests, r => r.Path == "/v2/notifications/email");
        Assert.Equal(EmailTemplate, sentEmail.TemplateId);
        Assert.Equal("sam.taylor@example.org", sentEmail.Body["email_address"]!.GetValue<string>());
        Assert.Equal(email.ToString("D"), sentEmail.Reference);
        Assert.Equal("The restorative justice agreement was completed", sentEmail.Personalisation("subject"));
        Assert.Contains("Dear Sam Taylor,", sentEmail.Personalisation("body"));
        Assert.Contains("Every action in the agreement has been completed.", sentEmail.Personalisation("body"));

        var sentText = Assert.Single(requests, r => r.Path == "/v2/notifications/sms");
        Assert.Equal(TextTemplate, sentText.TemplateId);
        Assert.Equal("07700 900123", sentText.Body["phone_number"]!.GetValue<string>());
        Assert.Equal(text.ToString("D"), sentText.Reference);
        Assert.StartsWith("The agreement made at the restorative justice conference on Wednesday 17 June 2026 has been completed.", sentText.Personalisation("body"));

        var sentLetter = Assert.Single(requests, r => r.Path == "/v2/notifications/letter");
        Assert.Equal(LetterTemplate, sentLetter.TemplateId);
        Assert.Equal(letter.ToString("D"), sentLetter.Reference);
        Assert.Equal(["Sam Taylor", "12 Acacia Avenue", "Poplar", "London", "E14 0AA"],
            Enumerable.Range(1, 5).Select(i => sentLetter.Personalisation($"address_line_{i}")));
        Assert.Null(sentLetter.Personalisation("address_line_6"));
        Assert.Equal("The restorative justice agreement was completed", sentLetter.Personalisation("subject"));

        foreach (var id in new[] { email, text, letter })
        {
            Assert.Equal(("sent", 1L, (string?)null), await RowAsync(id));
        }
    }

    [Fact]
    public async Task An_invalid_recipient_is_a_permanent_failure_with_Notifys_reason()
    {
        using var services = Services();
        notify.AnswerNext(400, "BadRequestError", "Can't send to this recipient using a team-only API key");
        var id = await EnqueueAsync(Outcome("email", "not.on.the.team@example.org"));

        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        var (status, attempts, error) = await RowAsync(id);
        Assert.Equal(("failed", 1L), (status, attempts));
        Assert.Contains("(400)", error);
        Assert.Contains("BadRequestError: Can't send to this recipient using a team-only API key", error);
    }

    [Theory]
    [InlineData(429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")]
    [InlineData(500, "Exception", "Internal server error")]
    public async Task Notify_busy_or_failing_is_temporary_and_the_message_goes_on_a_later_attempt(int statusCode, string kind, string message)
    {
        using var services = Services();
        notify.AnswerNext(statusCode, kind, message);
        var id = await EnqueueAsync(Outcome("text", "07700900123"));
        var sender = services.GetRequiredService<OutboxSender>();

        Assert.Equal(0, await sender.RunOnceAsync());
        var (status, attempts, error) = await RowAsync(id);
        Assert.Equal(("queued", 1L), (status, attempts));
        Assert.Contains(statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        Assert.Contains(message, error);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await sender.RunOnceAsync());
        Assert.Equal(("sent", 2L, (string?)null), await RowAsync(id));
        Assert.Equal(2, notify.Requests.Count(r => r.Reference == id.ToString("D")));
    }

    [Fact]
    public async Task Notify_out_of_reach_is_temporary()
    {
        using var services = Services(baseUrl: $"http://127.0.0.1:{TestSmtpServer.FreePort()}/");
        var id = await EnqueueAsync(Outcome("email", "sam.taylor@example.org"));

        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        var (status, attempts, error) = await RowAsync(id);
        Assert.Equal(("queued", 1L), (status, attempts));
        Assert.Contains("Notify", error);
    }

    [Fact]
    public async Task A_token_not_signed_with_the_services_key_is_refused_and_the_message_fails_with_the_reason()
    {
        using var services = Services(apiKey: $"rjconferences_test-{TestNotifyServer.ServiceId:D}-{Guid.NewGuid():D}");
        var id = await EnqueueAsync(Outcome("email", "sam.taylor@example.org"));

        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        Assert.Single(notify.Refused);
        Assert.Empty(notify.Requests);
        var (status, _, error) = await RowAsync(id);
        Assert.Equal("failed", status);
        Assert.Contains("403", error);
        Assert.Contains("AuthError", error);
    }

    [Fact]
    public async Task A_letter_whose_address_has_no_postcode_fails_before_it_reaches_Notify()
    {
        using var services = Services();
        var id = await EnqueueAsync(Outcome("letter", "12 Acacia Avenue\nLondon"));

        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        Assert.Empty(notify.Requests);
        var (status, _, error) = await RowAsync(id);
        Assert.Equal("failed", status);
        Assert.Contains("postcode", error);
    }

    [Fact]
    public void The_notify_channel_without_its_settings_is_refused_at_start_naming_each()
    {
        using var services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = "Notify",
            ["Notifications:Notify:ApiKey"] = "not a key",
            ["Notifications:Notify:EmailTemplateId"] = EmailTemplate,
            ["Notifications:Notify:TextTemplateId"] = "text",
        });

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NotificationOptions>>().Value);

        Assert.Contains("Notifications:Notify:ApiKey", refused.Message);
        Assert.Contains("Notifications:Notify:TextTemplateId", refused.Message);
        Assert.Contains("Notifications:Notify:LetterTemplateId", refused.Message);
        Assert.DoesNotContain("Notifications:Notify:EmailTemplateId", refused.Message);
    }
}
