using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RjConferences.Data;

public static class DataServices
{
    public const string DefaultConnectionString = "Data Source=data/rjconferences.db";

    /// <summary>
    /// Registers <see cref="Db"/> over <c>ConnectionStrings:Default</c>; a relative file path is taken
    /// relative to the app's content root.
    /// </summary>
    public static IServiceCollection AddData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        TypeHandlers.Register();
        var builder = new SqliteConnectionStringBuilder(
            configuration.GetConnectionString("Default") ?? DefaultConnectionString);
        if (builder.DataSource is not ("" or ":memory:") && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }
        services.AddSingleton(new Db(builder.ToString()));
        // The keys that protect sign-in cookies live beside the database, so sign-ins survive a restart.
        if (builder.DataSource is not ("" or ":memory:"))
        {
            services.AddDataProtection().SetApplicationName("RjConferences")
                .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(builder.DataSource)!, "keys")));
        }
        services.AddSingleton(sp => new Migrator(
            sp.GetRequiredService<Db>(), Migration.Embedded(), sp.GetRequiredService<ILogger<Migrator>>()));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }
}

/// <summary>/health: the database opens and answers a query.</summary>
public sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var migrations = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations");
            return HealthCheckResult.Healthy($"{migrations} migrations applied");
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be read.");
        }
    }
}
