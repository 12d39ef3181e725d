using System.Net;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>GET /conferences/{id}/agreement.pdf over HTTP: the recipient is required, the scope holds, and the answer is a PDF.</summary>
public class AgreementEndpointTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private AppHost app = null!;
    private HeldConference conference = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        app = new AppHost(world.Database, world.Clock);
    }

    public async Task DisposeAsync()
    {
        app.Dispose();
        await world.DisposeAsync();
    }

    private async Task<FormClient> SignedInAsync(TestUser user)
    {
        var client = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(user.Email, user.Password)).StatusCode);
        return client;
    }

    [Fact]
    public async Task The_document_is_a_pdf_attachment_named_by_reference_and_version_only_for_a_recipient()
    {
        using var client = await SignedInAsync(world.Officer);
        var path = $"/conferences/{conference.ConferenceId}/agreement.pdf";

        var withoutRecipient = await client.GetAsync(path);
        var response = await client.GetAsync(path + "?recipient=parent_or_guardian&harmedFirstNameOnly=true");

        Assert.Equal(HttpStatusCode.BadRequest, withoutRecipient.StatusCode);
        Assert.StartsWith("Choose who the agreement is for", await withoutRecipient.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("agreement-RJ-2026-00001-v1.pdf", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF"u8.ToArray(), bytes[..4]);
        Assert.DoesNotContain("Brown", PdfReading.Read(bytes).Text());
    }

    [Fact]
    public async Task Someone_outside_the_schools_scope_gets_not_found()
    {
        using var client = await SignedInAsync(world.Stranger);

        var response = await client.GetAsync($"/conferences/{conference.ConferenceId}/agreement.pdf?recipient=school");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
    }
}
