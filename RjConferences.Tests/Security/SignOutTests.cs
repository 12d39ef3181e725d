using System.Net;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Security.Account;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

public class SignOutTests : IDisposable
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
    private readonly AppHost app;

    public SignOutTests() => app = new AppHost(clock: clock);

    public void Dispose() => app.Dispose();

    private Task<TestUser> ReferrerAsync() =>
        TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);

    [Fact]
    public async Task Signing_out_signs_out()
    {
        var user = await ReferrerAsync();
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);

        var response = await client.PostFormAsync("/account/logout", "", new Dictionary<string, string>(), tokenPage: "/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/schools")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged")]
    public async Task Signing_out_without_a_valid_antiforgery_token_is_refused_with_400_and_logs_no_error(string? token)
    {
        var user = await ReferrerAsync();
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);
        var logs = LogCapture.On(app.Services);

        var fields = new Dictionary<string, string>();
        if (token is not null) fields["__RequestVerificationToken"] = token;
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/logout") { Content = new FormUrlEncodedContent(fields) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/schools")).StatusCode);
    }

    [Fact]
    public async Task After_the_session_expired_sign_out_then_sign_in_goes_to_the_home_page()
    {
        var user = await ReferrerAsync();
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);
        var home = await (await client.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.Contains("Sign out", home);

        clock.Advance(IdentitySetup.IdleTimeout + TimeSpan.FromMinutes(1));
        var signOut = await client.PostFormAsync("/account/logout", "", new Dictionary<string, string>(), tokenPage: "/account/login");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/account/login", signOut.Headers.Location!.ToString());

        var signIn = await client.SignInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.AbsolutePath());
    }

    [Theory]
    [InlineData("/account/logout")]
    [InlineData("/ACCOUNT/Logout/")]
    [InlineData("/cases/../account/logout")]
    [InlineData("/account/login?ReturnUrl=%2Fcases")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task Signing_in_never_returns_to_an_account_address_or_another_site(string returnUrl)
    {
        var user = await ReferrerAsync();
        using var client = new FormClient(app);

        var signIn = await client.PostFormAsync("/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), "login", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        });

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.AbsolutePath());
    }

    [Fact]
    public async Task Signing_in_returns_to_the_page_asked_for()
    {
        var user = await ReferrerAsync();
        using var client = new FormClient(app);

        var signIn = await client.PostFormAsync("/account/login?ReturnUrl=%2Fcases%3Fpage%3D2", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        });

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.EndsWith("/cases?page=2", signIn.Headers.Location!.ToString());
    }

    [Fact]
    public void No_endpoint_that_only_takes_POST_is_ever_a_return_address()
    {
        var postOnly = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods && !methods.HttpMethods.Contains("GET"))
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .ToList();

        Assert.Contains("/account/logout", postOnly);
        Assert.All(postOnly, path => Assert.Equal("/", Login.SafeReturnUrl(path)));
    }
}

internal static class LocationExtensions
{
    /// <summary>The path of a redirect's Location, whether absolute or relative.</summary>
    public static string AbsolutePath(this Uri location) =>
        (location.IsAbsoluteUri ? location : new Uri(new Uri("http://site"), location)).AbsolutePath;
}
