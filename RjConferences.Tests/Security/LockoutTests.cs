using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Admin;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>Five wrong tries must not tell anyone whether an account exists.</summary>
public class LockoutTests : IDisposable
{
    private readonly AppHost app = new(clock: new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero)));

    public void Dispose() => app.Dispose();

    private static async Task<string> AnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return response.StatusCode != HttpStatusCode.OK ? $"HTTP {(int)response.StatusCode}"
            : body.Contains("locked for 15 minutes") ? "locked"
            : body.Contains("Enter a correct email address and password") ? "wrong"
            : "something else";
    }

    /// <summary>Five wrong passwords, then the right one (or, for an unknown email, the same one again).</summary>
    private async Task<List<string>> SixTriesAsync(string email, string rightPassword)
    {
        using var client = new FormClient(app);
        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await AnswerAsync(await client.SignInAsync(email, "not the password at all")));
        }
        answers.Add(await AnswerAsync(await client.SignInAsync(email, rightPassword)));
        return answers;
    }

    [Fact]
    public async Task After_five_wrong_tries_an_unknown_email_a_disabled_account_and_a_real_one_get_the_same_answers()
    {
        var admin = await TestUsers.CreateAsync(app.Services, "admin@rj.example", [Roles.Administrator]);
        var real = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var disabled = await TestUsers.CreateAsync(app.Services, "gone@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(disabled.Id, true, admin.Id));
        }

        var realAnswers = await SixTriesAsync(real.Email, real.Password);
        var unknownAnswers = await SixTriesAsync("nobody@school.example", real.Password);
        var disabledAnswers = await SixTriesAsync(disabled.Email, disabled.Password);

        Assert.Equal(["wrong", "wrong", "wrong", "wrong", "locked", "locked"], realAnswers);
        Assert.Equal(realAnswers, unknownAnswers);
        Assert.Equal(realAnswers, disabledAnswers);
    }

    [Fact]
    public async Task Locking_one_unknown_email_leaves_other_addresses_alone()
    {
        var real = await TestUsers.CreateAsync(app.Services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        await SixTriesAsync("nobody@school.example", "whatever it is");
        using var client = new FormClient(app);

        Assert.Equal("wrong", await AnswerAsync(await client.SignInAsync("somebody@school.example", "whatever it is")));
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(real.Email, real.Password)).StatusCode);
        Assert.Equal("locked", await AnswerAsync(await client.SignInAsync("NOBODY@school.example", "whatever it is")));
    }
}
