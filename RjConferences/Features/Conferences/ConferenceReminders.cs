using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Conferences;

/// <summary>
/// Reminders of a conference, queued once a day (<see cref="NotificationJob"/>):
/// <list type="bullet">
/// <item>the <b>day before</b> (<see cref="ReminderOptions.DaysBefore"/>), to everyone invited, staff and participants, as the
/// invitation went to them (<see cref="ConferenceInvitations.RecipientsAsync"/>; a text message or a letter to participants who
/// chose one);</item>
/// <item><b>preparation</b>: <see cref="ReminderOptions.PreparationWorkingDays"/> working days before, to the facilitator and
/// co-facilitator while someone invited has had no preparation meeting (as "My conferences" counts them).</item>
/// </list>
/// Each has a dedupe key with the conference's SEQUENCE, so a rerun (on any instance, or two at once) queues nothing twice, and a
/// conference moved to a new time is reminded of again for that time. A moved or cancelled conference's reminders still waiting
/// are cancelled in the transaction of the change (<see cref="CancelWaitingAsync"/>); a cancelled conference gets none. A run
/// after days of downtime catches up: every conference still to come within the window is reminded of, once.
/// </summary>
public sealed class ConferenceReminders(Db db, TimeProvider clock, IOptions<ReminderOptions> options)
{
    public const string Reminder = "conference_reminder";
    public const string ParticipantReminder = "participant_reminder";
    public const string PreparationReminder = "preparation_reminder";

    /// <summary>Queues the reminders due today; returns how many were queued (none already queued are counted).</summary>
    public async Task<int> QueueDueAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var today = LondonTime.Today(clock);
        var holidays = await BankHolidaysAsync(cancellationToken);
        var lastPreparationDay = WorkingDays.Add(today, o.PreparationWorkingDays, holidays);
        var lastDay = today.AddDays(o.DaysBefore);
        var until = StartOf(Max(lastDay, lastPreparationDay).AddDays(1));
        List<Guid> conferences;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            conferences = (await connection.QueryAsync<Guid>("""
                SELECT id FROM conferences WHERE status = 'scheduled' AND starts_at > @now AND starts_at < @until ORDER BY starts_at, id
                """, new { now, until })).ToList();
        }
        var queued = 0;
        foreach (var conferenceId in conferences)
        {
            queued += await db.WriteAsync(async (connection, transaction) =>
            {
                // The conference's row is locked first (a no-op UPDATE; SQLite's write transaction holds the database already),
                // so a new time or a cancellation saved meanwhile is either seen here or cancels what this queues.
                await connection.ExecuteAsync("UPDATE conferences SET sequence = sequence WHERE id = @conferenceId", new { conferenceId }, transaction);
                var d = await ConferenceInvitations.DetailsAsync(connection, transaction, conferenceId);
                if (d.Status != "scheduled" || d.StartsAt <= now) return 0;
                var day = LondonTime.DateOf(d.StartsAt);
                var count = 0;
                if (day <= lastDay)
                {
                    foreach (var to in await ConferenceInvitations.RecipientsAsync(connection, transaction, conferenceId))
                    {
                        var kind = to.IsStaff ? Reminder : ParticipantReminder;
                        var message = OutboxMessage.FromTemplate(kind, to.Channel, to.Address, to.Name, ConferenceInvitations.Model(d, to), d.CaseId)
                            with { AboutId = d.Id, DedupeKey = $"{kind}:{d.Id:D}:{d.Sequence}:{to.Key}" };
                        count += await Outbox.EnqueueOnceAsync(connection, transaction, message, now) is null ? 0 : 1;
                    }
                }
                if (day <= lastPreparationDay)
                {
                    count += await QueuePreparationAsync(connection, transaction, d, now);
                }
                return count;
            }, cancellationToken);
        }
        return queued;
    }

    private async Task<int> QueuePreparationAsync(DbConnection connection, IDbTransaction transaction, ConferenceInvitations.Details d, DateTimeOffset now)
    {
        var (invited, missing) = await connection.QuerySingleAsync<(int Invited, int Missing)>("""
            SELECT count(*) AS invited,
                   coalesce(sum(CASE WHEN NOT EXISTS (SELECT 1 FROM preparation_meetings AS pm WHERE pm.party_id = cp.party_id) THEN 1 ELSE 0 END), 0) AS missing
            FROM conference_participants AS cp WHERE cp.conference_id = @Id
            """, new { d.Id }, transaction);
        if (missing == 0) return 0;
        var facilitators = await connection.QueryAsync<(Guid Id, string Email, string Name)>("""
            SELECT u.id, u.email, u.display_name AS name FROM users AS u JOIN conferences AS c ON u.id IN (c.facilitator_id, c.co_facilitator_id)
            WHERE c.id = @Id AND u.disabled_at IS NULL ORDER BY u.email
            """, new { d.Id }, transaction);
        var count = 0;
        foreach (var (userId, email, name) in facilitators)
        {
            var model = new
            {
                RecipientName = name,
                d.Reference,
                Starts = LondonTime.Format(d.StartsAt),
                Missing = missing,
                Invited = invited,
                Link = $"{options.Value.AppUrl.TrimEnd('/')}/cases/{d.CaseId:D}",
            };
            var message = OutboxMessage.FromTemplate(PreparationReminder, "email", email, name, model, d.CaseId)
                with { AboutId = d.Id, DedupeKey = $"{PreparationReminder}:{d.Id:D}:{d.Sequence}:{userId:D}" };
            count += await Outbox.EnqueueOnceAsync(connection, transaction, message, now) is null ? 0 : 1;
        }
        return count;
    }

    /// <summary>
    /// A conference moved or cancelled: its reminders still waiting (for the old time) are cancelled, in the change's transaction.
    /// One a sender is delivering right now is left to it.
    /// </summary>
    public static Task CancelWaitingAsync(DbConnection connection, IDbTransaction transaction, Guid conferenceId, DateTimeOffset now) =>
        connection.ExecuteAsync("""
            UPDATE outbox SET status = 'cancelled', last_error = 'The conference was moved or cancelled before the reminder was sent'
            WHERE about_id = @conferenceId AND status = 'queued' AND kind IN (@Reminder, @ParticipantReminder, @PreparationReminder)
              AND (lease_until IS NULL OR lease_until <= @now)
            """, new { conferenceId, now, Reminder, ParticipantReminder, PreparationReminder }, transaction);

    private async Task<IReadOnlySet<DateOnly>> BankHolidaysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<DateOnly>(new CommandDefinition("SELECT holiday_date FROM bank_holidays", cancellationToken: cancellationToken))).ToHashSet();
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateTimeOffset StartOf(DateOnly day)
    {
        LondonTime.TryToUtc(day, TimeOnly.MinValue, out var at, out _);
        return at;
    }
}
