using Microsoft.Playwright;

namespace RjConferences.Tests.Support;

public static class SignIn
{
    /// <summary>Signs in through the sign-in page, as a user would, and waits for the interactive home page.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password, bool checkAccessibility = false)
    {
        await page.GotoAsync("/account/login");
        if (checkAccessibility)
        {
            await page.AssertAccessibleAsync();
        }
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForInteractiveAsync();
    }

    public static Task SignInAsync(this IPage page, TestUser user) => page.SignInAsync(user.Email, user.Password);

    public static async Task SignOutAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // Sign-out may finish as an enhanced (same-document) navigation, after which no further "load" event comes:
        // wait for the address, then for what a user sees — the sign-in form.
        await page.WaitForURLAsync("**/account/login", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }
}
