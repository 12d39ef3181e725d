using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

public sealed record NewAccount(
    string DisplayName,
    string Email,
    IReadOnlyCollection<string> Roles,
    IReadOnlyCollection<long> SchoolIds,
    IReadOnlyCollection<long> BoroughIds,
    string Password,
    bool MustChangePassword);

/// <summary>Field name → messages, for the error summary and the field.</summary>
public sealed class FieldErrors : Dictionary<string, List<string>>
{
    public void Add(string field, string message)
    {
        if (!TryGetValue(field, out var list))
        {
            this[field] = list = [];
        }
        list.Add(message);
    }

    public bool IsEmpty => Count == 0;
}

/// <summary>An account's <see cref="SaveResult"/>, with the account made.</summary>
public sealed record CreateAccountResult(Guid? UserId, FieldErrors Errors)
    : SaveResult(UserId is not null ? SaveOutcome.Saved : SaveOutcome.Invalid, Errors)
{
    public bool Succeeded => UserId is not null;
}

/// <summary>
/// Creates accounts with their roles and scope in one transaction, for the setup page, the
/// create-user command and the administration pages. Passwords are checked by Identity's
/// validators and hashed by its hasher (PBKDF2, <see cref="IdentitySetup.PasswordIterations"/>).
/// </summary>
public sealed class UserAccounts(Db db, UserManager<AppUser> userManager, AuditLog audit, TimeProvider clock)
{
    public const int MaxNameLength = 200;
    public const int MaxEmailLength = 254;

