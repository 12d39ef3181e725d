namespace RjConferences.Features.Reports;

/// <summary>
/// "How this is counted", beside each headline figure on the page: what is counted and out of what (the base), in words a
/// manager can check against docs/reports.md. One place for the words; the figures' keys are <see cref="HeadlineFigure.Key"/>.
/// </summary>
public static class ReportDefinitions
{
    /// <summary>The headline figures the page shows in their own section, "Timeliness and harmed parties", in this order.</summary>
    public static readonly string[] Timeliness =
    [
        "assessed_in_time", "median_working_days_to_assessment", "victim_offer_in_time", "median_working_days_to_victim_offer",
        "median_days_to_victim_contact", "median_working_days_to_conference", "median_days_to_conference", "harmed_took_part", "harmed_satisfaction",
    ];

    public static readonly IReadOnlyDictionary<string, string> Headlines = new Dictionary<string, string>
    {
        ["referrals"] = "Cases referred in the period (by the date of referral), in your schools and within the filters.",
        ["school_internal"] = "Incidents a school recorded as dealt with internally in the period: counted only, they are not cases.",
        ["eligible"] = "Out of all the referrals: those meeting every rule (offence admitted, gravity within the limit, every young person aged 10 to 17).",
        ["conferences_held"] = "Out of the eligible referrals: those with a conference held so far. (The stage-by-stage table counts the same cases out of those with every consent, a smaller base.)",
        ["agreements_reached"] = "Out of the cases with a conference held: those whose conference reached an agreement.",
        ["agreements_completed"] = "Out of the cases with an agreement: those whose agreement was completed.",
        ["diversion_rate"] = "Out of the cases whose 12-month follow-up check is recorded, at any stage: those that no recorded check found had entered the criminal justice system. Cases still waiting for their check are not counted yet.",
        ["entered_cjs_12"] = "The rest of the same base: a recorded check found the young person had entered the criminal justice system.",
        ["exclusions_avoided"] = "Out of the held conferences that recorded an answer: those recording that a school exclusion was avoided.",
        ["median_days_to_conference"] = "The middle value of the days from referral to the first conference held, over the cases that have held one.",
        ["median_days_to_victim_contact"] = "The middle value of the days from referral to the first offer of restorative justice to the harmed party, over the cases with one (it can be negative when the offer came first).",
        ["harmed_satisfaction"] = "Out of the harmed parties who answered (at the case's latest held conference): those who gave 4 or 5 out of 5.",
        ["assessed_in_time"] = "Out of the cases with a suitability assessment: those whose first assessment came within 10 working days of the referral (Monday to Friday, not bank holidays; the day of referral is day 0).",
        ["median_working_days_to_assessment"] = "The middle value of the working days from referral to the first suitability assessment, over the cases assessed.",
        ["victim_offer_in_time"] = "Out of the cases whose harmed party has been offered restorative justice: those offered within 5 working days of the referral, as the Victims' Code asks (an offer made before the referral counts as in time).",
        ["median_working_days_to_victim_offer"] = "The middle value of the working days from referral to the first offer of restorative justice to the harmed party, over the cases with an offer.",
        ["median_working_days_to_conference"] = "The middle value of the working days from referral to the first conference held, over the cases that have held one (the same cases as the median in days).",
        ["harmed_took_part"] = "Out of the harmed parties who gave consent to take part: those recorded as attending a held conference. Counts people, not cases.",
    };
}
