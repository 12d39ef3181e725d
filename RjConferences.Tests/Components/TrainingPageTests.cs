using Microsoft.AspNetCore.Components;
using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Features.Admin;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

public class TrainingPageTests : BunitContext, IAsyncLifetime
{
    private readonly TestDatabase database = new();
    // 07:00 UTC on Monday 15 June 2026 is 08:00 in London.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));
    private ServiceProvider users = null!;
    private TestUser admin = null!;

    public TrainingPageTests()
    {
        Services.RegisterApp(database, clock);
    }

    public async Task InitializeAsync()
    {
        users = TestUsers.Services(database, clock);
        admin = await TestUsers.CreateAsync(users, "ada@rj.example", [Roles.Administrator]);
        AddAuthorization().SetAuthorized("ada").SetRoles(Roles.Administrator)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, admin.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    Task IAsyncLifetime.DisposeAsync() => users.DisposeAsync().AsTask();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        database.Dispose();
    }

    private FacilitatorTraining training => users.GetRequiredService<FacilitatorTraining>();

    private Task<TestUser> FacilitatorAsync(string email) => TestUsers.CreateAsync(users, email, [Roles.Facilitator], ["Newham/Langdon Park"]);

    private static TrainingForm Form(string provider, DateOnly completed, DateOnly due) => new()
    {
        Provider = provider, CompletedOn = DateInput.From(completed), RefresherDueOn = DateInput.From(due),
    };

    [Fact]
    public async Task The_register_shows_each_facilitators_status_as_of_today_in_london()
    {
        var current = await FacilitatorAsync("amy@rj.example");
        var overdue = await FacilitatorAsync("ben@rj.example");
        await FacilitatorAsync("cal@rj.example");
        await training.SaveAsync(current.Id, Form("Restorative Justice Council", new(2025, 9, 1), new(2027, 9, 1)), null, admin.Id);
        await training.SaveAsync(overdue.Id, Form("Why me?", new(2023, 1, 10), new(2026, 1, 10)), null, admin.Id);

        var page = Render<TrainingPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr").Count));
        Assert.Equal(["Current", "Refresher overdue since 11 January 2026", "No training recorded"],
            page.FindAll("[data-testid=training-status]").Select(td => td.TextContent.Trim()));
        var first = page.FindAll("tbody tr")[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray();
        Assert.Equal(["Restorative Justice Council", "1 September 2025", "1 September 2027", "–"], first[1..5]);
        Assert.Equal($"admin/training/{current.Id}", page.Find("tbody a").GetAttribute("href"));
    }

    [Fact]
    public async Task A_date_that_does_not_exist_shows_the_error_summary_and_the_field_message_and_saves_nothing()
    {
        var facilitator = await FacilitatorAsync("amy@rj.example");
        var page = Render<TrainingEditPage>(p => p.Add(x => x.UserId, facilitator.Id));
        page.WaitForAssertion(() => Assert.Equal("Training record: amy", page.Find("h1").TextContent));

        page.Find("#field-Provider").Change("Restorative Justice Council");
        page.Find("#field-CompletedOn").Change("31");
        page.Find("#field-CompletedOn-month").Change("2");
        page.Find("#field-CompletedOn-year").Change("2026");
        page.Find("#field-RefresherDueOn").Change("1");
        page.Find("#field-RefresherDueOn-month").Change("3");
        page.Find("#field-RefresherDueOn-year").Change("2028");
        page.FindAll("button").Single(b => b.TextContent == "Save training record").Click();

        page.WaitForAssertion(() => Assert.Contains("Date completed must be a real date", page.Find("[data-testid=error-summary]").TextContent));
        Assert.EndsWith("#field-CompletedOn", page.Find("[data-testid=error-summary] a").GetAttribute("href"));
        Assert.Contains("Date completed must be a real date", page.Find("#field-CompletedOn-error").TextContent);
        Assert.Contains("is-invalid", page.Find("#field-CompletedOn").ClassName);
        Assert.Equal("31", page.Find("#field-CompletedOn").GetAttribute("value")); // what was typed stays
        Assert.Null((await training.GetAsync(facilitator.Id))!.Version);
    }

    [Fact]
    public async Task When_someone_else_saved_first_the_page_says_so_and_keeps_what_was_typed()
    {
        var facilitator = await FacilitatorAsync("amy@rj.example");
        var page = Render<TrainingEditPage>(p => p.Add(x => x.UserId, facilitator.Id));
        page.WaitForAssertion(() => page.Find("#field-Provider"));
        page.Find("#field-Provider").Change("Mine");
        page.Find("#field-CompletedOn").Change("1");
        page.Find("#field-CompletedOn-month").Change("6");
        page.Find("#field-CompletedOn-year").Change("2026");
        page.Find("#field-RefresherDueOn").Change("1");
        page.Find("#field-RefresherDueOn-month").Change("6");
        page.Find("#field-RefresherDueOn-year").Change("2028");

        await training.SaveAsync(facilitator.Id, Form("Theirs", new(2025, 1, 10), new(2027, 1, 10)), null, admin.Id);
        page.FindAll("button").Single(b => b.TextContent == "Save training record").Click();

        page.WaitForAssertion(() => Assert.Contains("Someone else saved this training record", page.Find("[data-testid=error-summary]").TextContent));
        Assert.Contains("Theirs", page.Find("[data-testid=training-conflict]").TextContent);
        Assert.Equal("Mine", page.Find("#field-Provider").GetAttribute("value"));
        Assert.Equal("Theirs", (await training.GetAsync(facilitator.Id))!.Provider);

        // Saving again replaces theirs, knowingly.
        page.FindAll("button").Single(b => b.TextContent == "Save training record").Click();
        page.WaitForAssertion(() => Assert.Equal("The training record has been saved.", page.Find("[data-testid=training-saved]").TextContent));
        Assert.Equal("Mine", (await training.GetAsync(facilitator.Id))!.Provider);
    }
}