    /// <summary>A one-time password of 19 characters from an alphabet without look-alikes.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
        var parts = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(alphabet, 4));
        return string.Join('-', parts);
    }

    public async Task<FieldErrors> ValidatePasswordAsync(string password, string field = "Password")
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(password))
        {
            // Identity's validators would say "Passwords must use at least 1 different characters."
            errors.Add(field, "Enter a password");
            return errors;
        }
        foreach (var validator in userManager.PasswordValidators)
        {
            var result = await validator.ValidateAsync(userManager, new AppUser(), password);
            foreach (var error in result.Errors)
            {
                errors.Add(field, PasswordMessage(error));
            }
        }
        return errors;
    }

    /// <summary>Identity's password messages ("Passwords must have at least one digit ('0'-'9').") in plain en-GB words.</summary>
    private string PasswordMessage(IdentityError error)
    {
        var rules = userManager.Options.Password;
        return error.Code switch
        {
            "PasswordTooShort" => $"Password must be at least {rules.RequiredLength} characters",
            "PasswordRequiresUniqueChars" => $"Password must contain at least {rules.RequiredUniqueChars} different characters",
            "PasswordRequiresNonAlphanumeric" => "Password must contain a symbol, such as ! or ?",
            "PasswordRequiresDigit" => "Password must contain a number",
            "PasswordRequiresLower" => "Password must contain a lowercase letter",
            "PasswordRequiresUpper" => "Password must contain a capital letter",
            _ => error.Description,
        };
    }

    /// <param name="precondition">Runs inside the transaction first; when it returns an error, nothing is saved.</param>
    public async Task<CreateAccountResult> CreateAsync(
        NewAccount account,
        Guid? actorId,
        Func<DbConnection, IDbTransaction, Task<string?>>? precondition = null,
        CancellationToken cancellationToken = default)
    {
        var errors = ValidateDetails(account.DisplayName, account.Email, account.Roles, account.SchoolIds, account.BoroughIds);
        foreach (var (field, messages) in await ValidatePasswordAsync(account.Password))
        {
            messages.ForEach(m => errors.Add(field, m));
        }
        if (!errors.IsEmpty)
        {
            return new CreateAccountResult(null, errors);
        }

        var user = new AppUser
        {
            Email = account.Email.Trim(),
            NormalizedEmail = userManager.NormalizeEmail(account.Email.Trim()),
            DisplayName = account.DisplayName.Trim(),
            MustChangePassword = account.MustChangePassword,
            CreatedAt = clock.GetUtcNow(),
        };
        user.PasswordHash = userManager.PasswordHasher.HashPassword(user, account.Password);

        return await db.WriteAsync(async (connection, transaction) =>
        {
            if (precondition is not null && await precondition(connection, transaction) is { } problem)
            {
                errors.Add("", problem);
                return new CreateAccountResult(null, errors);
            }
            if (!await CheckUniqueAndExistingAsync(connection, transaction, null, user.NormalizedEmail, account.SchoolIds, account.BoroughIds, errors))
            {
                return new CreateAccountResult(null, errors);
            }

            const string insertUser = """
                INSERT INTO users (id, email, normalized_email, display_name, password_hash, security_stamp,
                                   concurrency_stamp, lockout_enabled, access_failed_count, must_change_password, created_at)
                VALUES (@Id, @Email, @NormalizedEmail, @DisplayName, @PasswordHash, @SecurityStamp,
                        @ConcurrencyStamp, TRUE, 0, @MustChangePassword, @CreatedAt)
                """;
            await connection.ExecuteAsync(insertUser, user, transaction);
            await WriteRolesAndScopeAsync(connection, transaction, user.Id, account.Roles, account.SchoolIds, account.BoroughIds);
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange,
                EntityType: "user", EntityId: user.Id.ToString(), UserId: actorId ?? user.Id, Justification: "account created"));
            return new CreateAccountResult(user.Id, errors);
        }, cancellationToken);
    }

    public static FieldErrors ValidateDetails(string? displayName, string? email, IReadOnlyCollection<string> roles,
        IReadOnlyCollection<long> schoolIds, IReadOnlyCollection<long> boroughIds)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(displayName))
        {
            errors.Add("DisplayName", "Enter the person's full name");
        }
        else if (displayName.Trim().Length > MaxNameLength)
        {
            errors.Add("DisplayName", $"Full name must be {MaxNameLength} characters or fewer");
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            errors.Add("Email", "Enter an email address");
        }
        else if (email.Trim().Length > MaxEmailLength || !IsEmail(email.Trim()))
        {
            errors.Add("Email", "Enter an email address in the correct format, like name@example.org");
        }

        if (roles.Count == 0)
        {
            errors.Add("Roles", "Choose at least one role");
        }
        else if (roles.Any(r => !Roles.All.Contains(r)))
        {
            errors.Add("Roles", "Choose roles from the list");
        }
        else if (roles.Any(r => r != Roles.Administrator) && schoolIds.Count == 0 && boroughIds.Count == 0)
        {
            errors.Add("Scope", "Choose at least one school or borough: referrers, facilitators and reviewers see only the cases of their schools");
        }
        return errors;
    }

    private static bool IsEmail(string value) =>
        MailAddress.TryCreate(value, out var address) && address.Address == value && value.Contains('.', StringComparison.Ordinal);

    /// <summary>Inside a transaction: the email is not taken by another user, and every school and borough exists.</summary>
    public static async Task<bool> CheckUniqueAndExistingAsync(DbConnection connection, IDbTransaction transaction,
        Guid? userId, string normalizedEmail, IReadOnlyCollection<long> schoolIds, IReadOnlyCollection<long> boroughIds, FieldErrors errors)
    {
        var taken = await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM users WHERE normalized_email = @normalizedEmail AND (@userId IS NULL OR id <> @userId))",
            new { normalizedEmail, userId }, transaction);
        if (taken)
        {
            errors.Add("Email", "Another account already uses this email address");
        }
        var sql = SqlDialect.Of(connection);
        var schools = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM schools WHERE {sql.In("id", "@ids")}",
            new { ids = schoolIds.Distinct().ToArray() }, transaction);
        var boroughs = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM boroughs WHERE {sql.In("id", "@ids")}",
            new { ids = boroughIds.Distinct().ToArray() }, transaction);
        if (schools != schoolIds.Distinct().Count() || boroughs != boroughIds.Distinct().Count())
        {
            errors.Add("Scope", "Choose schools and boroughs from the list");
        }
        return errors.IsEmpty;
    }

    /// <summary>Replaces a user's roles and scope.</summary>
    public static async Task WriteRolesAndScopeAsync(DbConnection connection, IDbTransaction transaction, Guid userId,
        IReadOnlyCollection<string> roles, IReadOnlyCollection<long> schoolIds, IReadOnlyCollection<long> boroughIds)
    {
        await connection.ExecuteAsync("DELETE FROM user_roles WHERE user_id = @userId", new { userId }, transaction);
        await connection.ExecuteAsync("DELETE FROM user_schools WHERE user_id = @userId", new { userId }, transaction);
        await connection.ExecuteAsync("DELETE FROM user_boroughs WHERE user_id = @userId", new { userId }, transaction);
        await connection.ExecuteAsync(
            $"INSERT INTO user_roles (user_id, role_id) SELECT @userId, id FROM roles WHERE {SqlDialect.Of(connection).In("name", "@roles")}",
            new { userId, roles = roles.ToArray() }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO user_schools (user_id, school_id) VALUES (@userId, @schoolId)",
            schoolIds.Distinct().Select(schoolId => new { userId, schoolId }), transaction);
        await connection.ExecuteAsync(
            "INSERT INTO user_boroughs (user_id, borough_id) VALUES (@userId, @boroughId)",
            boroughIds.Distinct().Select(boroughId => new { userId, boroughId }), transaction);
    }
}
