using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Where a message goes by its channel on each deployment (<see cref="MessageRouter"/>): on the pickup default a text
/// message is written to the pickup folder as a .txt file; a mail server cannot send one, so on Smtp it fails naming the
/// setting; a letter goes to the print list unless the deployment uses Notify.
/// </summary>
public sealed class MessageRoutingTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = TestClock.Fixed();
    private readonly string pickup = Path.Combine(Path.GetTempPath(), "rj-routing-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        database.Dispose();
        if (Directory.Exists(pickup)) Directory.Delete(pickup, recursive: true);
    }

    private Task<Guid> EnqueueTextAsync() =>
        database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueAsync(connection, transaction,
            new OutboxMessage("harmed_party_outcome", "07700 900123", "Sam Taylor", "", "The agreement was completed. Questions: Fran, fran@school.example.", Channel: "text"),
            clock.GetUtcNow()));

    [Fact]
    public async Task On_the_pickup_default_a_text_message_is_written_to_the_pickup_folder_as_a_txt_file()
    {
        using var services = TestServices.Build(database, clock, new Dictionary<string, string?> { ["Notifications:PickupFolder"] = pickup });
        var id = await EnqueueTextAsync();

        Assert.Equal(1, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        var written = await File.ReadAllTextAsync(Path.Combine(pickup, $"{id:D}.txt"));
        Assert.StartsWith("To: 07700 900123\n", written);
        Assert.EndsWith("\n\nThe agreement was completed. Questions: Fran, fran@school.example.\n", written);
    }

    [Fact]
    public async Task On_a_mail_server_a_text_message_fails_for_good_naming_the_setting_it_needs()
    {
        using var services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = "Smtp", ["Notifications:Smtp:Host"] = "127.0.0.1", ["Notifications:Smtp:Port"] = "25",
        });
        var id = await EnqueueTextAsync();

        Assert.Equal(0, await services.GetRequiredService<OutboxSender>().RunOnceAsync());

        await using var connection = await database.Db.OpenAsync();
        var (status, error) = await connection.QuerySingleAsync<(string, string)>("SELECT status, last_error FROM outbox WHERE id = @id", new { id });
        Assert.Equal("failed", status);
        Assert.Contains("Notifications:Channel", error);
        Assert.Contains("Notify", error);
    }

    [Theory]
    [InlineData("Pickup", "email", typeof(PickupChannel))]
    [InlineData("Pickup", "letter", typeof(PrintListChannel))]
    [InlineData("Smtp", "email", typeof(SmtpChannel))]
    [InlineData("Smtp", "letter", typeof(PrintListChannel))]
    [InlineData("Notify", "email", typeof(NotifyChannel))]
    [InlineData("Notify", "text", typeof(NotifyChannel))]
    [InlineData("Notify", "letter", typeof(NotifyChannel))]
    public void Each_channel_of_message_goes_to_the_one_that_can_deliver_it_on_the_deployment(string deployment, string channel, Type expected)
    {
        using var services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            ["Notifications:Channel"] = deployment, ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Notify:ApiKey"] = TestNotifyServer.ApiKey,
            ["Notifications:Notify:EmailTemplateId"] = Guid.NewGuid().ToString(), ["Notifications:Notify:TextTemplateId"] = Guid.NewGuid().ToString(),
            ["Notifications:Notify:LetterTemplateId"] = Guid.NewGuid().ToString(),
        });

        Assert.IsType(expected, services.GetRequiredService<MessageRouter>().ChannelFor(channel));
    }
}
