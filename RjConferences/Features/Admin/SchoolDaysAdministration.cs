
namespace RjConferences.Features.Admin;

/// <summary>School-day hours as stored in <c>settings</c>: "HH:mm", London time.</summary>
public sealed record SchoolDayHours(string Start, string End);

public sealed class HoursForm
{
    public string? Start { get; set; }
    public string? End { get; set; }

    public static HoursForm From(SchoolDayHours hours) => new() { Start = hours.Start, End = hours.End };
}

/// <summary>One term of a borough (a half-term break is the gap between two terms).</summary>
public sealed record TermItem(long Id, long BoroughId, string Name, DateOnly StartsOn, DateOnly EndsOn);

public sealed class TermForm
{
    public string? Name { get; set; }
    public DateInput StartsOn { get; set; } = new();
    public DateInput EndsOn { get; set; } = new();

    /// <summary>When adding: add the same term to every borough.</summary>
    public bool AllBoroughs { get; set; }

    public static TermForm From(TermItem term) => new()
    {
        Name = term.Name, StartsOn = DateInput.From(term.StartsOn), EndsOn = DateInput.From(term.EndsOn),
    };
}

public sealed record BankHolidayItem(DateOnly HolidayDate, string Name);

public sealed class BankHolidayForm
{
    public DateInput Date { get; set; } = new();
    public string? Name { get; set; }
}

/// <summary>
/// The data behind "is this a school day": school-day hours, term dates per borough and the England
/// and Wales bank holidays. Every change is audited as admin_change. Field names in the returned
/// errors carry a prefix ("Hours.", "Term.", "Holiday.") because the three forms share one page.
/// </summary>
public sealed class SchoolDaysAdministration(Db db, AuditLog audit)
{
    public const int MaxNameLength = 100;
    public const string StartKey = "school_day_start";
    public const string EndKey = "school_day_end";

