using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Components.Endpoints;
using RjConferences.Commands;
using RjConferences.Features.Admin;
using RjConferences.Features.Agreements;
using RjConferences.Features.Backups;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;
using RjConferences.Features.Reports;
using RjConferences.Features.Schools;

namespace RjConferences;

/// <summary>Everything Program.cs wires up, in one place.</summary>
public static class AppSetup
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The web app: its pages and circuits, and every service of <see cref="AddRjConferencesServices"/>.</summary>
    public static WebApplicationBuilder AddRjConferences(this WebApplicationBuilder builder)
    {
        CultureInfo.DefaultThreadCurrentCulture = Culture;
        CultureInfo.DefaultThreadCurrentUICulture = Culture;

        // One change event carries a whole text box: let it be as large as the largest box the browser allows.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = RjConferences.Components.Forms.TextLimits.HubMessageBytes);
        builder.Services.AddRjConferencesServices(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddRequestLimits(builder.Configuration);
        builder.Services.AddTelemetry(builder.Configuration);
        builder.Services.AddLogPrivacy();
        return builder;
    }

    /// <summary>
    /// The composition root: every service of the app, each feature registering its own. The web app, the commands,
    /// the benchmarks and the tests all build their services here; tests then replace only the clock (a
    /// <see cref="TimeProvider"/>) and set configuration (the connection string; <c>FollowUps:DailyJob:Enabled</c> false).
    /// </summary>
    public static IServiceCollection AddRjConferencesServices(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddLogging();
        services.AddHttpContextAccessor();
        services.AddSingleton(TimeProvider.System);
        services.AddData(configuration, contentRoot);
        services.AddAudit();
        services.AddRjIdentity();
        services.AddSchools();
        services.AddAdministration();
        services.AddCases(configuration);
        services.AddConferences(configuration);
        services.AddFollowUps(configuration);
        services.AddAgreements(configuration);
        services.AddReports(configuration);
        services.AddNotifications(configuration);
        services.AddNotificationJob(configuration);
        services.AddBackups(configuration);
        return services;
    }

    public static WebApplication UseRjConferences(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseRequestSizeLimit();
        app.UseFormLimit();
        // The friendly error page in every environment: users never see a stack trace.
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(Culture),
            SupportedCultures = [Culture],
            SupportedUICultures = [Culture],
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMustChangePassword();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = RjConferences.Data.DatabaseHealthCheck.WriteResponse,
        }).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapConferenceEndpoints();
        app.MapAgreementEndpoints();
        app.MapNotificationEndpoints();
        app.MapReportEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Runs the command of <paramref name="args"/>, or serves the app: see <see cref="AppCommands.RunAsync"/>.</summary>
    public static Task<int> RunRjConferencesAsync(this WebApplication app, string[] args) =>
        AppCommands.RunAsync(app, AppCommands.Parse(args));

    /// <summary>A user signed in with a one-time password sees only the change-password page until they choose their own.</summary>
    private static IApplicationBuilder UseMustChangePassword(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(c => c.Type == ClaimsPrincipalExtensions.MustChangePasswordClaim)
            && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is { } page
            && page.Type.Namespace != typeof(RjConferences.Security.Account.Login).Namespace)
        {
            context.Response.Redirect("/account/change-password");
            return;
        }
        await next();
    });
}
