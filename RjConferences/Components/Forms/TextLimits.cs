using RjConferences.Features.Agreements;
using RjConferences.Features.Referrals;

namespace RjConferences.Components.Forms;

/// <summary>
/// How much text a box takes: each field's own limit is a constant next to the rule that enforces it
/// (e.g. <see cref="ReferralValidator.MaxDescription"/>); this class holds what they share, and sizes
/// the circuit's messages so that no text the browser accepts can drop the connection.
/// </summary>
public static class TextLimits
{
    /// <summary>A reason (withdrawing, closing, cancelling, rescheduling, a missed action).</summary>
    public const int Reason = 500;

    /// <summary>
    /// The browser's bound for a value the server parses (a time, a number, an email address, an id, a search, a part
    /// of a date), set by the kit's TextField and DateInputGroup:
    /// well above anything valid, so that the rule's own message is still reachable, and far below the hub's size.
    /// </summary>
    public const int ParsedValue = 400;

    /// <summary>The message for text over its limit (GOV.UK's words): "Risk to either party must be 2,000 characters or fewer".</summary>
    public static string TooLong(string label, int limit) => $"{label} must be {limit.ToString("N0", AppSetup.Culture)} characters or fewer";

    /// <summary>The longest limit of any field. <see cref="CharacterCount"/> refuses a larger limit, so a new field cannot outgrow the hub.</summary>
    public const int LongestField = ReferralValidator.MaxDescription > AgreementVocabulary.MaxActionText
        ? ReferralValidator.MaxDescription : AgreementVocabulary.MaxActionText;

    /// <summary>
    /// What a counted box takes in the browser (its maxlength). Like GOV.UK's character count, a box lets the
    /// user go over its limit, says by how much, and the server refuses it on save: so a paste well over the
    /// limit stays whole in the box for the user to shorten. The bound only keeps one change within
    /// <see cref="HubMessageBytes"/>; it is five times the longest limit, so no realistic paste is cut.
    /// </summary>
    public const int BrowserMaximum = 5 * LongestField;

    /// <summary>
    /// The most bytes one character of a text box (a UTF-16 code unit in the browser) can take in the event
    /// message: 3 in UTF-8 (4 for a pair of units), but 6 when JSON escapes it (a control character as \u001f).
    /// </summary>
    public const int WorstBytesPerCharacter = 6;

    /// <summary>
    /// A change event carries the box's value twice: in the event's arguments and in its field information
    /// (the value Blazor keeps for the element), so 10,000 × "é" was 40 KB, over SignalR's default of 32 KB.
    /// </summary>
    public const int CopiesPerEvent = 2;

    /// <summary>The rest of an event message: the event's descriptor, the field names, the protocol's framing.</summary>
    public const int MessageOverheadBytes = 16 * 1024;

    /// <summary>
    /// The circuit's largest incoming message (SignalR's default is 32 KB): one change event carrying a box
    /// filled to <see cref="BrowserMaximum"/> with the worst characters.
    /// </summary>
    public const int HubMessageBytes = BrowserMaximum * WorstBytesPerCharacter * CopiesPerEvent + MessageOverheadBytes;
}
