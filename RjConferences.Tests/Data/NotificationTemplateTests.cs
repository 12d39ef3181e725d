using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Messages are written from the template files when they are sent: the values are HTML-encoded in the HTML body, what was
/// sent is kept on the row, a template that cannot be written fails only its own message with the reason (the sender goes on,
/// and the Outbox page says why), and a message with a dedupe key is queued once.
/// </summary>
public sealed class NotificationTemplateTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = TestClock.Fixed();
    private readonly string pickup = Directory.CreateTempSubdirectory("rj-pickup-").FullName;
    private readonly string templates = Directory.CreateTempSubdirectory("rj-templates-").FullName;
    private readonly ServiceProvider services;

    public NotificationTemplateTests()
    {
        // The templates the app ships, in a folder of the test's own (one of them is broken below).
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "NotificationTemplates")))
        {
            File.Copy(file, Path.Combine(templates, Path.GetFileName(file)));
        }
        services = TestServices.Build(database, clock, new Dictionary<string, string?>
        {
            ["Notifications:PickupFolder"] = pickup,
            ["Notifications:TemplateFolder"] = templates,
        });
    }

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
        Directory.Delete(pickup, recursive: true);
        Directory.Delete(templates, recursive: true);
    }

    private static OutboxMessage Invitation(string name = "Sam Patel", string where = "Library, Langdon Park School (Newham)") =>
        OutboxMessage.FromTemplate("conference_invitation", "email", "sam.patel@newham.example", name, new
        {
            RecipientName = name,
            Reference = "RJ-2026-00042",
            Starts = "Wednesday 17 June 2026, 11:00",
            When = "Wednesday 17 June 2026, 11:00 to 12:00",
            Where = where,
        });

    private Task<Guid?> EnqueueAsync(OutboxMessage message) =>
        database.Db.WriteAsync((connection, transaction) => Outbox.EnqueueOnceAsync(connection, transaction, message, clock.GetUtcNow()));

    private async Task<(string Status, string Subject, string TextBody, string? Error)> RowAsync(Guid id)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(string, string, string, string?)>(
            "SELECT status, subject, text_body, last_error FROM outbox WHERE id = @id", new { id });
    }

    private OutboxSender Sender() => services.GetRequiredService<OutboxSender>();

    [Fact]
    public async Task A_message_is_written_from_its_template_when_sent_and_kept_as_it_was_sent()
    {
        var id = (await EnqueueAsync(Invitation(where: "Room <b>4</b> & hall, Langdon Park School (Newham)")))!.Value;
        Assert.Equal("", (await RowAsync(id)).Subject); // written when sent, not before

        Assert.Equal(1, await Sender().RunOnceAsync());

        var mime = await MimeMessage.LoadAsync(Path.Combine(pickup, $"{id:D}.eml"));
        Assert.Equal("RJ conference RJ-2026-00042, Wednesday 17 June 2026, 11:00", mime.Subject);
        Assert.StartsWith("Dear Sam Patel,\n\nA restorative justice conference for case RJ-2026-00042 is booked for Wednesday 17 June 2026, 11:00 to 12:00 in Room <b>4</b> & hall",
            mime.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Room &lt;b&gt;4&lt;/b&gt; &amp; hall", mime.HtmlBody); // values are encoded in HTML
        Assert.Contains("<html lang=\"en-GB\">", mime.HtmlBody);
        var row = await RowAsync(id);
        Assert.Equal(("sent", mime.Subject), (row.Status, row.Subject));
        Assert.Contains("RJ-2026-00042", row.TextBody);
    }

    [Fact]
    public async Task A_template_that_cannot_be_written_fails_its_own_message_with_the_reason_and_the_others_still_go()
    {
        // A deployment edits the cancellation template and names a value no message has.
        File.AppendAllText(Path.Combine(templates, "conference_cancellation.text.liquid"), "\nRoom booked by {{ booked_by }}.\n");
        var broken = (await EnqueueAsync(OutboxMessage.FromTemplate("conference_cancellation", "email", "sam.patel@newham.example", "Sam Patel",
            new { RecipientName = "Sam Patel", Reference = "RJ-2026-00042", Starts = "Wed", When = "Wed", Where = "Library" })))!.Value;
        var missing = (await EnqueueAsync(OutboxMessage.FromTemplate("conference_postponement", "email", "sam.patel@newham.example", "Sam Patel", new { })))!.Value;
        var fine = (await EnqueueAsync(Invitation()))!.Value;

        // The Outbox page says so before it is sent.
        var listed = await services.GetRequiredService<OutboxAdministration>().ListAsync(null, 1);
        Assert.StartsWith("(cannot be written: The template conference_cancellation.text.liquid could not be written", listed.Items.Single(i => i.Id == broken).Subject,
            StringComparison.Ordinal);

        Assert.Equal(1, await Sender().RunOnceAsync());

        var failed = await RowAsync(broken);
        Assert.Equal("failed", failed.Status);
        Assert.StartsWith("The template conference_cancellation.text.liquid could not be written", failed.Error, StringComparison.Ordinal);
        Assert.Contains("booked_by", failed.Error);
        Assert.Equal(("failed", $"The template conference_postponement.text.liquid is missing from {templates}."),
            ((await RowAsync(missing)).Status, (await RowAsync(missing)).Error));
        Assert.Equal("sent", (await RowAsync(fine)).Status);
        Assert.Equal([$"{fine:D}.eml"], Directory.GetFiles(pickup).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_message_with_a_dedupe_key_is_queued_once_however_often_it_is_queued()
    {
        var first = await EnqueueAsync(Invitation() with { DedupeKey = "reminder:conference-1:0:sam.patel@newham.example" });
        var again = await EnqueueAsync(Invitation() with { DedupeKey = "reminder:conference-1:0:sam.patel@newham.example" });
        var moved = await EnqueueAsync(Invitation() with { DedupeKey = "reminder:conference-1:1:sam.patel@newham.example" });

        Assert.NotNull(first);
        Assert.Null(again);
        Assert.NotNull(moved);
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox"));
        await Assert.ThrowsAsync<ArgumentException>(() => database.Db.WriteAsync((c, t) =>
            Outbox.EnqueueAsync(c, t, Invitation() with { DedupeKey = "x" }, clock.GetUtcNow())));
    }
}
