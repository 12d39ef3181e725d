using RjConferences.Features.Conferences;

namespace RjConferences.Features.Admin;

/// <summary>One facilitator in the training register; the dates are null when no training is recorded.</summary>
public sealed record TrainingListItem(
    Guid UserId, string DisplayName, string Email, string? Provider,
    DateOnly? CompletedOn, DateOnly? RefresherDueOn, DateOnly? LastSupervisionOn)
{
    public string Status(DateOnly today) => FacilitatorTraining.Status(CompletedOn, RefresherDueOn, today);
}

/// <summary>A facilitator's training record for editing; <see cref="Version"/> is null when none is recorded yet.</summary>
public sealed record TrainingRecord(
    Guid UserId, string DisplayName, string? Provider,
    DateOnly? CompletedOn, DateOnly? RefresherDueOn, DateOnly? LastSupervisionOn, long? Version);

/// <summary>
/// How a training save ended; <see cref="Clashes"/> are the booked conferences the saved (or, when it needs
/// confirmation, the proposed) dates do not cover.
/// </summary>
public sealed record TrainingSave(SaveOutcome Outcome, FieldErrors Errors, IReadOnlyList<TrainingClash> Clashes) : SaveResult(Outcome, Errors);

/// <summary>What the administrator types on the training page; the server validates all of it.</summary>
public sealed class TrainingForm
{
    public string? Provider { get; set; }
    public DateInput CompletedOn { get; set; } = new();
    public DateInput RefresherDueOn { get; set; } = new();
    public DateInput LastSupervisionOn { get; set; } = new();

    public static TrainingForm From(TrainingRecord record) => new()
    {
        Provider = record.Provider,
        CompletedOn = DateInput.From(record.CompletedOn),
        RefresherDueOn = DateInput.From(record.RefresherDueOn),
        LastSupervisionOn = DateInput.From(record.LastSupervisionOn),
    };
}

