
namespace RjConferences.Features.Schools;

public sealed record SchoolListItem(long Id, string Name, bool SingleOfficerBased);

public sealed record BoroughWithSchools(long Id, string Name, IReadOnlyList<SchoolListItem> Schools);

/// <summary>Boroughs, their schools and the rooms at each school.</summary>
public sealed class SchoolRegistry(Db db)
{
    public async Task<IReadOnlyList<BoroughWithSchools>> ListBoroughsAsync(CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT b.id AS borough_id, b.name AS borough_name,
                   s.id, s.name, s.single_officer_based
            FROM boroughs AS b
            JOIN schools AS s ON s.borough_id = b.id
            ORDER BY b.name, s.name
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long BoroughId, string BoroughName, long Id, string Name, bool SingleOfficerBased)>(
            new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows
            .GroupBy(r => (r.BoroughId, r.BoroughName))
            .Select(g => new BoroughWithSchools(g.Key.BoroughId, g.Key.BoroughName,
                g.Select(r => new SchoolListItem(r.Id, r.Name, r.SingleOfficerBased)).ToList()))
            .ToList();
    }
}
