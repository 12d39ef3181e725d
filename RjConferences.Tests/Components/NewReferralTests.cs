using System.Security.Claims;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Features.Referrals.New;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>The new-referral page with the real services over a test database, signed in as a Referrer.</summary>
public class NewReferralTests : BunitContext
{
    private readonly TestDatabase database = new();
    // 10:30 UTC on 15 June 2026 is 11:30 in London (BST); the offence was on 10 June.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));

    public NewReferralTests()
    {
        Services.RegisterApp(database, clock);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        database.Dispose();
    }

    private async Task<(IRenderedComponent<NewReferralPage> Page, TestUser User)> OpenAsync(params string[] schools)
    {
        await using var identity = TestUsers.Services(database, clock);
        var user = await TestUsers.CreateAsync(identity, $"referrer-{Guid.NewGuid():N}@school.example", [Roles.Referrer],
            schools.Length == 0 ? ["Newham/Langdon Park"] : schools);
        var auth = AddAuthorization();
        auth.SetAuthorized("Rita Referrer");
        auth.SetRoles(Roles.Referrer);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = Render<NewReferralPage>();
        // The heading shows at once; the school list arrives when the user's schools are loaded.
        page.WaitForAssertion(() => Assert.Equal(("The offence", 1), (Heading(page), page.FindAll($"[id='{FieldIds.For("SchoolId")}']").Count)));
        return (page, user);
    }

    internal static string Text(IRenderedComponent<NewReferralPage> page) => Regex.Replace(string.Concat(page.Nodes.Select(n => n.TextContent)), @"\s+", " ");

    internal static string Heading(IRenderedComponent<NewReferralPage> page) => page.Find("h1").TextContent.Trim();

    internal static IElement Field(IRenderedComponent<NewReferralPage> page, string key, string suffix = "") =>
        page.Find($"[id='{FieldIds.For(key)}{suffix}']");

    private static string? MessageAt(IRenderedComponent<NewReferralPage> page, string key) =>
        page.FindAll($"[id='{FieldIds.ErrorFor(key)}']").SingleOrDefault()?.TextContent.Replace("Error:", "").Trim();

    internal static void Click(IRenderedComponent<NewReferralPage> page, string button) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();

    internal static void ContinueTo(IRenderedComponent<NewReferralPage> page, string heading)
    {
        Click(page, "Continue");
        page.WaitForAssertion(() => Assert.Equal(heading, Heading(page)));
    }

    internal static List<string> Summary(IRenderedComponent<NewReferralPage> page) =>
        page.FindAll("[data-testid=error-summary] li").Select(li => li.TextContent.Trim()).ToList();

    internal static void Date(IRenderedComponent<NewReferralPage> page, string key, DateOnly date)
    {
        Field(page, key).Change(date.Day.ToString());
        Field(page, key, "-month").Change(date.Month.ToString());
        Field(page, key, "-year").Change(date.Year.ToString());
    }

    internal static void FillOffence(IRenderedComponent<NewReferralPage> page, string description = "Pushed another pupil in the lunch queue.", string gravity = "1")
    {
        Field(page, "Location").Change("on_school_premises");
        Date(page, "OffenceDate", new DateOnly(2026, 6, 10));
        Field(page, "OffenceTime").Change("13:15");
        Field(page, "OffenceCategoryId").Change("1");
        Field(page, "Gravity", gravity == "1" ? "" : "-" + gravity).Change(gravity);
        Field(page, "Description").Change(description);
    }

    internal static void FillAdmission(IRenderedComponent<NewReferralPage> page)
    {
        Field(page, "Admitted").Change("yes");
        page.WaitForElement($"[id='{FieldIds.For("AdmittedTo")}']");
        Date(page, "AdmittedOn", new DateOnly(2026, 6, 11));
        Field(page, "AdmittedTo").Change("PC Jones");
        Field(page, "OutcomeRoute").Change("community_resolution");
    }

