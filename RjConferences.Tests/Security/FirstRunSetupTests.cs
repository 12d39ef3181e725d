using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

public class FirstRunSetupTests : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private string Token => app.Services.GetRequiredService<FirstRunSetup>().IssuedToken
        ?? throw new InvalidOperationException("No setup token was issued.");

    private static Dictionary<string, string> Admin(string token) => new()
    {
        ["Input.Token"] = token,
        ["Input.DisplayName"] = "Ada Admin",
        ["Input.Email"] = "ada@rj.example",
        ["Input.Password"] = "a long enough passphrase",
        ["Input.ConfirmPassword"] = "a long enough passphrase",
    };

    [Fact]
    public async Task The_setup_link_creates_the_first_administrator_once()
    {
        var token = Token;
        using var client = new FormClient(app);

        var created = await client.PostFormAsync($"/setup?token={token}", "setup", Admin(token));

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.EndsWith("/admin/users", created.Headers.Location!.ToString());
        var users = await client.GetAsync("/admin/users");
        Assert.True(users.StatusCode == HttpStatusCode.OK, $"{users.StatusCode} {users.Headers.Location} {await users.Content.ReadAsStringAsync()}");

        using var second = new FormClient(app);
        Assert.Contains("This setup link is not valid", await (await second.GetAsync($"/setup?token={token}")).Content.ReadAsStringAsync());
        var reused = await second.PostFormAsync($"/setup?token={token}", "setup", Admin(token), tokenPage: "/account/login");
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode); // the page shows no form to post
        await using var connection = await app.Database.Db.OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'Administrator'"));
    }

    [Fact]
    public async Task A_forged_setup_token_is_refused_audited_and_creates_nothing()
    {
        using var client = new FormClient(app);

        var page = await client.GetAsync("/setup?token=forged");
        var post = await client.PostFormAsync("/setup?token=forged", "setup", Admin("forged"), tokenPage: "/account/login");

        Assert.Contains("This setup link is not valid", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode); // the page shows no form to post
        await using var connection = await app.Database.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.True(await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = '/setup'") >= 1);
    }

    [Fact]
    public async Task Setup_with_mismatched_passwords_shows_the_error_and_saves_nothing()
    {
        var token = Token;
        using var client = new FormClient(app);
        var fields = Admin(token);
        fields["Input.ConfirmPassword"] = "something else entirely";

        var response = await client.PostFormAsync($"/setup?token={token}", "setup", fields);

        Assert.Contains("The passwords do not match", await response.Content.ReadAsStringAsync());
        Assert.True(await app.Services.GetRequiredService<FirstRunSetup>().IsValidAsync(token));
    }

    [Fact]
    public async Task No_token_is_issued_once_a_user_exists()
    {
        var token = Token;
        await TestUsers.CreateAsync(app.Services, "admin@rj.example", [Roles.Administrator]);

        Assert.Null(await app.Services.GetRequiredService<FirstRunSetup>().IssueTokenIfNoUsersAsync());
        Assert.False(await app.Services.GetRequiredService<FirstRunSetup>().IsValidAsync(token));
    }
}
