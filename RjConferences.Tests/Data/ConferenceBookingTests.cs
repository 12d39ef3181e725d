using Dapper;
using RjConferences.Components;
using RjConferences.Components.Forms;
using Ical.Net;
using RjConferences.Features.Conferences;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

[RunsLong(15)]
public class ConferenceBookingTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private static readonly DateOnly Tuesday = new(2026, 6, 16);

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task A_ready_case_is_booked_and_moves_to_conference_scheduled()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();

        var result = await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);

        Assert.True(result.Saved, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(CaseStatus.ConferenceScheduled, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
        var conference = Assert.Single(await world.Queries.ForCaseAsync(caseId, world.Officer.Id));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 9, 0, 0, TimeSpan.Zero), conference.StartsAt); // 10:00 BST
        Assert.Equal(3, conference.Participants.Count);
    }

    [Fact]
    public async Task A_room_already_booked_is_refused_with_the_room_and_times_and_nothing_of_the_other_case()
    {
        var (first, firstParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        var (second, secondParties) = await world.ReadyCaseAsync("Zofia", "Nowak", "2012-05-05");
        await world.Booking.BookAsync(first, world.Form(firstParties, Tuesday, "10:00", length: 60), world.OfficerPrincipal);

        var result = await world.Booking.BookAsync(second, world.Form(secondParties, Tuesday, "11:10", facilitator: world.Colleague), world.OfficerPrincipal);

        Assert.False(result.Saved);
        Assert.Equal(["Room 2 is booked 10:00–11:00: 15 minutes are needed between conferences"], result.Errors["RoomId"]);
        var all = string.Join(" ", result.Errors.SelectMany(e => e.Value));
        Assert.DoesNotContain("Mensah", all);
        Assert.DoesNotContain("RJ-", all);
        Assert.Equal(CaseStatus.ReadyToSchedule, (await world.Cases.GetAsync(second, world.Officer.Id))!.Status);

        var after = await world.Booking.BookAsync(second, world.Form(secondParties, Tuesday, "11:15", facilitator: world.Colleague), world.OfficerPrincipal);
        Assert.True(after.Saved); // 11:15 is clear of the 15-minute buffer
    }

    [Fact]
    public async Task A_facilitator_or_a_young_person_already_in_an_overlapping_conference_is_refused()
    {
        var (first, firstParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        // The same young person (same name and date of birth) in a second case.
        var (second, secondParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        await world.Booking.BookAsync(first, world.Form(firstParties, Tuesday, "10:00"), world.OfficerPrincipal);

        var result = await world.Booking.BookAsync(second, world.Form(secondParties, Tuesday, "10:30", room: world.Room1), world.OfficerPrincipal);

        Assert.Contains("PC Jones", Assert.Single(result.Errors["FacilitatorId"]).Replace("pc.jones", "PC Jones"));
        Assert.Contains(result.Errors["ParticipantIds"], m => m == "Kwame Mensah is in another conference 10:00–11:00");
    }

    [Fact]
    public async Task Twenty_simultaneous_conflicting_bookings_give_one_conference_and_nineteen_refusals()
    {
        var cases = new List<(Guid, IReadOnlyList<PartyDetails>)>();
        for (var i = 0; i < 20; i++)
        {
            cases.Add(await world.ReadyCaseAsync("Young", $"Person{i:D2}", $"2012-01-{i + 1:D2}"));
        }

        var results = await Task.WhenAll(cases.Select(c => Task.Run(() =>
            world.Booking.BookAsync(c.Item1, world.Form(c.Item2, Tuesday, "10:00"), world.OfficerPrincipal))));

        Assert.Single(results, r => r.Saved);
        var refusals = results.Where(r => !r.Saved).ToList();
        Assert.Equal(19, refusals.Count);
        Assert.All(refusals, r => Assert.Contains("Room 2 is booked 10:00–11:00", r.Errors["RoomId"]));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM conferences"));
    }

    [Fact]
    public async Task A_facilitator_whose_training_has_lapsed_on_the_conference_date_is_refused()
    {
        await world.TrainAsync(world.Colleague, new DateOnly(2024, 1, 1), new DateOnly(2026, 6, 15));
        var (caseId, parties) = await world.ReadyCaseAsync();

        var result = await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00", facilitator: world.Colleague), world.OfficerPrincipal);
        var dayBefore = await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2026, 6, 15), "16:00", facilitator: world.Colleague), world.OfficerPrincipal);

        Assert.Contains("not current on 16 June 2026", Assert.Single(result.Errors["FacilitatorId"]));
        Assert.True(dayBefore.Saved, string.Join("; ", dayBefore.Errors.SelectMany(e => e.Value)));
    }

    [Fact]
    public async Task A_start_time_that_does_not_exist_in_London_is_refused_and_an_ambiguous_one_asks_which()
    {
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.Zero));
        var (caseId, parties) = await world.ReadyCaseAsync();

        var spring = await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2027, 3, 28), "01:30"), world.OfficerPrincipal);
        Assert.Contains("does not exist in London", Assert.Single(spring.Errors["StartTime"]));

        var autumn = world.Form(parties, new DateOnly(2026, 10, 25), "01:30");
        autumn.ConfirmedWarnings = true;
        var ask = await world.Booking.BookAsync(caseId, autumn, world.OfficerPrincipal);
        Assert.True(ask.NeedsOccurrence);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM conferences"));

        autumn.Occurrence = "GMT";
        var booked = await world.Booking.BookAsync(caseId, autumn, world.OfficerPrincipal);
        Assert.True(booked.Saved);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().StartsAt);
    }

    [Fact]
    public async Task A_clash_in_the_hour_that_happens_twice_names_BST_and_GMT_and_an_overlap_does_not_mention_the_buffer()
    {
        world.Clock.SetUtcNow(new DateTimeOffset(2027, 10, 1, 8, 0, 0, TimeSpan.Zero));
        await world.TrainAsync(world.Officer, new DateOnly(2025, 1, 10), new DateOnly(2028, 1, 10));
        await world.TrainAsync(world.Colleague, new DateOnly(2025, 1, 10), new DateOnly(2028, 1, 10));
        var (first, firstParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        var (second, secondParties) = await world.ReadyCaseAsync("Zofia", "Nowak", "2012-05-05");
        var sunday = new DateOnly(2027, 10, 31);
        var bst = world.Form(firstParties, sunday, "01:30");
        (bst.Occurrence, bst.ConfirmedWarnings) = ("BST", true);
        Assert.True((await world.Booking.BookAsync(first, bst, world.OfficerPrincipal)).Saved);

        var gmt = world.Form(secondParties, sunday, "01:30", facilitator: world.Colleague);
        (gmt.Occurrence, gmt.ConfirmedWarnings) = ("GMT", true);
        var touching = await world.Booking.BookAsync(second, gmt, world.OfficerPrincipal);
        Assert.Equal(["Room 2 is booked 01:30 BST – 01:30 GMT: 15 minutes are needed between conferences"], touching.Errors["RoomId"]);

        var overlapping = world.Form(secondParties, sunday, "01:00", facilitator: world.Colleague);
        (overlapping.Occurrence, overlapping.ConfirmedWarnings) = ("GMT", true);
        Assert.Equal(["Room 2 is booked 01:30 BST – 01:30 GMT"], (await world.Booking.BookAsync(second, overlapping, world.OfficerPrincipal)).Errors["RoomId"]);
        Assert.Equal("Sunday 31 October 2027, 01:30 BST – 01:30 GMT", ConferenceWords.Span(
            (await world.Queries.ForCaseAsync(first, world.Officer.Id)).Single().StartsAt, (await world.Queries.ForCaseAsync(first, world.Officer.Id)).Single().EndsAt));
    }

    [Theory]
    [InlineData("length-0")]
    [InlineData("length-9h")]
    [InlineData("other-school-room")]
    [InlineData("foreign-participant")]
    [InlineData("forged-facilitator")]
    [InlineData("past")]
    public async Task Bad_booking_input_is_refused_at_its_field_with_nothing_saved(string problem)
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var form = world.Form(parties, Tuesday, "10:00");
        var field = problem switch
        {
            "length-0" => Set(() => form.LengthMinutes = 0, "LengthMinutes"),
            "length-9h" => Set(() => form.LengthMinutes = 9 * 60, "LengthMinutes"),
            "other-school-room" => Set(() => form.RoomId = world.OtherSchoolRoom, "RoomId"),
            "foreign-participant" => Set(() => form.ParticipantIds.Add(Guid.NewGuid()), "ParticipantIds"),
            "forged-facilitator" => Set(() => form.FacilitatorId = Guid.NewGuid(), "FacilitatorId"),
            _ => Set(() => form.Date = RjConferences.Components.Forms.DateInput.From(new DateOnly(2026, 6, 15)), "Date"),
        };
        if (problem == "past") form.StartTime = "07:00";

        var result = await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal);

        Assert.True(result.Errors.ContainsKey(field), $"expected {field}, got {string.Join(", ", result.Errors.Keys)}");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM conferences"));
        Assert.Equal(CaseStatus.ReadyToSchedule, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    private static string Set(Action change, string field)
    {
        change();
        return field;
    }

    [Fact]
    public async Task A_weekend_time_asks_for_confirmation_before_anything_is_saved()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var form = world.Form(parties, new DateOnly(2026, 6, 20), "10:00");

        var first = await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal);
        Assert.False(first.Saved);
        Assert.Contains(first.Warnings, w => w.Contains("weekend"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM conferences"));

        form.ConfirmedWarnings = true;
        Assert.True((await world.Booking.BookAsync(caseId, form, world.OfficerPrincipal)).Saved);
    }

    [Fact]
    public async Task A_case_that_is_not_ready_or_outside_scope_cannot_be_booked()
    {
        var notReady = (await world.Referrals.SaveAsync(ReferralForms.Valid(world.SchoolId), world.Officer.Id)).CaseId!.Value;
        var (ready, parties) = await world.ReadyCaseAsync();

        var early = await world.Booking.BookAsync(notReady, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);
        var stranger = await world.Booking.BookAsync(ready, world.Form(parties, Tuesday, "10:00"), SchedulingWorld.Principal(world.Stranger, Roles.Referrer));

        Assert.Contains("ready to schedule", early.Errors[""].Single());
        Assert.Equal("This case was not found", stranger.Errors[""].Single());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM conferences"));
    }

    /// <summary>
    /// Two people open "Change the time" on the same conference: the second save started from a version
    /// of the case that the first one changed, so it is refused and the first one's time stays.
    /// </summary>
    [Fact]
    public async Task A_reschedule_from_a_stale_version_of_the_case_is_refused_and_the_other_save_stays()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);
        var conferenceId = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().Id;
        var opened = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version;
        var first = world.Form(parties, Tuesday, "14:00");
        first.Reason = "The harmed pupil has an exam in the morning";
        first.CaseVersion = opened;
        var second = world.Form(parties, Tuesday, "15:00");
        second.Reason = "The facilitator is in court in the morning";
        second.CaseVersion = opened;
        var unversioned = world.Form(parties, Tuesday, "16:00");
        unversioned.Reason = "A forged request without the version";

        Assert.True((await world.Booking.RescheduleAsync(conferenceId, first, world.OfficerPrincipal)).Saved);
        var stale = await world.Booking.RescheduleAsync(conferenceId, second, world.OfficerPrincipal);
        var forged = await world.Booking.RescheduleAsync(conferenceId, unversioned, world.OfficerPrincipal);

        Assert.Equal(SaveOutcome.Conflict, stale.Outcome);
        Assert.Equal(SaveOutcome.Conflict, forged.Outcome);
        var conference = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single();
        Assert.Equal(["booked", "rescheduled"], conference.History.Select(h => h.Kind));
        Assert.Equal("14:00", LondonTime.ToLondon(conference.StartsAt).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Rescheduling_keeps_every_earlier_time_and_the_invitation_sequence_rises_then_cancels()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);
        var conferenceId = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().Id;

        var noReason = await world.Booking.RescheduleAsync(conferenceId, world.Form(parties, Tuesday, "14:00"), world.OfficerPrincipal);
        Assert.True(noReason.Errors.ContainsKey("Reason"));
        var move = world.Form(parties, Tuesday, "14:00");
        move.Reason = "The harmed pupil has an exam in the morning";
        move.CaseVersion = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version;
        Assert.True((await world.Booking.RescheduleAsync(conferenceId, move, world.OfficerPrincipal)).Saved);
        var again = world.Form(parties, new DateOnly(2026, 6, 17), "09:00");
        again.Reason = "Room needed for assembly";
        again.CaseVersion = (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Version;
        Assert.True((await world.Booking.RescheduleAsync(conferenceId, again, world.OfficerPrincipal)).Saved);

        var conference = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single();
        Assert.Equal(["booked", "rescheduled", "rescheduled"], conference.History.Select(h => h.Kind));
        Assert.Equal([10, 10, 14], conference.History.Select(h => RjConferences.Components.LondonTime.ToLondon(h.StartsAt).Hour));
        Assert.Equal(2, conference.Sequence);

        var invite = Calendar.Load((await world.Queries.InviteAsync(conferenceId, world.Officer.Id))!.Value.Content is var bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "")!;
        var evt = invite.Events.Single();
        Assert.Equal("REQUEST", invite.Method);
        Assert.Equal(2, evt.Sequence);
        Assert.Equal(new DateTime(2026, 6, 17, 8, 0, 0, DateTimeKind.Utc), evt.DtStart!.AsUtc);
        Assert.Equal(new DateTime(2026, 6, 17, 9, 0, 0, DateTimeKind.Utc), evt.DtEnd!.AsUtc);
        Assert.Equal("Europe/London", evt.DtStart.TzId);
        Assert.Equal("RJ conference RJ-2026-00001", evt.Summary);
        Assert.Equal("Room 2, Langdon Park, Newham", evt.Location);
        Assert.Equal(CalendarInvite.Uid(conferenceId), evt.Uid);

        Assert.True(((await world.Booking.EndAsync(conferenceId, "cancelled", "The young person is ill", [], world.OfficerPrincipal)).Errors).IsEmpty);
        var cancelled = Calendar.Load(System.Text.Encoding.UTF8.GetString((await world.Queries.InviteAsync(conferenceId, world.Officer.Id))!.Value.Content))!;
        Assert.Equal("CANCEL", cancelled.Method);
        Assert.Equal(3, cancelled.Events.Single().Sequence);
        Assert.Equal(CaseStatus.ReadyToSchedule, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM audit_events WHERE action = 'disclose' AND recipient = 'calendar invitation'"));
    }

    [Fact]
    public async Task The_invitation_carries_no_childs_name()
    {
        var (caseId, parties) = await world.ReadyCaseAsync("Şükrü", "Yılmaz");
        await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);
        var conferenceId = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().Id;

        var ics = System.Text.Encoding.UTF8.GetString((await world.Queries.InviteAsync(conferenceId, world.Officer.Id))!.Value.Content);

        Assert.DoesNotContain("Yılmaz", ics);
        Assert.DoesNotContain("Olivia", ics);
        Assert.Null(await world.Queries.InviteAsync(conferenceId, world.Stranger.Id));
    }

    [Fact]
    public async Task Not_held_records_who_did_not_attend_and_the_case_can_be_booked_again()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, Tuesday, "10:00"), world.OfficerPrincipal);
        var conferenceId = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single().Id;
        var harmed = parties.Single(p => p.PartyRole == "harmed").Id;

        var tooEarly = (await world.Booking.EndAsync(conferenceId, "not_held", "The harmed pupil did not come", [harmed], world.OfficerPrincipal)).Errors;
        Assert.False(tooEarly.IsEmpty);
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 16, 11, 0, 0, TimeSpan.Zero));
        Assert.True(((await world.Booking.EndAsync(conferenceId, "not_held", "The harmed pupil did not come", [harmed], world.OfficerPrincipal)).Errors).IsEmpty);

        var conference = (await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).Single();
        Assert.Equal("not_held", conference.Status);
        Assert.False(conference.Participants.Single(p => p.PartyId == harmed).Attended);
        Assert.Equal(CaseStatus.ReadyToSchedule, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    [Fact]
    public async Task Find_times_suggests_five_free_school_day_slots_around_existing_bookings()
    {
        var (first, firstParties) = await world.ReadyCaseAsync("Kwame", "Mensah");
        var (second, secondParties) = await world.ReadyCaseAsync("Zofia", "Nowak", "2012-05-05");
        // Monday 15 June at 08:00: Room 2 is taken 08:30–10:00.
        var booked = world.Form(firstParties, new DateOnly(2026, 6, 15), "08:30", length: 90);
        Assert.True((await world.Booking.BookAsync(first, booked, world.OfficerPrincipal)).Saved);

        var slots = await world.Queries.FindTimesAsync(second, world.Form(secondParties, Tuesday, "10:00"), world.OfficerPrincipal);

        Assert.Equal(5, slots.Count);
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 9, 15, 0, TimeSpan.Zero), slots[0]); // 10:15 BST
        var pick = world.Form(secondParties, RjConferences.Components.LondonTime.DateOf(slots[0]), "10:15");
        Assert.True((await world.Booking.BookAsync(second, pick, world.OfficerPrincipal)).Saved);
    }

    [Fact]
    public async Task Find_times_for_a_reschedule_does_not_count_the_conference_being_moved_as_busy()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var monday = new DateOnly(2026, 6, 15);
        var booked = await world.Booking.BookAsync(caseId, world.Form(parties, monday, "08:30"), world.OfficerPrincipal);
        var form = world.Form(parties, monday, "08:30");

        var asNew = await world.Queries.FindTimesAsync(caseId, form, world.OfficerPrincipal);
        var moving = await world.Queries.FindTimesAsync(caseId, form, world.OfficerPrincipal, excluding: booked.ConferenceId);

        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 45, 0, TimeSpan.Zero), asNew[0]); // 09:45 BST, after 08:30–09:30 and the buffer
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 7, 30, 0, TimeSpan.Zero), moving[0]); // 08:30 BST, its own time
    }
}
