using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace RjConferences.Security;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Anyone may ask to sign out: after a session has expired, "Sign out" simply shows the sign-in
        // page (requiring sign-in here sent the user to /account/login?ReturnUrl=/account/logout).
        // The antiforgery token is checked here rather than by form binding, whose refusal is an
        // exception (500 and error-level log entries); a forged request gets 400 like the other forms.
        endpoints.MapPost("/account/logout", async (HttpContext context, IAntiforgery antiforgery, SignInManager<AppUser> signInManager) =>
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                return Results.LocalRedirect("~/account/login");
            }
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }
            await signInManager.SignOutAsync();
            return Results.LocalRedirect("~/account/login");
        }).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }
}
