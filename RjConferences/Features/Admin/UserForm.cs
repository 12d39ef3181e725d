namespace RjConferences.Features.Admin;

/// <summary>What the administrator types on the user page; the server validates all of it.</summary>
public sealed class UserForm
{
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public HashSet<string> Roles { get; set; } = [];
    public HashSet<long> SchoolIds { get; set; } = [];
    public HashSet<long> BoroughIds { get; set; } = [];

    public static UserForm From(UserDetails user) => new()
    {
        DisplayName = user.DisplayName,
        Email = user.Email,
        Roles = [.. user.Roles],
        SchoolIds = [.. user.SchoolIds],
        BoroughIds = [.. user.BoroughIds],
    };

    public UserChange ToChange() => new(DisplayName ?? "", Email ?? "", Roles, SchoolIds, BoroughIds);
}
