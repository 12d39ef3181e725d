using RjConferences.Features.Notifications;
using RjConferences.Features.Schools;

namespace RjConferences.Features.Conferences;

/// <summary>
/// The calendar invitation of a conference, emailed through the outbox to the staff who run it — the facilitator, the
/// co-facilitator and the officer or teacher who referred the case — in the transaction of the booking, the new time or
/// the cancellation, so it goes exactly when that change is saved. The same UID throughout (<see cref="CalendarInvite.Uid"/>):
/// a new time is an update (a higher SEQUENCE), a cancellation METHOD:CANCEL. Staff taken off a conference by a new time get
/// the cancellation. What a message says is what the .ics says: the case reference, when and where; never a child's name or
/// the offence. (Participants who agreed to be contacted by email come with their contact preferences: not yet.)
/// </summary>
public static class ConferenceInvitations
{
    public sealed record Recipient(string Email, string Name);

    private sealed record Details(Guid Id, Guid CaseId, string Reference, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string RoomName,
        string SchoolName, string BoroughName, long Sequence, string Status);

    /// <summary>The staff a conference's messages go to now (read before a change, to tell those it leaves out).</summary>
    public static async Task<IReadOnlyList<Recipient>> StaffAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId) =>
        (await connection.QueryAsync<Recipient>("""
            SELECT u.email, u.display_name AS name FROM users AS u
            WHERE u.id IN (SELECT facilitator_id FROM conferences WHERE id = @conferenceId)
               OR u.id IN (SELECT co_facilitator_id FROM conferences WHERE id = @conferenceId)
               OR u.id IN (SELECT k.referred_by FROM conferences AS c JOIN cases AS k ON k.id = c.case_id WHERE c.id = @conferenceId)
            ORDER BY u.email
            """, new { conferenceId }, transaction)).DistinctBy(r => r.Email.ToUpperInvariant()).ToList();

    /// <summary>Queues the conference's invitation, update or cancellation as it now stands; <paramref name="formerStaff"/> not on it any more get its cancellation.</summary>
    public static async Task QueueAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId, DateTimeOffset now,
        IReadOnlyList<Recipient>? formerStaff = null)
    {
        var d = await connection.QuerySingleAsync<Details>("""
            SELECT c.id, c.case_id, k.reference, c.starts_at, c.ends_at, r.name AS room_name, s.name AS school_name, b.name AS borough_name,
                   c.sequence, c.status
            FROM conferences AS c JOIN cases AS k ON k.id = c.case_id JOIN rooms AS r ON r.id = c.room_id
            JOIN schools AS s ON s.id = c.school_id JOIN boroughs AS b ON b.id = s.borough_id
            WHERE c.id = @conferenceId
            """, new { conferenceId }, transaction);
        var staff = await StaffAsync(connection, transaction, conferenceId);
        var cancelled = d.Status == "cancelled";
        foreach (var recipient in staff)
        {
            await Outbox.EnqueueAsync(connection, transaction, Message(d, recipient, cancelled, now), now);
        }
        foreach (var recipient in (formerStaff ?? []).Where(f => !staff.Any(s => string.Equals(s.Email, f.Email, StringComparison.OrdinalIgnoreCase))))
        {
            await Outbox.EnqueueAsync(connection, transaction, Message(d, recipient, cancelled: true, now), now);
        }
    }

    private static OutboxMessage Message(Details d, Recipient to, bool cancelled, DateTimeOffset now)
    {
        var template = cancelled ? "conference_cancellation" : d.Sequence == 0 ? "conference_invitation" : "conference_update";
        var ics = CalendarInvite.Create(new InviteDetails(d.Id, d.Reference, d.StartsAt, d.EndsAt, d.RoomName, d.SchoolName, d.BoroughName,
            (int)d.Sequence, cancelled), now);
        var model = new
        {
            RecipientName = to.Name,
            d.Reference,
            Starts = LondonTime.Format(d.StartsAt),
            When = $"{LondonTime.Format(d.StartsAt)} to {LondonTime.Clock(d.EndsAt, LondonTime.HappensTwice(d.EndsAt))}",
            Where = $"{d.RoomName}, {SchoolName.WithBorough(d.SchoolName, d.BoroughName)}",
        };
        return OutboxMessage.FromTemplate(template, "email", to.Email, to.Name, model, d.CaseId,
            new OutboxAttachment($"{d.Reference}.ics", $"text/calendar; charset=utf-8; method={(cancelled ? "CANCEL" : "REQUEST")}", ics))
            with { AboutId = d.Id };
    }
}
