using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RjConferences.Features.FollowUps;
using RjConferences.Security;

namespace RjConferences.Tests.Support;

/// <summary>
/// The app's own services (<see cref="AppSetup.AddRjConferencesServices"/>, the registration the web app uses) over a
/// test database. Tests change only the clock and configuration: the connection string, the daily job off, and any
/// settings a test gives. Nothing is registered by hand, so a test's services cannot drift from the app's.
/// </summary>
public static class TestServices
{
    /// <summary>The settings every test starts from: its database, and no daily job in the background.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Default"] = connectionString,
            [RjConferences.Data.DataServices.ProviderKey] = TestDatabase.ProviderOf(connectionString).ToString(),
            [FollowUpServices.DailyJobEnabled] = "false",
            // No scheduled backup into the test's folder: the backups' own tests turn it on.
            ["Backups:Enabled"] = "false",
            // No outbox sender polling in the background of every test host: a test that needs one turns it on.
            [RjConferences.Features.Notifications.NotificationServices.SenderEnabled] = "false",
            // Messages a test's changes queue are written here if a test sends them (never into the build output).
            ["Notifications:PickupFolder"] = Path.Combine(Path.GetTempPath(), "rjconferences-test-pickup"),
            // A test host's journeys sign in and download far more often than a person: the limits' own tests set them low.
            ["Limits:SignInsPerMinute"] = "100000",
            ["Limits:ExportsPerMinute"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>
    /// Registers the app's services over the database of <paramref name="connectionString"/> with
    /// <paramref name="clock"/> as the app's clock (into a bUnit context's services, or a new collection).
    /// </summary>
    public static IServiceCollection RegisterApp(this IServiceCollection services, string connectionString, TimeProvider clock,
        IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(connectionString, settings)).Build();
        services.AddRjConferencesServices(configuration, AppContext.BaseDirectory);
        return services.UseClock(clock).UseTestPasswordHashing();
    }

    /// <summary>
    /// The PBKDF2 iterations of the passwords a test host hashes and checks. The app's <see cref="IdentitySetup.PasswordIterations"/>
    /// (210,000) cost about 100 ms of CPU per account created and per sign-in, 14–16 % of all the CPU while the PostgreSQL
    /// tests ran (perf); the hashing is the same code at any count. The tests of the count itself use
    /// <see cref="UseAppPasswordHashing"/>.
    /// </summary>
    public const int PasswordIterations = 1_000;

    public static IServiceCollection UseTestPasswordHashing(this IServiceCollection services) =>
        services.PostConfigure<PasswordHasherOptions>(o => o.IterationCount = PasswordIterations);

    /// <summary>The app's own iteration count, for the tests of the count and of upgrading weaker hashes.</summary>
    public static IServiceCollection UseAppPasswordHashing(this IServiceCollection services) =>
        services.PostConfigure<PasswordHasherOptions>(o => o.IterationCount = IdentitySetup.PasswordIterations);

    public static IServiceCollection RegisterApp(this IServiceCollection services, TestDatabase database, TimeProvider clock,
        IDictionary<string, string?>? settings = null) => services.RegisterApp(database.ConnectionString, clock, settings);

    /// <summary>The app's clock replaced by a test's (never the machine's date).</summary>
    public static IServiceCollection UseClock(this IServiceCollection services, TimeProvider clock)
    {
        services.Replace(new ServiceDescriptor(typeof(TimeProvider), clock));
        return services;
    }

    /// <summary>The app's services over a test database, without a web host; the clock runs from <see cref="TestClock.Start"/> unless given.</summary>
    public static ServiceProvider Build(string connectionString, TimeProvider? clock = null, IDictionary<string, string?>? settings = null) =>
        new ServiceCollection().RegisterApp(connectionString, clock ?? new RunningClock(), settings)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

    public static ServiceProvider Build(TestDatabase database, TimeProvider? clock = null, IDictionary<string, string?>? settings = null) =>
        Build(database.ConnectionString, clock, settings);
}
