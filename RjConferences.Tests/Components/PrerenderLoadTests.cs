using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Data;
using RjConferences.Features.Schools;
using RjConferences.Security;
using Xunit.Abstractions;

namespace RjConferences.Tests.Components;

/// <summary>
/// Every page loads its data once: when the circuit is interactive, not also for the prerendered HTML
/// (which shows a "Loading…" status). A page at a record's address may check, in one query, that the
/// record exists, so that a missing one answers 404.
/// </summary>
// Statements are counted by a counting SqliteConnection (Npgsql's connection is sealed); how many a page runs is a
// property of the page's code, the same on both databases, so it is measured on SQLite.
[Trait("Category", "SqliteOnly")]
public class PrerenderLoadTests(ITestOutputHelper output) : CaseTestContext
{
    private static readonly string[] AllRoles = [Roles.Referrer, Roles.Facilitator, Roles.YouthJusticeReviewer, Roles.Administrator];

    /// <summary>The interactive pages: the account pages are static forms, rendered once anyway.</summary>
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var page in typeof(AppSetup).Assembly.GetTypes()
                     .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any()
                                 && t.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is null)
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(page.FullName!);
        }
        return data;
    }

    private static IEnumerable<PropertyInfo> RouteParameters(Type page)
    {
        var templates = string.Join(' ', page.GetCustomAttributes<RouteAttribute>().Select(r => r.Template));
        return page.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<ParameterAttribute>() is not null && templates.Contains('{' + p.Name + ':', StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_prerendered_page_loads_nothing_but_a_check_that_its_record_exists(string pageName)
    {
        var page = typeof(AppSetup).Assembly.GetType(pageName)!;
        var admin = await UserAsync("admin@example.org", AllRoles, "Newham/Langdon Park");
        SignIn(admin, AllRoles);
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var parameters = RouteParameters(page).ToList();
        var usage = new DbUsage();
        Services.GetRequiredService<Db>().Usage = usage;

        Render(builder =>
        {
            builder.OpenComponent(0, page);
            foreach (var parameter in parameters)
            {
                builder.AddComponentParameter(1, parameter.Name, Guid.NewGuid());
            }
            builder.CloseComponent();
        });

        output.WriteLine(string.Join('\n', usage.Texts));
        Assert.True(usage.Statements <= (parameters.Count > 0 ? 1 : 0), $"{page.Name} ran {usage.Statements} statements while prerendering:\n{string.Join('\n', usage.Texts)}");
    }

    [Fact]
    public async Task A_page_shows_loading_while_prerendering_and_its_data_once_interactive()
    {
        var user = await UserAsync("pc.jones@example.org", [Roles.Referrer], "Newham/Langdon Park");
        SignIn(user, Roles.Referrer);
        var usage = new DbUsage();
        Services.GetRequiredService<Db>().Usage = usage;

        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var prerendered = Render<SchoolsPage>();
        Assert.Equal("Loading…", prerendered.Find("[role=status]").TextContent);
        Assert.Equal(0, usage.Statements);

        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var interactive = Render<SchoolsPage>();
        interactive.WaitForAssertion(() => Assert.Contains("schools in", interactive.Find("[data-testid=schools-summary]").TextContent));
        Assert.Equal(1, usage.Connections);
    }
}
