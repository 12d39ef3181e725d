using System.Net;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Admin;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>What the administrator reads: schools with their boroughs, roles in words, names rather than ids.</summary>
public class AdministrationPagesTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private AppHost app = null!;
    private TestUser admin = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        admin = await TestUsers.CreateAsync(world.Services, "admin@rj.example", [Roles.Administrator]);
        app = new AppHost(world.Database, world.Clock);
    }

    public async Task DisposeAsync()
    {
        app.Dispose();
        await world.DisposeAsync();
    }

    /// <summary>
    /// The page as the administrator's circuit renders it: the prerendered HTML only says "Loading…" (pages load
    /// their data once, when interactive), so the page is rendered by bUnit over the app's services and this world.
    /// </summary>
    private async Task<string> PageAsAdminAsync<TPage>(string table) where TPage : IComponent
    {
        await using var context = new BunitContext();
        context.Services.RegisterApp(world.Database, world.Clock);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.AddAuthorization().SetAuthorized(admin.Email).SetRoles(Roles.Administrator)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, admin.Id.ToString()));
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = context.Render<TPage>();
        page.WaitForAssertion(() => page.Find(table));
        return WebUtility.HtmlDecode(page.Markup);
    }

    [Fact]
    public async Task The_users_list_names_each_school_with_its_borough_and_each_role_in_words()
    {
        await TestUsers.CreateAsync(world.Services, "a@newham.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        await TestUsers.CreateAsync(world.Services, "b@towerhamlets.example", [Roles.YouthJusticeReviewer], ["Tower Hamlets/Langdon Park"]);

        var page = await PageAsAdminAsync<UsersPage>("table tbody tr");

        Assert.Contains("Langdon Park, Newham", page);
        Assert.Contains("Langdon Park, Tower Hamlets", page);
        Assert.Contains("Youth justice reviewer", page);
        Assert.DoesNotContain("YouthJusticeReviewer", page);
    }

    [Fact]
    public async Task The_audit_log_shows_users_by_name_and_cases_by_reference()
    {
        var (caseId, _) = await world.ReadyCaseAsync();
        await world.Audit.RecordAsync(new AuditEvent(AuditAction.Consult, EntityType: "case", EntityId: caseId.ToString(), UserId: world.Officer.Id));
        var reference = await world.Database.Db.OpenAsync().ContinueWith(async t =>
        {
            await using var connection = await t;
            return await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "SELECT reference FROM cases WHERE id = @caseId", new { caseId });
        }).Unwrap();
        var gone = Guid.NewGuid();
        await world.Audit.RecordAsync(new AuditEvent(AuditAction.Consult, EntityType: "case", EntityId: gone.ToString(), UserId: gone));

        var page = await PageAsAdminAsync<AuditLogPage>("table tbody tr");

        var officerName = await DisplayNameAsync(world.Officer.Id);
        Assert.Contains(officerName, page);
        Assert.Contains($"Case {reference}", page);
        Assert.DoesNotContain(world.Officer.Id.ToString(), page.Replace($"user={world.Officer.Id}", ""));
        Assert.DoesNotContain(caseId.ToString(), page);
        Assert.Contains($"Unknown user {gone}", System.Text.RegularExpressions.Regex.Replace(page, "<[^>]+>", ""));
        Assert.Contains($"case {gone}", page);
    }

    private async Task<string> DisplayNameAsync(Guid id)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection, "SELECT display_name FROM users WHERE id = @id", new { id }) ?? "";
    }

    [Theory]
    [InlineData("", "Enter a password")]
    [InlineData("short", "Password must be at least 12 characters")]
    public async Task Password_messages_are_plain_english(string password, string expected)
    {
        await using var scope = app.Services.CreateAsyncScope();

        var errors = await scope.ServiceProvider.GetRequiredService<UserAccounts>().ValidatePasswordAsync(password);

        var (_, messages) = Assert.Single(errors);
        Assert.Equal(new[] { expected }, messages);
    }
}
