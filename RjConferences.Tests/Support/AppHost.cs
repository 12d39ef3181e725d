using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace RjConferences.Tests.Support;

/// <summary>
/// The real app on Kestrel on a free loopback port, over its own temporary database.
/// Pass a <see cref="FakeTimeProvider"/> to control the clock; without one the app's clock is a
/// <see cref="RunningClock"/> from <see cref="TestClock.Start"/>, never the machine's date.
/// </summary>
public sealed class AppHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    public AppHost(TestDatabase? database = null, FakeTimeProvider? clock = null,
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        extraServices = services;
        Database = database ?? new TestDatabase();
        ownsDatabase = database is null;
        Clock = clock;
        Time = (TimeProvider?)clock ?? new RunningClock();
        // The tests' settings (the database, no daily job in the background), then the test's own.
        this.settings = TestServices.Settings(Database.ConnectionString, settings);
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseUrl = addresses.Addresses.First().TrimEnd('/');
    }

    private readonly bool ownsDatabase;

    /// <summary>What a test adds to the app's services (a logger provider, an exporter), after the app's own registration.</summary>
    private readonly Action<IServiceCollection>? extraServices;

    public TestDatabase Database { get; }

    public FakeTimeProvider? Clock { get; }

    /// <summary>The app's clock: <see cref="Clock"/> when one was given, else a running clock from a fixed start.</summary>
    public TimeProvider Time { get; }

    /// <summary>For example http://127.0.0.1:40123 (no trailing slash).</summary>
    public string BaseUrl { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // A test's app stops while its browser page may still hold the Blazor circuit's WebSocket open: Kestrel would wait
        // up to 30 s (the default) for it to close, and nothing in a test's app needs a graceful shutdown.
        builder.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.UseClock(Time).UseTestPasswordHashing();
            extraServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && ownsDatabase)
        {
            Database.Dispose();
        }
    }
}
