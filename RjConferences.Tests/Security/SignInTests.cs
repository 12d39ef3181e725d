using System.Buffers.Binary;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Admin;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

public class SignInTests : IDisposable
{
    private readonly AppHost app = new();

    public void Dispose() => app.Dispose();

    private async Task<List<(string Action, string? UserId, string? Justification)>> AuditAsync()
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?)>(
            "SELECT action, user_id, justification FROM audit_events ORDER BY id")).ToList();
    }

    private static bool IsSignInPage(HttpResponseMessage response, string body) =>
        response.StatusCode == HttpStatusCode.OK && body.Contains("<h1>Sign in</h1>");

    [Fact]
    public async Task A_correct_password_signs_in_and_is_audited()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);

        var response = await client.SignInAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/schools")).StatusCode);
        Assert.Contains(("sign_in", user.Id.ToString(), (string?)null), await AuditAsync());
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_message_and_are_audited()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);

        var wrong = await (await client.SignInAsync(user.Email, "not the password at all")).Content.ReadAsStringAsync();
        var unknown = await (await client.SignInAsync("nobody@school.example", "not the password at all")).Content.ReadAsStringAsync();

        Assert.Contains("Enter a correct email address and password", wrong);
        Assert.Contains("Enter a correct email address and password", unknown);
        var audit = await AuditAsync();
        Assert.Contains(("sign_in_failed", user.Id.ToString(), "wrong password"), audit);
        Assert.Contains(("sign_in_failed", (string?)null, "unknown email"), audit);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/schools")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_so_the_sixth_attempt_is_refused_even_when_right()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);

        // ASP.NET Core Identity sets the lockout end from the machine's clock (it takes no TimeProvider), so the
        // window is measured against the machine's clock around the attempts: an interval, not a date.
        var started = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            await client.SignInAsync(user.Email, "not the password at all");
        }
        var ended = TimeProvider.System.GetUtcNow();
        var sixth = await client.SignInAsync(user.Email, user.Password);
        var body = await sixth.Content.ReadAsStringAsync();

        Assert.True(IsSignInPage(sixth, body));
        Assert.Contains("locked for 15 minutes", body);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/schools")).StatusCode);
        var audit = await AuditAsync();
        Assert.Equal(4, audit.Count(a => a.Action == "sign_in_failed"));
        Assert.Equal(2, audit.Count(a => a.Action == "locked_out"));
        await using var connection = await app.Database.Db.OpenAsync();
        var lockoutEnd = await connection.ExecuteScalarAsync<DateTimeOffset>("SELECT lockout_end FROM users WHERE id = @Id", new { user.Id });
        Assert.InRange(lockoutEnd, started.AddMinutes(15), ended.AddMinutes(15));
    }

    [Fact]
    public async Task A_fresh_password_hash_uses_at_least_210000_PBKDF2_iterations()
    {
        await using var app = new AppHost(services: s => s.UseAppPasswordHashing());
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);

        Assert.True(await IterationsAsync(app, user.Id) >= 210_000);
    }

    [Fact]
    public async Task An_older_weaker_hash_is_upgraded_at_the_next_sign_in()
    {
        await using var app = new AppHost(services: s => s.UseAppPasswordHashing());
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var weak = new PasswordHasher<AppUser>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 10_000 }))
            .HashPassword(new AppUser(), user.Password);
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET password_hash = @weak WHERE id = @Id", new { weak, user.Id });
        }
        Assert.Equal(10_000, await IterationsAsync(app, user.Id));
        using var client = new FormClient(app);

        await client.SignInAsync(user.Email, user.Password);

        Assert.True(await IterationsAsync(app, user.Id) >= 210_000);
    }

    private static async Task<int> IterationsAsync(AppHost app, Guid userId)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        var hash = Convert.FromBase64String(await connection.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE id = @userId", new { userId }) ?? "");
        Assert.Equal(0x01, hash[0]); // Identity V3 format: PBKDF2
        return (int)BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4));
    }

    [Fact]
    public async Task A_disabled_users_next_request_is_signed_out_and_they_cannot_sign_in_again()
    {
        var admin = await TestUsers.CreateAsync(app.Services, "admin@rj.example", [Roles.Administrator]);
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/schools")).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(user.Id, true, admin.Id));
        }

        var next = await client.GetAsync("/schools");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Contains("/account/login", next.Headers.Location!.ToString());
        var again = await client.SignInAsync(user.Email, user.Password);
        Assert.Contains("Enter a correct email address and password", await again.Content.ReadAsStringAsync());
        Assert.Contains(("sign_in_failed", user.Id.ToString(), "account disabled"), await AuditAsync());
    }

    [Fact]
    public async Task A_forged_antiforgery_token_is_refused_and_signs_nobody_in()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);

        var response = await client.PostFormAsync("/account/login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        }, antiforgery: "forged");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/schools")).StatusCode);
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == "sign_in");
    }

    [Fact]
    public async Task A_one_time_password_must_be_changed_before_anything_else()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"], mustChangePassword: true);
        using var client = new FormClient(app);

        var signIn = await client.SignInAsync(user.Email, user.Password);
        Assert.EndsWith("/account/change-password", signIn.Headers.Location!.ToString());
        var schools = await client.GetAsync("/schools");
        Assert.EndsWith("/account/change-password", schools.Headers.Location!.ToString());

        var changed = await client.PostFormAsync("/account/change-password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = user.Password,
            ["Input.NewPassword"] = "a brand new long passphrase",
            ["Input.ConfirmPassword"] = "a brand new long passphrase",
        });
        Assert.Contains("Your password has been changed", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/schools")).StatusCode);
    }

    [Fact]
    public async Task A_short_new_password_is_refused_at_the_field()
    {
        var user = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        using var client = new FormClient(app);
        await client.SignInAsync(user.Email, user.Password);

        var response = await client.PostFormAsync("/account/change-password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = user.Password,
            ["Input.NewPassword"] = "short",
            ["Input.ConfirmPassword"] = "short",
        });

        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("There is a problem", body);
        Assert.Contains("Password must be at least 12 characters", body);
        using var again = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await again.SignInAsync(user.Email, user.Password)).StatusCode);
    }
}
