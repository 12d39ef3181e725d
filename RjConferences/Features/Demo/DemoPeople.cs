using System.Text;
using Microsoft.AspNetCore.Identity;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    /// <summary>The people of each case: young people, parents, harmed parties, the repeat referrals and the featured names.</summary>
    internal sealed partial class Planner
    {
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
                // A member of staff hears through the school; a member of the public by text message.
                (harmed.ContactConsent, harmed.ContactBy) = (true, harmedType == "staff" ? "school" : "text");
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
            }.WithContactByEmailOrText();
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
                parentNow.WithContactByEmailOrText();
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
    }
}

internal static class DemoContactPreferences
{
    /// <summary>A parent or guardian agreed to be contacted: by email when they gave one, else by text message.</summary>
    public static PartyForm WithContactByEmailOrText(this PartyForm parent)
    {
        parent.ContactConsent = true;
        parent.ContactBy = parent.Email is null ? "text" : "email";
        return parent;
    }
}
