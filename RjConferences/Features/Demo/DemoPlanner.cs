using System.Globalization;
using System.Security.Claims;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;

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
    internal sealed class Planner(Random random, DateOnly today, List<School> schools, int maxGravity, ConferencePlanner conferences)
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

        /// <summary>Adds the parties; returns each young person's year group (their date of birth follows from it once the offence date is chosen).</summary>
        private Dictionary<Guid, int> AddParties(ReferralForm form, string? reason)
        {
            var yearGroups = new Dictionary<Guid, int>();
            var count = reason is null && Chance(0.06) ? 2 : 1;
            for (var i = 0; i < count; i++)
            {
                yearGroups[AddYoungPerson(form)] = Weighted((7, 18), (8, 22), (9, 22), (10, 18), (11, 12), (12, 6), (13, 2));
            }
            var category = form.OffenceCategoryId!.Value;
            var harmedType = category switch
            {
                2 => Weighted(("organisation", 55), ("pupil", 35), ("staff", 10)),
                3 => Weighted(("organisation", 60), ("staff", 25), ("member_of_public", 15)),
                6 => Weighted(("member_of_public", 70), ("organisation", 30)),
                7 => "organisation",
                8 => Weighted(("organisation", 70), ("staff", 30)),
                _ => Weighted(("pupil", 75), ("staff", 15), ("member_of_public", 10)),
            };
            var harmed = new PartyForm { Role = "harmed", HarmedType = harmedType };
            if (harmedType == "organisation")
            {
                harmed.OrganisationName = category is 2 or 6 ? Pick(DemoNames.Organisations) : $"{schools.First(s => s.Id == form.SchoolId).Name} school";
                harmed.Phone = $"020 7946 0{random.Next(100, 1000):D3}";
            }
            else if (harmedType == "pupil")
            {
                var origin = DemoNames.PickOrigin(random);
                var gender = Chance(0.5) ? "female" : "male";
                harmed.FirstName = DemoNames.FirstName(random, origin, gender);
                harmed.LastName = DemoNames.LastName(random, origin, gender);
                if (Chance(0.4))
                {
                    form.Supporters.Add(Parent(harmed, origin, "parent"));
                }
            }
            else
            {
                (harmed.FirstName, harmed.LastName) = DemoNames.Adult(random);
                harmed.Phone = harmedType == "staff" ? $"020 7946 0{random.Next(100, 1000):D3}" : Mobile();
            }
            form.HarmedParties.Add(harmed);
            return yearGroups;
        }

        /// <summary>Names of the most recent cases, at the top of the list: one of each of several origins.</summary>
        private static readonly (string First, string Last, string Gender, string Ethnic)[] Featured =
        [
            ("Amira", "Hassan", "female", "other_arab"), ("Kwame", "Mensah", "male", "black_african"),
            ("Olivia", "Brown", "female", "white_british"), ("Priya", "Sharma", "female", "asian_indian"),
            ("Wei", "Chen", "male", "asian_chinese"), ("Zofia", "Nowak", "female", "white_other"),
            ("Seán", "O'Brien", "male", "white_irish"), ("Şükrü", "Yılmaz", "male", "white_other"),
            ("Thị Minh Khai", "Nguyễn", "female", "asian_other"), ("Ørjan", "Dahl", "male", "white_other"),
            ("Anna-Maria", "Rossi", "female", "white_other"),
        ];

        private Guid AddYoungPerson(ReferralForm form)
        {
            var origin = DemoNames.PickOrigin(random);
            var gender = Weighted(("female", 44), ("male", 52), ("other", 1), ("prefer_not_to_say", 3));
            var person = new PartyForm
            {
                Role = "responsible",
                FirstName = DemoNames.FirstName(random, origin, gender),
                LastName = DemoNames.LastName(random, origin, gender),
                Gender = gender,
                EthnicGroup = Chance(0.04) ? "prefer_not_to_say" : Pick(origin.EthnicGroups),
                SpecialEducationalNeeds = Chance(0.18),
            };
            form.YoungPeople.Add(person);
            form.Supporters.Add(Parent(person, origin, Chance(0.08) ? "guardian" : "parent"));
            if (Chance(0.08))
            {
                var (first, last) = DemoNames.Adult(random);
                form.Supporters.Add(new PartyForm { Role = "supporter", SupporterType = "other", SupportsKey = person.Key, FirstName = first, LastName = last, Phone = Mobile() });
            }
            return person.Key;
        }

        private PartyForm Parent(PartyForm child, DemoNames.Origin origin, string type)
        {
            var gender = Chance(0.65) ? "female" : "male";
            var first = DemoNames.FirstName(random, origin, gender);
            var last = Chance(0.8) && child.LastName is { } shared
                ? (gender == "female" && origin.FeminineLastName is { } f ? f(shared) : gender == "male" && shared.EndsWith("ska", StringComparison.Ordinal) ? shared[..^1] + "i" : shared)
                : DemoNames.LastName(random, origin, gender);
            return new PartyForm
            {
                Role = "supporter", SupporterType = type, SupportsKey = child.Key, FirstName = first, LastName = last,
                Phone = Mobile(), Email = Chance(0.6) ? $"{Ascii(first)}.{Ascii(last)}@example.com" : null,
            };
        }

        /// <summary>A few young people are referred again later, at the same school: their case page shows "previous referrals".</summary>
        private HashSet<PlannedCase> AddRepeatYoungPeople(List<PlannedCase> plans)
        {
            var touched = new HashSet<PlannedCase>();
            var added = 0;
            var byDate = plans.OrderBy(p => p.Steps[0].At).ToList();
            for (var attempt = 0; attempt < 500 && added < RepeatYoungPeople; attempt++)
            {
                var earlier = byDate[random.Next(byDate.Count / 2)];
                var later = byDate[random.Next(byDate.Count / 2, byDate.Count)];
                if (earlier == later || later.Status == CaseStatus.NotEligible || later.Form.YoungPeople.Count != 1
                    || earlier.Form.YoungPeople.Count != 1 || earlier.Steps.OfType<GiveConsent>().Any(c => c.Decision == "refused")
                    || later.Steps.OfType<GiveConsent>().Any(c => c.Decision == "refused")
                    || later.OffenceDate.DayNumber - earlier.OffenceDate.DayNumber < 60)
                {
                    continue;
                }
                var before = earlier.Form.YoungPeople[0];
                var dob = before.DateOfBirth.Parse("x", out _)!.Value;
                if (Eligibility.AgeOn(dob, later.OffenceDate) is < Eligibility.YoungestAge or > Eligibility.OldestAge)
                {
                    continue;
                }
                var now = later.Form.YoungPeople[0];
                (now.FirstName, now.LastName, now.DateOfBirth, now.Gender, now.EthnicGroup, now.SpecialEducationalNeeds) =
                    (before.FirstName, before.LastName, DateInput.From(dob), before.Gender, before.EthnicGroup, before.SpecialEducationalNeeds);
                now.YearGroup = SchoolYears.YearGroup(dob, later.OffenceDate);
                // The same family: the parent's details too.
                var parentBefore = earlier.Form.Supporters.First(p => p.SupportsKey == before.Key && p.SupporterType is "parent" or "guardian");
                var parentNow = later.Form.Supporters.First(p => p.SupportsKey == now.Key && p.SupporterType is "parent" or "guardian");
                (parentNow.SupporterType, parentNow.FirstName, parentNow.LastName, parentNow.Phone, parentNow.Email) =
                    (parentBefore.SupporterType, parentBefore.FirstName, parentBefore.LastName, parentBefore.Phone, parentBefore.Email);
                later.Form.SchoolId = earlier.Form.SchoolId;
                touched.Add(earlier);
                touched.Add(later);
                added++;
            }
            return touched;
        }

        private void AddFeaturedNames(List<PlannedCase> plans, HashSet<PlannedCase> repeated)
        {
            var recent = plans.Where(p => p.Form.YoungPeople.Count == 1 && !repeated.Contains(p))
                .OrderByDescending(p => p.Steps[0].At).Take(Featured.Length).ToList();
            for (var i = 0; i < recent.Count; i++)
            {
                var (first, last, gender, ethnic) = Featured[i];
                var person = recent[i].Form.YoungPeople[0];
                (person.FirstName, person.LastName, person.Gender, person.EthnicGroup) = (first, last, gender, ethnic);
                var origin = DemoNames.Origins.First(o => o.LastNames.Contains(last));
                foreach (var parent in recent[i].Form.Supporters.Where(s => s.SupportsKey == person.Key && s.SupporterType is "parent" or "guardian"))
                {
                    var parentGender = Chance(0.65) ? "female" : "male";
                    (parent.FirstName, parent.LastName) = (DemoNames.FirstName(random, origin, parentGender), last);
                    parent.Email = parent.Email is null ? null : $"{Ascii(parent.FirstName)}.{Ascii(last)}@example.com";
                }
            }
        }

        private string Mobile() => $"07700 900{random.Next(0, 1000):D3}";

        private static string Ascii(string name)
        {
            var text = new StringBuilder();
            foreach (var c in name.Replace("ı", "i").Replace("ø", "o").Replace("Ø", "O").Replace("đ", "d").Replace("Đ", "D").Replace("ł", "l")
                         .Normalize(NormalizationForm.FormD).ToLowerInvariant())
            {
                if (c is >= 'a' and <= 'z') text.Append(c);
            }
            return text.ToString();
        }

        private T Weighted<T>(params (T Value, int Weight)[] choices)
        {
            var pick = random.Next(choices.Sum(c => c.Weight));
            foreach (var (value, weight) in choices)
            {
                if (pick < weight) return value;
                pick -= weight;
            }
            return choices[^1].Value;
        }

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
