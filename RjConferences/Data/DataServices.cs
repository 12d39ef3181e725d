using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RjConferences.Data;

public static class DataServices
{
    public const string DefaultConnectionString = "Data Source=data/rjconferences.db";

    public const string ProviderKey = "Database:Provider";

    public const string LockTimeoutKey = "Database:LockTimeoutMilliseconds";

    /// <summary>SQLite: megabytes of the file each connection reads through memory-mapped I/O (0, the default: none; see <see cref="Db"/>).</summary>
    public const string SqliteMemoryMapKey = "Database:SqliteMemoryMapMegabytes";

    /// <summary>
    /// Registers <see cref="Db"/> over <c>ConnectionStrings:Default</c> on the provider of <c>Database:Provider</c>
    /// (<c>Sqlite</c>, the default, or <c>Postgres</c>); a relative SQLite file path is taken relative to the app's content root.
    /// </summary>
    public static IServiceCollection AddData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        TypeHandlers.Register();
        var provider = ProviderOf(configuration);
        var connectionString = configuration.GetConnectionString("Default");
        // How long a write waits for a lock another connection holds before it is refused as busy (Db.DefaultLockTimeout).
        var lockTimeout = configuration.GetValue<int?>(LockTimeoutKey) is { } ms
            ? ms > 0 ? TimeSpan.FromMilliseconds(ms) : throw new StartupException($"{LockTimeoutKey} must be more than 0 (milliseconds).")
            : (TimeSpan?)null;
        Db db;
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new StartupException("Database:Provider is Postgres, but ConnectionStrings:Default is not set. " +
                    "Give a PostgreSQL connection string, e.g. \"Host=db.example.org;Database=rjconferences;Username=rj;Password=…\".");
            }
            db = new Db(connectionString, DatabaseProvider.Postgres, lockTimeout);
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString ?? DefaultConnectionString);
            if (builder.DataSource is not ("" or ":memory:") && !Path.IsPathRooted(builder.DataSource))
            {
                builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
            }
            var memoryMapMegabytes = configuration.GetValue<long?>(SqliteMemoryMapKey) ?? 0;
            if (memoryMapMegabytes < 0) throw new StartupException($"{SqliteMemoryMapKey} must be 0 (none) or more (megabytes).");
            db = new Db(builder.ToString(), lockTimeout: lockTimeout, sqliteMemoryMapBytes: memoryMapMegabytes * 1024 * 1024);
        }
        services.AddSingleton(db);
        // The keys that protect sign-in cookies and forms live in the database, so that a sign-in survives a restart
        // and holds on every app instance.
        services.AddDataProtection().SetApplicationName("RjConferences");
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(
                options => options.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<Db>())));
        services.AddSingleton(sp => new Migrator(
            sp.GetRequiredService<Db>(), Migration.Embedded(provider), sp.GetRequiredService<ILogger<Migrator>>()));
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection("Health"))
            .Validate(o => o.WriteProbeSeconds >= 0 && o.MinimumFreeMegabytes >= 0 && o.MinimumFreePercent is >= 0 and <= 100,
                "Health:WriteProbeSeconds and Health:MinimumFreeMegabytes must be 0 or more, Health:MinimumFreePercent between 0 and 100.")
            .ValidateOnStart();
        services.AddSingleton<WriteProbe>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        // First of the hosted services: the app marks its SQLite database as in use before anything else starts.
        services.AddHostedService<DatabaseInUse>();
        return services;
    }

    /// <summary>The provider named by <c>Database:Provider</c>; an unknown name stops the app with a clear message.</summary>
    public static DatabaseProvider ProviderOf(IConfiguration configuration)
    {
        var name = configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(name) || name.Equals("Sqlite", StringComparison.OrdinalIgnoreCase)) return DatabaseProvider.Sqlite;
        if (name.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || name.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase)) return DatabaseProvider.Postgres;
        throw new StartupException($"Database:Provider '{name}' is not known: use Sqlite (the default) or Postgres.");
    }
}
