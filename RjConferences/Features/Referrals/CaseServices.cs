namespace RjConferences.Features.Referrals;

public static class CaseServices
{
    /// <summary>
    /// Referrals and cases: the referral form's service, the case reads, the one unit of work for a
    /// change to a case (<see cref="CaseWork"/>) and the case changes (section <c>Referrals</c>).
    /// </summary>
    public static IServiceCollection AddCases(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ReferralOptions>(configuration.GetSection("Referrals"));
        services.AddSingleton<ReferralService>();
        services.AddSingleton<CaseRepository>();
        services.AddSingleton<CaseWork>();
        services.AddSingleton<CaseChanges>();
        return services;
    }
}
