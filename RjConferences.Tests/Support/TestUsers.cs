using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Security;

namespace RjConferences.Tests.Support;

public sealed record TestUser(Guid Id, string Email, string Password);

/// <summary>Creates accounts through the real <see cref="UserAccounts"/>, in an app host or a bare test database.</summary>
public static class TestUsers
{
    public const string Password = "correct horse battery";

    /// <summary>The app's services over a test database, without a web host (see <see cref="TestServices"/>).</summary>
    public static ServiceProvider Services(TestDatabase database, TimeProvider? clock = null) => TestServices.Build(database, clock);

    public static async Task<TestUser> CreateAsync(IServiceProvider services, string email, string[] roles,
        string[]? schools = null, string[]? boroughs = null, bool mustChangePassword = false)
    {
        var db = services.GetRequiredService<Db>();
        await using var connection = await db.OpenAsync();
        var schoolIds = new List<long>();
        foreach (var school in schools ?? [])
        {
            // "Borough/School", as the create-user command takes it.
            var parts = school.Split('/');
            schoolIds.Add(await connection.ExecuteScalarAsync<long>(
                "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = @b AND s.name = @s",
                new { b = parts[0], s = parts[1] }));
        }
        var boroughIds = new List<long>();
        foreach (var borough in boroughs ?? [])
        {
            boroughIds.Add(await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = @borough", new { borough }));
        }
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(
            new NewAccount(email.Split('@')[0], email, roles, schoolIds, boroughIds, Password, mustChangePassword), actorId: null);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        return new TestUser(result.UserId!.Value, email, Password);
    }
}
