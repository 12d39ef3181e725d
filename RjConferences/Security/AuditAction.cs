namespace RjConferences.Security;

/// <summary>
/// What an audit event records. The first five are the categories of section 62 of the
/// Data Protection Act 2018; the rest are security events.
/// </summary>
public enum AuditAction
{
    Collect,
    Alter,
    Consult,
    Disclose,
    Erase,
    SignIn,
    SignInFailed,
    LockedOut,
    AccessDenied,
    AdminChange,
}

/// <summary>The snake_case text stored in <c>audit_events.action</c>, and a label for people.</summary>
public static class AuditActions
{
    public static string ToText(this AuditAction action) => action switch
    {
        AuditAction.Collect => "collect",
        AuditAction.Alter => "alter",
        AuditAction.Consult => "consult",
        AuditAction.Disclose => "disclose",
        AuditAction.Erase => "erase",
        AuditAction.SignIn => "sign_in",
        AuditAction.SignInFailed => "sign_in_failed",
        AuditAction.LockedOut => "locked_out",
        AuditAction.AccessDenied => "access_denied",
        AuditAction.AdminChange => "admin_change",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Not an audit action."),
    };

    public static AuditAction Parse(string text) => text switch
    {
        "collect" => AuditAction.Collect,
        "alter" => AuditAction.Alter,
        "consult" => AuditAction.Consult,
        "disclose" => AuditAction.Disclose,
        "erase" => AuditAction.Erase,
        "sign_in" => AuditAction.SignIn,
        "sign_in_failed" => AuditAction.SignInFailed,
        "locked_out" => AuditAction.LockedOut,
        "access_denied" => AuditAction.AccessDenied,
        "admin_change" => AuditAction.AdminChange,
        _ => throw new FormatException($"'{text}' is not an audit action."),
    };

    /// <summary>"Sign in failed" for <see cref="AuditAction.SignInFailed"/>.</summary>
    public static string ToLabel(this AuditAction action)
    {
        var text = action.ToText().Replace('_', ' ');
        return char.ToUpperInvariant(text[0]) + text[1..];
    }
}
