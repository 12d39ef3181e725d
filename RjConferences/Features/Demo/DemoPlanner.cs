using System.Text;
using Microsoft.AspNetCore.Identity;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- The plan: what happens to each case, and when ----

    internal abstract record Step(DateTimeOffset At);
    internal sealed record Refer(DateTimeOffset At) : Step(At);
    internal sealed record OfferVictim(DateTimeOffset At) : Step(At);
    internal sealed record Assess(DateTimeOffset At, bool Suitable) : Step(At);
    internal sealed record GiveConsent(DateTimeOffset At, int Party, string Purpose, string Decision, string Method, bool ByFacilitator) : Step(At);
    internal sealed record WithdrawConsent(DateTimeOffset At, int Party) : Step(At);
    internal sealed record WithdrawCase(DateTimeOffset At, string Reason) : Step(At);

    internal sealed class PlannedCase(Story story, ReferralForm form)
    {
        public Story Story { get; } = story;
        public string Status => Story.Status;
        public ReferralForm Form { get; } = form;
        public List<Step> Steps { get; } = [];
        public Guid CaseId { get; set; }
        public List<Guid> PartyIds { get; set; } = [];
        public List<Guid> ConferenceIds { get; } = [];

        /// <summary>Parties in the order they are saved (young people, harmed parties, supporters).</summary>
        public List<PartyForm> Parties => Form.AllParties.ToList();

        /// <summary>Indexes of the parties whose consent a conference needs.</summary>
        public List<int> ConsentRequired => Parties
            .Select((p, i) => (p, i))
            .Where(x => x.p.Role is "responsible" or "harmed" || x.p.SupporterType is "parent" or "guardian")
            .Select(x => x.i).ToList();

        public DateOnly OffenceDate => Form.OffenceDate.Parse("x", out _)!.Value;
    }

    /// <summary>Chooses the cases and their stories from the seeded random source.</summary>
    internal sealed partial class Planner(Random random, DateOnly today, List<School> schools, int maxGravity, ConferencePlanner conferences)
    {
        public List<PlannedCase> PlanCases()
        {
            var stories = Stories.SelectMany(s => Enumerable.Repeat(s, s.Count)).ToArray();
            random.Shuffle(stories);
            var plans = new List<PlannedCase>();
            foreach (var story in stories)
            {
                plans.Add(PlanCase(story));
            }
            var repeated = AddRepeatYoungPeople(plans);
            AddFeaturedNames(plans, repeated);
            return plans;
        }

        public List<(DateTimeOffset At, ReferralForm Form)> PlanInternalMatters()
        {
            var matters = new List<(DateTimeOffset, ReferralForm)>();
            for (var i = 0; i < InternalMatterCount; i++)
            {
                var day = SchoolDay(today.AddDays(-random.Next(2, 540)));
                var offenceAt = At(day, random.Next(8 * 60 + 30, 15 * 60 + 30));
                var form = new ReferralForm
                {
                    SchoolId = Pick(schools).Id,
                    Location = "on_school_premises",
                    OffenceDate = DateInput.From(day),
                    OffenceTime = LondonTime.ToLondon(offenceAt).ToString("HH:mm", CultureInfo.InvariantCulture),
                    OffenceCategoryId = random.Next(3) == 0 ? 3 : 4,
                    Gravity = 1,
                    Description = "Name-calling in a lesson; the school's behaviour policy deals with it.",
                    SchoolWouldDealInternally = true,
                };
                matters.Add((offenceAt.AddMinutes(random.Next(30, 180)), form));
            }
            return matters;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private bool Chance(double p) => random.NextDouble() < p;

        private PlannedCase PlanCase(Story story)
        {
            // The story before any conference: conference stories start as cases that become ready to schedule.
            var status = story.HasConference ? CaseStatus.ReadyToSchedule : story.Name == Story.WithdrawnClosed ? CaseStatus.Withdrawn : story.Status;
            // Ineligibility first: it shapes the young person and the offence.
            var reason = status == CaseStatus.NotEligible ? Pick(NotEligibleKinds()) : null;
            var form = new ReferralForm
            {
                SchoolId = Pick(schools).Id,
                Location = Weighted(("on_school_premises", 55), ("immediate_vicinity", 20), ("journey_to_or_from_school", 20), ("elsewhere", 5)),
                OffenceCategoryId = Weighted((1L, 25), (2L, 15), (3L, 15), (4L, 20), (5L, 10), (6L, 7), (7L, 4), (8L, 4)),
                Gravity = reason is "gravity" or "both" ? random.Next(maxGravity + 1, 5) : random.Next(1, Math.Min(2, maxGravity) + 1),
                SchoolWouldDealInternally = false,
                Admitted = reason is not ("not_admitted" or "both"),
                OutcomeRoute = Weighted(("community_resolution", 45), ("outcome_22", 25), ("not_decided", 30)),
                YoungPeople = [],
                HarmedParties = [],
                Supporters = [],
            };
            form.Description = Pick(DemoNames.Descriptions[form.OffenceCategoryId!.Value]);
            if (reason == "under_10") form.Location = "journey_to_or_from_school";

            var yearGroups = AddParties(form, reason);
            var plan = new PlannedCase(story, form);
            var steps = StoryFor(plan, status);
            // Gaps in days between the steps after the referral; the referral is old enough for all of them to be in the past.
            var span = steps.Sum(s => s.Gap) + 2 * steps.Count + 1;
            var conferenceDay = story.HasConference ? conferences.TargetDay(story) : (DateOnly?)null;
            // A conference story works back from its conference day: the referral comes the story's span and a booking lead before it.
            var lead = conferenceDay is { } day ? (day > today ? 0 : today.DayNumber - day.DayNumber) + span + random.Next(8, 21) : 0;
            var (minAge, maxAge) = conferenceDay is not null ? (lead, lead)
                : story.Name == Story.WithdrawnClosed ? (span + 40, 540)
                : status switch
            {
                CaseStatus.Referred => (1, 25),
                CaseStatus.Assessing => (4, 45),
                CaseStatus.AwaitingConsent => (10, 150),
                _ => (20, 540),
            };
            var referredOn = SchoolDay(today.AddDays(-Math.Max(span, random.Next(minAge, maxAge + 1))));
            var offenceDate = SchoolDay(referredOn.AddDays(-Weighted((0, 40), (1, 30), (2, 10), (3, 10), (6, 10))));
            var offenceMinute = random.Next(8 * 60, 16 * 60 + 30);
            var offenceAt = At(offenceDate, offenceMinute);
            var referredAt = offenceDate == referredOn
                ? offenceAt.AddMinutes(random.Next(40, 200))
                : At(referredOn, random.Next(8 * 60 + 30, 17 * 60));
            form.OffenceDate = DateInput.From(offenceDate);
            form.OffenceTime = LondonTime.ToLondon(offenceAt).ToString("HH:mm", CultureInfo.InvariantCulture);
            if (form.Admitted == true)
            {
                var admittedOn = offenceDate.AddDays(random.Next(0, referredOn.DayNumber - offenceDate.DayNumber + 1));
                form.AdmittedOn = DateInput.From(admittedOn);
                form.AdmittedTo = Pick(DemoNames.AdmittedTo);
            }

            foreach (var person in form.YoungPeople)
            {
                // Pupils of these secondary schools (Years 7–13), or a younger child met on the way to school.
                var dateOfBirth = reason switch
                {
                    "over_17" => SchoolYears.DateOfBirth(random, offenceDate, 13, age => age >= 18),
                    "under_10" => SchoolYears.DateOfBirth(random, offenceDate, 5, age => age < 10),
                    _ => SchoolYears.DateOfBirth(random, offenceDate, yearGroups[person.Key], age => age is >= 11 and <= 17),
                };
                person.DateOfBirth = DateInput.From(dateOfBirth);
                person.YearGroup = SchoolYears.YearGroup(dateOfBirth, offenceDate);
            }

            plan.Steps.Add(new Refer(referredAt));
            var at = referredAt;
            foreach (var (gap, make) in steps)
            {
                at = NextStepTime(at, gap);
                plan.Steps.Add(make(at));
            }
            if (conferenceDay is { } target)
            {
                conferences.Plan(plan, at, target);
            }
            else if (story.Name == Story.WithdrawnClosed)
            {
                var closeReason = Pick(CloseWithdrawnReasons);
                plan.Steps.Add(new CloseCase(NextStepTime(at, random.Next(3, 25)), closeReason));
            }
            return plan;
        }

        private string[] NotEligibleKinds() => maxGravity >= 4
            ? ["not_admitted", "not_admitted", "over_17", "under_10"]
            : ["not_admitted", "not_admitted", "not_admitted", "gravity", "gravity", "gravity", "over_17", "over_17", "both", "under_10"];

        /// <summary>What happens after the referral for a case to end in its status: (gap in days, step).</summary>
        private List<(int Gap, Func<DateTimeOffset, Step> Make)> StoryFor(PlannedCase plan, string status)
        {
            var steps = new List<(int, Func<DateTimeOffset, Step>)>();
            void Add(int gap, Func<DateTimeOffset, Step> make) => steps.Add((gap, make));
            var parties = plan.Parties;
            var required = plan.ConsentRequired;
            var youngPerson = 0;
            var harmed = parties.FindIndex(p => p.Role == "harmed");
            var parent = parties.FindIndex(p => p.SupporterType is "parent" or "guardian" && p.SupportsKey == parties[0].Key);
            string Method() => Weighted(("in_person", 50), ("phone", 35), ("written", 15));
            void Consent(int gap, int party, string decision = "given", string purpose = "take_part") =>
                Add(gap, t => new GiveConsent(t, party, purpose, decision, Method(), Chance(0.3)));
            void OfferVictim() => Add(random.Next(0, 4), t => new OfferVictim(t));

            switch (status)
            {
                case CaseStatus.Referred:
                    if (Chance(0.5)) OfferVictim();
                    break;
                case CaseStatus.NotEligible:
                    break;
                case CaseStatus.Assessing:
                    OfferVictim();
                    Consent(random.Next(1, 6), parent);
                    if (Chance(0.5)) Consent(random.Next(0, 4), youngPerson);
                    break;
                case CaseStatus.NotSuitable:
                    OfferVictim();
                    if (Chance(0.4)) Consent(random.Next(1, 5), parent);
                    Add(random.Next(3, 12), t => new Assess(t, Suitable: false));
                    break;
                case CaseStatus.AwaitingConsent:
                    OfferVictim();
                    var kind = random.Next(100);
                    if (kind < 15)
                    {
                        Consent(random.Next(1, 5), parent);
                        Add(random.Next(2, 8), t => new Assess(t, Suitable: true));
                    }
                    else if (kind < 40)
                    {
                        Add(random.Next(3, 10), t => new Assess(t, Suitable: true));
                        foreach (var party in required) Consent(random.Next(1, 6), party);
                        // Then someone changes their mind: the case goes back to awaiting consent.
                        var changer = Chance(0.5) ? harmed : parent;
                        Add(random.Next(3, 20), t => new WithdrawConsent(t, changer));
                    }
                    else
                    {
                        Add(random.Next(3, 10), t => new Assess(t, Suitable: true));
                        var given = required.OrderBy(_ => random.Next()).Take(random.Next(1, required.Count)).ToList();
                        foreach (var party in given) Consent(random.Next(1, 6), party);
                    }
                    break;
                case CaseStatus.Withdrawn:
                    OfferVictim();
                    var how = random.Next(100);
                    if (how < 40)
                    {
                        var reason = Pick(WithdrawReasons);
                        Add(random.Next(2, 20), t => new WithdrawCase(t, reason));
                    }
                    else if (how < 75)
                    {
                        Add(random.Next(3, 10), t => new Assess(t, Suitable: true));
                        Consent(random.Next(1, 5), parent);
                        Consent(random.Next(1, 8), harmed, "refused");
                    }
                    else
                    {
                        Consent(random.Next(1, 5), harmed);
                        Consent(random.Next(1, 8), Chance(0.5) ? youngPerson : parent, "refused");
                    }
                    break;
                case CaseStatus.ReadyToSchedule:
                    OfferVictim();
                    var order = required.OrderBy(_ => random.Next()).ToList();
                    if (Chance(0.6))
                    {
                        Add(random.Next(3, 10), t => new Assess(t, Suitable: true));
                        foreach (var party in order) Consent(random.Next(1, 6), party);
                    }
                    else
                    {
                        var before = random.Next(1, order.Count);
                        foreach (var party in order.Take(before)) Consent(random.Next(1, 6), party);
                        Add(random.Next(1, 6), t => new Assess(t, Suitable: true));
                        foreach (var party in order.Skip(before)) Consent(random.Next(1, 6), party);
                    }
                    if (Chance(0.45)) Consent(random.Next(0, 3), parent, Chance(0.85) ? "given" : "refused", "share_agreement_with_school");
                    break;
            }
            return steps;
        }

        private T Weighted<T>(params (T Value, int Weight)[] choices) => random.Weighted(choices);

        /// <summary>The nearest school day on or before <paramref name="day"/>: no weekends, no August, no Christmas fortnight.</summary>
        private static DateOnly SchoolDay(DateOnly day)
        {
            while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || day.Month == 8
                   || (day.Month == 12 && day.Day >= 21) || (day.Month == 1 && day.Day <= 2))
            {
                day = day.AddDays(-1);
            }
            return day;
        }

        /// <summary>A working-hours time <paramref name="gap"/> days after <paramref name="after"/>, on a weekday, after it.</summary>
        private DateTimeOffset NextStepTime(DateTimeOffset after, int gap)
        {
            var previous = LondonTime.ToLondon(after);
            var day = DateOnly.FromDateTime(previous.DateTime).AddDays(gap);
            while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
            var minute = random.Next(9 * 60, 17 * 60 + 30);
            var at = At(day, minute);
            return at > after ? at : after.AddMinutes(random.Next(10, 90));
        }

        private static DateTimeOffset At(DateOnly day, int minuteOfDay)
        {
            LondonTime.TryToUtc(day, new TimeOnly(minuteOfDay / 60, minuteOfDay % 60), out var utc, out _);
            return utc;
        }
    }
}
