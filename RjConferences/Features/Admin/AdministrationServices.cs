namespace RjConferences.Features.Admin;

public static class AdministrationServices
{
    /// <summary>The administrator's pages: accounts, facilitator training, rooms, school days.</summary>
    public static IServiceCollection AddAdministration(this IServiceCollection services)
    {
        services.AddScoped<UserAdministration>();
        services.AddSingleton<FacilitatorTraining>();
        services.AddSingleton<RoomAdministration>();
        services.AddSingleton<SchoolAddresses>();
        services.AddSingleton<SchoolDaysAdministration>();
        return services;
    }
}
