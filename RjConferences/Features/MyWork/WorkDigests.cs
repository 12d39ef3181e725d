using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.MyWork;

/// <summary>
/// Staff digests by email, queued once a day (<see cref="NotificationJob"/>), each listing only case references and what is
/// due, with links into the app (no names, no offence). What they list is what My work shows the user (the same queries, in
/// the user's own scope):
/// <list type="bullet">
/// <item><b>Overdue agreement actions</b> to the facilitators (and whoever checks the action), on a day when an action of theirs
/// has just become overdue (flagged by the daily job in the last day);</item>
/// <item><b>Follow-up checks due</b> to the reviewers, on a day when a check in their scope has just come due or become overdue;</item>
/// <item>a <b>weekly digest of My work</b> (<see cref="ReminderOptions.WeeklyOn"/>), to each user who turned it on (Email settings).</item>
/// </list>
/// Each has a dedupe key with the user and the day (the week for the weekly one), so a rerun queues nothing twice.
/// </summary>
public sealed class WorkDigests(Db db, ActionTracking tracking, FollowUpChecks checks, ConferenceQueries conferences, CaseRepository cases,
    AuditLog audit, TimeProvider clock, IOptions<ReminderOptions> options)
{
    public const string OverdueActions = "overdue_actions_digest";
    public const string ChecksDue = "checks_due_digest";
    public const string Weekly = "my_work_digest";

    /// <summary>One line of a digest: a case reference, what is due, and where in the app.</summary>
    public sealed record Item(string Reference, string Due, string Link);

    /// <summary>A part of the weekly digest (one section of My work).</summary>
    public sealed record Section(string Title, string Empty, IReadOnlyList<Item> Items, int More);

    private sealed record User(Guid Id, string Email, string Name);

    public async Task<int> QueueDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var today = LondonTime.Today(clock);
        var since = now.AddDays(-1);
        var queued = 0;

        foreach (var user in await UsersAsync("""
            SELECT DISTINCT u.id, u.email, u.display_name AS name
            FROM agreement_actions AS x JOIN agreements AS g ON g.id = x.agreement_id JOIN conferences AS f ON f.id = g.conference_id
            JOIN cases AS c ON c.id = g.case_id
            JOIN users AS u ON u.id IN (f.facilitator_id, f.co_facilitator_id, x.checked_by_user_id)
            WHERE x.status = 'pending' AND x.overdue_flagged_at > @since AND g.ended IS NULL AND c.status = 'agreement_active' AND u.disabled_at IS NULL
            ORDER BY u.email
            """, since, cancellationToken))
        {
            var (actions, total) = await tracking.OverdueAsync(user.Id, 1);
            if (total == 0) continue;
            queued += await QueueAsync(OverdueActions, user, $"{OverdueActions}:{user.Id:D}:{today:yyyy-MM-dd}", new
            {
                RecipientName = user.Name, Count = total, Items = actions.Select(ActionItem).ToList(), More = total - actions.Count, Link = Link(""),
            }, now, cancellationToken);
        }

        foreach (var user in await UsersAsync($"""
            SELECT u.id, u.email, u.display_name AS name FROM users AS u
            WHERE u.disabled_at IS NULL
              AND EXISTS (SELECT 1 FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = '{Roles.YouthJusticeReviewer}')
              AND EXISTS (SELECT 1 FROM follow_up_checks AS f JOIN cases AS c ON c.id = f.case_id
                          WHERE f.checked_on IS NULL AND (f.created_at > @since OR f.overdue_flagged_at > @since)
                            AND c.status IN ('agreement_active', 'agreement_completed', 'follow_up')
                            AND c.school_id IN (SELECT school_id FROM user_school_scope WHERE user_id = u.id))
            ORDER BY u.email
            """, since, cancellationToken))
        {
            var (due, total) = await checks.DueAsync(user.Id, 1);
            if (total == 0) continue;
            queued += await QueueAsync(ChecksDue, user, $"{ChecksDue}:{user.Id:D}:{today:yyyy-MM-dd}", new
            {
                RecipientName = user.Name, Count = total, Items = due.Select(CheckItem).ToList(), More = total - due.Count, Link = Link("follow-ups"),
            }, now, cancellationToken);
        }

        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        if (today >= monday.AddDays(((int)options.Value.WeeklyOn + 6) % 7))
        {
            foreach (var user in await UsersAsync(
                "SELECT id, email, display_name AS name FROM users WHERE weekly_digest = TRUE AND disabled_at IS NULL ORDER BY email", since, cancellationToken))
            {
                var sections = await WeeklySectionsAsync(user.Id, monday, cancellationToken);
                queued += await QueueAsync(Weekly, user, $"{Weekly}:{user.Id:D}:{monday:yyyy-MM-dd}", new
                {
                    RecipientName = user.Name, WeekOf = LondonTime.FormatDate(monday), Sections = sections, Link = Link(""), SettingsLink = Link(EmailSettingsPage.Route),
                }, now, cancellationToken);
            }
        }
        return queued;
    }

    /// <summary>Whether <paramref name="userId"/> gets the weekly digest of My work.</summary>
    public async Task<bool> WantsWeeklyAsync(Guid userId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<bool>("SELECT weekly_digest FROM users WHERE id = @userId", new { userId });
    }

    /// <summary>The user turns their own weekly digest on or off (audited as a change to their account).</summary>
    public Task ChooseWeeklyAsync(Guid userId, bool wanted) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync("UPDATE users SET weekly_digest = @wanted WHERE id = @userId AND weekly_digest <> @wanted",
                    new { userId, wanted }, transaction) == 0)
            {
                return;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange, EntityType: "user", EntityId: userId.ToString(),
                UserId: userId, Justification: wanted ? "weekly digest of My work turned on by the user" : "weekly digest of My work turned off by the user"));
        });

    /// <summary>The weekly digest's parts, by the user's roles, as My work shows them.</summary>
    private async Task<List<Section>> WeeklySectionsAsync(Guid userId, DateOnly monday, CancellationToken cancellationToken)
    {
        List<string> roles;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            roles = (await connection.QueryAsync<string>(
                "SELECT r.name FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = @userId", new { userId })).ToList();
        }
        var sections = new List<Section>();
        if (roles.Contains(Roles.Facilitator))
        {
            var week = await conferences.MyWeekAsync(userId, monday);
            sections.Add(new Section("Your conferences this week", "You have no conferences this week.", week.Select(c => new Item(c.Reference,
                $"conference {LondonTime.Format(c.StartsAt)}" + (c.MissingPreparation > 0 ? $", {ConferenceWords.MissingPreparation(c.MissingPreparation).ToLowerInvariant()}" : ""),
                Link($"cases/{c.CaseId:D}"))).ToList(), 0));
            var (actions, total) = await tracking.OverdueAsync(userId, 1);
            sections.Add(new Section("Overdue agreement actions", "No agreement actions are overdue.", actions.Select(ActionItem).ToList(), total - actions.Count));
        }
        if (roles.Contains(Roles.Referrer))
        {
            foreach (var (status, title, empty) in new[]
            {
                (CaseStatus.AwaitingConsent, "Cases waiting for consent", "No cases are waiting for consent."),
                (CaseStatus.ReadyToSchedule, "Cases ready to book a conference", "No cases are waiting for a booking."),
            })
            {
                var (waiting, total) = await cases.ListAsync(new CaseQuery(Status: status, Descending: false), userId, cancellationToken);
                sections.Add(new Section(title, empty, waiting.Select(c => new Item(c.Reference, $"referred {LondonTime.FormatDate(c.ReferredOn)}",
                    Link($"cases/{c.Id:D}"))).ToList(), total - waiting.Count));
            }
        }
        if (roles.Contains(Roles.YouthJusticeReviewer))
        {
            var (due, total) = await checks.DueAsync(userId, 1);
            sections.Add(new Section("Follow-up checks due", "No follow-up checks are waiting.", due.Select(CheckItem).ToList(), total - due.Count));
        }
        return sections;
    }

    private Item ActionItem(OverdueAction a) =>
        new(a.Reference, $"action {a.Number} ({a.TypeLabel.ToLowerInvariant()}), due {LondonTime.FormatDate(a.DueOn)}", Link($"conferences/{a.ConferenceId:D}/agreement"));

    private Item CheckItem(FollowUpCheckView c) =>
        new(c.Reference, $"{c.IntervalMonths}-month follow-up check, due {LondonTime.FormatDate(c.DueOn)}{(c.OverdueFlaggedAt is null ? "" : " (overdue)")}",
            Link($"cases/{c.CaseId:D}"));

    private string Link(string path) => $"{options.Value.AppUrl.TrimEnd('/')}/{path}";

    private async Task<IReadOnlyList<User>> UsersAsync(string sql, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<User>(new CommandDefinition(sql, new { since }, cancellationToken: cancellationToken))).ToList();
    }

    private Task<int> QueueAsync(string kind, User to, string dedupeKey, object model, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WriteAsync(async (connection, transaction) =>
            await Outbox.EnqueueOnceAsync(connection, transaction,
                OutboxMessage.FromTemplate(kind, "email", to.Email, to.Name, model) with { DedupeKey = dedupeKey }, now) is null ? 0 : 1,
            cancellationToken);
}
