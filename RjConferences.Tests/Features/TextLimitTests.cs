using Bunit;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>
/// Free text has a limit the server enforces whatever the browser sends, a character count that says so as
/// the user types, and a circuit that takes the longest text the browser allows.
/// </summary>
public class TextLimitTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private readonly TestCases cases;
    private TestUser officer = null!;
    private long schoolId;

    public TextLimitTests() => cases = new TestCases(database.Db, clock);

    public async Task InitializeAsync()
    {
        using var services = TestUsers.Services(database, clock);
        officer = await TestUsers.CreateAsync(services, "pc.jones@example.org", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        schoolId = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => database.Dispose();

    private System.Security.Claims.ClaimsPrincipal Officer => TestCases.Principal(officer.Id, Roles.Referrer, Roles.Facilitator);

    private async Task<Guid> NewCaseAsync() => (await new TestReferral(schoolId, new DateOnly(2026, 6, 10)).SaveAsync(cases.Referrals, officer.Id)).Id;

    private static SuitabilityForm Suitable() => new()
    {
        RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "Wants an apology", Outcome = "suitable",
    };

    private async Task<long> AssessmentsAsync(Guid caseId)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM suitability_assessments WHERE case_id = @caseId", new { caseId });
    }

    [Theory]
    [InlineData("RiskToParties", "Risk to either party must be 2,000 characters or fewer")]
    [InlineData("PowerImbalance", "Power imbalance between the parties must be 2,000 characters or fewer")]
    [InlineData("AcceptanceOfResponsibility", "The young person's acceptance of responsibility must be 2,000 characters or fewer")]
    [InlineData("HarmedPartyWishes", "The harmed party's wishes must be 2,000 characters or fewer")]
    [InlineData("Reason", "Reason must be 2,000 characters or fewer")]
    public async Task An_assessment_answer_over_its_limit_is_refused_naming_the_field_and_nothing_is_saved(string field, string message)
    {
        var id = await NewCaseAsync();
        var form = Suitable();
        // Even the reason, which a suitable case does not need, is refused when too long rather than stored.
        typeof(SuitabilityForm).GetProperty(field)!.SetValue(form, new string('é', CaseChanges.MaxAssessmentText + 1));

        var result = await cases.Changes.RecordSuitabilityAsync(id, form, Officer);

        Assert.Equal(SaveOutcome.Invalid, result.Outcome);
        Assert.Equal([message], result.Errors[field]);
        Assert.Equal(0, await AssessmentsAsync(id));
    }

    [Fact]
    public async Task An_assessment_answer_of_exactly_the_limit_is_saved()
    {
        var id = await NewCaseAsync();
        var form = Suitable();
        form.RiskToParties = new string('r', CaseChanges.MaxAssessmentText);

        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.RecordSuitabilityAsync(id, form, Officer)).Outcome);
        Assert.Equal(1, await AssessmentsAsync(id));
    }

    [Fact]
    public async Task A_withdrawal_reason_over_the_shared_reason_limit_is_refused_and_one_at_the_limit_is_saved()
    {
        var id = await NewCaseAsync();

        var refused = await cases.Changes.WithdrawCaseAsync(id, new string('w', TextLimits.Reason + 1), Officer);
        Assert.Equal(SaveOutcome.Invalid, refused.Outcome);
        Assert.Equal(["The reason must be 500 characters or fewer"], refused.Errors["WithdrawReason"]);
        Assert.Equal(CaseStatus.Referred, (await cases.Repository.GetAsync(id, officer.Id))!.Status);

        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.WithdrawCaseAsync(id, new string('w', TextLimits.Reason), Officer)).Outcome);
    }

    [Fact]
    public void The_circuit_takes_a_change_event_carrying_the_largest_box_the_browser_allows_in_its_most_expensive_characters()
    {
        using var app = new AppHost(clock: clock);
        var hub = Type.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub, Microsoft.AspNetCore.Components.Server", throwOnError: true)!;
        var options = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(hub)));
        var hubOptions = (HubOptions)options.GetType().GetProperty("Value")!.GetValue(options)!;

        Assert.Equal(TextLimits.HubMessageBytes, hubOptions.MaximumReceiveMessageSize);
        // A box holds up to BrowserMaximum characters of 6 bytes each (JSON's \u0001), sent twice, plus the event's envelope.
        Assert.True(hubOptions.MaximumReceiveMessageSize >= TextLimits.BrowserMaximum * 6L * 2 + 1024);
        Assert.True(TextLimits.BrowserMaximum >= 5 * Math.Max(ReferralValidator.MaxDescription, RjConferences.Features.Agreements.AgreementVocabulary.MaxActionText));
    }

    [Theory]
    [InlineData(0, "You have 2,000 characters remaining")]
    [InlineData(1999, "You have 1 character remaining")]
    [InlineData(2000, "You have 0 characters remaining")]
    [InlineData(2001, "You have 1 character too many")]
    [InlineData(20_000, "You have 18,000 characters too many")]
    public void The_character_count_says_what_is_left_or_how_many_too_many(int length, string expected)
    {
        using var context = new BunitContext();
        var count = context.Render<CharacterCount>(p => p.Add(c => c.Field, "RiskToParties").Add(c => c.Limit, 2000).Add(c => c.Value, new string('x', length)));

        var message = count.Find("#field-RiskToParties-count");
        Assert.Equal(expected, message.TextContent);
        Assert.Equal(length > 2000, message.ClassList.Contains("field-error"));
        Assert.Equal("You can enter up to 2,000 characters", count.Find("#field-RiskToParties-info").TextContent);
        Assert.Equal("polite", count.Find("#field-RiskToParties-count-status").GetAttribute("aria-live"));
    }

    [Fact]
    public void A_text_area_lets_the_user_go_over_its_limit_describes_it_and_counts_against_it()
    {
        using var context = new BunitContext();
        var field = context.Render<TextAreaField>(p => p.Add(f => f.Field, "Notes").Add(f => f.Label, "Notes").Add(f => f.MaxLength, 2000)
            .Add(f => f.Hint, "What was discussed").Add(f => f.Value, new string('n', 2500)));

        var box = field.Find("textarea");
        Assert.Equal(TextLimits.BrowserMaximum.ToString(System.Globalization.CultureInfo.InvariantCulture), box.GetAttribute("maxlength"));
        Assert.Equal("2000", box.GetAttribute("data-character-limit"));
        Assert.Equal("field-Notes-hint field-Notes-info", box.GetAttribute("aria-describedby"));
        Assert.Equal("You have 500 characters too many", field.Find("#field-Notes-count").TextContent);
    }

    [Fact]
    public void A_single_line_count_shows_only_near_the_limit()
    {
        using var context = new BunitContext();
        var below = context.Render<CharacterCount>(p => p.Add(c => c.Field, "Name").Add(c => c.Limit, 100).Add(c => c.Value, new string('x', 74)).Add(c => c.SingleLine, true));
        var near = context.Render<CharacterCount>(p => p.Add(c => c.Field, "Name").Add(c => c.Limit, 100).Add(c => c.Value, new string('x', 75)).Add(c => c.SingleLine, true));

        Assert.Contains("d-none", below.Find("#field-Name-count").ClassList);
        Assert.DoesNotContain("d-none", near.Find("#field-Name-count").ClassList);
        Assert.Equal("75", CharacterCount.InputAttributes(100, singleLine: true)["data-character-threshold"].ToString());
    }

    [Fact]
    public void A_limit_longer_than_the_hub_is_sized_for_is_refused()
    {
        using var context = new BunitContext();
        var error = Assert.Throws<InvalidOperationException>(() =>
            context.Render<CharacterCount>(p => p.Add(c => c.Field, "Notes").Add(c => c.Limit, TextLimits.LongestField + 1)));
        Assert.Contains("TextLimits.LongestField", error.Message);
    }
}
