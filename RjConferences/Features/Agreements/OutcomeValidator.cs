using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>
/// The rules of an outcome and of agreement actions. Messages are keyed by field for the error
/// summary: "Held", "Attended", "Actions[2].DueOn" (the third action). Each action's message names
/// its number, so the summary reads on its own.
/// </summary>
public static class OutcomeValidator
{
    public sealed record ParsedAction(DateOnly? DueOn, long? AmountPence, decimal? Hours);

    public static void Validate(OutcomeForm form, OutcomeContext context, FieldErrors errors)
    {
        var invited = context.Participants.Select(p => p.PartyId).ToHashSet();
        if (form.Held is null)
        {
            errors.Add("Held", "Select yes if the conference was held");
            return;
        }
        if (form.Held == false)
        {
            if (form.Absent.Any(a => !invited.Contains(a))) errors.Add("Absent", "Choose people who were invited");
            if (string.IsNullOrWhiteSpace(form.NotHeldReason)) errors.Add("NotHeldReason", "Give the reason the conference was not held");
            else if (form.NotHeldReason.Length > AgreementVocabulary.MaxReason) errors.Add("NotHeldReason", $"The reason must be {AgreementVocabulary.MaxReason} characters or fewer");
            return;
        }

        if (form.Attended.Any(a => !invited.Contains(a))) errors.Add("Attended", "Choose people who were invited");
        else if (!context.Participants.Any(p => p.PartyRole == "responsible" && form.Attended.Contains(p.PartyId)))
            errors.Add("Attended", "Select the young person if they came: a conference without them was not held");
        if (form.AgreementReached is null) errors.Add("AgreementReached", "Select yes if an agreement was reached");
        if (form.ExclusionAvoided is null) errors.Add("ExclusionAvoided", "Select yes if a school exclusion was avoided");
        if (form.AgreementReached == true)
        {
            ValidateActions(form.Actions, context, errors);
        }
        else if (form.AgreementReached == false && form.Actions.Count > 0)
        {
            errors.Add("Actions", "Remove the actions, or select yes: there are actions only when an agreement was reached");
        }
        if (form.Satisfaction is not null and not (>= 1 and <= 5)) errors.Add("Satisfaction", "Choose how satisfied the harmed party is, from 1 to 5");
        if (form.Reflection is { Length: > AgreementVocabulary.MaxReflection })
            errors.Add("Reflection", $"The young person's reflection must be {AgreementVocabulary.MaxReflection:N0} characters or fewer");
    }

    public static void ValidateActions(IReadOnlyList<ActionForm> actions, OutcomeContext context, FieldErrors errors)
    {
        if (actions.Count == 0)
        {
            errors.Add("Actions", "Add at least one action to the agreement");
            return;
        }
        if (actions.Count > AgreementVocabulary.MaxActions)
        {
            errors.Add("Actions", $"An agreement can have at most {AgreementVocabulary.MaxActions} actions");
            return;
        }
        var doers = context.Doers.Select(d => d.Code).ToHashSet();
        var checkers = context.Checkers.Select(c => c.Code).ToHashSet();
        var latest = context.ConferenceDate.AddMonths(12);
        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            var key = $"Actions[{i}]";
            var n = i + 1;
            if (!Vocabulary.IsCode(AgreementVocabulary.ActionTypes, a.Type)) errors.Add($"{key}.Type", $"Action {n}: choose the type of action");
            if (string.IsNullOrWhiteSpace(a.Text)) errors.Add($"{key}.Text", $"Action {n}: say exactly what will be done");
            else if (a.Text.Trim().Length > AgreementVocabulary.MaxActionText)
                errors.Add($"{key}.Text", $"Action {n}: what will be done must be {AgreementVocabulary.MaxActionText:N0} characters or fewer");
            if (a.DoneBy is null) errors.Add($"{key}.DoneBy", $"Action {n}: choose who does it");
            else if (!doers.Contains(a.DoneBy.Value.ToString())) errors.Add($"{key}.DoneBy", $"Action {n}: choose who does it from this case's people");
            if (string.IsNullOrEmpty(a.CheckedBy)) errors.Add($"{key}.CheckedBy", $"Action {n}: choose who checks it");
            else if (!checkers.Contains(a.CheckedBy)) errors.Add($"{key}.CheckedBy", $"Action {n}: choose who checks it from the list");
            else if (a.DoneBy is { } doer && a.CheckedBy == Checker.Party(doer)) errors.Add($"{key}.CheckedBy", $"Action {n}: someone other than the person who does it must check it");

            var due = a.DueOn.Parse("Due date", out var dateError);
            if (dateError is not null)
                errors.Add($"{key}.DueOn", a.DueOn.IsEmpty ? $"Action {n}: enter the due date" : $"Action {n}: {char.ToLowerInvariant(dateError[0])}{dateError[1..]}");
            else if (due <= context.ConferenceDate) errors.Add($"{key}.DueOn", $"Action {n}: the due date must be after the conference ({LondonTime.FormatDate(context.ConferenceDate)})");
            else if (due > latest) errors.Add($"{key}.DueOn", $"Action {n}: the due date must be within 12 months of the conference (by {LondonTime.FormatDate(latest)})");

            if (a.Type == "compensation")
            {
                if (string.IsNullOrWhiteSpace(a.Amount)) errors.Add($"{key}.Amount", $"Action {n}: enter the amount of compensation in pounds");
                else if (ParsePence(a.Amount) is not { } pence) errors.Add($"{key}.Amount", $"Action {n}: enter the amount in pounds and pence, like 25 or 25.50");
                else if (pence <= 0) errors.Add($"{key}.Amount", $"Action {n}: the amount must be more than £0");
                else if (pence > AgreementVocabulary.MaxAmountPence) errors.Add($"{key}.Amount", $"Action {n}: the amount must be {TextFormat.Pounds(AgreementVocabulary.MaxAmountPence)} or less");
            }
            if (a.Type == "work")
            {
                if (string.IsNullOrWhiteSpace(a.Hours)) errors.Add($"{key}.Hours", $"Action {n}: enter the number of hours of work");
                else if (ParseHours(a.Hours) is not { } hours) errors.Add($"{key}.Hours", $"Action {n}: enter the hours as a number, like 3 or 2.5");
                else if (hours <= 0) errors.Add($"{key}.Hours", $"Action {n}: the hours must be more than 0");
                else if (hours > AgreementVocabulary.MaxHours) errors.Add($"{key}.Hours", $"Action {n}: the hours must be {AgreementVocabulary.MaxHours} or fewer");
            }
        }
    }

    /// <summary>The typed values of a valid action.</summary>
    public static ParsedAction Parse(ActionForm action, DateOnly conferenceDate) =>
        new(action.DueOn.Parse("Due date", out _), ParsePence(action.Amount), ParseHours(action.Hours));

    /// <summary>"25", "25.5", "£1,025.50" → pence; null for anything else (more than two decimals, letters).</summary>
    public static long? ParsePence(string? text)
    {
        var cleaned = text?.Trim().TrimStart('£').Replace(",", "").Trim();
        return decimal.TryParse(cleaned, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pounds)
               && decimal.Round(pounds, 2) == pounds && pounds < 100_000_000
            ? (long)(pounds * 100)
            : null;
    }

    /// <summary>"3", "2.5" → hours (at most two decimals); null for anything else.</summary>
    public static decimal? ParseHours(string? text) =>
        decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var hours)
        && decimal.Round(hours, 2) == hours && hours < 100_000
            ? hours
            : null;
}
