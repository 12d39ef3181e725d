using System.Text.Json;
using Dapper;
using RjConferences.Data;
using RjConferences.Features.Reports;

namespace RjConferences.Tests.Support;

public static class ReportFactsCheck
{
    /// <summary>
    /// Asserts that the stored report facts equal the facts computed afresh from the source tables
    /// (the view <c>case_report_facts_source</c>), and returns how many cases there are.
    /// </summary>
    public static async Task<int> AssertStoredEqualSourceAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        var stored = (await connection.QueryAsync($"SELECT {ReportFacts.Columns} FROM case_report_facts ORDER BY case_id")).ToList();
        var fresh = (await connection.QueryAsync($"SELECT {ReportFacts.Columns} FROM case_report_facts_source ORDER BY case_id")).ToList();
        Assert.Equal(JsonSerializer.Serialize(fresh), JsonSerializer.Serialize(stored));
        return fresh.Count;
    }
}
