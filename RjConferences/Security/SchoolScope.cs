
namespace RjConferences.Security;

public sealed record ScopedSchool(long Id, string Name, long BoroughId, string BoroughName)
{
    /// <summary>"Langdon Park, Newham": a school is identified by borough and name.</summary>
    public string FullName => RjConferences.Features.Schools.SchoolName.WithBorough(Name, BoroughName);
}

/// <summary>
/// The one place that answers "which schools may this user see". In SQL, every query of case data
/// filters through the <c>user_school_scope</c> view with <see cref="SqlFilter"/>.
/// </summary>
public sealed class SchoolScope(Db db)
{
    /// <summary>
    /// Append to a WHERE clause on a table with a <c>school_id</c> column, and pass
    /// <c>ScopeUserId</c> as a parameter.
    /// </summary>
    public const string SqlFilter = "school_id IN (SELECT school_id FROM user_school_scope WHERE user_id = @ScopeUserId)";

    public async Task<IReadOnlyList<ScopedSchool>> SchoolsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        const string sql = $"""
            SELECT s.id, s.name, b.id AS borough_id, b.name AS borough_name
            FROM schools AS s
            JOIN boroughs AS b ON b.id = s.borough_id
            WHERE s.id IN (SELECT school_id FROM user_school_scope WHERE user_id = @ScopeUserId)
            ORDER BY b.name, s.name
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ScopedSchool>(
            new CommandDefinition(sql, new { ScopeUserId = userId }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<IReadOnlySet<long>> SchoolIdsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT school_id FROM user_school_scope WHERE user_id = @ScopeUserId";
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            new CommandDefinition(sql, new { ScopeUserId = userId }, cancellationToken: cancellationToken))).ToHashSet();
    }

    public async Task<bool> CanSeeSchoolAsync(Guid userId, long schoolId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM user_school_scope WHERE user_id = @ScopeUserId AND school_id = @schoolId)";
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition(sql, new { ScopeUserId = userId, schoolId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Whether a case, a conference or a conference's agreement exists within the user's scope, without
    /// reading or auditing it: a page that loads (and audits) its record only once interactive answers
    /// 404 from its prerender with this. Out of scope and missing give the same answer.
    /// </summary>
    public Task<bool> CanSeeCaseAsync(Guid userId, Guid caseId) =>
        ExistsAsync($"SELECT EXISTS (SELECT 1 FROM cases WHERE id = @id AND {SqlFilter})", userId, caseId);

    /// <inheritdoc cref="CanSeeCaseAsync"/>
    public Task<bool> CanSeeConferenceAsync(Guid userId, Guid conferenceId) =>
        ExistsAsync($"SELECT EXISTS (SELECT 1 FROM conferences AS c JOIN cases AS k ON k.id = c.case_id WHERE c.id = @id AND k.{SqlFilter})", userId, conferenceId);

    /// <inheritdoc cref="CanSeeCaseAsync"/>
    public Task<bool> CanSeeAgreementAsync(Guid userId, Guid conferenceId) =>
        ExistsAsync($"""
            SELECT EXISTS (SELECT 1 FROM agreements AS a JOIN conferences AS c ON c.id = a.conference_id JOIN cases AS k ON k.id = c.case_id
                           WHERE a.conference_id = @id AND k.{SqlFilter})
            """, userId, conferenceId);

    private async Task<bool> ExistsAsync(string sql, Guid userId, Guid id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<bool>(sql, new { ScopeUserId = userId, id });
    }

    /// <summary>The boroughs a user is assigned as a whole (reviewers see reports by borough).</summary>
    public async Task<IReadOnlySet<long>> BoroughIdsAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT borough_id FROM user_boroughs WHERE user_id = @ScopeUserId";
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            new CommandDefinition(sql, new { ScopeUserId = userId }, cancellationToken: cancellationToken))).ToHashSet();
    }
}

public static class ClaimsPrincipalExtensions
{
    public const string DisplayNameClaim = "rj:display_name";
    public const string MustChangePasswordClaim = "rj:must_change_password";

    /// <summary>The signed-in user's id; throws for an anonymous principal (every page requires sign-in).</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("No signed-in user.");

    public static Guid? UserIdOrNull(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "";
}
