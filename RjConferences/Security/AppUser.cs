namespace RjConferences.Security;

/// <summary>A person who signs in. The email is the user name.</summary>
public sealed class AppUser
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");
    public DateTimeOffset? LockoutEnd { get; set; }
    public bool LockoutEnabled { get; set; } = true;
    public int AccessFailedCount { get; set; }
    public bool MustChangePassword { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class AppRole
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
}

/// <summary>The four roles of domain.md. One user can hold several.</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Referrer = "Referrer";
    public const string Facilitator = "Facilitator";
    public const string YouthJusticeReviewer = "YouthJusticeReviewer";

    public static readonly IReadOnlyList<string> All = [Administrator, Referrer, Facilitator, YouthJusticeReviewer];

    public static string DisplayName(string role) => role switch
    {
        YouthJusticeReviewer => "Youth justice reviewer",
        _ => role,
    };
}
