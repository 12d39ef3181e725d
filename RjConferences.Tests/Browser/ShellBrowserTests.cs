using System.Net;
using Microsoft.Playwright;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ShellBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task A_signed_in_user_opens_the_app_and_the_schools_page()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var page = await browser.NewPageAsync(app);

        await page.SignInAsync(user);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My work", Level = 1 })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Schools" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Schools", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("78 schools in 15 boroughs")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Newham 17 schools" })).ToBeVisibleAsync();
        Assert.EndsWith("/schools", page.Url);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task An_unknown_address_shows_the_not_found_page()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(user);

        var response = await page.GotoAsync("/no-such-page");

        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task Health_answers_healthy_without_sign_in()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
