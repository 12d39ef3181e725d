using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Features.Conferences;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class PreparationMeetingTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;

    public async Task InitializeAsync() => world = await SchedulingWorld.CreateAsync();

    public async Task DisposeAsync() => await world.DisposeAsync();

    private PreparationMeetings Meetings => new(world.Database.Db, world.Work, world.Clock);

    [Fact]
    public async Task A_facilitator_records_a_meeting_with_each_party_and_my_week_shows_who_is_still_to_meet()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2026, 6, 17), "10:00"), world.OfficerPrincipal);
        var young = parties.Single(p => p.PartyRole == "responsible");

        var errors = (await Meetings.RecordAsync(caseId, new PreparationForm
        {
            PartyId = young.Id, MetOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "in_person", Notes = "Ready to say sorry.", PartyReady = true,
        }, world.OfficerPrincipal)).Errors;

        Assert.True(errors.IsEmpty);
        var meeting = Assert.Single(await Meetings.ForCaseAsync(caseId, world.Officer.Id));
        Assert.Equal("Kwame Mensah", meeting.PartyName);
        Assert.True(meeting.PartyReady);
        var week = await world.Queries.MyWeekAsync(world.Officer.Id, new DateOnly(2026, 6, 15));
        Assert.Equal(2, Assert.Single(week).MissingPreparation); // the parent and the harmed pupil
    }

    [Fact]
    public async Task Bad_meetings_are_refused_and_nothing_is_saved()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var (otherCase, otherParties) = await world.ReadyCaseAsync("Zofia", "Nowak", "2012-05-05");

        var future = (await Meetings.RecordAsync(caseId, new PreparationForm { PartyId = parties[0].Id, MetOn = DateInput.From(new DateOnly(2026, 6, 16)), Method = "phone", PartyReady = true }, world.OfficerPrincipal)).Errors;
        var wrongCase = (await Meetings.RecordAsync(caseId, new PreparationForm { PartyId = otherParties[0].Id, MetOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "phone", PartyReady = true }, world.OfficerPrincipal)).Errors;
        var notFacilitator = (await Meetings.RecordAsync(caseId, new PreparationForm { PartyId = parties[0].Id, MetOn = DateInput.From(new DateOnly(2026, 6, 15)), Method = "phone", PartyReady = true },
            SchedulingWorld.Principal(world.Officer, Roles.Referrer))).Errors;
        var empty = (await Meetings.RecordAsync(caseId, new PreparationForm(), world.OfficerPrincipal)).Errors;

        Assert.True(future.ContainsKey("MetOn"));
        Assert.True(wrongCase.ContainsKey("PartyId"));
        Assert.True(notFacilitator.ContainsKey(""));
        Assert.Equal(["PartyId", "MetOn", "Method", "PartyReady"], empty.Keys);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM preparation_meetings"));
        _ = otherCase;
    }
}
