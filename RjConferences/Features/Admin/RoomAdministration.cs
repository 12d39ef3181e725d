
namespace RjConferences.Features.Admin;

/// <summary>A room (venue) at a school.</summary>
public sealed record RoomItem(long Id, long SchoolId, string Name, long Capacity);

/// <summary>What the administrator types for a room; capacity is text so that "ten" gets a message, not a silent reset.</summary>
public sealed class RoomForm
{
    public string? Name { get; set; }
    public string? Capacity { get; set; }

    public static RoomForm From(RoomItem room) => new() { Name = room.Name, Capacity = room.Capacity.ToString(CultureInfo.InvariantCulture) };
}

/// <summary>
/// The rooms at each school: add, rename or change capacity, and remove a room no conference uses.
/// Changes compare the values the administrator started from (optimistic concurrency) and are
/// audited as admin_change (entity_type "room").
/// </summary>
public sealed class RoomAdministration(Db db, AuditLog audit)
{
    public const int MaxNameLength = 100;
    public const int MinCapacity = 2;
    public const int MaxCapacity = 100;

    public async Task<IReadOnlyList<RoomItem>> ListAsync(long schoolId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT id, school_id, name, capacity FROM rooms WHERE school_id = @schoolId ORDER BY name, id";
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RoomItem>(new CommandDefinition(sql, new { schoolId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Name required (at most 100 characters); capacity a whole number from 2 to 100.</summary>
    public static FieldErrors Validate(RoomForm form, out string name, out int capacity)
    {
        var errors = new FieldErrors();
        name = form.Name?.Trim() ?? "";
        capacity = 0;
        if (name.Length == 0)
        {
            errors.Add(nameof(RoomForm.Name), "Enter the name of the room");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(nameof(RoomForm.Name), $"The name of the room must be {MaxNameLength} characters or fewer");
        }
        if (string.IsNullOrWhiteSpace(form.Capacity))
        {
            errors.Add(nameof(RoomForm.Capacity), "Enter how many people the room holds");
        }
        else if (!int.TryParse(form.Capacity.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out capacity)
                 || capacity < MinCapacity || capacity > MaxCapacity)
        {
            errors.Add(nameof(RoomForm.Capacity), $"Capacity must be a whole number from {MinCapacity} to {MaxCapacity}");
        }
        return errors;
    }

    /// <summary>Adds a room; a name already used at the school (ignoring case) is refused at the name field.</summary>
    public async Task<SaveResult<long?>> AddAsync(long schoolId, RoomForm form, Guid adminId)
    {
        var errors = Validate(form, out var name, out var capacity);
        if (!errors.IsEmpty)
        {
            return new SaveResult<long?>(SaveOutcome.Invalid, errors, null);
        }
        var id = await db.WriteAsync<long?>(async (connection, transaction) =>
        {
            if (!await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM schools WHERE id = @schoolId)", new { schoolId }, transaction))
            {
                errors.Add("", "This school does not exist");
                return null;
            }
            if (await NameTakenAsync(connection, transaction, schoolId, name, exceptId: null))
            {
                errors.Add(nameof(RoomForm.Name), $"There is already a room called {name} at this school");
                return null;
            }
            var roomId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO rooms (school_id, name, capacity) VALUES (@schoolId, @name, @capacity) RETURNING id",
                new { schoolId, name, capacity }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "room", EntityId: roomId.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "room added"));
            return roomId;
        });
        return new SaveResult<long?>(errors.IsEmpty ? SaveOutcome.Saved : SaveOutcome.Invalid, errors, id);
    }

    /// <summary>
    /// Renames the room or changes its capacity, when it still has the name and capacity of
    /// <paramref name="original"/> (otherwise someone else changed it first: Conflict).
    /// </summary>
    public async Task<SaveResult> UpdateAsync(RoomItem original, RoomForm form, Guid adminId)
    {
        var errors = Validate(form, out var name, out var capacity);
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<RoomItem>(
                "SELECT id, school_id, name, capacity FROM rooms WHERE id = @Id", new { original.Id }, transaction);
            if (current is null)
            {
                return SaveOutcome.NotFound;
            }
            if (current != original)
            {
                return SaveOutcome.Conflict;
            }
            if (await NameTakenAsync(connection, transaction, current.SchoolId, name, exceptId: current.Id))
            {
                errors.Add(nameof(RoomForm.Name), $"There is already a room called {name} at this school");
                return SaveOutcome.Invalid;
            }
            await connection.ExecuteAsync("UPDATE rooms SET name = @name, capacity = @capacity WHERE id = @Id",
                new { name, capacity, current.Id }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "room", EntityId: current.Id.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "room changed"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>Removes a room that no conference (past, cancelled or to come) has used; otherwise explains why not.</summary>
    public async Task<SaveResult> RemoveAsync(long roomId, Guid adminId)
    {
        var errors = new FieldErrors();
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var room = await connection.QuerySingleOrDefaultAsync<RoomItem>(
                "SELECT id, school_id, name, capacity FROM rooms WHERE id = @roomId", new { roomId }, transaction);
            if (room is null)
            {
                return SaveOutcome.NotFound;
            }
            // A conference's history keeps every earlier room too, so a room it moved out of is still in use.
            var inUse = await connection.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (SELECT 1 FROM conferences WHERE room_id = @roomId)
                    OR EXISTS (SELECT 1 FROM conference_history WHERE room_id = @roomId)
                """, new { roomId }, transaction);
            if (inUse)
            {
                errors.Add("", $"{room.Name} cannot be removed: conferences have been booked in it (counting past and cancelled ones), " +
                               "and their records must keep their room. You can rename it or change its capacity instead.");
                return SaveOutcome.Invalid;
            }
            await connection.ExecuteAsync("DELETE FROM rooms WHERE id = @roomId", new { roomId }, transaction);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "room", EntityId: roomId.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "room removed"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>Whether another room of the school has this name, in any case; under the school-days lock, so the write after it cannot race another.</summary>
    private static async Task<bool> NameTakenAsync(DbConnection connection, IDbTransaction transaction, long schoolId, string name, long? exceptId)
    {
        await Db.LockAsync(connection, transaction, DbLock.SchoolDays);
        return await connection.ExecuteScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM rooms WHERE school_id = @schoolId AND lower(name) = lower(@name) AND (@exceptId IS NULL OR id <> @exceptId))
            """, new { schoolId, name, exceptId }, transaction);
    }
}
