namespace RjConferences.Features.Referrals;

/// <summary>
/// The one formula for a party's name wherever it is shown: an organisation by its name, a person by
/// first and last name, and "Details removed" once their details were removed (consent refused, or the
/// retention policy). <see cref="Display"/> for C#, <see cref="Sql"/> for a query that reads the name.
/// </summary>
public static class PartyNames
{
    public const string Removed = "Details removed";

    public static string Display(string? firstName, string? lastName, string? organisationName, bool detailsRemoved) =>
        detailsRemoved ? Removed : organisationName ?? $"{firstName} {lastName}".Trim();

    /// <summary>
    /// The same name in SQL, for the <c>parties</c> row aliased <paramref name="alias"/>. A LEFT JOIN that finds
    /// no party gives an empty name, not NULL: guard it with <c>CASE WHEN alias.id IS NOT NULL THEN … END</c>.
    /// </summary>
    public static string Sql(string alias) =>
        $"(CASE WHEN {alias}.details_removed_at IS NOT NULL THEN '{Removed}' " +
        $"ELSE coalesce({alias}.organisation_name, trim(coalesce({alias}.first_name, '') || ' ' || coalesce({alias}.last_name, ''))) END)";
}
