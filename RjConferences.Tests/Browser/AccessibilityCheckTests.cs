using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>The axe check every journey runs must fail on a page with serious problems, and pass a sound one.</summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityCheckTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_check_fails_on_an_unlabelled_field_and_an_image_without_text_and_passes_once_they_are_fixed()
    {
        var page = await browser.Browser.NewPageAsync();
        try
        {
            await page.SetContentAsync("""
                <!DOCTYPE html><html lang="en-GB"><head><title>Test</title></head>
                <body><main><h1>Form</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>
                """);
            var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(page.AssertAccessibleAsync);
            Assert.Contains("critical: image-alt", failure.Message, StringComparison.Ordinal);
            Assert.Contains("critical: label", failure.Message, StringComparison.Ordinal);

            // Fixed in the same document: axe is already loaded, and the second run sees the new page.
            await page.EvaluateAsync("""
                () => { document.querySelector('img').alt = 'A dot'; const i = document.querySelector('input'); i.id = 'name';
                        const l = document.createElement('label'); l.htmlFor = 'name'; l.textContent = 'Name'; i.before(l); }
                """);
            await page.AssertAccessibleAsync();
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
