using Microsoft.AspNetCore.Components;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Admin;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

public class AuditLogPageTests : BunitContext
{
    private static readonly Guid Alice = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Bob = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private readonly TestDatabase database = new();
    // 10:30 UTC on 15 June 2026 is 11:30 in London (BST).
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));

    public AuditLogPageTests()
    {
        Services.RegisterApp(database, clock);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        database.Dispose();
    }

    private async Task RecordAsync(AuditEvent e)
    {
        await Services.GetRequiredService<AuditLog>().RecordAsync(e);
        clock.Advance(TimeSpan.FromMinutes(1));
    }

    private async Task RecordFourEventsAsync()
    {
        await RecordAsync(new AuditEvent(AuditAction.Consult, "case", "41", Alice));
        await RecordAsync(new AuditEvent(AuditAction.Disclose, "agreement", "7", Bob, "Court order", "youth-offending-team"));
        await RecordAsync(new AuditEvent(AuditAction.Alter, "case", "41", Bob));
        await RecordAsync(new AuditEvent(AuditAction.SignInFailed));
    }

    private static List<string[]> Rows(IRenderedComponent<AuditLogPage> page) =>
        page.FindAll("tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<AuditLogPage> page, string name) =>
        page.FindAll("nav button").Single(b => b.TextContent.Trim() == name);

    [Fact]
    public async Task Shows_every_event_newest_first_in_london_time()
    {
        await RecordFourEventsAsync();

        var page = Render<AuditLogPage>();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tbody tr").Count));
        Assert.Equal("Audit log", page.Find("h1").TextContent);
        var rows = Rows(page);
        // Users are shown by name (these ids belong to no account, so they are shown as unknown users).
        Assert.Equal(["15 Jun 2026 11:33", "Not signed in", "Sign in failed", "", "", ""], rows[0]);
        Assert.Equal(["15 Jun 2026 11:31", $"Unknown user {Bob}", "Disclose", "agreement 7", "Court order", "youth-offending-team"], rows[2]);
        Assert.Equal("Page 1 of 1", page.Find("[data-testid=audit-page]").TextContent);
        Assert.Contains("4 events match", page.Find("[data-testid=audit-summary]").TextContent);
    }

    [Fact]
    public async Task A_filter_narrows_the_results()
    {
        await RecordFourEventsAsync();
        var page = Render<AuditLogPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tbody tr").Count));

        page.Find("#audit-entity-type").Change("case");
        page.Find("#audit-entity-id").Change("41");
        page.Find("#audit-user-id").Change(Bob.ToString());
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tbody tr")));
        Assert.Equal("Alter", Rows(page)[0][2]);
    }

    [Fact]
    public async Task The_action_filter_narrows_the_results()
    {
        await RecordFourEventsAsync();
        var page = Render<AuditLogPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tbody tr").Count));

        page.Find("#audit-action").Change(nameof(AuditAction.Consult));
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tbody tr")));
        Assert.Equal($"Unknown user {Alice}", Rows(page)[0][1]);
    }

    [Fact]
    public async Task A_user_id_that_is_not_an_id_is_explained_and_nothing_is_searched()
    {
        await RecordFourEventsAsync();
        var page = Render<AuditLogPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tbody tr").Count));

        page.Find("#audit-user-id").Change("alice@example.org");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Enter a user id", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Equal("#audit-user-id", page.Find("[data-testid=error-summary] a").GetAttribute("href"));
        Assert.Contains("is-invalid", page.Find("#audit-user-id").ClassName);
        Assert.Equal(4, page.FindAll("tbody tr").Count);
    }

    [Fact]
    public async Task Pages_through_results_fifty_at_a_time()
    {
        for (var i = 0; i < 60; i++)
        {
            await RecordAsync(new AuditEvent(AuditAction.Consult, "case", i.ToString(), Alice));
        }
        var page = Render<AuditLogPage>();
        page.WaitForAssertion(() => Assert.Equal(50, page.FindAll("tbody tr").Count));
        Assert.Equal("Page 1 of 2", page.Find("[data-testid=audit-page]").TextContent);
        Assert.True(Button(page, "Previous").HasAttribute("disabled"));

        Button(page, "Next").Click();

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("tbody tr").Count));
        Assert.Equal("Page 2 of 2", page.Find("[data-testid=audit-page]").TextContent);
        Assert.True(Button(page, "Next").HasAttribute("disabled"));
    }
}
