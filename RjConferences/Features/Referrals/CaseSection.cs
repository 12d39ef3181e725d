using Microsoft.AspNetCore.Components;

namespace RjConferences.Features.Referrals;

/// <summary>
/// A part of the case page that may open a form. The page keeps one form open at a time (so that
/// one error summary shows), and reloads the case after a successful change.
/// </summary>
public abstract class CaseSection : ComponentBase
{
    [Parameter, EditorRequired] public CaseDetails Case { get; set; } = default!;

    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = default!;

    /// <summary>The name of the form open on the page, if any.</summary>
    [Parameter] public string? ActiveForm { get; set; }

    [Parameter] public EventCallback<string?> ActiveFormChanged { get; set; }

    /// <summary>Called after a change was saved (with the message to show), or when the case is no longer found (null).</summary>
    [Parameter] public EventCallback<string?> OnChanged { get; set; }

    protected FieldErrors? Errors { get; set; }

    protected bool Saving { get; private set; }

    /// <summary>How the last change of this section ended.</summary>
    protected SaveOutcome? LastOutcome { get; private set; }

    protected bool IsOpen(string form) => ActiveForm == form;

    protected Task OpenAsync(string form)
    {
        Errors = null;
        return ActiveFormChanged.InvokeAsync(form);
    }

    protected Task CloseAsync()
    {
        Errors = null;
        return ActiveFormChanged.InvokeAsync(null);
    }

    /// <summary>Runs a change once at a time (a double click saves once) and shows its outcome.</summary>
    protected async Task SaveAsync(Func<Task<SaveResult>> change, string savedMessage)
    {
        if (Saving)
        {
            return;
        }
        Saving = true;
        try
        {
            // A save that does not go through CaseWork (which says so itself) may still meet a full disk or a busy
            // database: the form stays open with what was typed, and the error summary says why.
            var result = await SaveResult.CatchNotSavedAsync(change);
            LastOutcome = result.Outcome;
            switch (result.Outcome)
            {
                case SaveOutcome.Saved:
                    Errors = null;
                    await OnChanged.InvokeAsync(savedMessage);
                    break;
                case SaveOutcome.NotFound:
                    await OnChanged.InvokeAsync(null);
                    break;
                default:
                    Errors = result.Errors;
                    break;
            }
        }
        finally
        {
            Saving = false;
        }
    }

    protected PartyDetails? Party(Guid id) => Case.Parties.FirstOrDefault(p => p.Id == id);
}
