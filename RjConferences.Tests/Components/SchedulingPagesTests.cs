using System.Globalization;
using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RjConferences.Features.Conferences;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// The booking and reschedule pages, the case page's conference and preparation sections and the
/// facilitator's week, rendered by bUnit over
/// the scheduling world (Langdon Park, Rooms 1 and 2, PC Jones a current facilitator; Monday 15 June 2026, 08:00).
/// </summary>
public class SchedulingPagesTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized(world.Officer.Email);
        auth.SetRoles(Roles.Referrer, Roles.Facilitator); // before SetClaims: bUnit rebuilds the principal without earlier claims
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, world.Officer.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    async Task IAsyncLifetime.DisposeAsync() => await world.DisposeAsync();

    private IRenderedComponent<BookConferencePage> OpenBooking(Guid caseId)
    {
        var page = Render<BookConferencePage>(p => p.Add(x => x.CaseId, caseId));
        // Rooms, then the school's facilitators, are loaded once the form is shown.
        page.WaitForAssertion(() => Assert.True(page.FindAll("#field-RoomId option").Count > 1 && page.FindAll("#field-FacilitatorId option").Count > 1));
        return page;
    }

    private static void Fill(IRenderedComponent<IComponent> page, DateOnly date, string time, long? room = null)
    {
        Change(page, "#field-Date", date.Day.ToString(CultureInfo.InvariantCulture));
        Change(page, "#field-Date-month", date.Month.ToString(CultureInfo.InvariantCulture));
        Change(page, "#field-Date-year", date.Year.ToString(CultureInfo.InvariantCulture));
        Change(page, "#field-StartTime", time);
        if (room is { } r)
        {
            Change(page, "#field-RoomId", r.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Changes a field, finding it again if a render that was still on its way (the error summary taking focus
    /// after a submit) replaced its handler between the find and the change: nothing was changed then.
    /// </summary>
    private static void Change(IRenderedComponent<IComponent> page, string selector, string value)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                page.Find(selector).Change(value);
                return;
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (attempt < 5)
            {
            }
        }
    }

    private static Task Submit(IRenderedComponent<IComponent> page) => page.Find("form[aria-label='Conference booking']").SubmitAsync();

    private static string Summary(IRenderedComponent<IComponent> page) => page.Find("[data-testid=error-summary]").TextContent;

    private async Task<long> ConferencesAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM conferences");
    }

    [Fact]
    public async Task Missing_and_impossible_times_are_refused_at_their_fields_and_nothing_is_saved()
    {
        var (caseId, _) = await world.ReadyCaseAsync();
        var page = OpenBooking(caseId);
        // PC Jones books, so PC Jones is chosen as the facilitator; every party of the case is ticked.
        Assert.Equal(world.Officer.Id.ToString(), page.Find("#field-FacilitatorId").GetAttribute("value"));
        Assert.Equal(3, page.FindAll("input[type=checkbox][checked]").Count);

        await Submit(page);
        page.WaitForAssertion(() => Assert.Contains("Enter the date", Summary(page)));
        Assert.Contains("Enter the start time, like 10:00", Summary(page));
        Assert.Contains("Enter the start time, like 10:00", page.Find("#field-StartTime-error").TextContent);
        Assert.Contains("is-invalid", page.Find("#field-StartTime").ClassName);

        Fill(page, new DateOnly(2026, 6, 16), "25:00", world.Room2);
        await Submit(page);
        page.WaitForAssertion(() => Assert.Contains("Enter the start time as hours and minutes, like 10:00", page.Find("#field-StartTime-error").TextContent));
        Assert.Empty(page.FindAll("#field-Date-error"));

        // 01:30 on the last Sunday of March does not exist in London: the clocks go forward.
        Fill(page, new DateOnly(2027, 3, 28), "01:30");
        await Submit(page);
        page.WaitForAssertion(() => Assert.Contains("01:30 does not exist in London on 28 March 2027", page.Find("#field-StartTime-error").TextContent));

        Assert.Equal(0, await ConferencesAsync());
        Assert.Equal(CaseStatus.ReadyToSchedule, (await world.Cases.GetAsync(caseId, world.Officer.Id))!.Status);
    }

    [Fact]
    public async Task A_weekend_time_asks_for_confirmation_and_Book_anyway_books_it()
    {
        var (caseId, _) = await world.ReadyCaseAsync();
        var page = OpenBooking(caseId);

        Fill(page, new DateOnly(2026, 6, 20), "10:00", world.Room2);
        await Submit(page);

        page.WaitForAssertion(() => Assert.Contains("Saturday 20 June is a weekend.", page.Find("[data-testid=booking-warnings]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=error-summary]"));
        Assert.Equal(0, await ConferencesAsync());

        await page.FindAll("button").Single(b => b.TextContent == "Book anyway").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Conference booked", page.Find("h1").TextContent));
        Assert.Equal("Saturday 20 June 2026, 10:00–11:00", page.Find("[data-testid=booked-time]").TextContent);
        Assert.EndsWith("/invitation.ics", page.FindAll("a").Single(a => a.TextContent == "Download the calendar invitation (.ics)").GetAttribute("href"));
        Assert.Equal(1, await ConferencesAsync());
    }

    [Fact]
    public async Task A_time_that_happens_twice_when_the_clocks_go_back_asks_BST_or_GMT()
    {
        var (caseId, _) = await world.ReadyCaseAsync();
        var page = OpenBooking(caseId);
        Assert.Empty(page.FindAll("#field-Occurrence"));

        Fill(page, new DateOnly(2026, 10, 25), "01:30", world.Room2);
        await Submit(page);

        page.WaitForAssertion(() => Assert.Contains("01:30 happens twice on 25 October 2026", Summary(page)));
        Assert.Contains("01:30 BST, the first time", page.Find("label[for=field-Occurrence]").TextContent);
        page.Find("#field-Occurrence-GMT").Change("GMT");
        await Submit(page);
        // A Sunday in half-term, at night: the warnings follow, then "Book anyway".
        page.WaitForAssertion(() => page.Find("[data-testid=booking-warnings]"));
        await page.FindAll("button").Single(b => b.TextContent == "Book anyway").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Conference booked", page.Find("h1").TextContent));
        var conference = Assert.Single(await world.Queries.ForCaseAsync(caseId, world.Officer.Id));
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), conference.StartsAt); // 01:30 GMT, the second 01:30
    }

    [Fact]
    public async Task Rescheduling_asks_for_a_reason_then_moves_the_conference_and_keeps_the_earlier_time()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var booked = await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2026, 6, 16), "10:00"), world.OfficerPrincipal);
        var page = Render<RescheduleConferencePage>(p => p.Add(x => x.ConferenceId, booked.ConferenceId!.Value));
        page.WaitForAssertion(() => Assert.Equal("10:00", page.Find("#field-StartTime").GetAttribute("value")));

        page.Find("#field-StartTime").Change("14:00");
        await page.Find("form[aria-label='The new time']").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("Give the reason for the new time", Summary(page)));

        page.Find("#field-Reason").Change("The harmed pupil has an exam in the morning");
        await page.Find("form[aria-label='The new time']").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("New time saved", page.Find("h1").TextContent));
        Assert.Equal("Tuesday 16 June 2026, 14:00–15:00", page.Find("[data-testid=booked-time]").TextContent);
        var history = Assert.Single(await world.Queries.ForCaseAsync(caseId, world.Officer.Id)).History;
        Assert.Equal(["booked", "rescheduled"], history.Select(h => h.Kind));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 9, 0, 0, TimeSpan.Zero), history[1].StartsAt);
    }

    [Fact]
    public async Task The_case_page_shows_the_conference_and_cancelling_it_needs_a_reason_and_makes_the_case_ready_again()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2026, 6, 16), "10:00"), world.OfficerPrincipal);
        var page = Render<CasePage>(p => p.Add(x => x.Id, caseId));
        page.WaitForAssertion(() => Assert.Contains("Tuesday 16 June 2026, 10:00–11:00", page.Find("[data-testid=conferences]").TextContent));
        var section = page.Find("[data-testid=conferences]").TextContent;
        Assert.Contains("Room 2, Langdon Park", section);
        Assert.Contains("Ama Mensah – parent", section);
        Assert.Contains("Olivia Brown – harmed party (a pupil)", section);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Record not held"); // not before its time

        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel the conference").ClickAsync(new());
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel conference").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Give the reason for cancelling", Summary(page)));
        page.Find("#field-Reason").Change("The young person is ill");
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel conference").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Ready to schedule", page.Find("[data-testid=case-status]").TextContent));
        // The conference section reads the case's conferences again once the page has the case again.
        page.WaitForAssertion(() => Assert.Contains("Cancelled: The young person is ill", page.Find("[data-testid=conference-status]").TextContent));
        Assert.Contains("Download the cancellation for calendars (.ics)", page.Find("[data-testid=conferences]").TextContent);
        Assert.Contains("Book a conference", page.Find("[data-testid=conferences]").TextContent);
    }

    [Fact]
    public async Task A_facilitator_records_a_preparation_meeting_and_sees_who_is_still_to_meet()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        var page = Render<CasePage>(p => p.Add(x => x.Id, caseId));
        page.WaitForAssertion(() => Assert.Contains("Kwame Mensah, Olivia Brown, Ama Mensah", page.Find("[data-testid=preparation-missing]").TextContent));

        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Record a preparation meeting").ClickAsync(new());
        await page.Find("form[aria-labelledby=preparation-form-title]").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("Choose who the meeting was with", Summary(page)));
        Assert.Contains("Choose how you met", Summary(page));

        // Each change awaited before the next field is found (on PostgreSQL a synchronous change could reach a field whose
        // handler the previous change's render had just replaced).
        await page.Find("#field-PartyId").ChangeAsync(new ChangeEventArgs { Value = parties.Single(p => p.PartyRole == "harmed").Id.ToString() });
        await page.Find("#field-Method-phone").ChangeAsync(new ChangeEventArgs { Value = "phone" });
        await page.Find("#field-PartyReady").ChangeAsync(new ChangeEventArgs { Value = "yes" });
        await page.Find("form[aria-labelledby=preparation-form-title]").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("Olivia Brown", page.Find("[data-testid=preparation-meetings]").TextContent));
        Assert.Contains("15 June 2026", page.Find("[data-testid=preparation-meetings] tbody tr").TextContent);
        Assert.Contains("By phone", page.Find("[data-testid=preparation-meetings] tbody tr").TextContent);
        Assert.Contains("Kwame Mensah, Ama Mensah.", page.Find("[data-testid=preparation-missing]").TextContent);
    }

    [Fact]
    public async Task My_conferences_shows_the_week_with_preparation_still_missing_and_moves_a_week_at_a_time()
    {
        var (caseId, parties) = await world.ReadyCaseAsync();
        await world.Booking.BookAsync(caseId, world.Form(parties, new DateOnly(2026, 6, 17), "11:00"), world.OfficerPrincipal);
        var page = Render<MyConferencesPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=week-conference]")));
        Assert.Equal("This week: Monday 15 June to Sunday 21 June 2026", page.Find("[data-testid=week-title]").TextContent);
        var item = page.Find("[data-testid=day-2026-06-17]").TextContent;
        Assert.Contains("11:00–12:00", item);
        Assert.Contains("Room 2, Langdon Park", item);
        Assert.Contains("3 preparation meetings still missing", item);
        Assert.Equal(7, page.FindAll("section h3").Count);

        await page.FindAll("button").Single(b => b.TextContent == "Next week").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("Week: Monday 22 June to Sunday 28 June 2026", page.Find("[data-testid=week-title]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=week-conference]"));
        await page.FindAll("button").Single(b => b.TextContent == "This week").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=week-conference]")));
    }
}
