using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

/// <summary>ASP.NET Core Identity's user store over the users and user_roles tables, with Dapper.</summary>
public sealed class UserStore(Db db) :
    IUserEmailStore<AppUser>,
    IUserPasswordStore<AppUser>,
    IUserSecurityStampStore<AppUser>,
    IUserLockoutStore<AppUser>,
    IUserRoleStore<AppUser>
{
    private const string Columns = """
        id, email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp,
        lockout_end, lockout_enabled, access_failed_count, must_change_password, disabled_at, created_at
        """;

    public void Dispose()
    {
    }

    public async Task<IdentityResult> CreateAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = $"""
            INSERT INTO users ({Columns})
            VALUES (@Id, @Email, @NormalizedEmail, @DisplayName, @PasswordHash, @SecurityStamp, @ConcurrencyStamp,
                    @LockoutEnd, @LockoutEnabled, @AccessFailedCount, @MustChangePassword, @DisabledAt, @CreatedAt)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, user, cancellationToken: cancellationToken));
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users
            SET email = @Email, normalized_email = @NormalizedEmail, display_name = @DisplayName,
                password_hash = @PasswordHash, security_stamp = @SecurityStamp, concurrency_stamp = @NewStamp,
                lockout_end = @LockoutEnd, lockout_enabled = @LockoutEnabled, access_failed_count = @AccessFailedCount,
                must_change_password = @MustChangePassword, disabled_at = @DisabledAt
            WHERE id = @Id AND concurrency_stamp = @ConcurrencyStamp
            """;
        var newStamp = Guid.NewGuid().ToString("N");
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            user.Id, user.Email, user.NormalizedEmail, user.DisplayName, user.PasswordHash, user.SecurityStamp,
            NewStamp = newStamp, user.LockoutEnd, user.LockoutEnabled, user.AccessFailedCount,
            user.MustChangePassword, user.DisabledAt, user.ConcurrencyStamp,
        }, cancellationToken: cancellationToken));
        if (rows == 0)
        {
            return IdentityResult.Failed(new IdentityErrorDescriber().ConcurrencyFailure());
        }
        user.ConcurrencyStamp = newStamp;
        return IdentityResult.Success;
    }

    public Task<IdentityResult> DeleteAsync(AppUser user, CancellationToken cancellationToken) =>
        // Accounts are disabled, never deleted: audit events and case history refer to them.
        Task.FromResult(IdentityResult.Failed(new IdentityError
        {
            Code = "DeleteNotSupported",
            Description = "Accounts cannot be deleted; disable the account instead.",
        }));

    public Task<AppUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        Guid.TryParse(userId, out var id) ? FindAsync("id = @Value", id.ToString("D"), cancellationToken) : Task.FromResult<AppUser?>(null);

    public Task<AppUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @Value", normalizedUserName, cancellationToken);

    public Task<AppUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @Value", normalizedEmail, cancellationToken);

    private async Task<AppUser?> FindAsync(string condition, string value, CancellationToken cancellationToken)
    {
        // condition is one of the fixed strings above, never user input.
        var sql = $"SELECT {Columns} FROM users WHERE {condition}";
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AppUser>(
            new CommandDefinition(sql, new { Value = value }, cancellationToken: cancellationToken));
    }

    public Task<string> GetUserIdAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.Id.ToString());
    public Task<string?> GetUserNameAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);
    public Task SetUserNameAsync(AppUser user, string? userName, CancellationToken cancellationToken) { user.Email = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedUserNameAsync(AppUser user, string? normalizedName, CancellationToken cancellationToken) { user.NormalizedEmail = normalizedName ?? ""; return Task.CompletedTask; }

    public Task SetEmailAsync(AppUser user, string? email, CancellationToken cancellationToken) { user.Email = email ?? ""; return Task.CompletedTask; }
    public Task<string?> GetEmailAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);
    // Accounts are created by an Administrator, who vouches for the address.
    public Task<bool> GetEmailConfirmedAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(true);
    public Task SetEmailConfirmedAsync(AppUser user, bool confirmed, CancellationToken cancellationToken) => Task.CompletedTask;
    public Task<string?> GetNormalizedEmailAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedEmailAsync(AppUser user, string? normalizedEmail, CancellationToken cancellationToken) { user.NormalizedEmail = normalizedEmail ?? ""; return Task.CompletedTask; }

    public Task SetPasswordHashAsync(AppUser user, string? passwordHash, CancellationToken cancellationToken) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(AppUser user, string stamp, CancellationToken cancellationToken) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(AppUser user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(AppUser user, bool enabled, CancellationToken cancellationToken) { user.LockoutEnabled = enabled; return Task.CompletedTask; }

    public async Task AddToRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO user_roles (user_id, role_id)
            SELECT @UserId, id FROM roles WHERE normalized_name = @RoleName
            ON CONFLICT DO NOTHING
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(sql, new { UserId = user.Id, RoleName = roleName }, cancellationToken: cancellationToken));
        if (rows == 0 && !await IsInRoleAsync(user, roleName, cancellationToken))
        {
            throw new InvalidOperationException($"Role '{roleName}' does not exist.");
        }
    }

    public async Task RemoveFromRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM user_roles
            WHERE user_id = @UserId AND role_id = (SELECT id FROM roles WHERE normalized_name = @RoleName)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { UserId = user.Id, RoleName = roleName }, cancellationToken: cancellationToken));
    }

    public async Task<IList<string>> GetRolesAsync(AppUser user, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.name FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id
            WHERE ur.user_id = @UserId ORDER BY r.id
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { UserId = user.Id }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<bool> IsInRoleAsync(AppUser user, string roleName, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT EXISTS (SELECT 1 FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id
                           WHERE ur.user_id = @UserId AND r.normalized_name = @RoleName)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { UserId = user.Id, RoleName = roleName }, cancellationToken: cancellationToken));
    }

    public async Task<IList<AppUser>> GetUsersInRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM users
            WHERE id IN (SELECT ur.user_id FROM user_roles AS ur JOIN roles AS r ON r.id = ur.role_id WHERE r.normalized_name = @RoleName)
            ORDER BY display_name
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AppUser>(new CommandDefinition(sql, new { RoleName = roleName }, cancellationToken: cancellationToken))).ToList();
    }
}