    public async Task<SchoolDayHours> GetHoursAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await HoursAsync(connection, null);
    }

    /// <summary>
    /// Saves the hours when they are still <paramref name="original"/> (otherwise Conflict). Both are
    /// required, as HH:mm, and the start must be before the end.
    /// </summary>
    public async Task<SaveResult> SaveHoursAsync(SchoolDayHours original, HoursForm form, Guid adminId)
    {
        var errors = new FieldErrors();
        var start = ParseTime(form.Start, "Hours.Start", "the start of the school day", errors);
        var end = ParseTime(form.End, "Hours.End", "the end of the school day", errors);
        if (start is not null && end is not null && end <= start)
        {
            errors.Add("Hours.End", "The end of the school day must be after its start");
        }
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            if (await HoursAsync(connection, transaction) != original)
            {
                return SaveOutcome.Conflict;
            }
            const string sql = "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            await connection.ExecuteAsync(sql, new { key = StartKey, value = start!.Value.ToString("HH:mm", CultureInfo.InvariantCulture) }, transaction);
            await connection.ExecuteAsync(sql, new { key = EndKey, value = end!.Value.ToString("HH:mm", CultureInfo.InvariantCulture) }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "setting", EntityId: "school_day_hours", UserId: adminId, Justification: "school-day hours changed"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>The years that have terms in this borough, and this year, newest last.</summary>
    public async Task<IReadOnlyList<int>> TermYearsAsync(long boroughId, int thisYear, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT DISTINCT starts_on FROM term_dates WHERE borough_id = @boroughId";
        await using var connection = await db.OpenAsync(cancellationToken);
        var starts = await connection.QueryAsync<DateOnly>(new CommandDefinition(sql, new { boroughId }, cancellationToken: cancellationToken));
        return starts.Select(d => d.Year).Append(thisYear).Distinct().Order().ToList();
    }

    /// <summary>The borough's terms that start in <paramref name="year"/>, in date order.</summary>
    public async Task<IReadOnlyList<TermItem>> ListTermsAsync(long boroughId, int year, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT id, borough_id, name, starts_on, ends_on FROM term_dates
            WHERE borough_id = @boroughId AND starts_on >= @from AND starts_on < @to
            ORDER BY starts_on, id
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TermItem>(new CommandDefinition(sql, new
        {
            boroughId, from = new DateOnly(year, 1, 1), to = new DateOnly(year + 1, 1, 1),
        }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>
    /// Adds a term to the borough, or (with <see cref="TermForm.AllBoroughs"/>) to every borough. Refused
    /// when it overlaps another term of a borough it would be added to.
    /// </summary>
    public async Task<SaveResult> AddTermAsync(long boroughId, TermForm form, Guid adminId)
    {
        var errors = ValidateTerm(form, out var name, out var startsOn, out var endsOn);
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var boroughs = (await connection.QueryAsync<long>(
                form.AllBoroughs ? "SELECT id FROM boroughs ORDER BY name" : "SELECT id FROM boroughs WHERE id = @boroughId",
                new { boroughId }, transaction)).ToList();
            if (boroughs.Count == 0)
            {
                return SaveOutcome.NotFound;
            }
            if (!await CheckOverlapAsync(connection, transaction, boroughs, startsOn, endsOn, exceptId: null, errors))
            {
                return SaveOutcome.Invalid;
            }
            foreach (var id in boroughs)
            {
                var termId = await connection.ExecuteScalarAsync<long>("""
                    INSERT INTO term_dates (borough_id, name, starts_on, ends_on) VALUES (@id, @name, @startsOn, @endsOn) RETURNING id
                    """, new { id, name, startsOn, endsOn }, transaction);
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                    EntityType: "term_date", EntityId: termId.ToString(CultureInfo.InvariantCulture), UserId: adminId,
                    Justification: form.AllBoroughs ? "term added to every borough" : "term added"));
            }
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>Changes a term when it is still as <paramref name="original"/> (otherwise Conflict).</summary>
    public async Task<SaveResult> UpdateTermAsync(TermItem original, TermForm form, Guid adminId)
    {
        var errors = ValidateTerm(form, out var name, out var startsOn, out var endsOn);
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var current = await TermAsync(connection, transaction, original.Id);
            if (current is null)
            {
                return SaveOutcome.NotFound;
            }
            if (current != original)
            {
                return SaveOutcome.Conflict;
            }
            if (!await CheckOverlapAsync(connection, transaction, [current.BoroughId], startsOn, endsOn, current.Id, errors))
            {
                return SaveOutcome.Invalid;
            }
            await connection.ExecuteAsync("UPDATE term_dates SET name = @name, starts_on = @startsOn, ends_on = @endsOn WHERE id = @Id",
                new { name, startsOn, endsOn, current.Id }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "term_date", EntityId: current.Id.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "term changed"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>Deletes a term when it is still as <paramref name="original"/> (otherwise Conflict, or NotFound when already gone).</summary>
    public Task<SaveOutcome> DeleteTermAsync(TermItem original, Guid adminId) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var current = await TermAsync(connection, transaction, original.Id);
            if (current is null)
            {
                return SaveOutcome.NotFound;
            }
            if (current != original)
            {
                return SaveOutcome.Conflict;
            }
            await connection.ExecuteAsync("DELETE FROM term_dates WHERE id = @Id", new { current.Id }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "term_date", EntityId: current.Id.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "term deleted"));
            return SaveOutcome.Saved;
        });

    /// <summary>The years that have bank holidays, and this year, newest last.</summary>
    public async Task<IReadOnlyList<int>> BankHolidayYearsAsync(int thisYear, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT holiday_date FROM bank_holidays";
        await using var connection = await db.OpenAsync(cancellationToken);
        var days = await connection.QueryAsync<DateOnly>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return days.Select(d => d.Year).Append(thisYear).Distinct().Order().ToList();
    }

    public async Task<IReadOnlyList<BankHolidayItem>> ListBankHolidaysAsync(int year, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT holiday_date, name FROM bank_holidays WHERE holiday_date >= @from AND holiday_date < @to ORDER BY holiday_date";
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<BankHolidayItem>(new CommandDefinition(sql, new
        {
            from = new DateOnly(year, 1, 1), to = new DateOnly(year + 1, 1, 1),
        }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Adds a bank holiday: a real date that is not a bank holiday already, and a name.</summary>
    public async Task<SaveResult> AddBankHolidayAsync(BankHolidayForm form, Guid adminId)
    {
        var errors = new FieldErrors();
        var date = form.Date.Parse("Date of the bank holiday", out var dateError);
        if (dateError is not null)
        {
            errors.Add("Holiday.Date", dateError);
        }
        var name = ValidateName(form.Name, "Holiday.Name", "the name of the bank holiday", errors);
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var existing = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT name FROM bank_holidays WHERE holiday_date = @date", new { date }, transaction);
            if (existing is not null)
            {
                errors.Add("Holiday.Date", $"{LondonTime.FormatDate(date!.Value)} is already a bank holiday ({existing})");
                return SaveOutcome.Invalid;
            }
            await connection.ExecuteAsync("INSERT INTO bank_holidays (holiday_date, name) VALUES (@date, @name)", new { date, name }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "bank_holiday", EntityId: TypeHandlers.ToDateText(date!.Value), UserId: adminId, Justification: "bank holiday added"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    public Task<SaveOutcome> DeleteBankHolidayAsync(DateOnly date, Guid adminId) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync("DELETE FROM bank_holidays WHERE holiday_date = @date", new { date }, transaction) == 0)
            {
                return SaveOutcome.NotFound;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "bank_holiday", EntityId: TypeHandlers.ToDateText(date), UserId: adminId, Justification: "bank holiday deleted"));
            return SaveOutcome.Saved;
        });

    /// <summary>Name required (at most 100 characters); start and end real dates; end on or after start.</summary>
    public static FieldErrors ValidateTerm(TermForm form, out string name, out DateOnly startsOn, out DateOnly endsOn)
    {
        var errors = new FieldErrors();
        name = ValidateName(form.Name, "Term.Name", "the name of the term", errors);
        var start = form.StartsOn.Parse("First day of term", out var startError);
        if (startError is not null)
        {
            errors.Add("Term.StartsOn", startError);
        }
        var end = form.EndsOn.Parse("Last day of term", out var endError);
        if (endError is not null)
        {
            errors.Add("Term.EndsOn", endError);
        }
        else if (start is not null && end < start)
        {
            errors.Add("Term.EndsOn", "Last day of term must be on or after the first day of term");
        }
        startsOn = start ?? default;
        endsOn = end ?? default;
        return errors;
    }

    private static string ValidateName(string? value, string field, string what, FieldErrors errors)
    {
        var name = value?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(field, $"Enter {what}");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(field, $"{char.ToUpperInvariant(what[0])}{what[1..]} must be {MaxNameLength} characters or fewer");
        }
        return name;
    }

    private static TimeOnly? ParseTime(string? value, string field, string what, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, $"Enter {what}, like 08:30");
            return null;
        }
        if (TimeOnly.TryParseExact(value.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }
        errors.Add(field, $"Enter {what} as hours and minutes on the 24-hour clock, like 08:30");
        return null;
    }

    private static async Task<SchoolDayHours> HoursAsync(DbConnection connection, IDbTransaction? transaction)
    {
        var settings = (await connection.QueryAsync<(string Key, string Value)>(
            "SELECT key, value FROM settings WHERE key IN (@StartKey, @EndKey)", new { StartKey, EndKey }, transaction)).ToDictionary(s => s.Key, s => s.Value);
        return new SchoolDayHours(settings.GetValueOrDefault(StartKey, "08:30"), settings.GetValueOrDefault(EndKey, "17:00"));
    }

    private static Task<TermItem?> TermAsync(DbConnection connection, IDbTransaction transaction, long id) =>
        connection.QuerySingleOrDefaultAsync<TermItem>("SELECT id, borough_id, name, starts_on, ends_on FROM term_dates WHERE id = @id", new { id }, transaction);

    /// <summary>False, with a message at the first day of term, when the dates overlap another term of one of the boroughs.</summary>
    private static async Task<bool> CheckOverlapAsync(DbConnection connection, IDbTransaction transaction, IReadOnlyList<long> boroughIds,
        DateOnly startsOn, DateOnly endsOn, long? exceptId, FieldErrors errors)
    {
        // Under the school-days lock: two administrators on two instances cannot both add overlapping terms.
        await Db.LockAsync(connection, transaction, DbLock.SchoolDays);
        var sql = $"""
            SELECT b.name AS borough, t.name, t.starts_on, t.ends_on
            FROM term_dates AS t JOIN boroughs AS b ON b.id = t.borough_id
            WHERE {SqlDialect.Of(connection).In("t.borough_id", "@boroughIds")} AND t.starts_on <= @endsOn AND t.ends_on >= @startsOn AND (@exceptId IS NULL OR t.id <> @exceptId)
            ORDER BY b.name, t.starts_on
            """;
        var overlaps = (await connection.QueryAsync<(string Borough, string Name, DateOnly StartsOn, DateOnly EndsOn)>(sql, new
        {
            boroughIds = boroughIds.ToArray(), startsOn, endsOn, exceptId,
        }, transaction)).ToList();
        if (overlaps.Count == 0)
        {
            return true;
        }
        var first = overlaps[0];
        var where = boroughIds.Count == 1 ? "" : overlaps.Select(o => o.Borough).Distinct().Count() switch
        {
            1 => $" in {first.Borough}",
            var n => $" in {first.Borough} and {n - 1} other {(n == 2 ? "borough" : "boroughs")}",
        };
        errors.Add("Term.StartsOn", $"These dates overlap {first.Name} ({LondonTime.FormatDate(first.StartsOn)} to {LondonTime.FormatDate(first.EndsOn)}){where}. Terms of a borough cannot overlap.");
        return false;
    }
}
