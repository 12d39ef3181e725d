
namespace RjConferences.Features.Conferences;

/// <summary>What a user enters to book or reschedule a conference. The server checks all of it.</summary>
public sealed class BookingForm
{
    public DateInput Date { get; set; } = new();
    public string? StartTime { get; set; }
    public int? LengthMinutes { get; set; } = 60;
    public long? RoomId { get; set; }
    public Guid? FacilitatorId { get; set; }
    public Guid? CoFacilitatorId { get; set; }
    public HashSet<Guid> ParticipantIds { get; set; } = [];

    /// <summary>For a time that happens twice when the clocks go back: "BST" (the first) or "GMT" (the second).</summary>
    public string? Occurrence { get; set; }

    /// <summary>The user has seen the warnings (weekend, holiday, outside hours or term) and books anyway.</summary>
    public bool ConfirmedWarnings { get; set; }

    /// <summary>Required when rescheduling.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The case's version when the form was opened; required when rescheduling, so that a change
    /// someone else saved meanwhile is never silently overwritten.
    /// </summary>
    public long? CaseVersion { get; set; }
}

/// <summary>
/// A booking's <see cref="SaveResult"/>: the warnings to confirm (weekend, holiday, outside hours or
/// term: <see cref="SaveOutcome.NeedsConfirmation"/>), whether a repeated hour needs BST or GMT, and
/// the conference booked.
/// </summary>
public sealed record BookingResult(
    RjConferences.Security.FieldErrors Errors,
    IReadOnlyList<string> Warnings,
    bool NeedsOccurrence = false,
    Guid? ConferenceId = null,
    SaveOutcome? Refused = null)
    : SaveResult(Refused ?? (ConferenceId is not null && Errors.IsEmpty ? SaveOutcome.Saved
        : Errors.IsEmpty && Warnings.Count > 0 ? SaveOutcome.NeedsConfirmation : SaveOutcome.Invalid), Errors);
