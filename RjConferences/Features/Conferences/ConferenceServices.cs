namespace RjConferences.Features.Conferences;

public static class ConferenceServices
{
    /// <summary>Booking, rescheduling and reading conferences, and preparation meetings (section <c>Conferences</c>).</summary>
    public static IServiceCollection AddConferences(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConferenceOptions>(configuration.GetSection("Conferences"));
        services.AddSingleton<ConferenceBooking>();
        services.AddSingleton<ConferenceQueries>();
        services.AddSingleton<PreparationMeetings>();
        return services;
    }
}
