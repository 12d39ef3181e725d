
namespace RjConferences.Features.Reports;

/// <summary>
/// The stored facts reports are computed from: one row per case in <c>case_report_facts</c>, a copy
/// of the view <c>case_report_facts_source</c> (migration 0009), which is the one definition of every
/// dimension, stage and reason. <see cref="RefreshAsync"/> recomputes a case's row inside the
/// transaction that changed the case; <see cref="Referrals.CaseTimeline.RecordAsync"/> calls it after
/// every change, so the facts are never behind the case.
/// <para>
/// Three packed integers carry what the report needs, so that a year of cases is read with three
/// columns a row (<see cref="CaseFact"/> decodes them):
/// <list type="bullet">
/// <item><c>dims</c>: school id (bits 0–15), offence category id (16–23), ethnic group code (24–27,
/// index into <see cref="Referrals.Vocabulary.EthnicGroupHeadings"/>), month of referral as
/// year × 12 + month − 1 (32–47), day of the month of referral (48–52; migration 0017).</item>
/// <item><c>flow</c>: <see cref="Stage"/> (0–2), <see cref="Reason"/> (3–6), ineligibility reasons
/// as bits 1 not admitted, 2 gravity too high, 4 under 10, 8 over 17 (7–10), the interval in months
/// of the latest recorded follow-up check, 0 when none (11–18), any recorded check found the young
/// person entered the CJS (19), exclusion avoided at the held conference 0 not recorded / 1 no / 2 yes
/// (20–21), the harmed party's satisfaction 0 not answered / 1–5 (22–24), harmed parties who gave consent to take part
/// (25–27) and, of them, those who attended a held conference (28–30), each up to 7.</item>
/// <item><c>days</c>: days from referral to the first held conference + 32768 (0–15; 0 when none) and
/// from referral to the first offer of restorative justice to the harmed party + 32768 (16–31; 0 when none), and from
/// referral to the first suitability assessment + 32768 (32–47; 0 when none): calendar days, which the report turns into
/// working days (<see cref="WorkingDays"/>).</item>
/// </list>
/// </para>
/// </summary>
public static class ReportFacts
{
    /// <summary>
    /// The furthest stage of the funnel a case reached (stored). "No CJS entry at 12 months" is not
    /// stored: it depends on the configured last follow-up interval and is decided when the report runs.
    /// <list type="number">
    /// <item>Referred: every case (school-internal matters are not cases).</item>
    /// <item>Eligible: <c>cases.eligible = TRUE</c> (admitted, gravity at most the maximum, every young person 10–17).</item>
    /// <item>Consented: every consent needed was given — the case reached <c>ready_to_schedule</c> or any
    /// later status (according to its timeline or its current status), or has had a conference booked.</item>
    /// <item>Conference held: a conference of the case has status <c>held</c>.</item>
    /// <item>Agreement reached: a held conference recorded <c>agreement_reached = TRUE</c>.</item>
    /// <item>Agreement completed: the case reached <c>agreement_completed</c> or <c>follow_up</c>, or was
    /// closed as diverted or entered_cjs.</item>
    /// </list>
    /// The stages are nested: a case counts at a stage only when it counts at every earlier one.
    /// </summary>
    public static class Stage
    {
        public const int Referred = 1, Eligible = 2, Consented = 3, Held = 4, Reached = 5, Completed = 6;
    }

    /// <summary>
    /// Why a case stopped at its stage (stored for stages 2–5; "in progress" when nothing ended it yet).
    /// Checked in this order: not suitable (status or closure), consent refused (withdrawn or closed as
    /// withdrawn, and someone refused consent to take part), withdrawn (otherwise), conference not held
    /// (consented, a conference was recorded as not held and none was held), no agreement (held without
    /// an agreement), agreement failed (the case reached <c>agreement_failed</c> or closed escalated).
    /// </summary>
    public static class Reason
    {
        public const int InProgress = 0, NotSuitable = 1, ConsentRefused = 2, Withdrawn = 3, ConferenceNotHeld = 4, NoAgreement = 5, AgreementFailed = 6;
    }

    /// <summary>Bits of the ineligibility reasons, in the order of <see cref="Referrals.Vocabulary.IneligibilityReasons"/>.</summary>
    public static readonly IReadOnlyList<string> IneligibilityCodes = ["not_admitted", "gravity_too_high", "under_10", "over_17"];

    public const string Columns = "referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group";

    /// <summary>The columns of <c>case_activity</c> (migration 0018): one row per event of a case, with the case's filter columns.</summary>
    public const string ActivityColumns = "activity_on, case_id, kind, source_id, month_kind, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group";

