using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace RjConferences.Tests.Support;

/// <summary>
/// One headless Chromium for all browser tests: Debian's /usr/bin/chromium, or the path in
/// RJ_CHROMIUM. Tests never download a browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("RJ_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ChromiumPath}. Install Debian's chromium package, or set RJ_CHROMIUM to a Chromium executable.");
        }
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
            ],
        });
    }

    // The contexts opened for each app. The browser tests run one at a time; a page left open after its
    // test's app has stopped keeps trying to reconnect its Blazor circuit and takes CPU from every later test.
    private readonly List<(IBrowserContext Context, AppHost App)> open = [];

    /// <summary>A new browser context and page for one test, in en-GB and London time. Closes the pages of earlier tests' apps.</summary>
    public async Task<IPage> NewPageAsync(AppHost app)
    {
        foreach (var stale in open.Where(o => !ReferenceEquals(o.App, app)).ToList())
        {
            await stale.Context.CloseAsync();
            open.Remove(stale);
        }
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl,
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            AcceptDownloads = true,
            // As a user who asks for reduced motion: no colour transitions for axe to catch half-way.
            ReducedMotion = ReducedMotion.Reduce,
        });
        context.SetDefaultTimeout(15_000);
        open.Add((context, app));
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

public static class PageExtensions
{
    /// <summary>
    /// Runs axe-core on the page as it is now and fails on any serious or critical violation.
    /// Every browser test calls this on every page it visits.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        var results = await page.RunAxe();
        var bad = results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact}: {v.Id} — {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})")
            .ToList();
        Assert.True(bad.Count == 0, $"Accessibility violations on {page.Url}:\n{string.Join("\n", bad)}");
    }

    /// <summary>Goes to <paramref name="path"/> and waits until the Blazor circuit is interactive.</summary>
    public static async Task GotoInteractiveAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForInteractiveAsync();
    }

    /// <summary>The layout marks &lt;main&gt; with data-interactive once the circuit has rendered it.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("main[data-interactive='true']").WaitForAsync();
}
