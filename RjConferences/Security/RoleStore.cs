using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

/// <summary>
/// The roles are fixed by migration (<see cref="Roles"/>); this store reads them for Identity and
/// refuses to create, rename or delete any.
/// </summary>
public sealed class RoleStore(Db db) : IRoleStore<AppRole>
{
    private static IdentityResult Fixed() => IdentityResult.Failed(new IdentityError
    {
        Code = "RolesAreFixed",
        Description = "The roles are fixed: Administrator, Referrer, Facilitator, YouthJusticeReviewer.",
    });

    public void Dispose()
    {
    }

    public Task<IdentityResult> CreateAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult(Fixed());
    public Task<IdentityResult> UpdateAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult(Fixed());
    public Task<IdentityResult> DeleteAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult(Fixed());

    public Task<string> GetRoleIdAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult(role.Id.ToString());
    public Task<string?> GetRoleNameAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult<string?>(role.Name);
    public Task SetRoleNameAsync(AppRole role, string? roleName, CancellationToken cancellationToken) { role.Name = roleName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedRoleNameAsync(AppRole role, CancellationToken cancellationToken) => Task.FromResult<string?>(role.NormalizedName);
    public Task SetNormalizedRoleNameAsync(AppRole role, string? normalizedName, CancellationToken cancellationToken) { role.NormalizedName = normalizedName ?? ""; return Task.CompletedTask; }

    public async Task<AppRole?> FindByIdAsync(string roleId, CancellationToken cancellationToken)
    {
        if (!long.TryParse(roleId, out var id))
        {
            return null;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AppRole>(new CommandDefinition(
            "SELECT id, name, normalized_name FROM roles WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<AppRole?> FindByNameAsync(string normalizedRoleName, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AppRole>(new CommandDefinition(
            "SELECT id, name, normalized_name FROM roles WHERE normalized_name = @normalizedRoleName",
            new { normalizedRoleName }, cancellationToken: cancellationToken));
    }
}