    /// <summary>
    /// Recomputes one case's facts and activity rows (parameter <c>@caseId</c>); the activity copies the case's filter columns
    /// from its facts, so the facts come first.
    /// </summary>
    public static readonly string RefreshSql = RefreshSqlFor("= @caseId");

    /// <summary>
    /// The SQL that recomputes the facts and activity of the cases whose id satisfies <c>case_id {caseCondition}</c>, e.g.
    /// <c>= @caseId</c>, or <c>IN (SELECT id FROM temp.batch)</c> for many at once. The condition is the caller's constant SQL.
    /// </summary>
    public static string RefreshSqlFor(string caseCondition) => $"""
        DELETE FROM case_report_facts WHERE case_id {caseCondition};
        INSERT INTO case_report_facts ({Columns})
        SELECT {Columns} FROM case_report_facts_source WHERE case_id {caseCondition};
        DELETE FROM case_activity WHERE case_id {caseCondition};
        INSERT INTO case_activity ({ActivityColumns})
        SELECT {ActivityColumns} FROM case_activity_source WHERE case_id {caseCondition};
        """;

    /// <summary>Recomputes one case's facts from the source tables; call it after the change, in the same transaction.</summary>
    public static async Task RefreshAsync(DbConnection connection, IDbTransaction? transaction, Guid caseId)
    {
        await connection.ExecuteAsync(RefreshSql, new { caseId }, transaction);
    }

    /// <summary>Recomputes every case's facts and activity (for a repair after a bulk change made outside the app).</summary>
    public static async Task<int> RebuildAsync(DbConnection connection, IDbTransaction? transaction)
    {
        await connection.ExecuteAsync("DELETE FROM case_activity", transaction: transaction);
        await connection.ExecuteAsync("DELETE FROM case_report_facts", transaction: transaction);
        var cases = await connection.ExecuteAsync($"INSERT INTO case_report_facts ({Columns}) SELECT {Columns} FROM case_report_facts_source", transaction: transaction);
        await connection.ExecuteAsync($"INSERT INTO case_activity ({ActivityColumns}) SELECT {ActivityColumns} FROM case_activity_source", transaction: transaction);
        return cases;
    }
}

/// <summary>One case's packed facts, decoded (see <see cref="ReportFacts"/> for the layout).</summary>
public readonly record struct CaseFact(long Dims, long Flow, long Days)
{
    public int SchoolId => (int)(Dims & 0xFFFF);
    public int OffenceCategoryId => (int)((Dims >> 16) & 0xFF);
    public int EthnicGroup => (int)((Dims >> 24) & 0xF);
    /// <summary>year × 12 + month − 1 of the referral date.</summary>
    public int MonthIndex => (int)((Dims >> 32) & 0xFFFF);
    /// <summary>The day of the month of the referral date (1–31).</summary>
    public int DayOfMonth => (int)((Dims >> 48) & 0x1F);
    /// <summary>The referral date (London).</summary>
    public DateOnly ReferredOn => new(MonthIndex / 12, MonthIndex % 12 + 1, DayOfMonth);
    public int Stage => (int)(Flow & 0x7);
    public int Reason => (int)((Flow >> 3) & 0xF);
    public int IneligibleMask => (int)((Flow >> 7) & 0xF);
    public int LastCheckMonths => (int)((Flow >> 11) & 0xFF);
    public bool EnteredCjs => ((Flow >> 19) & 1) == 1;
    /// <summary>null when not recorded.</summary>
    public bool? ExclusionAvoided => ((Flow >> 20) & 0x3) switch { 1 => false, 2 => true, _ => null };
    /// <summary>1–5, or null when not answered.</summary>
    public int? Satisfaction => ((Flow >> 22) & 0x7) is var s and > 0 ? (int)s : null;
    public int? DaysToConference => (Days & 0xFFFF) is var d and > 0 ? (int)d - 32768 : null;
    public int? DaysToVictimContact => ((Days >> 16) & 0xFFFF) is var d and > 0 ? (int)d - 32768 : null;
    /// <summary>Calendar days from referral to the first suitability assessment; null when none.</summary>
    public int? DaysToAssessment => ((Days >> 32) & 0xFFFF) is var d and > 0 ? (int)d - 32768 : null;
    /// <summary>Harmed parties who gave consent to take part (up to 7).</summary>
    public int HarmedConsented => (int)((Flow >> 25) & 0x7);
    /// <summary>Of them, those who attended a held conference (up to 7).</summary>
    public int HarmedTookPart => (int)((Flow >> 28) & 0x7);
}
