using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Agreements;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;
using Xunit.Abstractions;

namespace RjConferences.Tests.Components;

/// <summary>
/// What one case page costs the database: a case with two conferences, each with an agreement (the
/// first broken, so that a second conference was held), opened by PC Jones. Counted by
/// <see cref="Db.Usage"/> on the page's own services: every command created (one per Dapper call) and
/// every connection opened. Before issue 13 item 5: 24 commands (22 queries, BEGIN and COMMIT) on 6 connections, growing with
/// each conference and agreement (N+1).
/// </summary>
// Statements are counted by a counting SqliteConnection (Npgsql's connection is sealed); how many a page runs is a
// property of the page's code, the same on both databases, so it is measured on SQLite.
[Trait("Category", "SqliteOnly")]
public class CasePageQueryCountTests(ITestOutputHelper output) : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference first = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        first = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(first.ConferenceId, first.Agreement(), world.OfficerPrincipal)).Saved);
        var tracking = world.Services.GetRequiredService<ActionTracking>();
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 2, 9, 0, 0, TimeSpan.Zero));
        var progress = (await tracking.LoadAsync(first.ConferenceId, world.OfficerPrincipal))!;
        Assert.Equal(SaveOutcome.Saved, (await tracking.MissAsync(first.ConferenceId, progress.Actions[0].Id, progress.Version,
            new ActionStatusForm { On = DateInput.From(new DateOnly(2026, 7, 1)), Reason = "He did not write the letter." }, world.OfficerPrincipal)).Outcome);
        progress = (await tracking.LoadAsync(first.ConferenceId, world.OfficerPrincipal))!;
        Assert.Equal(SaveOutcome.Saved, (await tracking.HoldNewConferenceAsync(first.ConferenceId, progress.Version, "Both families asked to meet again.",
            world.OfficerPrincipal)).Outcome);
        var booked = await world.Booking.BookAsync(first.CaseId,
            world.Form([first.YoungPerson, first.Harmed, first.Parent], new DateOnly(2026, 7, 14), "10:00"), world.OfficerPrincipal);
        Assert.True(booked.Saved, string.Join("; ", booked.Errors.SelectMany(e => e.Value)));
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 14, 9, 30, 0, TimeSpan.Zero));
        Assert.True((await world.Outcomes().RecordOutcomeAsync(booked.ConferenceId!.Value,
            first.Agreement(first.Action("Write the letter to Olivia.", dueOn: new DateOnly(2026, 7, 28)),
                first.Action("Help the site team tidy the playground.", "work", new DateOnly(2026, 8, 4), hours: "2")), world.OfficerPrincipal)).Saved);

        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized(world.Officer.Email);
        auth.SetRoles(Roles.Referrer, Roles.Facilitator);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, world.Officer.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    private DbUsage Count()
    {
        var usage = new DbUsage();
        Services.GetRequiredService<Db>().Usage = usage;
        return usage;
    }

    private void Report(DbUsage usage)
    {
        output.WriteLine($"{usage.Statements} statements on {usage.Connections} connections");
        foreach (var text in usage.Texts)
        {
            output.WriteLine("  " + string.Join(' ', text.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)));
        }
    }

    [Fact]
    public void Opening_a_case_with_two_conferences_and_two_agreements_costs_a_fixed_number_of_statements()
    {
        var usage = Count();

        var page = Render<CasePage>(p => p.Add(x => x.Id, first.CaseId));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=agreement-progress] article").Count));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=conferences] article").Count));

        Report(usage);
        // 18 queries (the case and its 7 child tables, the bank holidays, the consult audit's last row and
        // insert, conferences with participants and history, agreements with actions and extensions,
        // preparation meetings, follow-up checks), BEGIN and COMMIT of the audit row; 5 connections (one per
        // section that loads). An N+1 coming back adds two per conference or agreement.
        Assert.True(usage.Statements <= 20, $"{usage.Statements} statements:\n{string.Join('\n', usage.Texts)}");
        Assert.True(usage.Connections <= 5, $"{usage.Connections} connections");
    }

    [Fact]
    public void Opening_a_form_on_the_case_page_reads_nothing_again()
    {
        var page = Render<CasePage>(p => p.Add(x => x.Id, first.CaseId));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=agreement-progress] article").Count));
        var usage = Count();

        page.FindAll("button").First(b => b.TextContent.Trim() == "Change the case details").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Change the case details"));
        Report(usage);
        Assert.Equal(0, usage.Statements);
    }
}
