using RjConferences.Features.Reports;

namespace RjConferences.Features.Referrals;

/// <summary>
/// The tables derived from a case, kept for speed: <c>case_name_keys</c> (the case list's name search)
/// and <c>case_report_facts</c> (the reports). Both are refreshed the same way: explicitly, once per
/// change, in the change's own transaction — by <see cref="CaseWork"/> for every change to a case, and
/// by the few writers that make or remove cases (a new referral, retention, the synthetic-data tool).
/// Each is recomputed from one view over the source tables (<c>young_person_name_keys</c>,
/// <c>case_report_facts_source</c>), so the rule lives in SQL once and a rebuild gives the same rows.
/// Why not triggers: the view for the report facts reads a dozen tables, a trigger on each would run
/// many times per change, and explicit SQL carries over to a second database without a trigger dialect.
/// </summary>
public static class CaseDerivedData
{
    private const string NameKeyColumns = "party_id, name_key, name_start, case_id, reference, school_id, status, referred_at";

    /// <summary>Recomputes one case's derived rows from the source tables.</summary>
    public static Task RefreshAsync(DbConnection connection, IDbTransaction? transaction, Guid caseId) =>
        connection.ExecuteAsync(RefreshSql, new { caseId }, transaction);

    /// <summary>The SQL of <see cref="RefreshAsync"/>, for a prepared command (parameter <c>@caseId</c>).</summary>
    public static readonly string RefreshSql = RefreshSqlFor("= @caseId");

    /// <summary>
    /// The SQL that recomputes the derived rows of the cases whose id satisfies <c>case_id {caseCondition}</c>: <c>= @caseId</c>
    /// for one, or <c>IN (SELECT id FROM temp.batch)</c> for many at once (the synthetic-data tool). The condition is the
    /// caller's constant SQL, never input.
    /// </summary>
    public static string RefreshSqlFor(string caseCondition) => $"""
        DELETE FROM case_name_keys WHERE case_id {caseCondition};
        INSERT INTO case_name_keys ({NameKeyColumns})
        SELECT k.party_id, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
        FROM young_person_name_keys AS k
        JOIN cases AS c ON c.id = k.case_id
        WHERE k.case_id {caseCondition} AND c.id {caseCondition};
        {ReportFacts.RefreshSqlFor(caseCondition)}
        """;

    /// <summary>Recomputes every case's derived rows (a repair after a bulk change made outside the app).</summary>
    public static async Task RebuildAsync(DbConnection connection, IDbTransaction? transaction)
    {
        await connection.ExecuteAsync($"""
            DELETE FROM case_name_keys;
            INSERT INTO case_name_keys ({NameKeyColumns})
            SELECT k.party_id, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
            FROM young_person_name_keys AS k
            JOIN cases AS c ON c.id = k.case_id;
            """, transaction: transaction);
        await ReportFacts.RebuildAsync(connection, transaction);
    }
}
