using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Booking, moving and cancelling a conference queue its calendar invitation, update and cancellation to the staff who run it,
/// in the same transaction (a refused booking queues nothing), with one UID and a rising SEQUENCE, and nothing about the
/// child in the subject, the body or the calendar file.
/// </summary>
public sealed class ConferenceInvitationTests : IAsyncLifetime
{
    private static readonly DateOnly Wednesday = new(2026, 6, 17);
    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private sealed record Row(string Kind, string ToAddress, string Template, string Model, string Attachment, string AttachmentType)
    {
        public RenderedMessage Written { get; set; } = null!;
        public string Subject => Written.Subject;
        public string TextBody => Written.TextBody + Written.HtmlBody;
    }

    /// <summary>The queued messages, each as its template writes it when it is sent.</summary>
    private async Task<List<Row>> OutboxAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var rows = (await connection.QueryAsync<Row>(
            "SELECT kind, to_address, template, model, attachment, attachment_type FROM outbox ORDER BY created_at, to_address")).ToList();
        var templates = world.Services.GetRequiredService<MessageTemplates>();
        rows.ForEach(r => r.Written = templates.Render(r.Template, "email", r.Model));
        return rows;
    }

    [Fact]
    public async Task Booking_moving_and_cancelling_queue_the_invitation_its_update_and_its_cancellation_to_the_staff()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var form = world.Form(parties, Wednesday, "11:00", facilitator: world.Colleague);

        Assert.True((await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal)).Errors.IsEmpty);

        // The facilitator (Sam Patel) and the officer who referred the case (PC Jones), one message each.
        var booked = await OutboxAsync();
        Assert.Equal(["pc.jones@newham.example", "sam.patel@newham.example"], booked.Select(m => m.ToAddress));
        Assert.All(booked, m =>
        {
            Assert.Equal("conference_invitation", m.Kind);
            Assert.StartsWith("RJ conference RJ-", m.Subject, StringComparison.Ordinal);
            Assert.EndsWith("Wednesday 17 June 2026, 11:00", m.Subject, StringComparison.Ordinal);
            Assert.Contains("METHOD:REQUEST", m.Attachment);
            Assert.Contains("SEQUENCE:0", m.Attachment);
            Assert.Equal("text/calendar; charset=utf-8; method=REQUEST", m.AttachmentType);
            // Nothing about the child: the case reference, when and where only.
            foreach (var name in new[] { "Kwame", "Mensah" })
            {
                Assert.DoesNotContain(name, m.Subject + m.TextBody + m.Attachment);
            }
        });
        var uid = booked[0].Attachment.Split("\r\n").Single(l => l.StartsWith("UID:", StringComparison.Ordinal));

        // A new time, run by the officer instead: an update to the officer, a cancellation to the facilitator taken off it.
        world.Clock.Advance(TimeSpan.FromMinutes(5));
        var conferenceId = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().Id;
        var move = world.Form(parties, Wednesday, "14:00");
        move.Reason = "The harmed pupil has an exam in the morning";
        move.CaseVersion = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version;
        Assert.True((await world.Booking.RescheduleAsync(conferenceId, move, world.OfficerPrincipal)).Saved);

        var moved = (await OutboxAsync()).Skip(2).ToList();
        Assert.Equal([("conference_update", "pc.jones@newham.example"), ("conference_cancellation", "sam.patel@newham.example")],
            moved.Select(m => (m.Kind, m.ToAddress)));
        Assert.All(moved, m => Assert.Contains(uid, m.Attachment));
        Assert.Contains("SEQUENCE:1", moved[0].Attachment);
        Assert.Contains("METHOD:REQUEST", moved[0].Attachment);
        Assert.StartsWith("New time: ", moved[0].Subject, StringComparison.Ordinal);
        Assert.Contains("METHOD:CANCEL", moved[1].Attachment);

        // Cancelled: the cancellation to everyone on it.
        world.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await world.Booking.EndAsync(conferenceId, "cancelled", "The young person is ill", [], world.OfficerPrincipal)).Errors.IsEmpty);
        var cancelled = (await OutboxAsync()).Skip(4).ToList();
        Assert.Equal([("conference_cancellation", "pc.jones@newham.example")], cancelled.Select(m => (m.Kind, m.ToAddress)));
        Assert.Contains("METHOD:CANCEL", cancelled[0].Attachment);
        Assert.Contains("SEQUENCE:2", cancelled[0].Attachment);
        Assert.StartsWith("Cancelled: ", cancelled[0].Subject, StringComparison.Ordinal);

        // The sender delivers them all as email with the calendar file.
        var sent = await world.Services.GetRequiredService<OutboxSender>().RunOnceAsync();
        Assert.Equal(5, sent);
    }

    [Fact]
    public async Task A_refused_booking_queues_nothing()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        Assert.True((await world.Booking.BookAsync(caseId, world.Form(parties, Wednesday, "11:00"), world.OfficerPrincipal)).Errors.IsEmpty);
        var (other, otherParties) = await world.ReadyCaseAsync("Ama", "Owusu", "2012-05-02");

        // The same room at the same time: refused, and the transaction that would have queued its invitation is not saved.
        var clash = await world.Booking.BookAsync(other, world.Form(otherParties, Wednesday, "11:00"), world.OfficerPrincipal);

        Assert.False(clash.Errors.IsEmpty);
        Assert.Single(await OutboxAsync()); // the first booking's one message (the officer both runs and referred it)
    }
}
