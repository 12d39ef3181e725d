using RjConferences.Features.Notifications;

namespace RjConferences.Features.Admin;

/// <summary>
/// A school's postal address: the return address on the letters printed for its cases (<see cref="LetterPdf"/>). Set by an
/// administrator on the Rooms page. It must be a UK postal address (<see cref="PostalAddress"/>: 2 to 6 lines, the postcode
/// last) and is stored as the lines it was read as. A change applies only to the address the administrator started from
/// (someone else's change first is a conflict), and is audited as admin_change (entity_type "school").
/// </summary>
public sealed class SchoolAddresses(Db db, AuditLog audit)
{
    public const string Field = "PostalAddress";
    public const int MaxLength = PostalAddress.MaxLines * (PostalAddress.MaxLineLength + 1);

    public async Task<string?> GetAsync(long schoolId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT postal_address FROM schools WHERE id = @schoolId", new { schoolId }, cancellationToken: cancellationToken));
    }

    /// <summary>Saves <paramref name="typed"/> as the school's address if it is one and the stored address is still <paramref name="original"/>.</summary>
    public async Task<SaveResult> SaveAsync(long schoolId, string? original, string? typed, Guid adminId)
    {
        var errors = new FieldErrors();
        var address = PostalAddress.Parse(typed, out var problem);
        if (address is null)
        {
            errors.Add(Field, problem!);
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            var updated = await connection.ExecuteAsync("""
                UPDATE schools SET postal_address = @address
                WHERE id = @schoolId AND (postal_address = @original OR (postal_address IS NULL AND @original IS NULL))
                """, new { address = address.ToString(), schoolId, original }, transaction);
            if (updated == 0)
            {
                return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM schools WHERE id = @schoolId)", new { schoolId }, transaction)
                    ? SaveOutcome.Conflict
                    : SaveOutcome.NotFound;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange, EntityType: "school",
                EntityId: schoolId.ToString(CultureInfo.InvariantCulture), UserId: adminId, Justification: "postal address set"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }
}
