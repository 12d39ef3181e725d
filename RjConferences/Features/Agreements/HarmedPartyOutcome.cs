using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>
/// Telling the harmed party whether the agreement was kept (the Scottish framework, §24.1). When an agreement ends and the
/// harmed party asked to be told, a message is queued in the same transaction to each harmed party who agreed to be contacted
/// — by email, text message or letter as they chose (a harmed pupil through their parent or guardian; <see cref="PartyContacts"/>).
/// When it is sent, the agreement records the day and how (<see cref="RecordToldAsync"/>). A harmed party who cannot be messaged
/// (no consent, "only through the school", nothing to send it to) is told by the facilitator, who records it on the case page.
/// The message says only what they need: the conference's date, the outcome and whom to ask — no name, no offence.
/// </summary>
public static class HarmedPartyOutcome
{
    public const string Kind = "harmed_party_outcome";

    private sealed record Agreement(Guid Id, Guid CaseId, bool? HarmedWantsOutcome, DateTimeOffset StartsAt, string SchoolName,
        string FacilitatorName, string FacilitatorEmail);

    /// <summary>Queues the message to the harmed parties of the agreement that has just ended as <paramref name="ended"/>; returns how many.</summary>
    public static async Task<int> QueueAsync(DbConnection connection, IDbTransaction transaction, Guid agreementId, string ended, DateTimeOffset now)
    {
        var a = await connection.QuerySingleAsync<Agreement>("""
            SELECT a.id, c.case_id, a.harmed_wants_outcome, c.starts_at, s.name AS school_name,
                   u.display_name AS facilitator_name, u.email AS facilitator_email
            FROM agreements AS a JOIN conferences AS c ON c.id = a.conference_id JOIN schools AS s ON s.id = c.school_id
            JOIN users AS u ON u.id = c.facilitator_id
            WHERE a.id = @agreementId
            """, new { agreementId }, transaction);
        if (a.HarmedWantsOutcome != true) return 0;
        var harmed = await connection.QueryAsync<Guid>(
            "SELECT id FROM parties WHERE case_id = @CaseId AND party_role = 'harmed' AND details_removed_at IS NULL ORDER BY sort_order",
            new { a.CaseId }, transaction);
        var queued = 0;
        foreach (var partyId in harmed)
        {
            foreach (var contact in await PartyContacts.ForAsync(connection, transaction, a.CaseId, partyId))
            {
                var model = new
                {
                    RecipientName = contact.Name,
                    ConferenceDate = LondonTime.FormatDate(LondonTime.DateOf(a.StartsAt)),
                    Kept = ended == "completed",
                    a.SchoolName,
                    ContactName = a.FacilitatorName,
                    ContactEmail = a.FacilitatorEmail,
                };
                await Outbox.EnqueueAsync(connection, transaction,
                    OutboxMessage.FromTemplate(Kind, contact.Channel, contact.Address, contact.Name, model, a.CaseId) with { AboutId = a.Id }, now);
                queued++;
            }
        }
        return queued;
    }

    /// <summary>
    /// A message to the harmed party was sent: the agreement records the day and how, and the case's timeline says so (by the
    /// app, no user), unless the telling is recorded already.
    /// </summary>
    public static async Task RecordToldAsync(DbConnection connection, IDbTransaction transaction, Guid agreementId, string channel, DateTimeOffset now)
    {
        var on = LondonTime.DateOf(now);
        var told = await connection.QuerySingleOrDefaultAsync<(Guid CaseId, string Ended)>("""
            UPDATE agreements SET harmed_told_on = @on, harmed_told_how = @channel WHERE id = @agreementId AND harmed_told_on IS NULL
            RETURNING case_id, ended
            """, new { on, channel, agreementId }, transaction);
        if (told.CaseId == Guid.Empty) return;
        var how = channel switch { "text" => "a text message", "letter" => "a letter", _ => "an email" };
        await CaseTimeline.RecordAsync(connection, transaction, told.CaseId, null, now, "agreement",
            $"The harmed party was sent {how} on {LondonTime.FormatDate(on)} saying that the agreement was {(told.Ended == "completed" ? "completed" : "broken")}", null, null);
        await CaseDerivedData.RefreshAsync(connection, transaction, told.CaseId);
    }
}
