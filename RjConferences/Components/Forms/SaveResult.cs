
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

    /// <summary>
    /// The database failed the save (<see cref="Db.IsNotSaved"/>: full, unable to write, busy or out of reach): nothing was
    /// written, the form keeps what was typed, and the error summary says why in the user's words.
    /// <paramref name="what"/> names what was not saved, as the start of a sentence ("The referral", "Your changes").
    /// </summary>
    public static SaveResult NotSaved(Exception e, string what = "Your changes") => Invalid("", NotSavedMessage(Db.FailureOf(e), what));

    /// <summary>Why nothing could be stored, in the user's words: the disk is full (<see cref="DbFailure.NoRoom"/>); also on the case page.</summary>
    public const string NoRoomReason = "the server has run out of storage space";

    /// <summary>Why nothing could be stored: the write lock could not be had in time (<see cref="DbFailure.Busy"/>); also on the case page.</summary>
    public const string BusyReason = "the database was busy with other work";

    /// <summary>What the user is told when the database failed a save, by <see cref="DbFailure"/>.</summary>
    public static string NotSavedMessage(DbFailure failure, string what = "Your changes") => failure switch
    {
        DbFailure.NoRoom => $"{what} could not be saved because {NoRoomReason}. Nothing you entered is lost: try again in a few minutes, or tell your administrator.",
        DbFailure.CannotWrite => $"{what} could not be saved because the server cannot store anything just now. Nothing you entered is lost: try again in a few minutes, or tell your administrator.",
        DbFailure.Busy => $"{what} could not be saved because {BusyReason}. Nothing you entered is lost: try again in a moment.",
        _ => UnavailableMessage,
    };

    /// <summary>
    /// Runs a save and turns a database failure into <see cref="NotSaved"/>, so that it reaches the error summary
    /// instead of the page's error boundary (which would lose the form). Any other exception is a bug and is thrown.
    /// </summary>
    public static async Task<TResult> CatchNotSavedAsync<TResult>(Func<Task<TResult>> save, Func<SaveResult, TResult> notSaved, string what = "Your changes")
    {
        try
        {
            return await save();
        }
        catch (Exception e) when (Db.IsNotSaved(e))
        {
            return notSaved(NotSaved(e, what)); // rolled back whole: nothing of the save was kept
        }
    }

    /// <inheritdoc cref="CatchNotSavedAsync{TResult}"/>
    public static Task<SaveResult> CatchNotSavedAsync(Func<Task<SaveResult>> save, string what = "Your changes") =>
        CatchNotSavedAsync(save, r => r, what);

    /// <summary>
    /// <see cref="CatchNotSavedAsync{TResult}"/> for a write that answers with something else (a flag, an outcome, a one-time
    /// password): its answer and null, or, when the database failed it, the default and the <see cref="NotSaved"/> result.
    /// </summary>
    public static Task<(T? Value, SaveResult? NotSaved)> CatchNotSavedValueAsync<T>(Func<Task<T>> save, string what = "Your changes") =>
        CatchNotSavedAsync<(T?, SaveResult?)>(async () => (await save(), null), notSaved => (default, notSaved), what);

    /// <summary>The messages for the error summary alone (field ""), as one sentence; for a page that says it in a status line.</summary>
    public string Message => string.Join(" ", Errors.GetValueOrDefault("") ?? []);

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
