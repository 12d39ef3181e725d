using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace RjConferences.Security;

/// <summary>The open circuits (tabs, windows) of each signed-in user on this instance.</summary>
public sealed class OpenCircuits
{
    private readonly Dictionary<Guid, int> counts = [];

    /// <summary>Counts one more circuit of <paramref name="userId"/>, unless they have <paramref name="limit"/> open already.</summary>
    public bool TryOpen(Guid userId, int limit)
    {
        lock (counts)
        {
            var open = counts.GetValueOrDefault(userId);
            if (open >= limit) return false;
            counts[userId] = open + 1;
            return true;
        }
    }

    /// <summary>Counts a circuit of <paramref name="userId"/> that comes back after losing its connection: never refused.</summary>
    public void Reopen(Guid userId)
    {
        lock (counts) counts[userId] = counts.GetValueOrDefault(userId) + 1;
    }

    public void Close(Guid userId)
    {
        lock (counts)
        {
            if (counts.TryGetValue(userId, out var open))
            {
                if (open <= 1) counts.Remove(userId);
                else counts[userId] = open - 1;
            }
        }
    }

    public int Of(Guid userId)
    {
        lock (counts) return counts.GetValueOrDefault(userId);
    }
}

/// <summary>
/// Admits a signed-in user's circuit while they have fewer than <see cref="RequestLimitOptions.CircuitsPerUser"/> connected on
/// this instance; the one over the limit renders only a page that says so (Routes.razor), so a script that opens tab after
/// tab cannot fill the server's memory with pages. A circuit counts while its connection is up: a tab closed or a network
/// drop frees its place at once (disconnected circuits are bounded for everyone by
/// <see cref="RequestLimitOptions.DisconnectedCircuitsKept"/>), and a circuit that reconnects is counted again, never refused.
/// One per circuit.
/// </summary>
public sealed class CircuitAdmission(OpenCircuits open, AuthenticationStateProvider authentication, IOptions<RequestLimitOptions> limits) : CircuitHandler
{
    private Guid? counted;
    private bool connected;

    /// <summary>True in a circuit over the limit: it shows the refusal instead of any page.</summary>
    public bool Refused { get; private set; }

    public int Limit => limits.Value.CircuitsPerUser;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (counted is not null || Refused) return; // counted once per circuit, however often Blazor reports it opened
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true) return;
        var userId = user.UserId();
        if (open.TryOpen(userId, Limit))
        {
            counted = userId;
            connected = true;
        }
        else Refused = true;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (counted is { } userId && connected)
        {
            open.Close(userId);
            connected = false;
        }
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (counted is { } userId && !connected)
        {
            open.Reopen(userId);
            connected = true;
        }
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (counted is { } userId && connected) open.Close(userId);
        counted = null;
        connected = false;
        return Task.CompletedTask;
    }
}

public static class CircuitsPerUser
{
    public static IServiceCollection AddCircuitsPerUser(this IServiceCollection services)
    {
        services.AddSingleton<OpenCircuits>();
        services.AddScoped<CircuitAdmission>();
        services.AddScoped<CircuitHandler>(provider => provider.GetRequiredService<CircuitAdmission>());
        return services;
    }
}