    internal static void FillYoungPerson(IRenderedComponent<NewReferralPage> page, DateOnly dateOfBirth)
    {
        Field(page, "YoungPeople[0].FirstName").Change("Kwame");
        Field(page, "YoungPeople[0].LastName").Change("Mensah");
        Date(page, "YoungPeople[0].DateOfBirth", dateOfBirth);
        Field(page, "YoungPeople[0].Gender", "-male").Change("male");
        Field(page, "YoungPeople[0].EthnicGroup").Change("black_african");
        Field(page, "YoungPeople[0].YearGroup").Change("9");
        Field(page, "YoungPeople[0].SpecialEducationalNeeds", "-no").Change("no");
    }

    internal static void FillHarmedPupilAndParent(IRenderedComponent<NewReferralPage> page)
    {
        Field(page, "HarmedParties[0].HarmedType").Change("pupil");
        Field(page, "HarmedParties[0].FirstName").Change("Olivia");
        Field(page, "HarmedParties[0].LastName").Change("Brown");
        // The choice is named from the young person's name as typed, once that change has been handled.
        IElement kwame = null!;
        page.WaitForAssertion(() => kwame = page.FindAll($"[id='{FieldIds.For("Supporters[0].SupportsKey")}'] option").Single(o => o.TextContent == "Kwame Mensah (young person)"));
        Field(page, "Supporters[0].SupportsKey").Change(kwame.GetAttribute("value"));
        Field(page, "Supporters[0].FirstName").Change("Ama");
        Field(page, "Supporters[0].LastName").Change("Mensah");
        Field(page, "Supporters[0].Phone").Change("07700 900982");
    }

