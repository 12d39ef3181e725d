using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>
/// The limits on circuits and forms, each tripped over real HTTP and real circuits (<see cref="CircuitClient"/>, the Blazor
/// protocol without a browser): a user's tab over Limits:CircuitsPerUser shows a page saying so, and a form with too many
/// fields is answered 413 in words; the circuit settings reach Blazor's and SignalR's options.
/// </summary>
public sealed class CircuitLimitTests : IAsyncLifetime
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private AppHost app = null!;
    private TestUser referrer = null!;

    public async Task InitializeAsync()
    {
        app = new AppHost(clock: Clock, settings: new Dictionary<string, string?>
        {
            ["Limits:CircuitsPerUser"] = "2",
            ["Limits:MaxFormFields"] = "30",
            ["Limits:DisconnectedCircuitsKept"] = "7",
            ["Limits:DisconnectedCircuitSeconds"] = "45",
            ["Limits:UnacknowledgedRenderBatches"] = "4",
            ["Limits:JavaScriptCallSeconds"] = "12",
            ["Limits:CircuitSilenceSeconds"] = "40",
        });
        referrer = await TestUsers.CreateAsync(app.Services, "referrer@newham.example", [Roles.Referrer], boroughs: ["Newham"]);
    }

    public Task DisposeAsync()
    {
        app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_users_tab_over_the_limit_shows_a_page_saying_so_instead_of_the_page()
    {
        using var client = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(referrer.Email, referrer.Password)).StatusCode);
        var (first, _) = await CircuitClient.OpenAsync(app.BaseUrl, client.Cookies, "/", "What needs you now, ", Wait);
        Assert.Equal(1, app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id));
        var (second, _) = await CircuitClient.OpenAsync(app.BaseUrl, client.Cookies, "/cases", "case-count", Wait);
        Assert.Equal(2, app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id));

        // The third tab: its prerendered page came, but its circuit renders only the refusal (and no page, no data).
        var (third, _) = await CircuitClient.OpenAsync(app.BaseUrl, client.Cookies, "/cases", "circuit-refused", Wait);
        Assert.Contains(" RjConferences tabs or windows open, the most one person can have at once.", third.Text);
        await Assert.ThrowsAsync<TimeoutException>(() => third.NavigateAsync("/cases", "case-count", TimeSpan.FromSeconds(2)));
        Assert.Empty(third.Errors);
        Assert.Equal(2, app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id));
        await third.DisposeAsync();

        // Another user has a limit of their own.
        var other = await TestUsers.CreateAsync(app.Services, "other@newham.example", [Roles.Referrer], boroughs: ["Newham"]);
        using var otherClient = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await otherClient.SignInAsync(other.Email, other.Password)).StatusCode);
        await (await CircuitClient.OpenAsync(app.BaseUrl, otherClient.Cookies, "/cases", "case-count", Wait)).Client.DisposeAsync();

        // Closing a tab (its connection gone) frees its place at once: the next tab is admitted.
        await first.DisposeAsync();
        for (var i = 0; i < 50 && app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id) != 1; i++) await Task.Delay(100);
        Assert.Equal(1, app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id));
        var (fourth, _) = await CircuitClient.OpenAsync(app.BaseUrl, client.Cookies, "/cases", "case-count", Wait);
        Assert.Equal(2, app.Services.GetRequiredService<OpenCircuits>().Of(referrer.Id));
        await fourth.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_form_with_more_fields_than_the_limit_is_refused_in_words_not_an_error_page()
    {
        using var client = new FormClient(app);
        var fields = string.Join("&", Enumerable.Range(0, 31).Select(i => $"f{i}=x"));

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new StringContent(fields, Encoding.UTF8, "application/x-www-form-urlencoded"),
        });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The form has too many fields: at most 30 are accepted. Nothing was saved.", await response.Content.ReadAsStringAsync());
        // A form within the limit still reaches the sign-in page.
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(referrer.Email, referrer.Password)).StatusCode);
    }

    [Fact]
    public void The_circuit_settings_reach_blazor_and_signalr()
    {
        var circuit = app.Services.GetRequiredService<IOptions<CircuitOptions>>().Value;
        Assert.Equal(7, circuit.DisconnectedCircuitMaxRetained);
        Assert.Equal(TimeSpan.FromSeconds(45), circuit.DisconnectedCircuitRetentionPeriod);
        Assert.Equal(4, circuit.MaxBufferedUnacknowledgedRenderBatches);
        Assert.Equal(TimeSpan.FromSeconds(12), circuit.JSInteropDefaultCallTimeout);
        // The circuits' hub (ComponentHub, internal to Blazor) has options of its own, copied from the global ones.
        var componentHub = typeof(CircuitOptions).Assembly.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub", throwOnError: true)!;
        var options = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(componentHub)));
        var hub = (HubOptions)options.GetType().GetProperty("Value")!.GetValue(options)!;
        Assert.Equal(TimeSpan.FromSeconds(40), hub.ClientTimeoutInterval);
        Assert.Equal(RjConferences.Components.Forms.TextLimits.HubMessageBytes, hub.MaximumReceiveMessageSize);
    }
}
