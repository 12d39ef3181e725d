using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

public class SchoolScopeTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly ServiceProvider services;

    public SchoolScopeTests() => services = TestUsers.Services(database);

    public void Dispose()
    {
        services.Dispose();
        database.Dispose();
    }

    private SchoolScope Scope => services.GetRequiredService<SchoolScope>();

    private async Task<long> SchoolIdAsync(string borough, string school)
    {
        await using var connection = await database.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = @borough AND s.name = @school",
            new { borough, school });
    }

    [Fact]
    public async Task A_referrer_of_one_school_sees_that_school_only()
    {
        var user = await TestUsers.CreateAsync(services, "ref@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);

        var schools = await Scope.SchoolsAsync(user.Id);

        var only = Assert.Single(schools);
        Assert.Equal("Langdon Park, Newham", only.FullName);
        Assert.True(await Scope.CanSeeSchoolAsync(user.Id, await SchoolIdAsync("Newham", "Langdon Park")));
        // The other Langdon Park, in Tower Hamlets, is another school.
        Assert.False(await Scope.CanSeeSchoolAsync(user.Id, await SchoolIdAsync("Tower Hamlets", "Langdon Park")));
    }

    [Fact]
    public async Task A_borough_assignment_covers_every_school_of_the_borough()
    {
        var user = await TestUsers.CreateAsync(services, "yjs@borough.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);

        var ids = await Scope.SchoolIdsAsync(user.Id);

        Assert.Equal(17, ids.Count);
        Assert.Contains(await SchoolIdAsync("Newham", "Langdon Park"), ids);
        Assert.DoesNotContain(await SchoolIdAsync("Tower Hamlets", "Langdon Park"), ids);
    }

    [Fact]
    public async Task Schools_and_boroughs_combine_without_duplicates()
    {
        var user = await TestUsers.CreateAsync(services, "ref@school.example", [Roles.Referrer, Roles.Facilitator],
            ["Newham/Langdon Park", "Tower Hamlets/Langdon Park"], ["Newham"]);

        var ids = await Scope.SchoolIdsAsync(user.Id);

        Assert.Equal(18, ids.Count);
    }

    [Fact]
    public async Task An_administrator_without_assignments_sees_no_schools_cases()
    {
        var admin = await TestUsers.CreateAsync(services, "admin@rj.example", [Roles.Administrator]);

        Assert.Empty(await Scope.SchoolIdsAsync(admin.Id));
    }

    [Fact]
    public async Task A_referrer_without_any_school_or_borough_is_refused_at_creation()
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(
            new NewAccount("Ref", "ref@school.example", [Roles.Referrer], [], [], TestUsers.Password, false), null);

        Assert.False(result.Succeeded);
        Assert.Contains("Scope", result.Errors.Keys);
        await using var connection = await database.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users"));
    }
}
