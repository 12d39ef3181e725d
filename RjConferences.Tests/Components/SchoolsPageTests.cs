using Microsoft.AspNetCore.Components;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Features.Schools;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Components;

public class SchoolsPageTests : BunitContext
{
    private readonly TestDatabase database = new();

    public SchoolsPageTests()
    {
        Services.RegisterApp(database, TestClock.Fixed());
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        database.Dispose();
    }

    [Fact]
    public void Lists_every_borough_with_its_schools_and_counts()
    {
        var page = Render<SchoolsPage>();

        page.WaitForAssertion(() =>
            Assert.Equal("78 schools in 15 boroughs take part in the Safer Schools Partnership.",
                page.Find("[data-testid=schools-summary]").TextContent.Trim()));
        Assert.Equal(15, page.FindAll("h2").Count);
        Assert.Equal(78, page.FindAll("tbody tr").Count);
        var newham = page.FindAll("h2").Single(h => h.TextContent.Contains("Newham"));
        Assert.Contains("17 schools", newham.TextContent);
    }
}
