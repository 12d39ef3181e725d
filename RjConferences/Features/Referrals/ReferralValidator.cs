using System.Net.Mail;

namespace RjConferences.Features.Referrals;

/// <summary>
/// Server-side checks of each step of a new referral. Field keys match the ids the pages give
/// their inputs (FieldIds.For(key)), so the error summary links to the field.
/// </summary>
public static class ReferralValidator
{
    public const int MaxDescription = 5000;
    public const int MaxName = 100;
    public const int MaxShortText = 200;
    public const int MaxAddress = 500;

    public sealed record Context(IReadOnlySet<long> SchoolsInScope, IReadOnlySet<long> OffenceCategories, DateOnly Today, DateTimeOffset Now);

    public static FieldErrors Offence(ReferralForm form, Context context, out DateTimeOffset? offenceAt)
    {
        var errors = new FieldErrors();
        offenceAt = null;
        if (form.SchoolId is not { } school || !context.SchoolsInScope.Contains(school))
        {
            errors.Add("SchoolId", "Choose the school from the list");
        }
        if (!Vocabulary.IsCode(Vocabulary.Locations, form.Location))
        {
            errors.Add("Location", "Choose where it happened");
        }
        var date = form.OffenceDate.Parse("Date of the offence", out var dateError);
        if (dateError is not null)
        {
            errors.Add("OffenceDate", dateError);
        }
        else if (date > context.Today)
        {
            errors.Add("OffenceDate", "Date of the offence must be today or in the past");
        }
        TimeOnly? time = null;
        if (string.IsNullOrWhiteSpace(form.OffenceTime))
        {
            errors.Add("OffenceTime", "Enter the time of the offence, like 14:30");
        }
        else if (TimeOnly.TryParseExact(form.OffenceTime.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            time = parsed;
        }
        else
        {
            errors.Add("OffenceTime", "Enter the time of the offence as hours and minutes, like 14:30");
        }
        if (date is { } d && time is { } t && dateError is null)
        {
            if (!LondonTime.TryToUtc(d, t, out var utc, out _))
            {
                errors.Add("OffenceTime", "That time did not exist in London: the clocks went forward an hour that night");
            }
            else if (utc > context.Now)
            {
                errors.Add("OffenceTime", "The time of the offence must be in the past");
            }
            else
            {
                offenceAt = utc;
            }
        }
        if (form.OffenceCategoryId is not { } category || !context.OffenceCategories.Contains(category))
        {
            errors.Add("OffenceCategoryId", "Choose the offence category");
        }
        if (form.Gravity is not (>= 1 and <= 4))
        {
            errors.Add("Gravity", "Choose a gravity score from 1 to 4");
        }
        if (string.IsNullOrWhiteSpace(form.Description))
        {
            errors.Add("Description", "Describe what happened");
        }
        else if (form.Description.Length > MaxDescription)
        {
            errors.Add("Description", $"What happened must be {MaxDescription:N0} characters or fewer (it is {form.Description.Length:N0})");
        }
        return errors;
    }

    public static FieldErrors SchoolMatter(ReferralForm form)
    {
        var errors = new FieldErrors();
        if (form.SchoolWouldDealInternally is null)
        {
            errors.Add("SchoolWouldDealInternally", "Select yes if the school would normally deal with this through its own procedure");
        }
        return errors;
    }

    public static FieldErrors Admission(ReferralForm form, Context context)
    {
        var errors = new FieldErrors();
        if (form.Admitted is null)
        {
            errors.Add("Admitted", "Select yes if the young person admitted the offence");
        }
        else if (form.Admitted == true)
        {
            var on = form.AdmittedOn.Parse("Date of the admission", out var error);
            if (error is not null)
            {
                errors.Add("AdmittedOn", error);
            }
            else if (on > context.Today)
            {
                errors.Add("AdmittedOn", "Date of the admission must be today or in the past");
            }
            else if (form.OffenceDate.Parse("x", out _) is { } offence && on < offence)
            {
                errors.Add("AdmittedOn", "Date of the admission must be on or after the date of the offence");
            }
            Text(errors, "AdmittedTo", form.AdmittedTo, "Enter who the offence was admitted to", MaxShortText, "Who it was admitted to");
        }
        if (!Vocabulary.IsCode(Vocabulary.OutcomeRoutes, form.OutcomeRoute))
        {
            errors.Add("OutcomeRoute", "Choose the outcome route the case is heading for");
        }
        if (!form.VictimFirstOfferedOn.IsEmpty)
        {
            var offered = form.VictimFirstOfferedOn.Parse("Date the harmed party was first offered restorative justice", out var error);
            if (error is not null) errors.Add("VictimFirstOfferedOn", error);
            else if (offered > context.Today) errors.Add("VictimFirstOfferedOn", "Date the harmed party was first offered restorative justice must be today or in the past");
            else if (form.OffenceDate.Parse("x", out _) is { } offence && offered < offence)
                errors.Add("VictimFirstOfferedOn", "Date the harmed party was first offered restorative justice must be on or after the date of the offence");
        }
        return errors;
    }

    public static FieldErrors Parties(ReferralForm form, Context context)
    {
        var errors = new FieldErrors();
        var offenceDate = form.OffenceDate.Parse("x", out _);
        if (form.YoungPeople.Count == 0)
        {
            errors.Add("YoungPeople", "Add the young person who admitted the offence");
        }
        if (form.HarmedParties.Count == 0)
        {
            errors.Add("HarmedParties", "Add the person or organisation harmed");
        }
        for (var i = 0; i < form.YoungPeople.Count; i++)
        {
            var p = form.YoungPeople[i];
            var key = $"YoungPeople[{i}]";
            Person(errors, key, p);
            var dob = p.DateOfBirth.Parse("Date of birth", out var dobError);
            if (dobError is not null) errors.Add($"{key}.DateOfBirth", dobError);
            else if (dob > context.Today) errors.Add($"{key}.DateOfBirth", "Date of birth must be in the past");
            else if (offenceDate is { } od && dob > od) errors.Add($"{key}.DateOfBirth", "Date of birth must be before the date of the offence");
            if (!Vocabulary.IsCode(Vocabulary.Genders, p.Gender)) errors.Add($"{key}.Gender", "Choose the young person's gender, or prefer not to say");
            if (!Vocabulary.EthnicGroups.Any(e => e.Code == p.EthnicGroup)) errors.Add($"{key}.EthnicGroup", "Choose the young person's ethnic group, or prefer not to say");
            if (p.YearGroup is not null and not (>= 1 and <= 14)) errors.Add($"{key}.YearGroup", "Choose a year group from the list");
            if (p.SpecialEducationalNeeds is null) errors.Add($"{key}.SpecialEducationalNeeds", "Select yes if the young person has special educational needs");
            if (!form.Supporters.Any(s => s.SupportsKey == p.Key && s.SupporterType is "parent" or "guardian"))
            {
                errors.Add($"{key}.Parent", $"Add a parent or guardian for {Named(p, "the young person")}");
            }
        }
        for (var i = 0; i < form.HarmedParties.Count; i++)
        {
            var p = form.HarmedParties[i];
            var key = $"HarmedParties[{i}]";
            if (!Vocabulary.IsCode(Vocabulary.HarmedTypes, p.HarmedType))
            {
                errors.Add($"{key}.HarmedType", "Choose who was harmed");
                continue;
            }
            if (p.IsOrganisation)
            {
                Text(errors, $"{key}.OrganisationName", p.OrganisationName, "Enter the organisation's name", MaxShortText, "Organisation name");
            }
            else
            {
                Person(errors, key, p);
            }
            Contact(errors, key, p);
        }
        var young = form.YoungPeople.Select(y => y.Key).ToHashSet();
        var everyone = form.YoungPeople.Concat(form.HarmedParties).Select(y => y.Key).ToHashSet();
        for (var i = 0; i < form.Supporters.Count; i++)
        {
            var p = form.Supporters[i];
            var key = $"Supporters[{i}]";
            if (!Vocabulary.IsCode(Vocabulary.SupporterTypes, p.SupporterType)) errors.Add($"{key}.SupporterType", "Choose parent, guardian or other supporter");
            if (p.SupportsKey is not { } supports || !everyone.Contains(supports)) errors.Add($"{key}.SupportsKey", "Choose who they support");
            else if (p.SupporterType is "parent" or "guardian" && !young.Contains(supports) && !form.HarmedParties.Any(h => h.Key == supports && h.HarmedType == "pupil"))
                errors.Add($"{key}.SupportsKey", "A parent or guardian supports a young person");
            Person(errors, key, p);
            Contact(errors, key, p);
        }
        return errors;
    }

    /// <summary>
    /// A party's name and contact details corrected on the case page, by the referral's rules; the
    /// fields are keyed <paramref name="key"/>.FirstName and so on. Role and harmed type come from the saved party.
    /// </summary>
    public static FieldErrors PartyDetails(PartyForm p, string key)
    {
        var errors = new FieldErrors();
        if (p.IsOrganisation) Text(errors, $"{key}.OrganisationName", p.OrganisationName, "Enter the organisation's name", MaxShortText, "Organisation name");
        else Person(errors, key, p);
        Contact(errors, key, p);
        return errors;
    }

    public static FieldErrors All(ReferralForm form, Context context, out DateTimeOffset? offenceAt)
    {
        var errors = Offence(form, context, out offenceAt);
        Merge(errors, SchoolMatter(form));
        if (form.SchoolWouldDealInternally == false)
        {
            Merge(errors, Admission(form, context));
            Merge(errors, Parties(form, context));
        }
        return errors;
    }

    private static void Merge(FieldErrors into, FieldErrors from)
    {
        foreach (var (field, messages) in from) messages.ForEach(m => into.Add(field, m));
    }

    private static string Named(PartyForm p, string fallback) => string.IsNullOrWhiteSpace(p.DisplayName) ? fallback : p.DisplayName;

    private static void Person(FieldErrors errors, string key, PartyForm p)
    {
        Text(errors, $"{key}.FirstName", p.FirstName, "Enter the first name", MaxName, "First name");
        Text(errors, $"{key}.LastName", p.LastName, "Enter the last name", MaxName, "Last name");
    }

    private static void Contact(FieldErrors errors, string key, PartyForm p)
    {
        if (p.Phone is { Length: > 0 } phone && (phone.Length > 30 || !phone.All(c => char.IsDigit(c) || c is ' ' or '+' or '(' or ')' or '-')))
            errors.Add($"{key}.Phone", "Enter a telephone number, like 01632 960 001 or +44 7700 900 982");
        if (p.Email is { Length: > 0 } email && (email.Length > 254 || !MailAddress.TryCreate(email.Trim(), out _)))
            errors.Add($"{key}.Email", "Enter an email address in the correct format, like name@example.org");
        if (p.Address is { Length: > MaxAddress }) errors.Add($"{key}.Address", TextLimits.TooLong("Address", MaxAddress));
        ContactPreference(errors, key, p);
    }

    /// <summary>
    /// May we contact them, and how: a way only with consent, and the address or number that way needs, in a form a message
    /// can go to (a mobile number for text messages, a postcode for letters). A young person is contacted through their
    /// parent or guardian: the form does not ask them, and whatever came with the form is not stored (<see cref="PartyForm.StoredContactBy"/>).
    /// </summary>
    private static void ContactPreference(FieldErrors errors, string key, PartyForm p)
    {
        if (p.IsYoungPerson || p.ContactConsent != true) return;
        switch (p.ContactBy)
        {
            case null:
                errors.Add($"{key}.ContactBy", "Choose how they would like to be contacted");
                break;
            case var way when !Vocabulary.IsCode(Vocabulary.ContactWays, way):
                errors.Add($"{key}.ContactBy", "Choose email, text message, letter or only through the school");
                break;
            case "email" when string.IsNullOrWhiteSpace(p.Email):
                errors.Add($"{key}.Email", "Enter the email address to contact them by, or choose another way");
                break;
            case "text" when string.IsNullOrWhiteSpace(p.Phone):
                errors.Add($"{key}.Phone", "Enter the mobile number to send text messages to, or choose another way");
                break;
            case "text" when !ContactFormats.IsUkMobile(p.Phone!):
                errors.Add($"{key}.Phone", "Enter a UK mobile number for text messages, like 07700 900 982 or +44 7700 900 982");
                break;
            case "letter" when string.IsNullOrWhiteSpace(p.Address):
                errors.Add($"{key}.Address", "Enter the postal address to send letters to, or choose another way");
                break;
            case "letter" when !ContactFormats.HasPostcode(p.Address!):
                errors.Add($"{key}.Address", "Enter the postal address with its postcode on the last line, like SW1A 1AA");
                break;
        }
    }

    private static void Text(FieldErrors errors, string key, string? value, string missing, int max, string label)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(key, missing);
        else if (value.Trim().Length > max) errors.Add(key, $"{label} must be {max} characters or fewer");
    }
}
