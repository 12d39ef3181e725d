using Microsoft.Data.Sqlite;
using RjConferences.Data;

namespace RjConferences.Tests.Support;

/// <summary>
/// A fresh SQLite database file for one test, migrated by the real migrator. The first one in a
/// test run is migrated and kept as a template; later ones are copies of it, which is much faster.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    public TestDatabase(bool migrated = true)
    {
        Folder = Path.Combine(Path.GetTempPath(), "rjconferences-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "test.db");
        if (migrated)
        {
            File.Copy(Template.Value, FilePath);
        }
        ConnectionString = ConnectionStringFor(FilePath);
        Db = new Db(ConnectionString);
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public Db Db { get; }

    public static string ConnectionStringFor(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a background task; the temp folder is cleaned by the OS.
        }
    }

    private static string CreateTemplate()
    {
        TypeHandlers.Register();
        var folder = Path.Combine(Path.GetTempPath(), "rjconferences-tests", "template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "template.db");
        var db = new Db(ConnectionStringFor(path));
        new Migrator(db, Migration.Embedded()).MigrateAsync().GetAwaiter().GetResult();
        // Fold the WAL into the main file so that a plain copy carries everything.
        using (var connection = db.OpenAsync().GetAwaiter().GetResult())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;";
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        return path;
    }
}
