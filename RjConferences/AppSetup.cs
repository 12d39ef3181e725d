using System.Globalization;
using Microsoft.AspNetCore.Localization;
using RjConferences.Components;
using RjConferences.Data;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.Reports;
using RjConferences.Features.Schools;
using RjConferences.Security;

namespace RjConferences;

/// <summary>Everything Program.cs wires up, in one place.</summary>
public static class AppSetup
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    public static WebApplicationBuilder AddRjConferences(this WebApplicationBuilder builder)
    {
        CultureInfo.DefaultThreadCurrentCulture = Culture;
        CultureInfo.DefaultThreadCurrentUICulture = Culture;

        var services = builder.Services;
        services.AddHttpContextAccessor();
        // One change event carries a whole text box: let it be as large as the largest box the browser allows.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = RjConferences.Components.Forms.TextLimits.HubMessageBytes);
        services.AddSingleton(TimeProvider.System);
        services.AddData(builder.Configuration, builder.Environment.ContentRootPath);
        services.AddRjIdentity();
        services.AddSingleton<AuditLog>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<RjConferences.Features.Admin.UserAdministration>();
        services.AddSingleton<RjConferences.Features.Admin.FacilitatorTraining>();
        services.AddSingleton<RjConferences.Features.Admin.RoomAdministration>();
        services.AddSingleton<RjConferences.Features.Admin.SchoolDaysAdministration>();
        services.AddSingleton<SchoolRegistry>();
        services.Configure<RjConferences.Features.Referrals.ReferralOptions>(builder.Configuration.GetSection("Referrals"));
        services.AddSingleton<RjConferences.Features.Referrals.ReferralService>();
        services.AddSingleton<RjConferences.Features.Referrals.CaseRepository>();
        services.AddSingleton<RjConferences.Features.Referrals.CaseWork>();
        services.AddSingleton<RjConferences.Features.Referrals.CaseChanges>();
        services.Configure<RjConferences.Features.Conferences.ConferenceOptions>(builder.Configuration.GetSection("Conferences"));
        services.AddSingleton<RjConferences.Features.Conferences.ConferenceBooking>();
        services.AddSingleton<RjConferences.Features.Conferences.ConferenceQueries>();
        services.AddSingleton<RjConferences.Features.Conferences.PreparationMeetings>();
        services.Configure<RjConferences.Features.FollowUps.FollowUpOptions>(builder.Configuration.GetSection("FollowUps"));
        services.AddSingleton<RjConferences.Features.FollowUps.Retention>();
        services.AddSingleton<RjConferences.Features.FollowUps.DailyJob>();
        services.AddSingleton<RjConferences.Features.FollowUps.FollowUpChecks>();
        services.AddSingleton<RjConferences.Features.FollowUps.CaseClosing>();
        services.AddHostedService<RjConferences.Features.FollowUps.DailyJobService>();
        services.AddSingleton<RjConferences.Features.Reports.ReportQueries>();
        services.AddAgreements(builder.Configuration);
        services.AddReports(builder.Configuration);
        return builder;
    }

    public static WebApplication UseRjConferences(this WebApplication app)
    {
        app.UseSecurityHeaders();
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
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapConferenceEndpoints();
        app.MapAgreementEndpoints();
        app.MapReportEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static readonly string[] Commands = ["migrate", "create-user", "retention", "backup", "verify-audit", "seed-demo", "generate-synthetic"];

    /// <summary>
    /// Applies migrations, then either runs a command (<c>migrate</c>, <c>create-user</c>, <c>backup</c>, <c>verify-audit</c>,
    /// <c>seed-demo</c>, <c>generate-synthetic</c>) or serves the app.
    /// Every command but <c>migrate</c> needs an existing database: given a path where there is none,
    /// it says so and creates nothing (a mistyped path must not "succeed" on a new, empty database).
    /// The app itself (no command) creates its database on first run.
    /// Returns the process exit code.
    /// </summary>
    public static async Task<int> RunRjConferencesAsync(this WebApplication app, string[] args)
    {
        var command = args.FirstOrDefault() is { } first && !first.StartsWith('-') ? first : null;
        if (command is not null && !Commands.Contains(command))
        {
            await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: migrate, create-user, backup <file>, verify-audit, retention --dry-run, seed-demo, generate-synthetic --cases <N>.");
            return 2;
        }
        var db = app.Services.GetRequiredService<Db>();
        if (command is not null and not "migrate" && !db.Exists)
        {
            await Console.Error.WriteLineAsync(
                $"There is no database at '{Path.GetFullPath(db.DatabasePath)}'. Check the connection string (ConnectionStrings:Default), " +
                "or run the migrate command first to create a new, empty database there. Nothing was done.");
            return 1;
        }

        try
        {
            await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"RjConferences cannot start: {e.Message}");
            return 1;
        }

        switch (command)
        {
            case "migrate":
                Console.WriteLine($"Database is up to date: {db.DatabasePath}");
                return 0;
            case "create-user":
                return await CreateUserCommand.RunAsync(app.Services, args, Console.In, Console.Out, Console.Error);
            case "retention":
                return await app.Services.GetRequiredService<RjConferences.Features.FollowUps.Retention>().DryRunCommandAsync(args);
            case "backup":
                return await db.BackupAsync(args.ElementAtOrDefault(1));
            case "verify-audit":
                return await app.Services.GetRequiredService<AuditLog>().VerifyCommandAsync();
            case "seed-demo":
                return await RjConferences.Features.Demo.DemoData.RunAsync(app.Services, Console.Out, Console.Error);
            case "generate-synthetic":
                return await RjConferences.Features.Demo.SyntheticData.RunAsync(app.Services, args, Console.Out, Console.Error);
        }

        var firstRun = app.Services.GetRequiredService<FirstRunSetup>();
        if (await firstRun.IssueTokenIfNoUsersAsync() is { } token)
        {
            app.Lifetime.ApplicationStarted.Register(() => firstRun.LogLink(token,
                app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()));
        }

        await app.RunAsync();
        return 0;
    }

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
