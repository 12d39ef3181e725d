using System.Text;
using Microsoft.AspNetCore.Identity;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- Carrying out the plan through the real services ----

    private sealed class Runner(Db db, SettableClock clock, ReferralService referrals, CaseChanges changes, Guid referrerId,
        ClaimsPrincipal referrer, ClaimsPrincipal facilitator, ConferenceRunner later, FollowUps.DailyJob job)
    {
        private readonly Random texts = new(Seed + 1);

        public async Task ExecuteAsync(List<PlannedCase> plans, List<(DateTimeOffset At, ReferralForm Form)> matters, IEnumerable<DateTimeOffset> jobRuns)
        {
            var steps = plans.SelectMany(p => p.Steps.Select(s => (Step: s, Plan: (PlannedCase?)p)))
                .Concat(matters.Select(m => (Step: (Step)new Refer(m.At), Plan: (PlannedCase?)null)))
                .Concat(jobRuns.Select(at => (Step: (Step)new RunDailyJob(at), Plan: (PlannedCase?)null)))
                .OrderBy(s => s.Step.At).ToList();
            var matterForms = new Queue<ReferralForm>(matters.OrderBy(m => m.At).Select(m => m.Form));
            foreach (var (step, plan) in steps)
            {
                clock.Now = step.At;
                if (step is RunDailyJob)
                {
                    await job.RunAsync();
                    continue;
                }
                if (plan is null)
                {
                    var matter = await referrals.SaveAsync(matterForms.Dequeue(), referrerId);
                    Check(matter.Succeeded && matter.InternalMatter, matter.Errors, "internal matter");
                    continue;
                }
                await DoAsync(plan, step);
            }
            await using var connection = await db.OpenAsync();
            foreach (var plan in plans)
            {
                var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM cases WHERE id = @CaseId", new { plan.CaseId });
                if (status != plan.Status)
                {
                    throw new InvalidOperationException($"Demo case {plan.CaseId} ended as {status}, not {plan.Status} as planned.");
                }
            }
        }

        private async Task DoAsync(PlannedCase plan, Step step)
        {
            var on = LondonTime.DateOf(step.At);
            switch (step)
            {
                case Refer:
                    var saved = await referrals.SaveAsync(plan.Form, referrerId);
                    Check(saved.Succeeded && saved.CaseId is not null, saved.Errors, "referral");
                    plan.CaseId = saved.CaseId!.Value;
                    await using (var connection = await db.OpenAsync())
                    {
                        plan.PartyIds = (await connection.QueryAsync<Guid>(
                            "SELECT id FROM parties WHERE case_id = @CaseId ORDER BY sort_order", new { plan.CaseId })).ToList();
                    }
                    break;
                case OfferVictim:
                    CaseEdit edit;
                    long version;
                    await using (var connection = await db.OpenAsync())
                    {
                        var current = await connection.QuerySingleAsync<(string Description, string Location, string OutcomeRoute, long Version)>(
                            "SELECT description, location, outcome_route, version FROM cases WHERE id = @CaseId", new { plan.CaseId });
                        edit = new CaseEdit
                        {
                            Description = current.Description, Location = current.Location, OutcomeRoute = current.OutcomeRoute,
                            VictimFirstOfferedOn = DateInput.From(on),
                        };
                        version = current.Version;
                    }
                    Check(await changes.EditAsync(plan.CaseId, edit, version, referrer), "victim contact");
                    break;
                case Assess a:
                    Check(await changes.RecordSuitabilityAsync(plan.CaseId, new SuitabilityForm
                    {
                        RiskToParties = Pick(RiskTexts),
                        PowerImbalance = Pick(PowerTexts),
                        AcceptanceOfResponsibility = Pick(AcceptanceTexts),
                        HarmedPartyWishes = Pick(WishesTexts),
                        Outcome = a.Suitable ? "suitable" : "not_suitable",
                        Reason = a.Suitable ? null : Pick(NotSuitableReasons),
                    }, facilitator), "suitability");
                    break;
                case GiveConsent k:
                    Check(await changes.RecordConsentAsync(plan.CaseId, new ConsentForm
                    {
                        PartyId = plan.PartyIds[k.Party], Purpose = k.Purpose, Decision = k.Decision, DecidedOn = DateInput.From(on), Method = k.Method,
                    }, k.ByFacilitator ? facilitator : referrer), "consent");
                    break;
                case WithdrawConsent w:
                    Guid consentId;
                    await using (var connection = await db.OpenAsync())
                    {
                        consentId = await connection.ExecuteScalarAsync<Guid>("""
                            SELECT id FROM consents WHERE party_id = @party AND purpose = 'take_part' AND decision = 'given' AND withdrawn_on IS NULL
                            """, new { party = plan.PartyIds[w.Party] });
                    }
                    Check(await changes.WithdrawConsentAsync(plan.CaseId, consentId, DateInput.From(on), referrer), "consent withdrawal");
                    break;
                case WithdrawCase wc:
                    Check(await changes.WithdrawCaseAsync(plan.CaseId, wc.Reason, referrer), "withdrawal");
                    break;
                default:
                    await later.DoAsync(plan, step);
                    break;
            }
        }

        private string Pick(string[] choices) => choices[texts.Next(choices.Length)];

        private static void Check(SaveResult result, string what) => Check(result.Outcome == SaveOutcome.Saved, result.Errors, what);

        private static void Check(bool ok, FieldErrors errors, string what)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"The demo {what} was refused: {string.Join("; ", errors.SelectMany(e => e.Value))}");
            }
        }
    }
}
