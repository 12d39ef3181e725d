using System.Net;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>
/// Every page at an address with an id answers HTTP 404 when there is nothing there that the user may
/// open, the same for a record outside their scope as for none at all (nothing leaks), and keeps its
/// own message. The status is set by the prerender, which is the HTTP response.
/// </summary>
public class NotFoundStatusTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private AppHost app = null!;
    private HeldConference conference = null!;
    private TestUser admin = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        admin = await TestUsers.CreateAsync(world.Services, "admin@rj.example", [Roles.Administrator]);
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

    private IEnumerable<(string Path, string NotFound)> CasePages(Guid caseId, Guid conferenceId) =>
    [
        ($"/cases/{caseId}", "Case not found"),
        ($"/cases/{caseId}/book", "Case not found"),
        ($"/conferences/{conferenceId}/outcome", "Conference not found"),
        ($"/conferences/{conferenceId}/reschedule", "Conference not found"),
        ($"/conferences/{conferenceId}/agreement", "Agreement not found"),
    ];

    [Fact]
    public async Task Each_case_page_answers_200_to_someone_in_scope()
    {
        using var client = await SignedInAsync(world.Officer);

        foreach (var (path, notFound) in CasePages(conference.CaseId, conference.ConferenceId))
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.DoesNotContain(notFound, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Each_case_page_answers_404_with_its_own_message_outside_the_scope_and_for_no_such_record()
    {
        using var stranger = await SignedInAsync(world.Stranger);
        using var officer = await SignedInAsync(world.Officer);

        var asked = CasePages(conference.CaseId, conference.ConferenceId).Select(p => (stranger, p.Path, p.NotFound))
            .Concat(CasePages(Guid.NewGuid(), Guid.NewGuid()).Select(p => (officer, p.Path, p.NotFound)));
        foreach (var (client, path, notFound) in asked)
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            Assert.Contains($"<h1>{notFound}</h1>", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_administration_pages_answer_404_for_no_such_user()
    {
        using var client = await SignedInAsync(admin);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/admin/users/{world.Officer.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/admin/training/{world.Officer.Id}")).StatusCode);
        var noUser = await client.GetAsync($"/admin/users/{Guid.NewGuid()}");
        var noTraining = await client.GetAsync($"/admin/training/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, noUser.StatusCode);
        Assert.Contains("This user does not exist", await noUser.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, noTraining.StatusCode);
        Assert.Contains("not an enabled facilitator", await noTraining.Content.ReadAsStringAsync());
    }
}
