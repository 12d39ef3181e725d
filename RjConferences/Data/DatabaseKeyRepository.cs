using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace RjConferences.Data;

/// <summary>
/// Keeps ASP.NET Core's data-protection keys (they protect the sign-in cookie and every form's antiforgery token) in
/// the database, table <c>data_protection_keys</c>. Every app instance reads the same keys, so a sign-in made on one
/// instance is valid on the others, and a restart signs nobody out. Keys are only ever added (the key manager
/// writes a new one, or a revocation, as a new element); old ones expire by their own dates.
/// </summary>
public sealed class DatabaseKeyRepository(Db db) : IXmlRepository
{
    // The key manager calls these synchronously, rarely (at start and when a key is due for renewal).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id")
            .Select(XElement.Parse)
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName) =>
        db.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml)",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) }, transaction))
        .GetAwaiter().GetResult();
}
