using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Conferences;
using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// The conference's participants are invited by the way they chose (a young person never directly), and everyone invited is
/// reminded the day before; the facilitators are reminded of missing preparation meetings 3 working days before. The
/// notifications job queues each reminder once however often it runs (also two instances at once), a moved conference is
/// reminded of for its new time (and its old reminders still waiting are cancelled), a cancelled one not at all.
/// </summary>
public sealed class ConferenceReminderTests : IAsyncLifetime
{
    /// <summary>The conference: Wednesday 17 June 2026, 11:00 London (the world's clock starts on Monday 15 June, 08:00).</summary>
    private static readonly DateOnly Wednesday = new(2026, 6, 17);

    private const string ParentEmail = "ama.mensah@example.org";
    private const string HarmedPhone = "07700 900123";
    private const string LetterAddress = "1 High Street, London E1 1AA";

    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private NotificationJob Job => world.Services.GetRequiredService<NotificationJob>();

    private sealed record Row(string Kind, string Channel, string ToAddress, string Template, string Model, string? Attachment, string Status, string? DedupeKey)
    {
        public RenderedMessage Written { get; set; } = null!;
    }

    /// <summary>The outbox, each message as its template writes it when it is sent.</summary>
    private async Task<List<Row>> OutboxAsync(string? kind = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var rows = (await connection.QueryAsync<Row>("""
            SELECT kind, channel, to_address, template, model, attachment, status, dedupe_key FROM outbox
            WHERE @kind IS NULL OR kind = @kind ORDER BY created_at, kind, channel, to_address
            """, new { kind })).ToList();
        var templates = world.Services.GetRequiredService<MessageTemplates>();
        rows.ForEach(r => r.Written = templates.Render(r.Template, r.Channel, r.Model));
        return rows;
    }

