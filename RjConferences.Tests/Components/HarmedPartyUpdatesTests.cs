using Bunit;
using RjConferences.Features.Agreements;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// What the case page says about telling the harmed party the agreement's outcome when the app sends it: on its way (nothing
/// to record), sent (when and how), or not sent (tell them another way and record it).
/// </summary>
public sealed class HarmedPartyUpdatesTests : CaseTestContext
{
    private IRenderedComponent<HarmedPartyUpdates> Show(string? messageStatus, string? channel, DateOnly? toldOn = null, string? toldHow = null, string? toldBy = null)
    {
        var progress = new AgreementProgress
        {
            AgreementId = Guid.NewGuid(), ConferenceId = Guid.NewGuid(), Ended = "completed", EndedAt = new DateTimeOffset(2026, 8, 3, 9, 0, 0, TimeSpan.Zero),
            HarmedWantsOutcome = true, HarmedToldOn = toldOn, HarmedToldHow = toldHow, HarmedToldByName = toldBy, MayDecide = true,
            HarmedMessageStatus = messageStatus, HarmedMessageChannel = channel, StartsAt = new DateTimeOffset(2026, 6, 16, 9, 0, 0, TimeSpan.Zero),
        };
        return Render<HarmedPartyUpdates>(p => p.Add(c => c.Progress, progress).Add(c => c.User, SchedulingWorld.Principal(new TestUser(Guid.NewGuid(), "pc.jones@newham.example", ""))));
    }

    [Fact]
    public void A_message_on_its_way_is_said_and_there_is_nothing_to_record()
    {
        var page = Show("queued", "letter");

        Assert.Equal("A letter telling the harmed party that the agreement was completed is on its way. It is recorded here when it has been sent.",
            page.Find("[data-testid=harmed-message]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=harmed-told-due]"));
    }

    [Fact]
    public void A_message_that_could_not_be_sent_asks_the_facilitator_to_tell_them_another_way()
    {
        var page = Show("failed", "email");

        Assert.Equal("An email to the harmed party could not be sent. Tell them another way, then record it below.", page.Find("[data-testid=harmed-message]").TextContent);
        Assert.Single(page.FindAll("[data-testid=harmed-told-due]"));
    }

    [Fact]
    public void A_sent_message_says_when_and_how_and_a_recorded_telling_says_who_recorded_it()
    {
        Assert.Equal("The harmed party was told on 4 August 2026 that the agreement was completed (sent by text message).",
            Normalise(Show("sent", "text", new DateOnly(2026, 8, 4), "text").Find("[data-testid=harmed-told]").TextContent));
        Assert.Equal("The harmed party was told on 4 August 2026 that the agreement was completed (recorded by PC Jones).",
            Normalise(Show(null, null, new DateOnly(2026, 8, 4), toldBy: "PC Jones").Find("[data-testid=harmed-told]").TextContent));
        Assert.Equal("The harmed party was told on 4 August 2026 that the agreement was completed by phone (recorded by PC Jones).",
            Normalise(Show(null, null, new DateOnly(2026, 8, 4), "phone", "PC Jones").Find("[data-testid=harmed-told]").TextContent));
    }

    private static string Normalise(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}
