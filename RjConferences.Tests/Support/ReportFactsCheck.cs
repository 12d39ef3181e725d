using System.Text.Json;
using Dapper;
using RjConferences.Data;
using RjConferences.Features.Reports;

namespace RjConferences.Tests.Support;

public static class ReportFactsCheck
{
    /// <summary>
    /// Asserts that the stored report facts and activity rows equal those computed afresh from the source tables (the views
    /// <c>case_report_facts_source</c> and <c>case_activity_source</c>), and returns how many cases there are.
    /// </summary>
    public static async Task<int> AssertStoredEqualSourceAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        var stored = (await connection.QueryAsync($"SELECT {ReportFacts.Columns} FROM case_report_facts ORDER BY case_id")).ToList();
        var fresh = (await connection.QueryAsync($"SELECT {ReportFacts.Columns} FROM case_report_facts_source ORDER BY case_id")).ToList();
        Assert.Equal(JsonSerializer.Serialize(fresh), JsonSerializer.Serialize(stored));
        // The activity rows too (one per event: conference held, agreement completed, check recorded, case closed).
        const string order = "ORDER BY case_id, kind, activity_on, source_id";
        var storedActivity = (await connection.QueryAsync($"SELECT {ReportFacts.ActivityColumns} FROM case_activity {order}")).ToList();
        var freshActivity = (await connection.QueryAsync($"SELECT {ReportFacts.ActivityColumns} FROM case_activity_source {order}")).ToList();
        Assert.Equal(JsonSerializer.Serialize(freshActivity), JsonSerializer.Serialize(storedActivity));
        return fresh.Count;
    }
}
