using System.Security.Cryptography;
using System.Text;

namespace RjConferences.Security;

/// <summary>
/// No default accounts: while the database has no users, start-up writes a one-time link
/// (<c>/setup?token=…</c>) to the console log, and that page creates the first Administrator.
/// Only a hash of the token is stored; it works once.
/// </summary>
public sealed class FirstRunSetup(Db db, TimeProvider clock, ILogger<FirstRunSetup> logger)
{
    /// <summary>The token issued at this start-up, if any (tests read it; users read the log).</summary>
    internal string? IssuedToken { get; private set; }

    public async Task<bool> HasUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users)");
    }

    /// <summary>Issues a fresh token when there are no users, replacing any unused earlier one.</summary>
    public async Task<string?> IssueTokenIfNoUsersAsync(CancellationToken cancellationToken = default)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var issued = await db.WriteAsync(async (connection, transaction) =>
        {
            // Several instances may start at once on an empty database: one at a time, so one link is left.
            await Db.LockAsync(connection, transaction, DbLock.FirstRun);
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users)", transaction: transaction))
            {
                return false;
            }
            await connection.ExecuteAsync("DELETE FROM setup_tokens WHERE used_at IS NULL", transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO setup_tokens (token_hash, created_at) VALUES (@hash, @now)",
                new { hash = Hash(token), now = clock.GetUtcNow() }, transaction);
            return true;
        }, cancellationToken);
        IssuedToken = issued ? token : null;
        return IssuedToken;
    }

    /// <summary>Writes the link to the console log once the server knows its address.</summary>
    public void LogLink(string token, string? baseUrl) =>
        logger.FirstRunSetupLink(
            $"{(baseUrl ?? "http://localhost:5193").TrimEnd('/')}/setup?token={token}");

    public async Task<bool> IsValidAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM setup_tokens WHERE token_hash = @hash AND used_at IS NULL) AND NOT EXISTS (SELECT 1 FROM users)",
            new { hash = Hash(token) });
    }

    /// <summary>Creates the first Administrator and uses up the token, in one transaction.</summary>
    public Task<CreateAccountResult> CreateFirstAdministratorAsync(UserAccounts accounts, string? token,
        string displayName, string email, string password, CancellationToken cancellationToken = default) =>
        accounts.CreateAsync(
            new NewAccount(displayName, email, [Roles.Administrator], [], [], password, MustChangePassword: false),
            actorId: null,
            precondition: async (connection, transaction) =>
            {
                // One first Administrator, whichever instances the forms reach at once.
                await Db.LockAsync(connection, transaction, DbLock.FirstRun);
                var used = await connection.ExecuteAsync(
                    """
                    UPDATE setup_tokens SET used_at = @now
                    WHERE token_hash = @hash AND used_at IS NULL AND NOT EXISTS (SELECT 1 FROM users)
                    """,
                    new { hash = Hash(token ?? ""), now = clock.GetUtcNow() }, transaction);
                return used == 1 ? null : "This setup link is not valid. It may have been used already.";
            },
            cancellationToken);

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
