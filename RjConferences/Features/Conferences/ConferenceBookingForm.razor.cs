using Microsoft.AspNetCore.Components;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Conferences;

/// <summary>
/// The booking form's state: the choices, the server's messages, warnings and question, and the
/// slot finder. Nothing is saved until the server has checked everything in one transaction.
/// </summary>
public partial class ConferenceBookingForm
{
    [Inject] private ConferenceBooking Booking { get; set; } = default!;
    [Inject] private ConferenceQueries Queries { get; set; } = default!;
    [Inject] private IOptions<ConferenceOptions> Options { get; set; } = default!;
    [Parameter, EditorRequired] public CaseDetails Case { get; set; } = default!;
    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = default!;
    [Parameter, EditorRequired] public BookingForm Form { get; set; } = default!;

    /// <summary>The conference being moved; null to book a new one.</summary>
    [Parameter] public Guid? MovingConferenceId { get; set; }

    /// <summary>After the booking was saved: the conference as it is now.</summary>
    [Parameter] public EventCallback<ConferenceView> OnSaved { get; set; }

    private IReadOnlyList<Choice> rooms = [], facilitators = [];
    private FieldErrors? errors;
    private IReadOnlyList<string> warnings = [];
    private IReadOnlyList<DateTimeOffset>? suggestions;
    private string? slotMessage, occurrenceAskedFor;
    private bool askOccurrence, saving, finding, focusSummary, focusWarnings;
    private ErrorSummary? summary;
    private ElementReference warningPanel;

    /// <summary>How many times the slot finder was last asked for: a full answer may have more.</summary>
    private int askedFor;
    private const int TimesAtATime = 5;

    private bool Rescheduling => MovingConferenceId is not null;

    private string TimeKey => $"{Form.Date}|{Form.StartTime?.Trim()}";

    private IReadOnlyList<Choice> Occurrences =>
    [
        new("BST", $"{Form.StartTime} BST, the first time (before the clocks go back)"),
        new("GMT", $"{Form.StartTime} GMT, the second time (after the clocks go back)"),
    ];

    protected override async Task OnInitializedAsync()
    {
        rooms = await Queries.RoomsAsync(Case.SchoolId);
        facilitators = await Queries.FacilitatorsAsync(Case.SchoolId);
        // A facilitator who books usually facilitates: choose them unless the form says otherwise.
        if (!Rescheduling && Form.FacilitatorId is null && facilitators.Any(f => f.Code == User.UserId().ToString()))
        {
            Form.FacilitatorId = User.UserId();
        }
        // A school with one room: there is nothing to choose.
        if (!Rescheduling && Form.RoomId is null && rooms is [var only])
        {
            Form.RoomId = long.Parse(only.Code, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var (toSummary, toWarnings) = (focusSummary, focusWarnings);
        (focusSummary, focusWarnings) = (false, false);
        if (toSummary && summary is not null) await summary.FocusAsync();
        else if (toWarnings && warningPanel.Context is not null) await warningPanel.FocusAsync();
    }

    private Task FindTimesAsync() => FindAsync(TimesAtATime);

    private Task MoreTimesAsync() => FindAsync(askedFor + TimesAtATime);

    private async Task FindAsync(int count)
    {
        if (finding) return;
        var problems = new FieldErrors();
        if (Form.RoomId is null) problems.Add("RoomId", "Choose a room before finding times");
        if (Form.FacilitatorId is null) problems.Add("FacilitatorId", "Choose a facilitator before finding times");
        if (Form.LengthMinutes is not { } length || length < 1 || length > Options.Value.MaxLengthMinutes)
            problems.Add("LengthMinutes", $"Length must be between 1 minute and {Options.Value.MaxLengthMinutes / 60} hours");
        // "Show more times" keeps the times shown (and the button, with the keyboard focus) until the longer list arrives.
        (errors, warnings, slotMessage) = (null, [], null);
        if (count == TimesAtATime || !problems.IsEmpty) suggestions = null;
        if (!problems.IsEmpty)
        {
            (errors, focusSummary) = (problems, true);
            return;
        }
        finding = true;
        try
        {
            await Task.Yield();
            suggestions = await Queries.FindTimesAsync(Case.Id, Form, User, count, excluding: MovingConferenceId);
            askedFor = count;
        }
        finally
        {
            finding = false;
        }
    }

    private void Choose(DateTimeOffset slot)
    {
        Form.Date = DateInput.From(LondonTime.DateOf(slot));
        Form.StartTime = LondonTime.ToLondon(slot).ToString("HH:mm", AppSetup.Culture);
        (suggestions, warnings, errors, askOccurrence) = (null, [], null, false);
        slotMessage = $"Date and start time set to {ConferenceWords.Slot(slot)}.";
    }

    private Task SubmitAsync() => SaveAsync(confirmed: false);

    private Task ConfirmAsync() => SaveAsync(confirmed: true);

    private async Task SaveAsync(bool confirmed)
    {
        if (saving) return;
        saving = true;
        try
        {
            await Task.Yield(); // show the disabled button while SQLite works
            Form.ConfirmedWarnings = confirmed;
            if (occurrenceAskedFor != TimeKey) (Form.Occurrence, askOccurrence) = (null, false); // the answer was for another time
            // A full disk or a busy database: said in the error summary, the form kept (not the page's error boundary).
            var result = await SaveResult.CatchNotSavedAsync(
                () => Rescheduling ? Booking.RescheduleAsync(MovingConferenceId!.Value, Form, User) : Booking.BookAsync(Case.Id, Form, User),
                notSaved => new BookingResult(notSaved.Errors, []));
            if (result.Saved && await Queries.GetAsync(result.ConferenceId!.Value, User.UserId()) is { } conference)
            {
                await OnSaved.InvokeAsync(conference);
                return;
            }
            errors = result.Errors.IsEmpty ? null : result.Errors;
            warnings = errors is null ? result.Warnings : [];
            if (result.NeedsOccurrence) (askOccurrence, occurrenceAskedFor) = (true, TimeKey);
            (focusSummary, focusWarnings) = (errors is not null, errors is null && warnings.Count > 0);
        }
        finally
        {
            saving = false;
        }
    }
}
