using System.Globalization;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ReferralBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private static ILocator MainNav(IPage page) => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    private static ILocator Group(IPage page, string name) => page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true });

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    internal static async Task ExpectStepAsync(IPage page, string heading)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveTitleAsync($"{heading} – New referral – RjConferences");
    }

    private static async Task FillDateAsync(ILocator fieldset, DateOnly date)
    {
        await fieldset.GetByLabel("Day").FillAsync(date.Day.ToString(CultureInfo.InvariantCulture));
        await fieldset.GetByLabel("Month").FillAsync(date.Month.ToString(CultureInfo.InvariantCulture));
        await fieldset.GetByLabel("Year").FillAsync(date.Year.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Fills in a whole referral as a referrer of Langdon Park would, from the offence step to "Check your answers": a
    /// minor assault on school premises yesterday, admitted, for a community resolution; Kwame Mensah (14), the harmed
    /// pupil Olivia Brown and his parent Ama Mensah.
    /// </summary>
    internal static async Task FillToCheckAnswersAsync(IPage page, DateOnly yesterday)
    {
        await ExpectStepAsync(page, "The offence");
        await page.WaitForInteractiveAsync();
        await FillOffenceAsync(page, yesterday);
        await Button(page, "Continue").ClickAsync();
        await ExpectStepAsync(page, "School matter or police matter");
        await FillPoliceMatterAsync(page);
        await Button(page, "Continue").ClickAsync();
        await ExpectStepAsync(page, "The admission and outcome route");
        await FillAdmissionAsync(page, yesterday);
        await Button(page, "Continue").ClickAsync();
        await ExpectStepAsync(page, "The people involved");
        await FillPeopleAsync(page, yesterday);
        await Button(page, "Continue").ClickAsync();
        await ExpectStepAsync(page, "Check your answers");
    }

    private static async Task FillOffenceAsync(IPage page, DateOnly yesterday)
    {
        await page.GetByLabel("On school premises").CheckAsync();
        await FillDateAsync(Group(page, "Date of the offence"), yesterday);
        await page.GetByLabel("Time", new() { Exact = true }).FillAsync("13:15");
        await page.GetByLabel("Offence category").SelectOptionAsync(new SelectOptionValue { Label = "Minor assault" });
        await page.GetByLabel("1 – Very minor").CheckAsync();
        await page.GetByLabel("What happened").FillAsync("Pushed another pupil in the lunch queue; no injury.");
    }

    private static Task FillPoliceMatterAsync(IPage page) =>
        Group(page, "Would the school normally deal with this through its own internal procedure?").GetByLabel("No").CheckAsync();

    private static async Task FillAdmissionAsync(IPage page, DateOnly yesterday)
    {
        await Group(page, "Did the young person admit the offence?").GetByLabel("Yes").CheckAsync();
        await FillDateAsync(Group(page, "When did they admit it?"), yesterday);
        await page.GetByLabel("Who did they admit it to?").FillAsync("PC Jones");
        await page.GetByLabel("Community resolution").CheckAsync();
    }

    private static async Task FillPeopleAsync(IPage page, DateOnly yesterday)
    {
        var young = Group(page, "Young person 1");
        await young.GetByLabel("First name").FillAsync("Kwame");
        await young.GetByLabel("Last name").FillAsync("Mensah");
        await FillDateAsync(young.GetByRole(AriaRole.Group, new() { Name = "Date of birth" }), yesterday.AddYears(-14).AddMonths(-3));
        await young.GetByLabel("Male", new() { Exact = true }).CheckAsync();
        await young.GetByLabel("Ethnic group").SelectOptionAsync(new SelectOptionValue { Label = "African" });
        await young.GetByLabel("Year group").SelectOptionAsync(new SelectOptionValue { Label = "Year 9" });
        await young.GetByRole(AriaRole.Group, new() { Name = "Does the young person have special educational needs?" }).GetByLabel("No").CheckAsync();

        var harmed = Group(page, "Harmed party 1");
        await harmed.GetByLabel("A pupil").CheckAsync();
        await harmed.GetByLabel("First name").FillAsync("Olivia");
        await harmed.GetByLabel("Last name").FillAsync("Brown");

        var parent = Group(page, "Supporter 1");
        await parent.GetByLabel("Who do they support?").SelectOptionAsync(new SelectOptionValue { Label = "Kwame Mensah (young person)" });
        await parent.GetByLabel("First name").FillAsync("Ama");
        await parent.GetByLabel("Last name").FillAsync("Mensah");
        await parent.GetByLabel("Phone number (optional)").FillAsync("07700 900982");
        await parent.GetByRole(AriaRole.Group, new() { Name = "May we contact them about the conference and its outcome?" }).GetByLabel("Yes").CheckAsync();
        await parent.GetByLabel("Text message").CheckAsync();
    }

    [Fact]
    public async Task A_referrer_records_a_referral_with_a_young_person_a_parent_and_a_harmed_pupil()
    {
        var user = await TestUsers.CreateAsync(app.Services, "rita@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var yesterday = LondonTime.Today(app.Time).AddDays(-1);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(user);

        // The offence: continuing with nothing filled in shows the error summary.
        await MainNav(page).GetByRole(AriaRole.Link, new() { Name = "New referral" }).ClickAsync();
        await ExpectStepAsync(page, "The offence");
        await page.WaitForInteractiveAsync();
        await page.AssertAccessibleAsync();
        // Her only school is already chosen.
        await Assertions.Expect(page.GetByLabel("School", new() { Exact = true }).Locator("option:checked")).ToHaveTextAsync("Langdon Park, Newham");
        await Button(page, "Continue").ClickAsync();
        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToContainTextAsync("Choose where it happened");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary.GetByRole(AriaRole.Link)).ToHaveCountAsync(6);
        await page.AssertAccessibleAsync();

        await FillOffenceAsync(page, yesterday);
        await Assertions.Expect(page.GetByText("You have 4,949 characters remaining")).ToBeVisibleAsync();
        await Button(page, "Continue").ClickAsync();

        // Not a school matter.
        await ExpectStepAsync(page, "School matter or police matter");
        await page.AssertAccessibleAsync();
        await FillPoliceMatterAsync(page);
        await Button(page, "Continue").ClickAsync();

        // The admission and the outcome route.
        await ExpectStepAsync(page, "The admission and outcome route");
        await page.AssertAccessibleAsync();
        await FillAdmissionAsync(page, yesterday);
        await page.AssertAccessibleAsync();
        await Button(page, "Continue").ClickAsync();

        // The people involved: a young person aged 14, a harmed pupil, and the young person's parent.
        await ExpectStepAsync(page, "The people involved");
        await page.AssertAccessibleAsync();
        await FillPeopleAsync(page, yesterday);
        await Assertions.Expect(Group(page, "Supporter 1").GetByLabel("Parent", new() { Exact = true })).ToBeCheckedAsync();
        // The parent is asked how they would like to be contacted; the pupils are not (through their parent or guardian).
        await Assertions.Expect(Group(page, "Harmed party 1").GetByText("A young person is contacted through their parent or guardian")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.ScreenshotIfAskedAsync("referral-parties");
        await Button(page, "Continue").ClickAsync();

        // Check the answers, then save.
        await ExpectStepAsync(page, "Check your answers");
        await Assertions.Expect(page.GetByText("Langdon Park, Newham")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("(aged 14 on the offence date)")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await Button(page, "Save referral").ClickAsync();

        await ExpectStepAsync(page, "Referral recorded");
        await Assertions.Expect(page.GetByTestId("case-reference")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^RJ-\d{4}-\d{5}$"));
        await Assertions.Expect(page.GetByTestId("eligibility")).ToContainTextAsync("is eligible");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "View the case" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^cases/[0-9a-f-]{36}$"));
        await page.AssertAccessibleAsync();
        var reference = (await page.GetByTestId("case-reference").TextContentAsync())!.Trim();

        // Find it in the case list by the young person's name.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cases" }).ClickAsync();
        await page.GetByLabel("Search by case reference or young person's name").FillAsync("Kwame Men");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var found = page.GetByRole(AriaRole.Link, new() { Name = reference });
        await Assertions.Expect(found).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await found.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Case {reference}" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("parties")).ToContainTextAsync("Kwame Mensah");
        await Assertions.Expect(page.GetByTestId("parties")).ToContainTextAsync("Agreed to be contacted by text message");
        await page.AssertAccessibleAsync();
    }
}
