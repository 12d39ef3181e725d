using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>
/// The limits that keep one client or one user from taking the app down, each tripped over real HTTP: sign-in attempts per
/// address, downloads per user, and the size of a request body. Each refusal is a 429 (or 413) with Retry-After and a page in
/// the app's words, never an error page, and the limit's window lets the next request through.
/// </summary>
public sealed class RequestLimitTests : IAsyncLifetime
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
    private AppHost app = null!;
    private TestUser reviewer = null!;

    public async Task InitializeAsync()
    {
        app = new AppHost(clock: Clock, settings: new Dictionary<string, string?>
        {
            ["Limits:SignInsPerMinute"] = "3",
            ["Limits:ExportsPerMinute"] = "2",
            ["Limits:MaxRequestBodyBytes"] = RjConferences.Components.Forms.TextLimits.HubMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        reviewer = await TestUsers.CreateAsync(app.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
    }

    public Task DisposeAsync()
    {
        app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_fourth_sign_in_attempt_in_a_minute_from_one_address_is_refused_with_retry_after_and_the_page_still_shows()
    {
        using var client = new FormClient(app);
        for (var i = 0; i < 3; i++)
        {
            var wrong = await client.SignInAsync(reviewer.Email, "not the password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode); // the form again, with its message
        }

        var refused = await client.SignInAsync(reviewer.Email, reviewer.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var seconds = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 60);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Too many sign-in attempts</h1>", page);
        Assert.Contains($"Try again in {seconds} seconds.", page);
        Assert.DoesNotContain("Signed in as", page);
        // Reading the sign-in page is not an attempt: it still shows.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
    }

    [Fact]
    public async Task The_third_download_in_a_minute_by_one_user_is_refused_with_retry_after()
    {
        using var client = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(reviewer.Email, reviewer.Password)).StatusCode);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/reports/export/headlines.csv?period=academic_year&academicYear=2025")).StatusCode);
        }

        var refused = await client.GetAsync("/reports/board.pdf?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Contains("You have asked for too many downloads in the last minute.", await refused.Content.ReadAsStringAsync());
        // Another user has a limit of their own.
        var other = await TestUsers.CreateAsync(app.Services, "yjs2@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        using var second = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await second.SignInAsync(other.Email, other.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/reports/export/headlines.csv?period=academic_year&academicYear=2025")).StatusCode);
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_before_it_is_read()
    {
        using var client = new FormClient(app);
        var huge = new string('x', RjConferences.Components.Forms.TextLimits.HubMessageBytes + 1000);

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new StringContent($"Input.Email={huge}", Encoding.UTF8, "application/x-www-form-urlencoded"),
        });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.StartsWith("The request is too large: at most ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
