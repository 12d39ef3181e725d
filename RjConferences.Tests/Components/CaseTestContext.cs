using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Conferences;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>
/// bUnit over a test database with the real referral services, an interactive renderer, and a
/// clock fixed at Monday 15 June 2026, 11:30 in London.
/// </summary>
public abstract class CaseTestContext : BunitContext
{
    protected static readonly DateOnly OffenceDate = new(2026, 6, 10);

    protected CaseTestContext()
    {
        Cases = new TestCases(Database.Db, Clock);
        Services.RegisterApp(Database, Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        auth = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private readonly BunitAuthorizationContext auth;

    protected TestDatabase Database { get; } = new();

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));

    protected TestCases Cases { get; }

    protected async Task<TestUser> UserAsync(string email, string[] roles, params string[] schools)
    {
        using var services = TestUsers.Services(Database, Clock);
        return await TestUsers.CreateAsync(services, email, roles, schools);
    }

    protected Task<long> SchoolAsync(string boroughAndSchool) => TestCases.SchoolIdAsync(Database.Db, boroughAndSchool);

    /// <summary>Signs <paramref name="user"/> in for the components rendered next.</summary>
    protected void SignIn(TestUser user, params string[] roles)
    {
        auth.SetAuthorized(user.Email);
        auth.SetRoles(roles); // before SetClaims: bUnit rebuilds the principal without the claims set earlier
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Database.Dispose();
        }
    }
}
