using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using RjConferences.Components.Forms;
using RjConferences.Features.Agreements;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The harmed party who asked to be told whether the agreement was kept is sent the outcome when the agreement ends, in the
/// same transaction, by the way they chose — a harmed pupil through their parent or guardian, nobody without consent — and
/// the case records when and how once it is sent. The message names nobody but the recipient and says nothing of the offence.
/// </summary>
public sealed class HarmedPartyOutcomeTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;
    private readonly string pickup = Directory.CreateTempSubdirectory("rj-pickup-").FullName;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 8, 3, 9, 0, 0, TimeSpan.Zero));
    }

    public async Task DisposeAsync()
    {
        await world.DisposeAsync();
        Directory.Delete(pickup, recursive: true);
    }

    private ActionTracking Tracking => world.Services.GetRequiredService<ActionTracking>();

    private async Task<AgreementProgress> ProgressAsync() => (await Tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private async Task<List<(string Kind, string Channel, string ToAddress, string Status)>> OutboxAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(string, string, string, string)>(
            "SELECT kind, channel, to_address, status FROM outbox WHERE kind = 'harmed_party_outcome' ORDER BY to_address")).ToList();
    }

    private async Task WishAsync(bool wish)
    {
        var progress = await ProgressAsync();
        Assert.True((await Tracking.RecordWishAsync(conference.ConferenceId, progress.Version, wish, Guid.NewGuid(), world.OfficerPrincipal)).Saved);
    }

    private async Task CompleteEveryActionAsync()
    {
        var progress = await ProgressAsync();
        foreach (var action in progress.Actions)
        {
            var done = await Tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version,
                new ActionStatusForm { On = DateInput.From(new DateOnly(2026, 8, 3)), CheckedBy = action.CheckerCode }, world.OfficerPrincipal);
            Assert.True(done.Saved, string.Join("; ", done.Errors.SelectMany(e => e.Value)));
            progress = await ProgressAsync();
        }
        Assert.Equal("completed", progress.Ended);
    }

    private OutboxSender PickupSender() => ActivatorUtilities.CreateInstance<OutboxSender>(world.Services,
        (IMessageChannel)new PickupChannel(Options.Create(new NotificationOptions { PickupFolder = pickup })));

    [Fact]
    public async Task A_harmed_member_of_staff_who_chose_email_is_emailed_the_completion_and_the_case_records_when_and_how()
    {
        await ExecuteAsync("""
            UPDATE parties SET harmed_type = 'staff', email = 'olivia.brown@langdon.example', contact_consent = TRUE, contact_by = 'email'
            WHERE id = @Id
            """, new { conference.Harmed.Id });
        await WishAsync(true);

        await CompleteEveryActionAsync();

        Assert.Equal([("harmed_party_outcome", "email", "olivia.brown@langdon.example", "queued")], await OutboxAsync());
        var queued = await ProgressAsync();
        Assert.Equal((null, "queued", "An email"), (queued.HarmedToldOn, queued.HarmedMessageStatus, queued.HarmedMessageLabel)); // not sent yet
        Assert.Empty(await Tracking.HarmedToTellAsync(world.Officer.Id)); // on its way: not on the facilitator's list to tell
        world.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, await PickupSender().RunOnceAsync()); // with the facilitator's invitation, queued at the booking

        var progress = await ProgressAsync();
        Assert.Equal((new DateOnly(2026, 8, 4), "email", false), (progress.HarmedToldOn!.Value, progress.HarmedToldHow, progress.HarmedToldDue));
        var mime = (await Task.WhenAll(Directory.GetFiles(pickup).Select(f => MimeMessage.LoadAsync(f))))
            .Single(m => m.To.Mailboxes.Single().Address == "olivia.brown@langdon.example");
        Assert.Equal("The restorative justice agreement was completed", mime.Subject);
        Assert.Contains("Dear Olivia Brown,", mime.TextBody);
        Assert.Contains("conference on 16 June 2026", mime.TextBody);
        Assert.Contains("Every action in the agreement has been completed.", mime.TextBody);
        Assert.Contains("pc.jones@newham.example", mime.TextBody); // whom to ask
        // Nothing about the young person or the offence.
        Assert.DoesNotContain("Kwame", mime.TextBody + mime.HtmlBody + mime.Subject);
        Assert.DoesNotContain("Mensah", mime.TextBody + mime.HtmlBody + mime.Subject);
        Assert.DoesNotContain("RJ-", mime.Subject);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'disclose' AND recipient = 'olivia.brown@langdon.example' AND entity_id = @id",
            new { id = conference.CaseId.ToString() }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM case_events WHERE case_id = @CaseId AND user_id IS NULL AND summary = 'The harmed party was sent an email on 4 August 2026 saying that the agreement was completed'",
            new { conference.CaseId }));
        Assert.NotEqual(0, await ReportFactsCheck.AssertStoredEqualSourceAsync(world.Database.Db));
    }

    [Fact]
    public async Task A_harmed_pupil_is_told_through_their_guardian_by_text_and_never_directly()
    {
        // Olivia (a pupil) agreed to email herself, which is not used: her guardian agreed to text messages.
        await ExecuteAsync("UPDATE parties SET email = 'olivia@pupils.example', contact_consent = TRUE, contact_by = 'email' WHERE id = @Id",
            new { conference.Harmed.Id });
        await ExecuteAsync("""
            INSERT INTO parties (id, case_id, party_role, supporter_type, supports_party_id, first_name, last_name, phone, contact_consent, contact_by, sort_order)
            VALUES (@id, @CaseId, 'supporter', 'guardian', @harmed, 'Grace', 'Brown', '07700 900 982', TRUE, 'text', 9)
            """, new { id = Guid.NewGuid(), conference.CaseId, harmed = conference.Harmed.Id });
        await WishAsync(true);

        await CompleteEveryActionAsync();

        Assert.Equal([("harmed_party_outcome", "text", "07700 900 982", "queued")], await OutboxAsync());
        var written = world.Services.GetRequiredService<MessageTemplates>().Render(HarmedPartyOutcome.Kind, "text", await ModelAsync());
        Assert.StartsWith("The agreement made at the restorative justice conference on 16 June 2026 has been completed.", written.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Olivia", written.TextBody);
        Assert.True(written.TextBody.Length <= 306, "two text messages at most");
    }

    [Fact]
    public async Task Nobody_is_messaged_without_consent_or_when_they_did_not_ask_and_the_facilitator_is_still_prompted()
    {
        await ExecuteAsync("""
            UPDATE parties SET harmed_type = 'staff', email = 'olivia.brown@langdon.example', contact_consent = FALSE, contact_by = NULL WHERE id = @Id
            """, new { conference.Harmed.Id });
        await WishAsync(true);

        await CompleteEveryActionAsync();

        Assert.Empty(await OutboxAsync());
        Assert.True((await ProgressAsync()).HarmedToldDue); // told by the facilitator, who records it
    }

    [Fact]
    public async Task A_harmed_party_who_did_not_ask_to_be_told_is_sent_nothing()
    {
        await ExecuteAsync("""
            UPDATE parties SET harmed_type = 'staff', email = 'olivia.brown@langdon.example', contact_consent = TRUE, contact_by = 'email' WHERE id = @Id
            """, new { conference.Harmed.Id });
        await WishAsync(false);

        await CompleteEveryActionAsync();

        Assert.Empty(await OutboxAsync());
    }

    private async Task<string> ModelAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT model FROM outbox WHERE kind = 'harmed_party_outcome'") ?? "{}";
    }
}
