using RjConferences.Features.Notifications;
using RjConferences.Features.Schools;

namespace RjConferences.Features.Conferences;

/// <summary>
/// The invitation of a conference, queued in the outbox in the transaction of the booking, the new time or the cancellation,
/// so it goes exactly when that change is saved. It goes to
/// <list type="bullet">
/// <item>the <b>staff</b> who run it — the facilitator, the co-facilitator and the officer or teacher who referred the case —
/// by email with the calendar file: the case reference, when and where (<c>conference_*</c> templates);</item>
/// <item>the <b>participants</b> who are not young people (<see cref="PartyContacts"/>: only those who agreed to be contacted,
/// by the way they chose): by email with the calendar file, or a text message, or a letter, each saying only when, where
/// and whom to contact (the facilitator) — no case reference, no name of the child (<c>participant_*</c> templates).</item>
/// </list>
/// The same UID throughout (<see cref="CalendarInvite.Uid"/>): a new time is an update (a higher SEQUENCE), a cancellation
/// METHOD:CANCEL. Anyone a new time leaves off the conference gets the cancellation. A new time or a cancellation also
/// cancels the reminders still waiting for the old time (<see cref="ConferenceReminders"/>).
/// </summary>
public static class ConferenceInvitations
{
    /// <summary>Someone a conference's messages go to: staff by email; a participant by the way they chose (email, text, letter).</summary>
    public sealed record Recipient(string Channel, string Address, string Name, bool IsStaff)
    {
        /// <summary>Who this is, for telling recipients apart and in dedupe keys: the channel and the address.</summary>
        public string Key => $"{Channel}:{Address.Trim().ToUpperInvariant()}";
    }

    /// <summary>A conference as its messages describe it.</summary>
    public sealed record Details(Guid Id, Guid CaseId, string Reference, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string RoomName,
        string SchoolName, string BoroughName, long Sequence, string Status, string FacilitatorName, string FacilitatorEmail)
    {
        public bool Cancelled => Status == "cancelled";
    }

    /// <summary>The title of a participant's calendar entry: no case reference.</summary>
    public const string ParticipantTitle = "Restorative justice meeting";

    public static Task<Details> DetailsAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId) =>
        connection.QuerySingleAsync<Details>("""
            SELECT c.id, c.case_id, k.reference, c.starts_at, c.ends_at, r.name AS room_name, s.name AS school_name, b.name AS borough_name,
                   c.sequence, c.status, u.display_name AS facilitator_name, u.email AS facilitator_email
            FROM conferences AS c JOIN cases AS k ON k.id = c.case_id JOIN rooms AS r ON r.id = c.room_id
            JOIN schools AS s ON s.id = c.school_id JOIN boroughs AS b ON b.id = s.borough_id JOIN users AS u ON u.id = c.facilitator_id
            WHERE c.id = @conferenceId
            """, new { conferenceId }, transaction);

    /// <summary>Everyone a conference's messages go to now, staff first (read before a change, to tell those it leaves out).</summary>
    public static async Task<IReadOnlyList<Recipient>> RecipientsAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId)
    {
        var staff = await connection.QueryAsync<(string Email, string Name)>("""
            SELECT u.email, u.display_name AS name FROM users AS u
            WHERE u.id IN (SELECT facilitator_id FROM conferences WHERE id = @conferenceId)
               OR u.id IN (SELECT co_facilitator_id FROM conferences WHERE id = @conferenceId)
               OR u.id IN (SELECT k.referred_by FROM conferences AS c JOIN cases AS k ON k.id = c.case_id WHERE c.id = @conferenceId)
            ORDER BY u.email
            """, new { conferenceId }, transaction);
        var recipients = staff.Select(s => new Recipient("email", s.Email, s.Name, IsStaff: true)).ToList();
        var participants = await connection.QueryAsync<(Guid Id, Guid CaseId, string PartyRole, string? HarmedType)>("""
            SELECT p.id, p.case_id, p.party_role, p.harmed_type
            FROM conference_participants AS cp JOIN parties AS p ON p.id = cp.party_id
            WHERE cp.conference_id = @conferenceId AND p.details_removed_at IS NULL
            ORDER BY p.sort_order
            """, new { conferenceId }, transaction);
        // A young person is not sent the invitation: their parent or guardian, invited to the conference too, is.
        foreach (var party in participants.Where(p => !PartyContacts.IsYoungPerson(p.PartyRole, p.HarmedType)))
        {
            recipients.AddRange((await PartyContacts.ForAsync(connection, transaction, party.CaseId, party.Id))
                .Select(c => new Recipient(c.Channel, c.Address, c.Name, IsStaff: false)));
        }
        return recipients.DistinctBy(r => r.Key).ToList();
    }

    /// <summary>Queues the conference's invitation, update or cancellation as it now stands; <paramref name="former"/> not on it any more get its cancellation.</summary>
    public static async Task QueueAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId, DateTimeOffset now,
        IReadOnlyList<Recipient>? former = null)
    {
        var d = await DetailsAsync(connection, transaction, conferenceId);
        var recipients = await RecipientsAsync(connection, transaction, conferenceId);
        await ConferenceReminders.CancelWaitingAsync(connection, transaction, conferenceId, now);
        foreach (var recipient in recipients)
        {
            await Outbox.EnqueueAsync(connection, transaction, Message(d, recipient, d.Cancelled, now), now);
        }
        foreach (var recipient in (former ?? []).Where(f => recipients.All(r => r.Key != f.Key)))
        {
            await Outbox.EnqueueAsync(connection, transaction, Message(d, recipient, cancelled: true, now), now);
        }
    }

    private static OutboxMessage Message(Details d, Recipient to, bool cancelled, DateTimeOffset now)
    {
        var template = (to.IsStaff ? "conference_" : "participant_") + (cancelled ? "cancellation" : d.Sequence == 0 ? "invitation" : "update");
        var message = OutboxMessage.FromTemplate(template, to.Channel, to.Address, to.Name, Model(d, to), d.CaseId) with { AboutId = d.Id };
        if (to.Channel != "email") return message; // a text message or a letter has no calendar file
        var ics = CalendarInvite.Create(new InviteDetails(d.Id, d.Reference, d.StartsAt, d.EndsAt, d.RoomName, d.SchoolName, d.BoroughName,
            (int)d.Sequence, cancelled, to.IsStaff ? null : ParticipantTitle), now);
        return message with
        {
            Attachment = new OutboxAttachment(to.IsStaff ? $"{d.Reference}.ics" : "invitation.ics",
                $"text/calendar; charset=utf-8; method={(cancelled ? "CANCEL" : "REQUEST")}", ics),
        };
    }

    /// <summary>
    /// A message's values: when and where for everyone; the case reference for staff only; whom to contact (the facilitator)
    /// for participants. Never a child's name or the offence.
    /// </summary>
    public static object Model(Details d, Recipient to)
    {
        var starts = LondonTime.Format(d.StartsAt);
        var when = $"{starts} to {LondonTime.Clock(d.EndsAt, LondonTime.HappensTwice(d.EndsAt))}";
        var where = $"{d.RoomName}, {SchoolName.WithBorough(d.SchoolName, d.BoroughName)}";
        return to.IsStaff
            ? new { RecipientName = to.Name, d.Reference, Starts = starts, When = when, Where = where }
            : new { RecipientName = to.Name, Starts = starts, When = when, Where = where, ContactName = d.FacilitatorName, ContactEmail = d.FacilitatorEmail };
    }
}
