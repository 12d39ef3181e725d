using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.FollowUps;
using RjConferences.Features.MyWork;
using RjConferences.Features.Notifications;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Staff digests: PC Jones's conference on Tuesday 16 June 2026 reached an agreement of three actions, due 30 June, 14 July
/// and 28 July 2026; its 3-month follow-up check is due on 16 September. The facilitator is told of actions when they become
/// overdue, the reviewers of their borough when checks come due, and whoever turned it on gets a weekly digest of My work —
/// each once however often the job runs, and with case references and what is due only.
/// </summary>
public sealed class WorkDigestTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;
    private TestUser reviewer = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        reviewer = await TestUsers.CreateAsync(world.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        await TestUsers.CreateAsync(world.Services, "yjs@hackney.example", [Roles.YouthJusticeReviewer], boroughs: ["Hackney"]);
        conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private WorkDigests Digests => world.Services.GetRequiredService<WorkDigests>();

    /// <summary>The morning of <paramref name="day"/>: the daily job (flags overdue actions, creates checks), then the notifications job.</summary>
    private async Task<NotificationJobResult> MorningAsync(DateOnly day)
    {
        world.Clock.SetUtcNow(new DateTimeOffset(day.ToDateTime(new TimeOnly(6, 30)), TimeSpan.Zero));
        await world.Services.GetRequiredService<DailyJob>().RunAsync();
        return await world.Services.GetRequiredService<NotificationJob>().RunAsync();
    }

    private sealed record Row(string Kind, string ToAddress, string Template, string Model)
    {
        public RenderedMessage Written { get; set; } = null!;
    }

    private async Task<List<Row>> OutboxAsync(string kind)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var rows = (await connection.QueryAsync<Row>(
            "SELECT kind, to_address, template, model FROM outbox WHERE kind = @kind ORDER BY created_at, to_address", new { kind })).ToList();
        var templates = world.Services.GetRequiredService<MessageTemplates>();
        rows.ForEach(r => r.Written = templates.Render(r.Template, "email", r.Model));
        return rows;
    }

    private async Task<string> ReferenceAsync() => (await world.Cases.GetAsync(conference.CaseId, world.Officer.Id))!.Reference;

    private static void AssertNoNames(Row m)
    {
        foreach (var name in new[] { "Kwame", "Mensah", "Olivia", "Brown" })
        {
            Assert.DoesNotContain(name, m.Written.Subject + m.Written.TextBody + m.Written.HtmlBody);
        }
    }

    [Fact]
    public async Task The_facilitator_is_told_once_when_agreement_actions_become_overdue()
    {
        await MorningAsync(new DateOnly(2026, 6, 30)); // action 1 is due today: not overdue yet
        Assert.Empty(await OutboxAsync(WorkDigests.OverdueActions));

        var first = await MorningAsync(new DateOnly(2026, 7, 1));
        var again = await world.Services.GetRequiredService<NotificationJob>().RunAsync();
        await MorningAsync(new DateOnly(2026, 7, 2)); // nothing newly overdue: no digest
        Assert.Equal((1, 0), (first.Digests, again.Digests));
        var digests = await OutboxAsync(WorkDigests.OverdueActions);
        Assert.Equal(["pc.jones@newham.example"], digests.Select(d => d.ToAddress));
        var reference = await ReferenceAsync();
        Assert.Equal("Overdue agreement actions: 1", digests[0].Written.Subject);
        Assert.Contains($"- {reference}: action 1 (written apology), due 30 June 2026", digests[0].Written.TextBody);
        Assert.Contains($"/conferences/{conference.ConferenceId:D}/agreement", digests[0].Written.TextBody);

        // Action 2 becomes overdue: a digest of both.
        await MorningAsync(new DateOnly(2026, 7, 15));
        digests = await OutboxAsync(WorkDigests.OverdueActions);
        Assert.Equal(2, digests.Count);
        Assert.Equal("Overdue agreement actions: 2", digests[1].Written.Subject);
        Assert.All(digests, AssertNoNames);
    }

    [Fact]
    public async Task The_reviewers_of_the_borough_are_told_once_when_a_follow_up_check_comes_due()
    {
        await MorningAsync(new DateOnly(2026, 9, 15));
        Assert.Empty(await OutboxAsync(WorkDigests.ChecksDue));

        await MorningAsync(new DateOnly(2026, 9, 16)); // the 3-month check is created
        await world.Services.GetRequiredService<NotificationJob>().RunAsync();
        await MorningAsync(new DateOnly(2026, 9, 17));

        var digests = await OutboxAsync(WorkDigests.ChecksDue);
        Assert.Equal([reviewer.Email], digests.Select(d => d.ToAddress)); // not the reviewer in Hackney
        Assert.Equal("Follow-up checks due: 1", digests[0].Written.Subject);
        Assert.Contains($"- {await ReferenceAsync()}: 3-month follow-up check, due 16 September 2026", digests[0].Written.TextBody);
        Assert.Contains("/follow-ups", digests[0].Written.TextBody);
        Assert.All(digests, AssertNoNames);
    }

    [Fact]
    public async Task The_weekly_digest_goes_only_to_those_who_turned_it_on_once_a_week()
    {
        Assert.False(await Digests.WantsWeeklyAsync(world.Officer.Id));
        await Digests.ChooseWeeklyAsync(world.Officer.Id, true);
        Assert.True(await Digests.WantsWeeklyAsync(world.Officer.Id));

        await MorningAsync(new DateOnly(2026, 7, 6));  // Monday
        await world.Services.GetRequiredService<NotificationJob>().RunAsync();
        await MorningAsync(new DateOnly(2026, 7, 7));  // Tuesday, the same week
        var digests = await OutboxAsync(WorkDigests.Weekly);
        Assert.Equal(["pc.jones@newham.example"], digests.Select(d => d.ToAddress)); // not Sam Patel, who did not turn it on
        Assert.Equal("Your work this week, 6 July 2026", digests[0].Written.Subject);
        var text = digests[0].Written.TextBody;
        Assert.Contains("Your conferences this week", text);
        Assert.Contains("Overdue agreement actions", text);
        Assert.Contains($"- {await ReferenceAsync()}: action 1 (written apology), due 30 June 2026", text);
        Assert.Contains("Cases waiting for consent", text);
        Assert.Contains("/settings/emails", text);
        AssertNoNames(digests[0]);

        await MorningAsync(new DateOnly(2026, 7, 13)); // the next Monday
        Assert.Equal(2, (await OutboxAsync(WorkDigests.Weekly)).Count);

        // Turned off: no more; the choice is audited as the user's own change.
        await Digests.ChooseWeeklyAsync(world.Officer.Id, false);
        await MorningAsync(new DateOnly(2026, 7, 20));
        Assert.Equal(2, (await OutboxAsync(WorkDigests.Weekly)).Count);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE justification LIKE 'weekly digest of My work turned %'"));
    }
}
