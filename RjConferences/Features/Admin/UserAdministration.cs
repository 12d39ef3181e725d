using Microsoft.AspNetCore.Identity;

namespace RjConferences.Features.Admin;

public sealed record UserListItem(Guid Id, string DisplayName, string Email, string Roles, string Scope, bool Disabled, bool LockedOut);

public sealed record UserDetails(
    Guid Id, string DisplayName, string Email, IReadOnlyList<string> Roles,
    IReadOnlyList<long> SchoolIds, IReadOnlyList<long> BoroughIds, bool Disabled, string Version);

public sealed record UserChange(string DisplayName, string Email, IReadOnlyCollection<string> Roles,
    IReadOnlyCollection<long> SchoolIds, IReadOnlyCollection<long> BoroughIds);

/// <summary>
/// How an administrator's save ended. <see cref="NeedsConfirmation"/>: valid, but it would affect something
/// already booked; nothing was saved, and the page asks "save anyway?" with what would be affected.
/// </summary>

/// <summary>The Administrator's work on accounts. Every change is audited as admin_change.</summary>
public sealed class UserAdministration(Db db, UserManager<AppUser> userManager, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 50;

    /// <summary>How the list writes a school: with its borough, as "Langdon Park, Newham" (the name alone exists in two boroughs).</summary>
    private const string SchoolWithBorough = "s.name || ', ' || sb.name";

    public async Task<(IReadOnlyList<UserListItem> Users, int Total)> ListAsync(int page, CancellationToken cancellationToken = default)
    {
        const string sql = $"""
            SELECT u.id, u.display_name, u.email,
                   coalesce((SELECT string_agg(r.name, ',' ORDER BY r.id) FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id
                             WHERE ur.user_id = u.id), '') AS roles,
                   trim(coalesce((SELECT string_agg(b.name, ', ' ORDER BY b.name) FROM user_boroughs AS ub JOIN boroughs AS b ON b.id = ub.borough_id WHERE ub.user_id = u.id), '')
                        || CASE WHEN EXISTS (SELECT 1 FROM user_boroughs WHERE user_id = u.id) AND EXISTS (SELECT 1 FROM user_schools WHERE user_id = u.id) THEN '; ' ELSE '' END
                        || coalesce((SELECT string_agg({SchoolWithBorough}, '; ' ORDER BY s.name, sb.name) FROM user_schools AS us JOIN schools AS s ON s.id = us.school_id
                                  JOIN boroughs AS sb ON sb.id = s.borough_id WHERE us.user_id = u.id), '')) AS scope,
                   u.disabled_at IS NOT NULL AS disabled,
                   coalesce(u.lockout_end > @now, FALSE) AS locked_out
            FROM users AS u
            ORDER BY u.display_name, u.email
            LIMIT @limit OFFSET @offset
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var users = (await connection.QueryAsync<UserListItem>(sql, new
        {
            now = clock.GetUtcNow(), limit = PageSize, offset = Math.Max(0, page - 1) * PageSize,
        })).Select(u => u with { Roles = string.Join(", ", u.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Roles.DisplayName)) }).ToList();
        var total = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM users");
        return (users, total);
    }

    /// <summary>Whether the user exists: the prerendered page's check, so that a missing user answers 404 without loading the record twice.</summary>
    public async Task<bool> ExistsAsync(Guid id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = @id)", new { id });
    }

    public async Task<UserDetails?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<(Guid Id, string DisplayName, string Email, bool Disabled, string ConcurrencyStamp)>(
            "SELECT id, display_name, email, disabled_at IS NOT NULL, concurrency_stamp FROM users WHERE id = @id", new { id });
        if (user.Id == Guid.Empty)
        {
            return null;
        }
        var roles = (await connection.QueryAsync<string>(
            "SELECT r.name FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE ur.user_id = @id ORDER BY r.id", new { id })).ToList();
        var schools = (await connection.QueryAsync<long>("SELECT school_id FROM user_schools WHERE user_id = @id", new { id })).ToList();
        var boroughs = (await connection.QueryAsync<long>("SELECT borough_id FROM user_boroughs WHERE user_id = @id", new { id })).ToList();
        return new UserDetails(user.Id, user.DisplayName, user.Email, roles, schools, boroughs, user.Disabled, user.ConcurrencyStamp);
    }

    /// <summary>Saves name, email, roles and scope when nobody else has saved since <paramref name="version"/>.</summary>
    public async Task<SaveResult> UpdateAsync(Guid id, UserChange change, string version, Guid adminId)
    {
        var errors = UserAccounts.ValidateDetails(change.DisplayName, change.Email, change.Roles, change.SchoolIds, change.BoroughIds);
        if (id == adminId && !change.Roles.Contains(Roles.Administrator))
        {
            errors.Add("Roles", "You cannot remove your own Administrator role");
        }
        if (!errors.IsEmpty)
        {
            return new SaveResult(SaveOutcome.Invalid, errors);
        }
        var email = change.Email.Trim();
        var normalized = userManager.NormalizeEmail(email);
        var outcome = await db.WriteAsync(async (connection, transaction) =>
        {
            if (!await UserAccounts.CheckUniqueAndExistingAsync(connection, transaction, id, normalized, change.SchoolIds, change.BoroughIds, errors))
            {
                return SaveOutcome.Invalid;
            }
            // A new security stamp: open sessions pick up the new roles and scope at their next request.
            var rows = await connection.ExecuteAsync("""
                UPDATE users SET display_name = @name, email = @email, normalized_email = @normalized,
                                 security_stamp = @stamp, concurrency_stamp = @newVersion
                WHERE id = @id AND concurrency_stamp = @version
                """, new
            {
                id, name = change.DisplayName.Trim(), email, normalized, stamp = NewStamp(), newVersion = NewStamp(), version,
            }, transaction);
            if (rows == 0)
            {
                return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = @id)", new { id }, transaction)
                    ? SaveOutcome.Conflict
                    : SaveOutcome.NotFound;
            }
            await UserAccounts.WriteRolesAndScopeAsync(connection, transaction, id, change.Roles, change.SchoolIds, change.BoroughIds);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "user", EntityId: id.ToString(), UserId: adminId, Justification: "roles, scope or details changed"));
            return SaveOutcome.Saved;
        });
        return new SaveResult(outcome, errors);
    }

    /// <summary>Disabling ends the user's sessions and open circuits (new security stamp).</summary>
    public Task<bool> SetDisabledAsync(Guid id, bool disabled, Guid adminId)
    {
        if (id == adminId && disabled)
        {
            return Task.FromResult(false);
        }
        return db.WriteAsync(async (connection, transaction) =>
        {
            var rows = await connection.ExecuteAsync("""
                UPDATE users SET disabled_at = @disabledAt, security_stamp = @stamp, concurrency_stamp = @version
                WHERE id = @id
                """, new { id, disabledAt = disabled ? clock.GetUtcNow() : (DateTimeOffset?)null, stamp = NewStamp(), version = NewStamp() }, transaction);
            if (rows == 1)
            {
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                    EntityType: "user", EntityId: id.ToString(), UserId: adminId, Justification: disabled ? "account disabled" : "account enabled"));
            }
            return rows == 1;
        });
    }

    /// <summary>
    /// Sets a new one-time password (returned once, never stored in clear), ends the user's sessions,
    /// clears any lockout, and makes them choose their own password at next sign-in.
    /// </summary>
    public async Task<string?> ResetPasswordAsync(Guid id, Guid adminId)
    {
        var password = UserAccounts.GeneratePassword();
        var hash = userManager.PasswordHasher.HashPassword(new AppUser { Id = id }, password);
        var done = await db.WriteAsync(async (connection, transaction) =>
        {
            var rows = await connection.ExecuteAsync("""
                UPDATE users SET password_hash = @hash, must_change_password = TRUE, security_stamp = @stamp,
                                 concurrency_stamp = @version, access_failed_count = 0, lockout_end = NULL
                WHERE id = @id
                """, new { id, hash, stamp = NewStamp(), version = NewStamp() }, transaction);
            if (rows == 1)
            {
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                    EntityType: "user", EntityId: id.ToString(), UserId: adminId, Justification: "password reset"));
            }
            return rows == 1;
        });
        return done ? password : null;
    }

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
