namespace RjConferences.Features.FollowUps;

public static class FollowUpServices
{
    /// <summary>The setting that switches the daily job's background service off (it is on unless set to false).</summary>
    public const string DailyJobEnabled = "FollowUps:DailyJob:Enabled";

    /// <summary>
    /// Follow-up checks, closing cases, retention and the daily job (section <c>FollowUps</c>). The daily job
    /// runs in the background unless <see cref="DailyJobEnabled"/> is false (tests, and commands: they never start it).
    /// </summary>
    public static IServiceCollection AddFollowUps(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<FollowUpOptions>(configuration.GetSection("FollowUps"));
        services.AddSingleton<Retention>();
        services.AddSingleton<DailyJob>();
        services.AddSingleton<JobLease>();
        services.AddSingleton<FollowUpChecks>();
        services.AddSingleton<CaseClosing>();
        if (configuration.GetValue(DailyJobEnabled, defaultValue: true))
        {
            services.AddHostedService<DailyJobService>();
        }
        return services;
    }
}
