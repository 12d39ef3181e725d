using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>
/// Every routable page and endpoint requires sign-in, except an explicit allow-list. A new page
/// or endpoint without a policy makes this test fail.
/// </summary>
public class EndpointSweepTests : IDisposable
{
    private static readonly HashSet<string> AllowAnonymous =
    [
        "/account/login",
        "/setup",
        "/health",
        "/not-found",
        "/Error",
    ];

    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    public static IEnumerable<(string Method, string Path)> Routes(IServiceProvider services) =>
        services.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints)
            .OfType<RouteEndpoint>()
            // Fingerprinted static files (MapStaticAssets) are public by design.
            .Where(e => !e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor"))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, Path(e.RoutePattern))))
            .Distinct();

    private static string Path(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => parameter.ParameterPolicies.Any(p => p.Content == "guid")
                ? Guid.NewGuid().ToString()
                : parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") ? "1" : "x",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    [Fact]
    public async Task Every_endpoint_except_the_allow_list_sends_an_anonymous_user_to_sign_in()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var routes = Routes(app.Services).ToList();
        Assert.Contains(routes, r => r.Path == "/schools");
        Assert.Contains(routes, r => r.Path.StartsWith("/admin/users/", StringComparison.Ordinal));

        var open = new List<string>();
        foreach (var (method, path) in routes.Where(r => !AllowAnonymous.Contains(r.Path)))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET")
            {
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string>());
            }
            using var response = await client.SendAsync(request);
            var toSignIn = response.StatusCode == HttpStatusCode.Redirect
                && response.Headers.Location!.ToString().Contains("/account/login", StringComparison.Ordinal);
            // Non-page endpoints may answer 401 instead of a redirect; 400 is antiforgery refusing first.
            if (!toSignIn && response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest))
            {
                open.Add($"{method} {path} → {(int)response.StatusCode}");
            }
        }
        Assert.True(open.Count == 0, "Reachable without sign-in:\n" + string.Join("\n", open));
    }

    [Fact]
    public async Task The_allow_list_is_reachable_without_sign_in()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var path in new[] { "/account/login", "/setup", "/health", "/not-found" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path} → {(int)response.StatusCode}");
        }
    }
}
