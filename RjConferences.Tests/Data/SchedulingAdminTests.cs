using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Features.Admin;
using RjConferences.Features.Conferences;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>The Administrator's scheduling data: training register, rooms, school-day hours, terms and bank holidays.</summary>
public class SchedulingAdminTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    // 07:00 UTC on Monday 15 June 2026 is 08:00 in London (BST).
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));
    private static readonly DateOnly Today = new(2026, 6, 15);
    private ServiceProvider services = null!;
    private TestUser admin = null!;
    private TestUser facilitator = null!;
    private long langdonPark, newham, rokeby;

    private AuditLog Audit => new(database.Db, clock);
    private FacilitatorTraining Training => new(database.Db, Audit, clock);
    private RoomAdministration Rooms => new(database.Db, Audit);
    private SchoolDaysAdministration SchoolDays => new(database.Db, Audit);

    public async Task InitializeAsync()
    {
        services = TestUsers.Services(database, clock);
        admin = await TestUsers.CreateAsync(services, "ada@rj.example", [Roles.Administrator]);
        facilitator = await TestUsers.CreateAsync(services, "sam.patel@newham.example", [Roles.Facilitator], ["Newham/Langdon Park"]);
        await using var connection = await database.Db.OpenAsync();
        newham = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Newham'");
        langdonPark = await connection.ExecuteScalarAsync<long>("SELECT id FROM schools WHERE borough_id = @newham AND name = 'Langdon Park'", new { newham });
        rokeby = await connection.ExecuteScalarAsync<long>("SELECT id FROM schools WHERE borough_id = @newham AND name = 'Rokeby'", new { newham });
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private Task<long> AuditCountAsync(string entityType, string entityId) => ScalarAsync<long>("""
        SELECT count(*) FROM audit_events
        WHERE action = 'admin_change' AND entity_type = @entityType AND entity_id = @entityId AND user_id = @adminId
        """, new { entityType, entityId, adminId = admin.Id.ToString("D") });

    private static TrainingForm TrainingForm(string provider, DateOnly completed, DateOnly due, DateOnly? supervision = null) => new()
    {
        Provider = provider, CompletedOn = DateInput.From(completed), RefresherDueOn = DateInput.From(due), LastSupervisionOn = DateInput.From(supervision),
    };

    private static TermForm Term(string name, DateOnly starts, DateOnly ends, bool allBoroughs = false) => new()
    {
        Name = name, StartsOn = DateInput.From(starts), EndsOn = DateInput.From(ends), AllBoroughs = allBoroughs,
    };

    // ---- Facilitator training ----

    [Fact]
    public async Task The_register_lists_enabled_facilitators_only_with_their_status_as_of_today()
    {
        var lapsed = await TestUsers.CreateAsync(services, "lee@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var untrained = await TestUsers.CreateAsync(services, "uma@newham.example", [Roles.Facilitator], ["Newham/Langdon Park"]);
        var gone = await TestUsers.CreateAsync(services, "gone@newham.example", [Roles.Facilitator], ["Newham/Langdon Park"]);
        await TestUsers.CreateAsync(services, "rita@newham.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        await Training.SaveAsync(facilitator.Id, TrainingForm("Restorative Justice Council", new(2025, 1, 10), Today), null, admin.Id);
        await Training.SaveAsync(lapsed.Id, TrainingForm("Why me?", new(2023, 3, 1), new(2026, 6, 14)), null, admin.Id);
        await services.CreateScope().ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(gone.Id, true, admin.Id);

        var (list, total) = await Training.ListAsync(1);

        Assert.Equal(3, total);
        Assert.Equal(["lee", "sam.patel", "uma"], list.Select(f => f.DisplayName));
        Assert.Equal("Refresher overdue since 15 June 2026", list[0].Status(Today));
        Assert.Equal("Current", list[1].Status(Today)); // due today: still current today
        Assert.Equal("Restorative Justice Council", list[1].Provider);
        Assert.Equal("No training recorded", list[2].Status(Today));
        Assert.Null(list[2].CompletedOn);
        Assert.Null(await Training.GetAsync(gone.Id));
        Assert.Equal(untrained.Id, list[2].UserId);
    }

    [Fact]
    public async Task Each_bad_training_field_gets_its_own_message_and_nothing_is_saved()
    {
        var (outcome, errors) = await Training.SaveAsync(facilitator.Id, new TrainingForm(), null, admin.Id);

        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["Enter the training provider"], errors["Provider"]);
        Assert.Equal(["Enter the date completed"], errors["CompletedOn"]);
        Assert.Equal(["Enter the refresher due date"], errors["RefresherDueOn"]);
        Assert.False(errors.ContainsKey("LastSupervisionOn")); // optional

        errors = FacilitatorTraining.Validate(new TrainingForm
        {
            Provider = new string('x', 201),
            CompletedOn = new DateInput { Day = "31", Month = "2", Year = "2026" },
            RefresherDueOn = new DateInput { Day = "1", Month = "1" },
            LastSupervisionOn = new DateInput { Day = "1", Month = "1", Year = "2027" },
        }, Today, out _);
        Assert.Equal(["The training provider must be 200 characters or fewer"], errors["Provider"]);
        Assert.Equal(["Date completed must be a real date"], errors["CompletedOn"]);
        Assert.Equal(["Refresher due date must include a year"], errors["RefresherDueOn"]);
        Assert.Equal(["Date of the last case supervision must be today or in the past"], errors["LastSupervisionOn"]);

        errors = FacilitatorTraining.Validate(TrainingForm("RJC", Today.AddDays(1), Today.AddYears(2)), Today, out _);
        Assert.Equal(["Date completed must be today or in the past"], errors["CompletedOn"]);

        errors = FacilitatorTraining.Validate(TrainingForm("RJC", new(2026, 1, 10), new(2026, 1, 10), new(2026, 1, 9)), Today, out _);
        Assert.Equal(["Refresher due date must be after the date completed"], errors["RefresherDueOn"]);
        Assert.Equal(["Date of the last case supervision must be on or after the date completed"], errors["LastSupervisionOn"]);

        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM facilitator_training"));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'admin_change' AND entity_type = 'facilitator_training'"));
    }

    [Fact]
    public async Task Recording_and_changing_training_is_saved_versioned_and_audited()
    {
        var (outcome, errors) = await Training.SaveAsync(facilitator.Id,
            TrainingForm(" Restorative Justice Council ", new(2025, 1, 10), new(2027, 1, 10), new(2026, 5, 1)), null, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        Assert.Empty(errors);

        var saved = (await Training.GetAsync(facilitator.Id))!;
        Assert.Equal(("Restorative Justice Council", new DateOnly(2025, 1, 10), new DateOnly(2027, 1, 10), new DateOnly(2026, 5, 1), 1L),
            (saved.Provider, saved.CompletedOn, saved.RefresherDueOn, saved.LastSupervisionOn, saved.Version));

        (outcome, _) = await Training.SaveAsync(facilitator.Id, TrainingForm("RJC", new(2026, 6, 1), new(2028, 6, 1)), saved.Version, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        var changed = (await Training.GetAsync(facilitator.Id))!;
        Assert.Equal(2L, changed.Version);
        Assert.Null(changed.LastSupervisionOn);
        Assert.Equal(2, await AuditCountAsync("facilitator_training", facilitator.Id.ToString()));
        Assert.True((await Audit.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task A_save_over_someone_elses_newer_save_is_a_conflict_and_theirs_is_kept()
    {
        // Two administrators open the empty record; the first to save wins.
        Assert.Equal(SaveOutcome.Saved, (await Training.SaveAsync(facilitator.Id, TrainingForm("First", new(2025, 1, 10), new(2027, 1, 10)), null, admin.Id)).Outcome);
        Assert.Equal(SaveOutcome.Conflict, (await Training.SaveAsync(facilitator.Id, TrainingForm("Second", new(2025, 2, 10), new(2027, 2, 10)), null, admin.Id)).Outcome);

        // Both open version 1; the second save is refused.
        Assert.Equal(SaveOutcome.Saved, (await Training.SaveAsync(facilitator.Id, TrainingForm("Third", new(2025, 1, 10), new(2027, 1, 10)), 1, admin.Id)).Outcome);
        Assert.Equal(SaveOutcome.Conflict, (await Training.SaveAsync(facilitator.Id, TrainingForm("Fourth", new(2025, 1, 10), new(2027, 1, 10)), 1, admin.Id)).Outcome);

        var record = (await Training.GetAsync(facilitator.Id))!;
        Assert.Equal(("Third", 2L), (record.Provider, record.Version));
        Assert.Equal(2, await AuditCountAsync("facilitator_training", facilitator.Id.ToString()));
    }

    [Fact]
    public async Task Training_can_be_recorded_only_for_an_enabled_facilitator()
    {
        var referrer = await TestUsers.CreateAsync(services, "rita@newham.example", [Roles.Referrer], ["Newham/Langdon Park"]);

        var (outcome, _) = await Training.SaveAsync(referrer.Id, TrainingForm("RJC", new(2025, 1, 10), new(2027, 1, 10)), null, admin.Id);

        Assert.Equal(SaveOutcome.NotFound, outcome);
        Assert.Null(await Training.GetAsync(referrer.Id));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM facilitator_training"));
    }

    // ---- Rooms ----

    [Fact]
    public async Task A_room_is_added_and_a_second_room_of_the_same_name_at_that_school_is_refused_at_the_field()
    {
        var (id, errors) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = " Room 2 ", Capacity = "10" }, admin.Id)).ValueAndErrors();
        Assert.Empty(errors);
        var room = Assert.Single(await Rooms.ListAsync(langdonPark));
        Assert.Equal(new RoomItem(id!.Value, langdonPark, "Room 2", 10), room);
        Assert.Equal(1, await AuditCountAsync("room", id.Value.ToString()));

        (var duplicate, errors) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = "room 2", Capacity = "6" }, admin.Id)).ValueAndErrors();
        Assert.Null(duplicate);
        Assert.Equal(["There is already a room called room 2 at this school"], errors["Name"]);
        Assert.Single(await Rooms.ListAsync(langdonPark));

        (var elsewhere, errors) = (await Rooms.AddAsync(rokeby, new RoomForm { Name = "Room 2", Capacity = "6" }, admin.Id)).ValueAndErrors();
        Assert.NotNull(elsewhere); // unique within a school only
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("", "10", "Name", "Enter the name of the room")]
    [InlineData("Room 1", "", "Capacity", "Enter how many people the room holds")]
    [InlineData("Room 1", "1", "Capacity", "Capacity must be a whole number from 2 to 100")]
    [InlineData("Room 1", "101", "Capacity", "Capacity must be a whole number from 2 to 100")]
    [InlineData("Room 1", "ten", "Capacity", "Capacity must be a whole number from 2 to 100")]
    [InlineData("Room 1", "-5", "Capacity", "Capacity must be a whole number from 2 to 100")]
    public async Task A_bad_room_is_refused_at_its_field(string name, string capacity, string field, string message)
    {
        var (id, errors) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = name, Capacity = capacity }, admin.Id)).ValueAndErrors();

        Assert.Null(id);
        Assert.Equal([message], errors[field]);
        Assert.Empty(await Rooms.ListAsync(langdonPark));
    }

    [Fact]
    public void A_room_name_over_100_characters_is_refused()
    {
        var errors = RoomAdministration.Validate(new RoomForm { Name = new string('r', 101), Capacity = "2" }, out _, out _);
        Assert.Equal(["The name of the room must be 100 characters or fewer"], errors["Name"]);
        Assert.True(RoomAdministration.Validate(new RoomForm { Name = new string('r', 100), Capacity = "100" }, out _, out _).IsEmpty);
    }

    [Fact]
    public async Task A_room_is_renamed_unless_someone_else_changed_it_first_or_the_name_is_taken()
    {
        var (id, _) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = "Room 1", Capacity = "8" }, admin.Id)).ValueAndErrors();
        await Rooms.AddAsync(langdonPark, new RoomForm { Name = "Library", Capacity = "20" }, admin.Id);
        var original = (await Rooms.ListAsync(langdonPark)).Single(r => r.Id == id);

        var (outcome, errors) = await Rooms.UpdateAsync(original, new RoomForm { Name = "LIBRARY", Capacity = "8" }, admin.Id);
        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["There is already a room called LIBRARY at this school"], errors["Name"]);

        (outcome, _) = await Rooms.UpdateAsync(original, new RoomForm { Name = "Meeting room", Capacity = "12" }, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        (outcome, _) = await Rooms.UpdateAsync(original, new RoomForm { Name = "Room 9", Capacity = "4" }, admin.Id);
        Assert.Equal(SaveOutcome.Conflict, outcome); // it is no longer "Room 1", capacity 8

        Assert.Equal(new RoomItem(id!.Value, langdonPark, "Meeting room", 12), (await Rooms.ListAsync(langdonPark)).Single(r => r.Id == id));
        Assert.Equal(2, await AuditCountAsync("room", id.Value.ToString())); // added, changed
    }

    [Fact]
    public async Task A_room_that_a_conference_uses_cannot_be_removed_and_an_unused_one_can()
    {
        var (used, _) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = "Room 2", Capacity = "10" }, admin.Id)).ValueAndErrors();
        var (unused, _) = (await Rooms.AddAsync(langdonPark, new RoomForm { Name = "Room 3", Capacity = "10" }, admin.Id)).ValueAndErrors();
        await InsertConferenceAsync(used!.Value, "cancelled");

        var (outcome, errors) = await Rooms.RemoveAsync(used.Value, admin.Id);

        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.StartsWith("Room 2 cannot be removed: conferences have been booked in it", Assert.Single(errors[""]));
        Assert.Contains(await Rooms.ListAsync(langdonPark), r => r.Id == used);

        (outcome, errors) = await Rooms.RemoveAsync(unused!.Value, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        Assert.Empty(errors);
        Assert.Equal([used.Value], (await Rooms.ListAsync(langdonPark)).Select(r => r.Id));
        Assert.Equal(2, await AuditCountAsync("room", unused.Value.ToString())); // added, removed
        Assert.Equal(SaveOutcome.NotFound, (await Rooms.RemoveAsync(unused.Value, admin.Id)).Outcome);
    }

    /// <summary>A conference row written directly (with the minimum of a case behind it), to put a room in use.</summary>
    private async Task InsertConferenceAsync(long roomId, string status)
    {
        await using var connection = await database.Db.OpenAsync();
        var caseId = Guid.NewGuid();
        var now = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
        await connection.ExecuteAsync("""
            INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity,
                               admitted, outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, updated_at)
            VALUES (@caseId, 'RJ-2026-00001', @langdonPark, 'ready_to_schedule', 'on_school_premises', @now, '2026-05-30', 1, 1,
                    TRUE, 'community_resolution', TRUE, @now, '2026-06-01', @userId, @submission, @now)
            """, new { caseId, langdonPark, now, userId = facilitator.Id, submission = Guid.NewGuid().ToString() });
        await connection.ExecuteAsync("""
            INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, created_by, created_at, updated_at)
            VALUES (@id, @caseId, @langdonPark, @roomId, '2026-06-16T09:00:00.0000000Z', '2026-06-16T10:00:00.0000000Z', @userId, @status, @userId, @now, @now)
            """, new { id = Guid.NewGuid(), caseId, langdonPark, roomId, userId = facilitator.Id, status, now });
    }

    // ---- School-day hours ----

    [Fact]
    public async Task School_day_hours_are_validated_saved_audited_and_used_by_the_booking_calendar()
    {
        var original = await SchoolDays.GetHoursAsync();
        Assert.Equal(new SchoolDayHours("08:30", "17:00"), original);

        var (outcome, errors) = await SchoolDays.SaveHoursAsync(original, new HoursForm { Start = "8.30", End = "" }, admin.Id);
        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["Enter the start of the school day as hours and minutes on the 24-hour clock, like 08:30"], errors["Hours.Start"]);
        Assert.Equal(["Enter the end of the school day, like 08:30"], errors["Hours.End"]);

        (_, errors) = await SchoolDays.SaveHoursAsync(original, new HoursForm { Start = "16:00", End = "16:00" }, admin.Id);
        Assert.Equal(["The end of the school day must be after its start"], errors["Hours.End"]);

        (outcome, _) = await SchoolDays.SaveHoursAsync(original, new HoursForm { Start = "8:00", End = "16:45" }, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        Assert.Equal(new SchoolDayHours("08:00", "16:45"), await SchoolDays.GetHoursAsync());
        Assert.Equal(1, await AuditCountAsync("setting", "school_day_hours"));

        (outcome, _) = await SchoolDays.SaveHoursAsync(original, new HoursForm { Start = "09:00", End = "15:00" }, admin.Id);
        Assert.Equal(SaveOutcome.Conflict, outcome); // someone else's 08:00–16:45 is kept
        await using var connection = await database.Db.OpenAsync();
        var calendar = await ConferenceBooking.CalendarAsync(connection, null, newham);
        Assert.Equal((new TimeOnly(8, 0), new TimeOnly(16, 45)), (calendar.DayStart, calendar.DayEnd));
    }

    // ---- Term dates ----

    [Fact]
    public async Task A_term_that_overlaps_another_term_of_the_borough_is_refused()
    {
        // Summer 2 2026 runs 1 June to 22 July in every borough.
        var (outcome, errors) = await SchoolDays.AddTermAsync(newham, Term("Summer school", new(2026, 7, 22), new(2026, 7, 31)), admin.Id);

        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["These dates overlap Summer 2 (1 June 2026 to 22 July 2026). Terms of a borough cannot overlap."], errors["Term.StartsOn"]);
        Assert.DoesNotContain(await SchoolDays.ListTermsAsync(newham, 2026), t => t.Name == "Summer school");

        (outcome, errors) = await SchoolDays.AddTermAsync(newham, Term("Summer school", new(2026, 7, 23), new(2026, 7, 31)), admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        var added = Assert.Single(await SchoolDays.ListTermsAsync(newham, 2026), t => t.Name == "Summer school");
        Assert.Equal(1, await AuditCountAsync("term_date", added.Id.ToString()));
    }

    [Fact]
    public async Task A_term_must_have_a_name_and_end_on_or_after_its_start()
    {
        var (outcome, errors) = await SchoolDays.AddTermAsync(newham, new TermForm
        {
            Name = " ", StartsOn = DateInput.From(new DateOnly(2029, 1, 8)), EndsOn = DateInput.From(new DateOnly(2029, 1, 7)),
        }, admin.Id);

        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["Enter the name of the term"], errors["Term.Name"]);
        Assert.Equal(["Last day of term must be on or after the first day of term"], errors["Term.EndsOn"]);
        Assert.Empty(await SchoolDays.ListTermsAsync(newham, 2029));
    }

    [Fact]
    public async Task A_term_added_to_every_borough_is_added_to_all_15_or_to_none()
    {
        var (outcome, _) = await SchoolDays.AddTermAsync(newham, Term("Spring 1", new(2029, 1, 8), new(2029, 2, 9), allBoroughs: true), admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        Assert.Equal(15, await ScalarAsync<long>("SELECT count(*) FROM term_dates WHERE starts_on = '2029-01-08'"));
        Assert.Equal(15, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'admin_change' AND entity_type = 'term_date'"));

        // Brent alone gets a term in March; adding one to every borough that overlaps it adds nothing anywhere.
        var brent = await ScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Brent'");
        await SchoolDays.AddTermAsync(brent, Term("Spring 2", new(2029, 2, 19), new(2029, 3, 29)), admin.Id);
        var (refused, errors) = await SchoolDays.AddTermAsync(newham, Term("Spring 2", new(2029, 2, 26), new(2029, 3, 29), allBoroughs: true), admin.Id);

        Assert.Equal(SaveOutcome.Invalid, refused);
        Assert.Equal(["These dates overlap Spring 2 (19 February 2029 to 29 March 2029) in Brent. Terms of a borough cannot overlap."], errors["Term.StartsOn"]);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM term_dates WHERE starts_on = '2029-02-26'"));
    }

    [Fact]
    public async Task A_term_is_changed_or_deleted_unless_someone_else_changed_it_first()
    {
        var summer2 = (await SchoolDays.ListTermsAsync(newham, 2026)).Single(t => t.Name == "Summer 2");

        // Moving its own end date does not count as overlapping itself; running into Autumn 1 does.
        var (outcome, errors) = await SchoolDays.UpdateTermAsync(summer2, Term("Summer 2", new(2026, 6, 1), new(2026, 9, 3)), admin.Id);
        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Contains("overlap Autumn 1", Assert.Single(errors["Term.StartsOn"]));
        (outcome, _) = await SchoolDays.UpdateTermAsync(summer2, Term("Summer 2", new(2026, 6, 1), new(2026, 7, 17)), admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);

        (outcome, _) = await SchoolDays.UpdateTermAsync(summer2, Term("Summer 2", new(2026, 6, 1), new(2026, 7, 10)), admin.Id);
        Assert.Equal(SaveOutcome.Conflict, outcome);
        Assert.Equal(SaveOutcome.Conflict, await SchoolDays.DeleteTermAsync(summer2, admin.Id));

        var current = (await SchoolDays.ListTermsAsync(newham, 2026)).Single(t => t.Id == summer2.Id);
        Assert.Equal(new DateOnly(2026, 7, 17), current.EndsOn);
        Assert.Equal(SaveOutcome.Saved, await SchoolDays.DeleteTermAsync(current, admin.Id));
        Assert.DoesNotContain(await SchoolDays.ListTermsAsync(newham, 2026), t => t.Id == summer2.Id);
        Assert.Equal(2, await AuditCountAsync("term_date", summer2.Id.ToString())); // changed, deleted
        // Other boroughs keep their own Summer 2.
        Assert.Equal(14, await ScalarAsync<long>("SELECT count(*) FROM term_dates WHERE name = 'Summer 2' AND starts_on = '2026-06-01'"));
    }

    // ---- Bank holidays ----

    [Fact]
    public async Task Bank_holidays_are_listed_by_year_added_once_and_deleted_with_an_audit_trail()
    {
        Assert.Equal(8, (await SchoolDays.ListBankHolidaysAsync(2026)).Count);
        Assert.Equal([2026, 2027, 2028, 2029], await SchoolDays.BankHolidayYearsAsync(2029));

        var (outcome, errors) = await SchoolDays.AddBankHolidayAsync(new BankHolidayForm { Date = DateInput.From(new DateOnly(2026, 12, 25)), Name = "Christmas" }, admin.Id);
        Assert.Equal(SaveOutcome.Invalid, outcome);
        Assert.Equal(["25 December 2026 is already a bank holiday (Christmas Day)"], errors["Holiday.Date"]);

        (_, errors) = await SchoolDays.AddBankHolidayAsync(new BankHolidayForm { Date = new DateInput { Day = "30", Month = "2", Year = "2029" } }, admin.Id);
        Assert.Equal(["Date of the bank holiday must be a real date"], errors["Holiday.Date"]);
        Assert.Equal(["Enter the name of the bank holiday"], errors["Holiday.Name"]);

        (outcome, _) = await SchoolDays.AddBankHolidayAsync(new BankHolidayForm { Date = DateInput.From(new DateOnly(2029, 1, 1)), Name = "New Year's Day" }, admin.Id);
        Assert.Equal(SaveOutcome.Saved, outcome);
        Assert.Equal([new BankHolidayItem(new DateOnly(2029, 1, 1), "New Year's Day")], await SchoolDays.ListBankHolidaysAsync(2029));

        Assert.Equal(SaveOutcome.Saved, await SchoolDays.DeleteBankHolidayAsync(new DateOnly(2029, 1, 1), admin.Id));
        Assert.Equal(SaveOutcome.NotFound, await SchoolDays.DeleteBankHolidayAsync(new DateOnly(2029, 1, 1), admin.Id));
        Assert.Empty(await SchoolDays.ListBankHolidaysAsync(2029));
        Assert.Equal(2, await AuditCountAsync("bank_holiday", "2029-01-01"));
        Assert.True((await Audit.VerifyAsync()).Intact);
    }
}
