using System.Net;
using System.Text.RegularExpressions;

namespace RjConferences.Tests.Support;

/// <summary>
/// A cookie-keeping HTTP client that does not follow redirects and can post the app's static
/// server-rendered forms with their antiforgery token, as a browser would.
/// </summary>
public sealed partial class FormClient : IDisposable
{
    private readonly HttpClient client;

    public FormClient(AppHost app)
    {
        Cookies = new CookieContainer();
        client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(app.BaseUrl),
        };
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => client.GetAsync(path);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => client.SendAsync(request);

    /// <summary>GETs <paramref name="path"/>, then posts its form named <paramref name="formName"/> with the given fields.</summary>
    /// <param name="tokenPage">Where to read the antiforgery token, when <paramref name="path"/> shows no form.</param>
    public async Task<HttpResponseMessage> PostFormAsync(string path, string formName, IDictionary<string, string> fields,
        string? antiforgery = null, string? tokenPage = null)
    {
        var page = await (await client.GetAsync(tokenPage ?? path)).Content.ReadAsStringAsync();
        var token = antiforgery ?? AntiforgeryToken().Match(page).Groups[1].Value;
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = token,
        };
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        PostFormAsync("/account/login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    public void Dispose() => client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
