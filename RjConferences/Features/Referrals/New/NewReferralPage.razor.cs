using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace RjConferences.Features.Referrals.New;

/// <summary>
/// The new-referral journey. One <see cref="ReferralForm"/> holds every answer; the steps are
/// switched in this component's state, so nothing about the people involved goes into a URL. Each
/// "Continue" checks its step on the server, and saving checks everything again.
/// </summary>
public partial class NewReferralPage
{
    [Inject] private ReferralService Referrals { get; set; } = default!;
    [Inject] private SchoolScope Scope { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private ReferralForm form = new();
    private ReferralStep step = ReferralStep.Offence;
    private IReadOnlyList<ScopedSchool>? schools;
    private IReadOnlyList<Choice> categories = [];
    private FieldErrors? errors;
    private ReferralResult? result;
    private IReadOnlyList<IneligibilityReason> reasons = [];
    private Guid userId;
    private bool saving, changingFromCheck, focusSummary, focusHeading;
    private ErrorSummary? summary;
    private ElementReference heading;

    protected override async Task OnInitializedAsync()
    {
        // Loaded once, when the circuit is interactive: not also for the prerendered HTML (a "Loading…" status until then).
        if (!RendererInfo.IsInteractive) return;
        userId = (await AuthenticationState).User.UserId();
        categories = await Referrals.OffenceCategoriesAsync();
        schools = await Scope.SchoolsAsync(userId);
        Preselect();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // After a failed "Continue" the error summary takes focus; after a step change, the new heading.
        var (toSummary, toHeading) = (focusSummary, focusHeading);
        (focusSummary, focusHeading) = (false, false);
        if (toSummary && summary is not null)
        {
            await summary.FocusAsync();
        }
        else if (toHeading && heading.Context is not null)
        {
            await heading.FocusAsync();
        }
    }

    private void Preselect()
    {
        if (schools is { Count: 1 } && form.SchoolId is null)
        {
            form.SchoolId = schools[0].Id;
        }
    }

    private void GoTo(ReferralStep next)
    {
        step = next;
        errors = null;
        focusHeading = true;
    }

    private void Change(ReferralStep to)
    {
        changingFromCheck = true;
        GoTo(to);
    }

    private void ShowErrors(FieldErrors found)
    {
        errors = found;
        focusSummary = true;
    }

    private async Task ContinueAsync()
    {
        var context = await Referrals.ContextAsync(userId);
        var found = step switch
        {
            ReferralStep.Offence => ReferralValidator.Offence(form, context, out _),
            ReferralStep.SchoolMatter => ReferralValidator.SchoolMatter(form),
            ReferralStep.Admission => ReferralValidator.Admission(form, context),
            _ => ReferralValidator.Parties(form, context),
        };
        if (!found.IsEmpty)
        {
            ShowErrors(found);
            return;
        }
        var next = step switch
        {
            ReferralStep.SchoolMatter when form.SchoolWouldDealInternally == true => ReferralStep.InternalMatter,
            _ when changingFromCheck => ReferralStep.Check,
            ReferralStep.Offence => ReferralStep.SchoolMatter,
            ReferralStep.SchoolMatter => ReferralStep.Admission,
            ReferralStep.Admission => ReferralStep.Parties,
            _ => ReferralStep.Check,
        };
        if (next == ReferralStep.Check)
        {
            changingFromCheck = false;
        }
        GoTo(next);
    }

    private Task RecordInternalMatterAsync() => SubmitAsync(ReferralStep.InternalRecorded);

    private Task SaveAsync() => SubmitAsync(ReferralStep.Recorded);

    private async Task SubmitAsync(ReferralStep done)
    {
        if (saving)
        {
            return; // a second click while the first is saving; SubmissionId makes a repeat safe anyway
        }
        saving = true;
        try
        {
            // SQLite does its work synchronously: yield first, so that the disabled button is shown while saving.
            await Task.Yield();
            var saved = await Referrals.SaveAsync(form, userId);
            if (!saved.Succeeded && saved.Errors.Keys.All(k => k.Length == 0))
            {
                // Nothing could be saved (a full disk, a busy database): say so on the page the user is on, every answer kept.
                ShowErrors(saved.Errors);
                return;
            }
            if (!saved.Succeeded)
            {
                // The browser is untrusted, and answers may have changed since their step: show the
                // messages on the first step that has any, at their fields.
                var (first, shown) = ReferralSteps.FirstWithErrors(saved.Errors);
                changingFromCheck = done == ReferralStep.Recorded;
                GoTo(first);
                ShowErrors(shown);
                return;
            }
            result = saved;
            if (saved.CaseId is { } caseId)
            {
                reasons = await Referrals.IneligibilityReasonsAsync(caseId, userId);
            }
            GoTo(done);
        }
        finally
        {
            saving = false;
        }
    }

    private void StartAgain()
    {
        form = new ReferralForm();
        result = null;
        reasons = [];
        changingFromCheck = false;
        Preselect();
        GoTo(ReferralStep.Offence);
    }
}
