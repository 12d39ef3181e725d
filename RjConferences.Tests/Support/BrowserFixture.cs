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
[RunsLong(120)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

public static class PageExtensions
{
    /// <summary>
    /// Saves the whole page as <paramref name="name"/>.png in the folder RJ_SCREENSHOTS names, to look at what a user sees;
    /// does nothing when it is not set.
    /// </summary>
    public static async Task ScreenshotIfAskedAsync(this IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("RJ_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }

    /// <summary>
    /// The page as it is now on a narrow phone, 320 px wide (WCAG's reflow width: 1280 px at 400 % zoom): axe passes, and nothing
    /// makes the page wider than the screen (a table scrolls in its own box; the page itself never scrolls sideways). Screenshot <paramref name="name"/>-phone when asked;
    /// the viewport is put back afterwards.
    /// </summary>
    public static async Task AssertFitsAPhoneAsync(this IPage page, string name)
    {
        var desktop = page.ViewportSize!;
        await page.SetViewportSizeAsync(320, 700);
        try
        {
            await page.ScreenshotIfAskedAsync($"{name}-phone");
            await page.AssertAccessibleAsync();
            var wider = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''))
                """);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
                $"{page.Url} is wider than a phone's screen (320 px): {string.Join(", ", wider)}");
        }
        finally
        {
            await page.SetViewportSizeAsync(desktop.Width, desktop.Height);
        }
    }

    /// <summary>axe-core as Deque's package bundles it.</summary>
    private static readonly Lazy<string> AxeSource = new(() => new Deque.AxeCore.Commons.BundledAxeScriptProvider().GetScript());

    /// <summary>
    /// Runs axe-core on the page as it is now and fails on any serious or critical violation.
    /// Every browser test calls this on every page it visits. axe is loaded once per document and run
    /// directly: Deque's RunAxe finishes every run in a new blank page, 2.5–4.5 s a check here against
    /// 0.2–0.7 s for the run itself, and the browser tests make some 150 checks.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(AxeSource.Value);
        }
        var bad = await page.EvaluateAsync<string[]>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact}: ${v.id} — ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)
            """);
        Assert.True(bad.Length == 0, $"Accessibility violations on {page.Url}:\n{string.Join("\n", bad)}");
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
