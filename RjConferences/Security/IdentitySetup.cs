using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

public static class IdentitySetup
{
    public const int PasswordIterations = 210_000;
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan CircuitRevalidationInterval = TimeSpan.FromMinutes(1);

    /// <summary>Accounts, sign-in, roles and the authorization fallback (every page needs a signed-in user).</summary>
    public static IServiceCollection AddRjIdentity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddIdentityCore<AppUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Consults EnabledAccountConfirmation: a disabled account cannot sign in.
                options.SignIn.RequireConfirmedAccount = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.ClaimsIdentity.UserNameClaimType = ClaimTypes.Name;
            })
            .AddRoles<AppRole>()
            .AddUserStore<UserStore>()
            .AddRoleStore<RoleStore>()
            .AddClaimsPrincipalFactory<AppClaimsPrincipalFactory>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddScoped<IUserConfirmation<AppUser>, EnabledAccountConfirmation>();
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordIterations);
        // Check the security stamp on every request, so a disabled account or a reset password
        // ends the session at its next request (one primary-key lookup).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "rj.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = IdleTimeout;
            o.SlidingExpiration = true;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Events.OnRedirectToAccessDenied = async context =>
            {
                var audit = context.HttpContext.RequestServices.GetRequiredService<AuditLog>();
                await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied,
                    EntityType: "page", EntityId: context.Request.Path.Value,
                    UserId: context.HttpContext.User.UserIdOrNull()));
                context.Response.Redirect(context.RedirectUri);
            };
        });

        services.AddAuthorization(o =>
        {
            // Every page and endpoint requires a signed-in user unless it says [AllowAnonymous].
            o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            Policies.Register(o);
        });

        services.AddSingleton<SchoolScope>();
        services.AddSingleton<FirstRunSetup>();
        services.AddSingleton<UnknownAccountLockout>();
        services.AddScoped<UserAccounts>();
        return services;
    }

    /// <summary>The audit log: every consultation, disclosure and change, in a hash chain.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        return services;
    }
}

/// <summary>Adds the display name and the must-change-password flag to the sign-in cookie.</summary>
public sealed class AppClaimsPrincipalFactory(
    UserManager<AppUser> userManager, RoleManager<AppRole> roleManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimsPrincipalExtensions.DisplayNameClaim, user.DisplayName));
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(ClaimsPrincipalExtensions.MustChangePasswordClaim, "true"));
        }
        return identity;
    }
}

/// <summary>A disabled account cannot sign in (SignInManager answers NotAllowed).</summary>
public sealed class EnabledAccountConfirmation : IUserConfirmation<AppUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(user.DisabledAt is null);
}

/// <summary>
/// Revalidates an open Blazor circuit's user every minute: a disabled account, a reset password or
/// any other change of security stamp ends the circuit's sign-in.
/// </summary>
public sealed class RevalidatingIdentityStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopeFactory, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => IdentitySetup.CircuitRevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await userManager.GetUserAsync(authenticationState.User);
        if (user is null || user.DisabledAt is not null)
        {
            return false;
        }
        var principalStamp = authenticationState.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return principalStamp == user.SecurityStamp;
    }
}
