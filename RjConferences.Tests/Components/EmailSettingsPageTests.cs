using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.MyWork;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

/// <summary>A user turns their own weekly digest of My work on and off on the Email settings page (over a real database).</summary>
public sealed class EmailSettingsPageTests : BunitContext, IAsyncLifetime
{
    private SchedulingWorld world = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        Services.RegisterApp(world.Database, world.Clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized(world.Officer.Email);
        auth.SetRoles(Roles.Referrer, Roles.Facilitator);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, world.Officer.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await world.DisposeAsync();
    }

    [Fact]
    public async Task A_user_turns_the_weekly_digest_on_and_off()
    {
        var page = Render<EmailSettingsPage>();
        page.WaitForElement("#field-WeeklyDigest");
        Assert.Contains("Every Monday", page.Markup);
        Assert.False(page.Find("#field-WeeklyDigest").HasAttribute("checked"));
        Assert.True(page.Find("#field-WeeklyDigest-no").HasAttribute("checked"));

        page.Find("#field-WeeklyDigest").Change("yes");
        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("You will get the weekly digest of My work.", page.Find("[data-testid=email-settings-saved]").TextContent.Trim()));
        var digests = world.Services.GetRequiredService<WorkDigests>();
        Assert.True(await digests.WantsWeeklyAsync(world.Officer.Id));
        Assert.False(await digests.WantsWeeklyAsync(world.Colleague.Id));

        // Opened again, it shows the choice; turned off.
        var again = Render<EmailSettingsPage>();
        again.WaitForElement("#field-WeeklyDigest");
        Assert.True(again.Find("#field-WeeklyDigest").HasAttribute("checked"));
        again.Find("#field-WeeklyDigest-no").Change("no");
        await again.Find("form").SubmitAsync();
        again.WaitForAssertion(() => Assert.Contains("will not get", again.Find("[data-testid=email-settings-saved]").TextContent));
        Assert.False(await digests.WantsWeeklyAsync(world.Officer.Id));
    }
}