    /// <summary>London 07:30 (BST) on <paramref name="day"/>, when the job runs (or now, on the world's first morning, which starts at 08:00).</summary>
    private void MorningOf(DateOnly day)
    {
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(6, 30)), TimeSpan.Zero);
        if (at > world.Clock.GetUtcNow()) world.Clock.SetUtcNow(at);
    }

    /// <summary>
    /// A ready case whose adults chose how to be contacted: the parent by email, the harmed party (an adult here, a shopkeeper)
    /// by text message, and the harmed party's supporter by letter. The young person agreed to email too, but is never contacted.
    /// </summary>
    private async Task<(Guid CaseId, IReadOnlyList<PartyDetails> Parties)> CaseWithContactsAsync()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var young = parties.Single(p => p.PartyRole == "responsible");
        var harmed = parties.Single(p => p.PartyRole == "harmed");
        var parent = parties.Single(p => p.PartyRole == "supporter");
        await using var connection = await world.Database.Db.OpenAsync();
        await connection.ExecuteAsync("UPDATE parties SET contact_consent = @yes, contact_by = 'email', email = @ParentEmail WHERE id = @Id",
            new { yes = true, ParentEmail, parent.Id });
        await connection.ExecuteAsync("UPDATE parties SET contact_consent = @yes, contact_by = 'email', email = 'kwame@example.org' WHERE id = @Id",
            new { yes = true, young.Id });
        await connection.ExecuteAsync("""
            UPDATE parties SET harmed_type = 'member_of_public', contact_consent = @yes, contact_by = 'text', phone = @HarmedPhone WHERE id = @Id
            """, new { yes = true, HarmedPhone, harmed.Id });
        var supporter = Guid.NewGuid();
        await connection.ExecuteAsync("""
            INSERT INTO parties (id, case_id, party_role, supporter_type, supports_party_id, first_name, last_name, address, contact_consent, contact_by, sort_order)
            VALUES (@supporter, @caseId, 'supporter', 'other', @Id, 'Pat', 'Lee', @LetterAddress, @yes, 'letter', 10)
            """, new { supporter, caseId, harmed.Id, LetterAddress, yes = true });
        var all = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Parties;
        return (caseId, all);
    }

    private async Task<Guid> BookAsync(IReadOnlyList<PartyDetails> parties, Guid caseId, string time = "11:00")
    {
        var booked = await world.Booking.BookAsync(caseId, world.Form(parties, Wednesday, time, facilitator: world.Colleague), world.OfficerPrincipal);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        return booked.ConferenceId!.Value;
    }

    private async Task MoveAsync(Guid caseId, Guid conferenceId, IReadOnlyList<PartyDetails> parties, DateOnly day, string time)
    {
        var move = world.Form(parties, day, time, facilitator: world.Colleague);
        move.Reason = "The room is needed for exams";
        move.CaseVersion = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version;
        var moved = await world.Booking.RescheduleAsync(conferenceId, move, world.OfficerPrincipal);
        Assert.True(moved.Saved, string.Join("; ", moved.Errors.SelectMany(e => e.Value)));
    }

    /// <summary>Nothing about the child in what a participant is sent: no name, no case reference; no name at all in a subject or a text message.</summary>
    private static void AssertSaysNothingOfTheChild(Row m)
    {
        foreach (var name in new[] { "Kwame", "Mensah", "Olivia" })
        {
            Assert.DoesNotContain(name, m.Written.Subject);
            if (m.Channel == "text") Assert.DoesNotContain(name, m.Written.TextBody);
        }
        Assert.DoesNotContain("Kwame", m.Written.Subject + m.Written.TextBody + m.Written.HtmlBody + m.Attachment);
        if (m.Kind.StartsWith("participant_", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("RJ-", m.Written.Subject + m.Written.TextBody + m.Written.HtmlBody + m.Attachment);
        }
    }

    [Fact]
    public async Task Participants_are_invited_updated_and_told_of_the_cancellation_by_the_way_they_chose()
    {
        var (caseId, parties) = await CaseWithContactsAsync();
        var conferenceId = await BookAsync(parties, caseId);

        var booked = await OutboxAsync();
        var participants = booked.Where(m => m.Kind.StartsWith("participant_", StringComparison.Ordinal)).ToList();
        // The parent by email with the calendar file, the harmed adult by text, their supporter by letter; never the young person.
        Assert.Equal([("email", ParentEmail), ("letter", LetterAddress), ("text", HarmedPhone)], participants.Select(m => (m.Channel, m.ToAddress)).Order());
        Assert.All(participants, m => Assert.Equal("participant_invitation", m.Kind));
        Assert.DoesNotContain(booked, m => m.ToAddress == "kwame@example.org");
        Assert.Equal(2, booked.Count(m => m.Kind == "conference_invitation")); // the staff, as before
        var email = participants.Single(m => m.Channel == "email");
        Assert.Contains("METHOD:REQUEST", email.Attachment);
        Assert.Contains("SEQUENCE:0", email.Attachment);
        Assert.Contains("SUMMARY:Restorative justice meeting", email.Attachment);
        Assert.Contains("sam.patel@newham.example", email.Written.TextBody); // whom to contact: the facilitator
        Assert.Contains("Wednesday 17 June 2026, 11:00", email.Written.TextBody);
        Assert.All(participants.Where(m => m.Channel != "email"), m => Assert.Null(m.Attachment));
        Assert.StartsWith("You are invited to a restorative justice meeting on Wednesday 17 June 2026, 11:00", participants.Single(m => m.Channel == "text").Written.TextBody);
        Assert.All(booked, AssertSaysNothingOfTheChild);
        var uid = email.Attachment!.Split("\r\n").Single(l => l.StartsWith("UID:", StringComparison.Ordinal));

        world.Clock.Advance(TimeSpan.FromMinutes(5));
        await MoveAsync(caseId, conferenceId, parties, Wednesday, "14:00");
        var moved = (await OutboxAsync()).Skip(booked.Count).Where(m => m.Kind.StartsWith("participant_", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, moved.Count);
        Assert.All(moved, m => Assert.Equal("participant_update", m.Kind));
        var update = moved.Single(m => m.Channel == "email");
        Assert.Contains(uid, update.Attachment);
        Assert.Contains("SEQUENCE:1", update.Attachment);
        Assert.StartsWith("New time: ", update.Written.Subject, StringComparison.Ordinal);

        world.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await world.Booking.EndAsync(conferenceId, "cancelled", "The harmed party is ill", [], world.OfficerPrincipal)).Saved);
        var cancelled = (await OutboxAsync()).Where(m => m.Kind == "participant_cancellation").ToList();
        Assert.Equal(3, cancelled.Count);
        Assert.Contains("METHOD:CANCEL", cancelled.Single(m => m.Channel == "email").Attachment);
        Assert.Contains(uid, cancelled.Single(m => m.Channel == "email").Attachment);
        Assert.All(await OutboxAsync(), AssertSaysNothingOfTheChild);
    }

    [Fact]
    public async Task The_day_before_everyone_invited_is_reminded_once_however_often_the_job_runs()
    {
        var (caseId, parties) = await CaseWithContactsAsync();
        await BookAsync(parties, caseId);

        // Monday: two days before, nobody is reminded of it yet (the preparation reminder is another test's).
        MorningOf(Wednesday.AddDays(-2));
        await Job.RunAsync();
        Assert.Empty(await OutboxAsync("conference_reminder"));

        MorningOf(Wednesday.AddDays(-1));
        var first = await Job.RunAsync();
        var again = await Job.RunAsync();
        Assert.Equal(0, again.Reminders);
        var staff = await OutboxAsync(ConferenceReminders.Reminder);
        var participants = await OutboxAsync(ConferenceReminders.ParticipantReminder);
        Assert.Equal(["pc.jones@newham.example", "sam.patel@newham.example"], staff.Select(m => m.ToAddress));
        Assert.Equal([("email", ParentEmail), ("letter", LetterAddress), ("text", HarmedPhone)], participants.Select(m => (m.Channel, m.ToAddress)).Order());
        Assert.Equal(5, first.Reminders);
        Assert.StartsWith("Reminder: RJ conference RJ-", staff[0].Written.Subject, StringComparison.Ordinal);
        Assert.StartsWith("Reminder: restorative justice meeting on Wednesday 17 June 2026, 11:00", participants.Single(m => m.Channel == "text").Written.TextBody);
        Assert.All(staff.Concat(participants), m => Assert.Null(m.Attachment));
        Assert.All(staff.Concat(participants), AssertSaysNothingOfTheChild);

        // Once a day on one instance: a second run the same day does not even start.
        Assert.Null(await Job.RunOnceTodayAsync());
    }

    [Fact]
    public async Task Two_instances_running_the_job_at_once_queue_each_reminder_once()
    {
        var (caseId, parties) = await CaseWithContactsAsync();
        await BookAsync(parties, caseId);
        MorningOf(Wednesday.AddDays(-1));
        await using var other = TestServices.Build(world.Database, world.Clock);

        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() =>
            (i == 0 ? Job : other.GetRequiredService<NotificationJob>()).RunAsync())));

        // 5 day-before reminders and the facilitator's preparation reminder, each queued by one of them only.
        Assert.Equal(6, runs.Sum(r => r.Reminders));
        var queued = (await OutboxAsync()).Where(m => m.DedupeKey is not null).ToList();
        Assert.Equal(6, queued.Count);
        Assert.Equal(queued.Count, queued.Select(m => m.DedupeKey).Distinct().Count());
    }

    [Fact]
    public async Task A_moved_conference_is_reminded_of_for_its_new_time_and_its_old_reminders_are_cancelled()
    {
        var (caseId, parties) = await CaseWithContactsAsync();
        var conferenceId = await BookAsync(parties, caseId);
        MorningOf(Wednesday.AddDays(-1));
        Assert.Equal(6, (await Job.RunAsync()).Reminders);

        // Tuesday, before the reminders went: the conference moves to Thursday. The reminders of Wednesday are not sent.
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        await MoveAsync(caseId, conferenceId, parties, Wednesday.AddDays(1), "10:00");
        var old = (await OutboxAsync()).Where(m => m.Kind.EndsWith("_reminder", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, old.Count);
        Assert.All(old, m => Assert.Equal("cancelled", m.Status));

        // Wednesday: the day before its new time, everyone is reminded again, of Thursday.
        MorningOf(Wednesday);
        Assert.Equal(6, (await Job.RunAsync()).Reminders);
        Assert.Equal(0, (await Job.RunAsync()).Reminders);
        var reminders = (await OutboxAsync()).Where(m => m.Kind.EndsWith("_reminder", StringComparison.Ordinal) && m.Status == "queued").ToList();
        Assert.Equal(6, reminders.Count);
        Assert.All(reminders, m => Assert.Contains(":1:", m.DedupeKey));
        Assert.All(reminders.Where(m => m.Kind != ConferenceReminders.PreparationReminder), m =>
            Assert.Contains("Thursday 18 June 2026, 10:00", m.Written.Subject + m.Written.TextBody));
    }

    [Fact]
    public async Task A_cancelled_conference_gets_no_reminder()
    {
        var (caseId, parties) = await CaseWithContactsAsync();
        var conferenceId = await BookAsync(parties, caseId);
        Assert.True((await world.Booking.EndAsync(conferenceId, "cancelled", "The young person moved school", [], world.OfficerPrincipal)).Saved);

        for (var day = Wednesday.AddDays(-2); day <= Wednesday; day = day.AddDays(1))
        {
            MorningOf(day);
            Assert.Equal(0, (await Job.RunAsync()).Reminders);
        }
        Assert.DoesNotContain(await OutboxAsync(), m => m.Kind.EndsWith("_reminder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_facilitators_are_reminded_3_working_days_before_while_preparation_meetings_are_missing()
    {
        // A conference on Wednesday 24 June; 3 working days before is Friday 19 June (a weekend in between).
        var (caseId, parties) = await CaseWithContactsAsync();
        var form = world.Form(parties, Wednesday.AddDays(7), "11:00", facilitator: world.Colleague);
        form.CoFacilitatorId = world.Officer.Id;
        var conferenceId = (await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal)).ConferenceId!.Value;

        MorningOf(new DateOnly(2026, 6, 18)); // Thursday: 4 working days before
        await Job.RunAsync();
        Assert.Empty(await OutboxAsync(ConferenceReminders.PreparationReminder));

        MorningOf(new DateOnly(2026, 6, 19)); // Friday: 3 working days before
        await Job.RunAsync();
        MorningOf(new DateOnly(2026, 6, 22)); // Monday: already reminded
        await Job.RunAsync();
        var reminded = await OutboxAsync(ConferenceReminders.PreparationReminder);
        Assert.Equal(["pc.jones@newham.example", "sam.patel@newham.example"], reminded.Select(m => m.ToAddress).Order());
        Assert.StartsWith("Preparation meetings missing: RJ conference RJ-", reminded[0].Written.Subject, StringComparison.Ordinal);
        Assert.Contains("4 of the 4 people invited have no preparation meeting", reminded[0].Written.TextBody);
        Assert.Contains($"/cases/{caseId:D}", reminded[0].Written.TextBody);
        Assert.All(reminded, AssertSaysNothingOfTheChild);

        // Moved to the Thursday after with every preparation meeting held: no reminder for the new time.
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            foreach (var party in parties)
            {
                await connection.ExecuteAsync("""
                    INSERT INTO preparation_meetings (id, case_id, party_id, facilitator_id, met_on, method, party_ready, recorded_at)
                    VALUES (@id, @caseId, @partyId, @facilitator, @metOn, 'in_person', @yes, @now)
                    """, new { id = Guid.NewGuid(), caseId, metOn = new DateOnly(2026, 6, 22), partyId = party.Id, facilitator = world.Colleague.Id, yes = true, now = world.Clock.GetUtcNow() });
            }
        }
        await MoveAsync(caseId, conferenceId, parties, new DateOnly(2026, 6, 25), "11:00");
        MorningOf(new DateOnly(2026, 6, 23));
        await Job.RunAsync();
        Assert.Equal(2, (await OutboxAsync(ConferenceReminders.PreparationReminder)).Count);
    }
}
