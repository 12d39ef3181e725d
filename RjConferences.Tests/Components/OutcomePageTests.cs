using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Agreements;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>The outcome page over a real database: a conference of PC Jones on 16 June 2026 at 10:00, now 10:30.</summary>
public class OutcomePageTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;
    private BunitAuthorizationContext auth = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        auth = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    private IRenderedComponent<OutcomePage> Open(TestUser user, params string[] roles)
    {
        auth.SetAuthorized(user.Email);
        auth.SetRoles(roles.Length > 0 ? roles : [Roles.Referrer, Roles.Facilitator]);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        var page = Render<OutcomePage>(p => p.Add(x => x.Id, conference.ConferenceId));
        page.WaitForAssertion(() => Assert.Equal("Outcome of the conference", page.Find("h1").TextContent));
        return page;
    }

    // Waits for the field: on PostgreSQL a change can still be on its way to the page when the next field is looked for.
    private static IElement Field(IRenderedComponent<OutcomePage> page, string id) => page.WaitForElement($"[id='{id}']");

    private static IElement Button(IRenderedComponent<OutcomePage> page, string name) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == name);

    private static List<(string Text, string Href)> Summary(IRenderedComponent<OutcomePage> page) =>
        page.FindAll("[data-testid=error-summary] a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href")!)).ToList();

    private static void ChooseAgreement(IRenderedComponent<OutcomePage> page)
    {
        Field(page, "field-Held").Change("on");
        Field(page, "field-AgreementReached").Change("on");
        Field(page, "field-ExclusionAvoided-no").Change("on");
    }

    private static void FillAction(IRenderedComponent<OutcomePage> page, int index, string type, string text, DateOnly due)
    {
        Field(page, $"field-Actions[{index}]-Type").Change(type);
        Field(page, $"field-Actions[{index}]-Text").Change(text);
        Field(page, $"field-Actions[{index}]-DueOn").Change(due.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(page, $"field-Actions[{index}]-DueOn-month").Change(due.Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(page, $"field-Actions[{index}]-DueOn-year").Change(due.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    [Fact]
    public async Task Saving_without_an_answer_lists_the_question_in_the_error_summary_and_saves_nothing()
    {
        var page = Open(world.Officer);

        await Button(page, "Save the outcome").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal([("Select yes if the conference was held", "http://localhost/#field-Held")], Summary(page)));
        Assert.Contains("Select yes if the conference was held", page.Find("#field-Held-error").TextContent);
        Assert.Equal(0, await CountAsync("agreements"));
    }

    [Fact]
    public async Task An_incomplete_action_is_listed_in_the_summary_with_a_link_to_each_of_its_fields()
    {
        var page = Open(world.Officer);
        ChooseAgreement(page);
        Field(page, "field-Actions[0]-DueOn").Change("31");
        Field(page, "field-Actions[0]-DueOn-month").Change("2");

        await Button(page, "Save the outcome").ClickAsync(new());

        page.WaitForAssertion(() => Assert.NotEmpty(Summary(page)));
        Assert.Equal(
        [
            ("Action 1: choose the type of action", "http://localhost/#field-Actions[0]-Type"),
            ("Action 1: say exactly what will be done", "http://localhost/#field-Actions[0]-Text"),
            ("Action 1: due date must include a year", "http://localhost/#field-Actions[0]-DueOn"),
        ], Summary(page));
        Assert.Contains("Action 1: due date must include a year", Field(page, "field-Actions[0]-DueOn-error").TextContent);
        Assert.Contains("is-invalid", Field(page, "field-Actions[0]-Type").ClassName);
        Assert.Equal(0, await CountAsync("agreement_actions"));
    }

    [Fact]
    public async Task Rows_are_added_and_removed_and_a_compensation_row_asks_for_the_amount()
    {
        var page = Open(world.Officer);
        ChooseAgreement(page);
        Assert.Single(page.FindAll("[data-testid=action-row]"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.StartsWith("Remove action", StringComparison.Ordinal));

        await Button(page, "Add another action").ClickAsync(new());
        await Button(page, "Add another action").ClickAsync(new());
        Field(page, "field-Actions[1]-Text").Change("The second action");
        Field(page, "field-Actions[2]-Type").Change("compensation");

        Assert.Equal(3, page.FindAll("[data-testid=action-row]").Count);
        Assert.Equal("Amount in pounds (£)", page.Find("label[for='field-Actions[2]-Amount']").TextContent);
        Assert.Empty(page.FindAll("[id='field-Actions[1]-Amount']"));
        await Button(page, "Remove action 1").ClickAsync(new());
        Assert.Equal(2, page.FindAll("[data-testid=action-row]").Count);
        Assert.Equal("The second action", Field(page, "field-Actions[0]-Text").GetAttribute("value") ?? Field(page, "field-Actions[0]-Text").TextContent);
        Assert.NotNull(page.Find("[id='field-Actions[1]-Amount']"));
    }

    [Fact]
    public async Task A_complete_outcome_is_saved_and_links_to_the_agreement()
    {
        var page = Open(world.Officer);
        ChooseAgreement(page);
        FillAction(page, 0, "written_apology", "Write a letter to Olivia to say sorry.", new DateOnly(2026, 6, 30));
        Field(page, "field-Satisfaction-4").Change("on");

        await Button(page, "Save the outcome").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("The outcome has been saved with an agreement of 1 action.", page.Find("[data-testid=outcome-message]").TextContent));
        Assert.Equal($"conferences/{conference.ConferenceId}/agreement", page.Find("[data-testid=outcome-message] a").GetAttribute("href"));
        Assert.Equal(1, await CountAsync("agreement_actions"));
        Assert.Contains("Save changes to the actions", page.Markup);
    }

    [Fact]
    public async Task Another_facilitator_sees_that_only_the_conferences_facilitator_can_record_it()
    {
        var page = Open(world.Colleague, Roles.Facilitator);

        Assert.Contains(AgreementOutcomes.NotPermitted, page.Markup);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Save the outcome");
        Assert.Equal(0, await CountAsync("agreements"));
    }
}
