using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace RjConferences.Security;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A form post with antiforgery (validated by UseAntiforgery for form-bound endpoints).
        endpoints.MapPost("/account/logout", async ([FromForm] string? returnUrl, SignInManager<AppUser> signInManager) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/account/login");
        });
        return endpoints;
    }
}
