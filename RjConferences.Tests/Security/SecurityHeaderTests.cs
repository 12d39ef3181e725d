using System.Net;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

public class SecurityHeaderTests : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Pages_carry_the_security_headers_and_are_not_cached()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);

        var response = await client.GetAsync("/schools");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join("", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task The_sign_in_cookie_is_HttpOnly_and_SameSite_Lax_and_expires_after_30_idle_minutes()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);

        var response = await client.SignInAsync(user.Email, user.Password);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("rj.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(TimeSpan.FromMinutes(30), IdentitySetup.IdleTimeout);
    }

    [Fact]
    public async Task The_Blazor_hub_refuses_another_origin()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://evil.example");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