/// <summary>
/// The facilitator training register: provider, date completed, refresher due and last case
/// supervision of every enabled user with the Facilitator role. Saves use optimistic concurrency
/// on <c>facilitator_training.version</c> and are audited as admin_change.
/// </summary>
public sealed class FacilitatorTraining(Db db, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 50;
    public const int MaxProviderLength = 200;

    /// <summary>"Current", "Refresher overdue since …" (the day after the refresher was due) or "No training recorded".</summary>
    public static string Status(DateOnly? completedOn, DateOnly? refresherDueOn, DateOnly today)
    {
        if (completedOn is not { } completed || refresherDueOn is not { } due)
        {
            return "No training recorded";
        }
        if (Scheduler.IsCurrent(completed, due, today))
        {
            return "Current";
        }
        return today > due
            ? $"Refresher overdue since {LondonTime.FormatDate(due.AddDays(1))}"
            : $"Not current until {LondonTime.FormatDate(completed)}";
    }

    public async Task<(IReadOnlyList<TrainingListItem> Facilitators, int Total)> ListAsync(int page, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT u.id AS user_id, u.display_name, u.email, t.provider, t.completed_on, t.refresher_due_on, t.last_supervision_on
            FROM users AS u
            LEFT JOIN facilitator_training AS t ON t.user_id = u.id
            WHERE u.disabled_at IS NULL
              AND EXISTS (SELECT 1 FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = @role)
            ORDER BY u.display_name, u.email
            LIMIT @limit OFFSET @offset
            """;
        const string countSql = """
            SELECT count(*) FROM users AS u
            WHERE u.disabled_at IS NULL
              AND EXISTS (SELECT 1 FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = @role)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await Db.BeginSnapshotAsync(connection, cancellationToken);
        var rows = (await connection.QueryAsync<TrainingListItem>(new CommandDefinition(sql, new
        {
            role = Roles.Facilitator, limit = PageSize, offset = Math.Max(0, page - 1) * PageSize,
        }, transaction, cancellationToken: cancellationToken))).ToList();
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition(countSql, new { role = Roles.Facilitator }, transaction, cancellationToken: cancellationToken));
        return (rows, total);
    }

    /// <summary>The record of an enabled facilitator (with null dates when none is recorded), or null for anyone else.</summary>
    public async Task<TrainingRecord?> GetAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT u.id AS user_id, u.display_name, t.provider, t.completed_on, t.refresher_due_on, t.last_supervision_on, t.version
            FROM users AS u
            LEFT JOIN facilitator_training AS t ON t.user_id = u.id
            WHERE u.id = @userId AND u.disabled_at IS NULL
              AND EXISTS (SELECT 1 FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = @role)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TrainingRecord>(
            new CommandDefinition(sql, new { userId, role = Roles.Facilitator }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Provider required (at most 200 characters); date completed required and not in the future;
    /// refresher due after the date completed; last case supervision optional, not in the future and
    /// not before the date completed. <paramref name="today"/> is today's date in London.
    /// </summary>
    public static FieldErrors Validate(TrainingForm form, DateOnly today,
        out (string Provider, DateOnly CompletedOn, DateOnly RefresherDueOn, DateOnly? LastSupervisionOn) values)
    {
        var errors = new FieldErrors();
        values = default;
        var provider = form.Provider?.Trim() ?? "";
        if (provider.Length == 0)
        {
            errors.Add(nameof(TrainingForm.Provider), "Enter the training provider");
        }
        else if (provider.Length > MaxProviderLength)
        {
            errors.Add(nameof(TrainingForm.Provider), $"The training provider must be {MaxProviderLength} characters or fewer");
        }

        var completed = form.CompletedOn.Parse("Date completed", out var error);
        if (error is not null)
        {
            errors.Add(nameof(TrainingForm.CompletedOn), error);
        }
        else if (completed > today)
        {
            errors.Add(nameof(TrainingForm.CompletedOn), "Date completed must be today or in the past");
        }

        var due = form.RefresherDueOn.Parse("Refresher due date", out error);
        if (error is not null)
        {
            errors.Add(nameof(TrainingForm.RefresherDueOn), error);
        }
        else if (completed is { } c && due <= c)
        {
            errors.Add(nameof(TrainingForm.RefresherDueOn), "Refresher due date must be after the date completed");
        }

        DateOnly? supervision = null;
        if (!form.LastSupervisionOn.IsEmpty)
        {
            supervision = form.LastSupervisionOn.Parse("Date of the last case supervision", out error);
            if (error is not null)
            {
                errors.Add(nameof(TrainingForm.LastSupervisionOn), error);
            }
            else if (supervision > today)
            {
                errors.Add(nameof(TrainingForm.LastSupervisionOn), "Date of the last case supervision must be today or in the past");
            }
            else if (completed is { } c2 && supervision < c2)
            {
                errors.Add(nameof(TrainingForm.LastSupervisionOn), "Date of the last case supervision must be on or after the date completed");
            }
        }

        if (errors.IsEmpty)
        {
            values = (provider, completed!.Value, due!.Value, supervision);
        }
        return errors;
    }

    /// <summary>
    /// Saves the record when nobody else has saved since <paramref name="version"/> (null: when nobody
    /// has recorded training for this facilitator yet). Conflict means someone else saved first.
    /// When the new dates would leave conferences already booked for the facilitator on days their training
    /// does not cover, nothing is saved (NeedsConfirmation, with those conferences) unless every one of them
    /// is in <paramref name="confirmed"/>: the administrator has seen exactly those and chose to save anyway.
    /// </summary>
    public async Task<TrainingSave> SaveAsync(Guid userId, TrainingForm form, long? version, Guid adminId,
        IReadOnlySet<Guid>? confirmed = null)
    {
        var errors = Validate(form, LondonTime.Today(clock), out var values);
        if (!errors.IsEmpty)
        {
            return new TrainingSave(SaveOutcome.Invalid, errors, []);
        }
        var now = clock.GetUtcNow();
        var parameters = new
        {
            userId, values.Provider, values.CompletedOn, values.RefresherDueOn, values.LastSupervisionOn,
            version, now,
        };
        IReadOnlyList<TrainingClash> clashes = [];
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var isFacilitator = await connection.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (SELECT 1 FROM users AS u JOIN user_roles AS ur ON ur.user_id = u.id JOIN roles AS r ON r.id = ur.role_id
                               WHERE u.id = @userId AND u.disabled_at IS NULL AND r.name = @role)
                """, new { userId, role = Roles.Facilitator }, transaction);
            if (!isFacilitator)
            {
                return SaveOutcome.NotFound;
            }
            clashes = await ConferenceQueries.BookedOutsideTrainingAsync(connection, transaction, userId, values.CompletedOn, values.RefresherDueOn, now);
            if (clashes.Any(c => confirmed is null || !confirmed.Contains(c.ConferenceId)))
            {
                return SaveOutcome.NeedsConfirmation;
            }
            var rows = version is null
                ? await connection.ExecuteAsync("""
                    INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, last_supervision_on, version, updated_at)
                    VALUES (@userId, @Provider, @CompletedOn, @RefresherDueOn, @LastSupervisionOn, 1, @now)
                    ON CONFLICT (user_id) DO NOTHING
                    """, parameters, transaction)
                : await connection.ExecuteAsync("""
                    UPDATE facilitator_training
                    SET provider = @Provider, completed_on = @CompletedOn, refresher_due_on = @RefresherDueOn,
                        last_supervision_on = @LastSupervisionOn, version = version + 1, updated_at = @now
                    WHERE user_id = @userId AND version = @version
                    """, parameters, transaction);
            if (rows == 0)
            {
                return SaveOutcome.Conflict;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "facilitator_training", EntityId: userId.ToString(), UserId: adminId,
                Justification: (version is null ? "training recorded" : "training record changed")
                    + (clashes.Count > 0 ? $"; saved knowing {clashes.Count} booked conference(s) fall outside it" : "")));
            return SaveOutcome.Saved;
        });
        return new TrainingSave(outcome, errors, outcome is SaveOutcome.NeedsConfirmation or SaveOutcome.Saved ? clashes : []);
    }

    /// <summary>The conferences still to come that the facilitator's saved training does not cover (the edit page's notice).</summary>
    public async Task<IReadOnlyList<TrainingClash>> ClashesAsync(Guid userId)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await Db.BeginSnapshotAsync(connection);
        var dates = await connection.QuerySingleOrDefaultAsync<(DateOnly CompletedOn, DateOnly RefresherDueOn)?>(
            "SELECT completed_on, refresher_due_on FROM facilitator_training WHERE user_id = @userId", new { userId }, transaction);
        return dates is { } d
            ? await ConferenceQueries.BookedOutsideTrainingAsync(connection, transaction, userId, d.CompletedOn, d.RefresherDueOn, clock.GetUtcNow())
            : [];
    }
}
