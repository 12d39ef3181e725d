using Dapper;
using RjConferences.Features.Schools;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class SchoolRegistryTests : IDisposable
{
    private readonly TestDatabase database = new();

    public void Dispose() => database.Dispose();

    [Fact]
    public async Task The_seeded_registry_has_15_boroughs_and_78_schools()
    {
        var boroughs = await new SchoolRegistry(database.Db).ListBoroughsAsync();

        Assert.Equal(15, boroughs.Count);
        Assert.Equal(78, boroughs.Sum(b => b.Schools.Count));
        Assert.Equal(17, boroughs.Single(b => b.Name == "Newham").Schools.Count);
        Assert.Equal(39, boroughs.SelectMany(b => b.Schools).Count(s => s.SingleOfficerBased));
    }

    [Fact]
    public async Task Langdon_Park_is_two_schools_in_two_boroughs()
    {
        var boroughs = await new SchoolRegistry(database.Db).ListBoroughsAsync();

        var langdonPark = boroughs.Where(b => b.Schools.Any(s => s.Name == "Langdon Park")).Select(b => b.Name).ToList();

        Assert.Equal(2, langdonPark.Count);
    }

    [Fact]
    public async Task A_school_name_is_unique_within_its_borough_only()
    {
        await using var connection = await database.Db.OpenAsync();
        var e = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(
            "INSERT INTO schools (borough_id, name) SELECT borough_id, name FROM schools WHERE name = 'Langdon Park' LIMIT 1"));
        Assert.Contains("unique", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
