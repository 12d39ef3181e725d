
namespace RjConferences.Components.Forms;

/// <summary>How a save ended. Every save in the app answers with one of these.</summary>
public enum SaveOutcome
{
    Saved,
    /// <summary>The input or a rule refused it; the errors say why, by field. Nothing was saved.</summary>
    Invalid,
    /// <summary>Someone else saved first (the version the user started from is stale). Nothing was saved.</summary>
    Conflict,
    /// <summary>The thing is missing or outside the user's scope (audited as access denied). Nothing was saved.</summary>
    NotFound,
    /// <summary>The save needs the user to confirm something first (warnings, clashes). Nothing was saved.</summary>
    NeedsConfirmation,
    /// <summary>The user may not do this (it is someone else's to do); audited as access denied. Nothing was saved.</summary>
    Denied,
}

/// <summary>
/// The one result of a save: the outcome and the messages by field (""
/// for the error summary only). <see cref="SaveResult{T}"/> adds what the save made.
/// </summary>
public record SaveResult(SaveOutcome Outcome, FieldErrors Errors)
{
    public const string ConflictMessage = "Someone else changed this case while you were editing. Your changes have not been saved: they are still in the form. Reload the case to see the other changes, then make yours again.";

    public bool Saved => Outcome == SaveOutcome.Saved;

    /// <summary>Refused and audited as access denied: not the user's to do, or outside their scope.</summary>
    public bool IsDenied => Outcome is SaveOutcome.Denied or SaveOutcome.NotFound;

    public bool IsConflict => Outcome == SaveOutcome.Conflict;

    public static SaveResult Ok() => new(SaveOutcome.Saved, new FieldErrors());

    public static SaveResult NotFound() => new(SaveOutcome.NotFound, new FieldErrors());

    public static SaveResult Invalid(FieldErrors errors) => new(SaveOutcome.Invalid, errors);

    public static SaveResult Invalid(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return new SaveResult(SaveOutcome.Invalid, errors);
    }

    public const string UnavailableMessage = "The database could not be reached, so nothing was saved. What you entered is still in the form: try again in a moment.";

    /// <summary>The database could not be reached: nothing was written, and the same save can be tried again.</summary>
    public static SaveResult Unavailable() => Invalid("", UnavailableMessage);

    public static SaveResult Conflict(string message = ConflictMessage)
    {
        var errors = new FieldErrors();
        errors.Add("", message);
        return new SaveResult(SaveOutcome.Conflict, errors);
    }

    public void Deconstruct(out SaveOutcome outcome, out FieldErrors errors) => (outcome, errors) = (Outcome, Errors);
}

/// <summary>A save that also answers with what it made or found (a new id, clashes to confirm).</summary>
public sealed record SaveResult<T>(SaveOutcome Outcome, FieldErrors Errors, T? Value) : SaveResult(Outcome, Errors)
{
    public static SaveResult<T> From(SaveResult result, T? value = default) => new(result.Outcome, result.Errors, value);

    /// <summary>What the save made, and the messages: <c>var (id, errors) = (await AddAsync(…)).ValueAndErrors();</c></summary>
    public (T? Value, FieldErrors Errors) ValueAndErrors() => (Value, Errors);
}