    internal static void FillToCheckAnswers(IRenderedComponent<NewReferralPage> page, string gravity = "1", DateOnly? dateOfBirth = null)
    {
        FillOffence(page, gravity: gravity);
        ContinueTo(page, "School matter or police matter");
        Field(page, "SchoolWouldDealInternally", "-no").Change("no");
        ContinueTo(page, "The admission and outcome route");
        FillAdmission(page);
        ContinueTo(page, "The people involved");
        FillYoungPerson(page, dateOfBirth ?? new DateOnly(2012, 3, 27));
        FillHarmedPupilAndParent(page);
        ContinueTo(page, "Check your answers");
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    [Fact]
    public async Task Continuing_an_empty_offence_step_shows_a_link_per_missing_field_and_messages_at_the_fields_and_saves_nothing()
    {
        // Two schools: none is preselected, so the school is missing too.
        var (page, _) = await OpenAsync("Newham/Langdon Park", "Tower Hamlets/Langdon Park");
        Assert.Equal(["Choose the school", "Langdon Park, Newham", "Langdon Park, Tower Hamlets"],
            Field(page, "SchoolId").QuerySelectorAll("option").Select(o => o.TextContent).ToArray());

        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.NotEmpty(Summary(page)));
        var links = page.FindAll("[data-testid=error-summary] a").Select(a => a.GetAttribute("href")!.Split('#')[1]).ToList();
        string[] fields = ["SchoolId", "Location", "OffenceDate", "OffenceTime", "OffenceCategoryId", "Gravity", "Description"];
        Assert.Equal(fields.Select(FieldIds.For).ToList(), links);
        foreach (var field in fields)
        {
            Assert.NotNull(MessageAt(page, field));
            // The message is part of the field's (or its fieldset's) description.
            Assert.Contains(page.FindAll("[aria-describedby]"), e => e.GetAttribute("aria-describedby")!.Split(' ').Contains(FieldIds.ErrorFor(field)));
        }
        Assert.Equal("Enter the date of the offence", MessageAt(page, "OffenceDate"));
        Assert.Equal("The offence", Heading(page));
        // The summary takes focus, so keyboard and screen reader users land on it.
        // (The focus call follows the render that shows the summary: on PostgreSQL the test can see the summary first.)
        var summary = page.Find("[data-testid=error-summary]").GetAttribute("blazor:elementReference");
        page.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier.Contains("focus", StringComparison.OrdinalIgnoreCase)));
        var focused = JSInterop.Invocations.Last(i => i.Identifier.Contains("focus", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(summary, Assert.IsType<ElementReference>(focused.Arguments[0]).Id);
        Assert.Equal(0, await CountAsync("cases"));
        Assert.Equal(0, await CountAsync("school_internal_matters"));
    }

    [Fact]
    public async Task The_only_school_in_scope_is_preselected()
    {
        var (page, _) = await OpenAsync();

        Assert.Equal(["Langdon Park, Newham"], Field(page, "SchoolId").QuerySelectorAll("option").Select(o => o.TextContent).ToArray());
        Click(page, "Continue");
        page.WaitForAssertion(() => Assert.NotEmpty(Summary(page)));
        Assert.Null(MessageAt(page, "SchoolId"));
    }

    [Fact]
    public async Task A_description_of_100000_characters_is_refused_with_the_length_message()
    {
        var (page, _) = await OpenAsync();
        FillOffence(page, description: new string('x', 100_000));
        Assert.Equal("You have 95,000 characters too many", page.Find("#field-Description-count").TextContent.Trim());

        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.Equal(["What happened must be 5,000 characters or fewer (it is 100,000)"], Summary(page)));
        Assert.Equal("What happened must be 5,000 characters or fewer (it is 100,000)", MessageAt(page, "Description"));
        Assert.Equal("The offence", Heading(page));
        Assert.Equal(0, await CountAsync("cases"));
    }

    [Fact]
    public async Task A_date_of_birth_after_the_offence_and_a_missing_parent_are_refused_at_the_field()
    {
        var (page, _) = await OpenAsync();
        FillOffence(page);
        ContinueTo(page, "School matter or police matter");
        Field(page, "SchoolWouldDealInternally", "-no").Change("no");
        ContinueTo(page, "The admission and outcome route");
        FillAdmission(page);
        ContinueTo(page, "The people involved");
        FillYoungPerson(page, new DateOnly(2026, 6, 12));
        Field(page, "HarmedParties[0].HarmedType").Change("pupil");
        Field(page, "HarmedParties[0].FirstName").Change("Olivia");
        Field(page, "HarmedParties[0].LastName").Change("Brown");
        // The parent's details are there, but not whom they support.
        Field(page, "Supporters[0].FirstName").Change("Ama");
        Field(page, "Supporters[0].LastName").Change("Mensah");

        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.NotEmpty(Summary(page)));
        Assert.Equal("Date of birth must be before the date of the offence", MessageAt(page, "YoungPeople[0].DateOfBirth"));
        Assert.Equal("Add a parent or guardian for Kwame Mensah", MessageAt(page, "YoungPeople[0].Parent"));
        Assert.Equal("Choose who they support", MessageAt(page, "Supporters[0].SupportsKey"));
        // The parent message sits inside the young person's fieldset.
        Assert.Contains("Young person 1", page.Find($"[id='{FieldIds.ErrorFor("YoungPeople[0].Parent")}']").Closest("fieldset")!.QuerySelector("legend")!.TextContent);
        Assert.Contains("Young person 1: Add a parent or guardian for Kwame Mensah", Summary(page));
        Assert.Contains("Supporter 1: Choose who they support", Summary(page));
        Assert.Equal("The people involved", Heading(page));
        Assert.Equal(0, await CountAsync("cases"));
        Assert.Equal(0, await CountAsync("parties"));
    }

    [Fact]
    public async Task A_forged_school_outside_the_users_scope_is_refused_and_nothing_is_saved()
    {
        var (page, _) = await OpenAsync();
        await using var connection = await database.Db.OpenAsync();
        var elsewhere = await connection.ExecuteScalarAsync<long>("""
            SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Tower Hamlets' AND s.name = 'Langdon Park'
            """);
        FillOffence(page);

        Field(page, "SchoolId").Change(elsewhere.ToString());
        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.Equal(["Choose the school from the list"], Summary(page)));
        Assert.Equal("Choose the school from the list", MessageAt(page, "SchoolId"));
        Assert.Equal("The offence", Heading(page));
        Assert.Equal(0, await CountAsync("cases"));
        Assert.Equal(0, await CountAsync("school_internal_matters"));
    }

    [Fact]
    public async Task Saving_checks_everything_again_and_shows_a_problem_at_its_step()
    {
        var (page, user) = await OpenAsync();
        FillToCheckAnswers(page);
        // Between the first step and saving, an administrator takes the school out of the user's scope.
        await using (var connection = await database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM user_schools WHERE user_id = @Id", new { user.Id });
        }

        Click(page, "Save referral");

        page.WaitForAssertion(() => Assert.Equal("The offence", Heading(page)));
        Assert.Equal(["Choose the school from the list"], Summary(page));
        Assert.Equal(0, await CountAsync("cases"));
        Assert.Equal(0, await CountAsync("parties"));
    }

    [Fact]
    public async Task Yes_to_the_school_matter_question_explains_why_and_saves_only_a_count()
    {
        var (page, _) = await OpenAsync();
        FillOffence(page);
        ContinueTo(page, "School matter or police matter");
        Field(page, "SchoolWouldDealInternally").Change("yes");
        ContinueTo(page, "This is a school matter");
        Assert.Contains("schools do not report as a crime anything they would normally deal with", Text(page));
        Assert.Contains("this incident is not recorded as a police matter", Text(page));

        Click(page, "Record the count and finish");

        page.WaitForAssertion(() => Assert.Equal("Recorded as a school matter", Heading(page)));
        Assert.Equal(1, await CountAsync("school_internal_matters"));
        Assert.Equal(0, await CountAsync("cases"));
        Assert.Equal(0, await CountAsync("parties"));
    }

    [Fact]
    public async Task The_referral_asks_when_the_harmed_party_was_first_offered_restorative_justice_and_saves_it()
    {
        var (page, _) = await OpenAsync();
        FillOffence(page);
        ContinueTo(page, "School matter or police matter");
        Field(page, "SchoolWouldDealInternally", "-no").Change("no");
        ContinueTo(page, "The admission and outcome route");
        FillAdmission(page);
        Date(page, "VictimFirstOfferedOn", new DateOnly(2026, 6, 16));

        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.Equal(["Date the harmed party was first offered restorative justice must be today or in the past"], Summary(page)));
        Assert.Equal("Date the harmed party was first offered restorative justice must be today or in the past", MessageAt(page, "VictimFirstOfferedOn"));
        Date(page, "VictimFirstOfferedOn", new DateOnly(2026, 6, 12));
        ContinueTo(page, "The people involved");
        FillYoungPerson(page, new DateOnly(2012, 3, 27));
        FillHarmedPupilAndParent(page);
        ContinueTo(page, "Check your answers");
        Assert.Contains("Harmed party first offered restorative justice 12 June 2026", Text(page));

        Click(page, "Save referral");

        page.WaitForAssertion(() => Assert.Equal("Referral recorded", Heading(page)));
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(new DateOnly(2026, 6, 12), await connection.QuerySingleAsync<DateOnly>("SELECT victim_first_offered_on FROM cases"));
    }

    [Fact]
    public async Task A_complete_referral_is_saved_with_its_reference_and_shown_as_eligible()
    {
        var (page, _) = await OpenAsync();
        FillToCheckAnswers(page);
        Assert.Contains("Kwame Mensah", Text(page));
        Assert.Contains("27 March 2012 (aged 14 on the offence date)", Text(page));
        Assert.Contains("10 June 2026 at 13:15", Text(page));

        Click(page, "Save referral");

        page.WaitForAssertion(() => Assert.Equal("Referral recorded", Heading(page)));
        var reference = page.Find("[data-testid=case-reference]").TextContent;
        Assert.Matches(@"^RJ-2026-\d{5}$", reference);
        Assert.Contains("eligible", page.Find("[data-testid=eligibility]").TextContent);
        Assert.DoesNotContain("not eligible", page.Find("[data-testid=eligibility]").TextContent);
        await using var connection = await database.Db.OpenAsync();
        var id = await connection.ExecuteScalarAsync<string>("SELECT id FROM cases WHERE reference = @reference", new { reference });
        Assert.Equal($"cases/{id}", page.FindAll("a").Single(a => a.TextContent == "View the case").GetAttribute("href"));
        Assert.Equal(3, await CountAsync("parties"));
    }

    [Fact]
    public async Task The_parent_is_asked_how_to_be_contacted_the_pupils_are_not_and_a_wrong_number_is_refused_at_the_field()
    {
        var (page, _) = await OpenAsync();
        FillOffence(page);
        ContinueTo(page, "School matter or police matter");
        Field(page, "SchoolWouldDealInternally", "-no").Change("no");
        ContinueTo(page, "The admission and outcome route");
        FillAdmission(page);
        ContinueTo(page, "The people involved");
        FillYoungPerson(page, new DateOnly(2012, 3, 27));
        FillHarmedPupilAndParent(page);

        // The harmed pupil is contacted through a parent or guardian; the parent is asked.
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=contact-through-parent]")));
        Assert.Empty(page.FindAll($"[id='{FieldIds.For("HarmedParties[0].ContactConsent")}']"));
        Assert.Empty(page.FindAll($"[id='{FieldIds.For("Supporters[0].ContactBy")}']"));
        Field(page, "Supporters[0].ContactConsent").Change("yes");
        page.WaitForElement($"[id='{FieldIds.For("Supporters[0].ContactBy")}']");
        Field(page, "Supporters[0].ContactBy", "-text").Change("text");
        Field(page, "Supporters[0].Phone").Change("020 7946 0000");

        Click(page, "Continue");

        page.WaitForAssertion(() => Assert.Equal("Enter a UK mobile number for text messages, like 07700 900 982 or +44 7700 900 982", MessageAt(page, "Supporters[0].Phone")));
        Assert.Contains(Summary(page), item => item.EndsWith("Enter a UK mobile number for text messages, like 07700 900 982 or +44 7700 900 982", StringComparison.Ordinal));
        Field(page, "Supporters[0].Phone").Change("07700 900982");
        ContinueTo(page, "Check your answers");
        Assert.Contains("07700 900982 (by text message)", Text(page));
        Click(page, "Save referral");
        page.WaitForAssertion(() => Assert.Equal("Referral recorded", Heading(page)));
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(("supporter", "text"), await connection.QuerySingleAsync<(string, string)>(
            "SELECT party_role, contact_by FROM parties WHERE contact_consent = TRUE"));
    }

    [Fact]
    public async Task A_referral_that_is_not_eligible_lists_each_reason()
    {
        var (page, _) = await OpenAsync();
        FillToCheckAnswers(page, gravity: "3", dateOfBirth: new DateOnly(2017, 1, 1));

        Click(page, "Save referral");

        page.WaitForAssertion(() => Assert.Equal("Referral recorded", Heading(page)));
        Assert.Contains("not eligible", page.Find("[data-testid=eligibility]").TextContent);
        Assert.Equal(
            ["The gravity score is above the maximum for a conference",
             "Under 10 on the offence date: below the age of criminal responsibility (Kwame Mensah)"],
            page.FindAll("[data-testid=ineligibility-reasons] li").Select(li => li.TextContent.Trim()).ToArray());
    }

    [Fact]
    public async Task Submitting_twice_saves_one_case()
    {
        var (page, _) = await OpenAsync();
        FillToCheckAnswers(page);
        // A double click: the second click arrives while the first is still saving (a browser may
        // deliver it before the disabled button reaches it).
        Task? first = null, second = null;
        await page.InvokeAsync(() =>
        {
            first = page.FindAll("button").Single(b => b.TextContent.Trim() == "Save referral").ClickAsync(new());
            var saving = page.FindAll("button").Single(b => b.TextContent.Trim() == "Saving…");
            Assert.True(saving.HasAttribute("disabled"));
            second = saving.ClickAsync(new());
        });
        await Task.WhenAll(first!, second!);

        page.WaitForAssertion(() => Assert.Equal("Referral recorded", Heading(page)));
        Assert.Equal(1, await CountAsync("cases"));
    }
}
