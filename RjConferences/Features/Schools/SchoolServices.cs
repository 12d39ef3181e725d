namespace RjConferences.Features.Schools;

public static class SchoolServices
{
    /// <summary>The boroughs and schools of the partnership.</summary>
    public static IServiceCollection AddSchools(this IServiceCollection services)
    {
        services.AddSingleton<SchoolRegistry>();
        return services;
    }
}
