using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RjConferences.Features.FollowUps;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Features;

/// <summary>
/// The one composition root: every service a component injects comes from the app's real container (the web
/// app's builder, <see cref="AppSetup.AddRjConferences"/>), and the daily job can be switched off by configuration.
/// </summary>
public sealed class CompositionRootTests : IDisposable
{
    private readonly TestDatabase database = new();

    public void Dispose() => database.Dispose();

    private static readonly Type[] Components = typeof(AppSetup).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The [Inject] properties of a component, private ones of its base classes included (@inject makes private ones).</summary>
    private static IEnumerable<(PropertyInfo Property, InjectAttribute Inject)> Injections(Type component)
    {
        for (var type = component; type is not null && type != typeof(ComponentBase) && type != typeof(object); type = type.BaseType)
        {
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (property.GetCustomAttribute<InjectAttribute>() is { } inject)
                {
                    yield return (property, inject);
                }
            }
        }
    }

    private WebApplication BuildApp()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(TestServices.Settings(database.ConnectionString));
        builder.AddRjConferences();
        builder.Services.UseClock(TestClock.Fixed());
        return builder.Build();
    }

    [Fact]
    public void Every_routable_page_is_a_component_with_injections_to_check()
    {
        var routable = Components.Where(t => t.GetCustomAttributes<RouteAttribute>().Any()).ToList();

        Assert.True(routable.Count >= 20, $"Only {routable.Count} routable components found: the scan below would prove little.");
        Assert.Contains(routable, t => Injections(t).Any());
    }

    [Fact]
    public async Task Every_inject_of_every_component_resolves_from_the_apps_container()
    {
        await using var app = BuildApp();
        await using var scope = app.Services.CreateAsyncScope();

        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var component in Components)
        {
            foreach (var (property, inject) in Injections(component))
            {
                if (property.PropertyType.ContainsGenericParameters)
                {
                    continue; // a generic component's T: resolved for each use, not here
                }
                checkedCount++;
                try
                {
                    var service = inject.Key is { } key
                        ? scope.ServiceProvider.GetRequiredKeyedService(property.PropertyType, key)
                        : scope.ServiceProvider.GetRequiredService(property.PropertyType);
                    Assert.IsAssignableFrom(property.PropertyType, service);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    var route = component.GetCustomAttributes<RouteAttribute>().FirstOrDefault()?.Template is { } template ? $" ({template})" : "";
                    problems.Add($"{component.FullName}{route}.{property.Name}: {property.PropertyType.Name} cannot be resolved: {e.Message}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedCount >= 50, $"Only {checkedCount} injections checked.");
    }

    [Fact]
    public void The_daily_job_runs_in_the_background_unless_configuration_switches_it_off()
    {
        static bool HasDailyJob(IDictionary<string, string?> settings)
        {
            var services = new ServiceCollection().RegisterApp("Data Source=unused.db", TestClock.Fixed(), settings);
            return services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(DailyJobService));
        }

        Assert.False(HasDailyJob(new Dictionary<string, string?>()));
        Assert.True(HasDailyJob(new Dictionary<string, string?> { [FollowUpServices.DailyJobEnabled] = "true" }));
        Assert.True(HasDailyJob(new Dictionary<string, string?> { [FollowUpServices.DailyJobEnabled] = null }));
    }
}
