using System.Security.Cryptography;
using Dapper;
using RjConferences.Features.Agreements;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>Versions of the agreement document and the audited downloads.</summary>
public class AgreementDocumentTests : IAsyncLifetime
{
    private SchedulingWorld world = null!;
    private HeldConference conference = null!;
    private AgreementDocuments documents = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        var saved = await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal);
        Assert.True(saved.Saved);
        documents = world.Documents();
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private Task<DownloadResult> DownloadAsync(string recipient = "printed_for_signature", bool firstNameOnly = false, TestUser? user = null) =>
        documents.DownloadAsync(conference.ConferenceId, recipient, firstNameOnly, (user ?? world.Officer).Id);

    private async Task<List<(int Version, bool FirstNameOnly, string Sha256, string By, string? SupersededAt)>> StoredAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(int, bool, string, string, string?)>(
            "SELECT version_number, harmed_first_name_only, sha256, generated_by, superseded_at FROM agreement_documents ORDER BY version_number, harmed_first_name_only")).ToList();
    }

    private async Task<List<(string Action, string? Recipient, string? Justification)>> AuditAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?)>(
            "SELECT action, recipient, justification FROM audit_events WHERE entity_id = @id AND action IN ('disclose', 'alter') ORDER BY id",
            new { id = conference.CaseId.ToString() })).ToList();
    }

    private async Task ChangeFirstActionAsync(string text)
    {
        var context = (await world.Outcomes().LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
        var actions = context.Actions.Select(a => a.Form).ToList();
        actions[0].Text = text;
        var changed = await world.Outcomes().ChangeActionsAsync(conference.ConferenceId, actions, context.AgreementVersion, world.OfficerPrincipal);
        Assert.True(changed.Saved);
    }

    [Fact]
    public async Task The_first_download_makes_version_1_and_stores_its_bytes_hash_maker_and_time_and_is_audited_with_its_recipient()
    {
        var result = await DownloadAsync("school");

        Assert.Equal(DownloadStatus.Ok, result.Status);
        Assert.Equal("agreement-RJ-2026-00001-v1.pdf", result.FileName);
        Assert.Equal("%PDF"u8.ToArray(), result.Content![..4]);
        var stored = Assert.Single(await StoredAsync());
        Assert.Equal((1, false, Convert.ToHexStringLower(SHA256.HashData(result.Content)), world.Officer.Id.ToString(), null), stored);
        var pages = PdfReading.Read(result.Content);
        Assert.Contains("Agreement document version 1", pages.Text());
        Assert.Contains("Write a letter to Olivia to say sorry.", pages.Text());
        var audit = await AuditAsync();
        Assert.Equal(("alter", null, "agreement document version 1 made"), audit[^2]);
        Assert.Equal(("disclose", "school", "agreement document version 1"), audit[^1]);
    }

    [Fact]
    public async Task Downloading_an_unchanged_agreement_again_returns_the_same_version_and_audits_each_recipient()
    {
        var first = await DownloadAsync("printed_for_signature");
        var second = await DownloadAsync("parent_or_guardian");

        Assert.Equal(first.Content, second.Content);
        Assert.Equal(1, second.Version);
        Assert.Single(await StoredAsync());
        Assert.Equal(["printed_for_signature", "parent_or_guardian"], (await AuditAsync()).Where(a => a.Action == "disclose").Select(a => a.Recipient));
    }

    [Fact]
    public async Task Changing_the_agreement_makes_a_new_version_and_marks_the_earlier_one_superseded()
    {
        await DownloadAsync();
        await ChangeFirstActionAsync("Write a card to Olivia to say sorry.");

        var view = (await documents.ViewAsync(conference.ConferenceId, world.Officer.Id))!;
        Assert.True(view.ChangedSinceCurrent);
        Assert.Equal(2, view.NextVersionNumber);
        var result = await DownloadAsync();

        Assert.Equal(2, result.Version);
        var stored = await StoredAsync();
        Assert.Equal([1, 2], stored.Select(s => s.Version));
        Assert.NotNull(stored[0].SupersededAt);
        Assert.Null(stored[1].SupersededAt);
        var text = PdfReading.Read(result.Content!).Text();
        Assert.Contains("Write a card to Olivia to say sorry.", text);
        Assert.Contains("Agreement document version 2", text);
        Assert.Equal(2, (await DownloadAsync()).Version);
        Assert.Equal(2, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task With_two_young_people_each_parent_is_named_as_whose_parent_they_are()
    {
        await using (var connection = await world.Database.Db.OpenAsync())
        {
            // A second young person and her mother, both at the conference.
            var (zofia, jan) = (Guid.NewGuid(), Guid.NewGuid());
            await connection.ExecuteAsync("""
                INSERT INTO parties (id, case_id, party_role, first_name, last_name, date_of_birth, sort_order)
                VALUES (@zofia, @CaseId, 'responsible', 'Zofia', 'Nowak', '2012-05-05', 10);
                INSERT INTO parties (id, case_id, party_role, supporter_type, supports_party_id, first_name, last_name, sort_order)
                VALUES (@jan, @CaseId, 'supporter', 'parent', @zofia, 'Anna', 'Nowak', 11);
                INSERT INTO conference_participants (conference_id, party_id, person_key, attended) VALUES
                    (@ConferenceId, @zofia, 'party|' || @zofia, TRUE), (@ConferenceId, @jan, 'party|' || @jan, TRUE);
                """, new { zofia, jan, conference.CaseId, conference.ConferenceId });
        }

        var text = PdfReading.Read((await DownloadAsync()).Content!).Text();

        Assert.Contains($"{conference.Parent.FirstName} {conference.Parent.LastName}: parent or guardian of {conference.YoungPerson.FirstName}", text);
        Assert.Contains("Anna Nowak: parent or guardian of Zofia", text);
        Assert.DoesNotContain("of the young person", text);
    }

    [Fact]
    public async Task An_earlier_version_is_downloaded_as_it_was_made_and_audited_with_its_recipient()
    {
        var first = await DownloadAsync();
        await ChangeFirstActionAsync("Write a card to Olivia to say sorry.");
        Assert.Equal(2, (await DownloadAsync()).Version);

        var earlier = await documents.DownloadVersionAsync(conference.ConferenceId, 1, "parent_or_guardian", false, world.Officer.Id);

        Assert.Equal(DownloadStatus.Ok, earlier.Status);
        Assert.Equal(first.Content, earlier.Content);
        Assert.Equal(first.FileName, earlier.FileName);
        Assert.Contains("Agreement document version 1", PdfReading.Read(earlier.Content!).Text());
        Assert.Equal(("disclose", "parent_or_guardian", "agreement document version 1, superseded"), (await AuditAsync())[^1]);
        Assert.Equal(2, (await StoredAsync()).Count); // nothing made again
    }

    [Fact]
    public async Task A_version_needs_a_recipient_exists_and_is_in_scope()
    {
        await DownloadAsync();
        var before = (await AuditAsync()).Count;

        Assert.Equal(DownloadStatus.NoRecipient, (await documents.DownloadVersionAsync(conference.ConferenceId, 1, null, false, world.Officer.Id)).Status);
        Assert.Equal(DownloadStatus.NotFound, (await documents.DownloadVersionAsync(conference.ConferenceId, 2, "school", false, world.Officer.Id)).Status);
        Assert.Equal(DownloadStatus.NotFound, (await documents.DownloadVersionAsync(conference.ConferenceId, 1, "school", true, world.Officer.Id)).Status);
        Assert.Equal(DownloadStatus.NotFound, (await documents.DownloadVersionAsync(conference.ConferenceId, 1, "school", false, world.Stranger.Id)).Status);
        Assert.Equal(before, (await AuditAsync()).Count); // nothing disclosed
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND user_id = @Id", new { world.Stranger.Id }));
    }

    [Fact]
    public async Task The_first_name_only_form_is_the_same_version_and_supersedes_nothing()
    {
        var full = await DownloadAsync();
        var firstNameOnly = await DownloadAsync("school", firstNameOnly: true);

        Assert.Equal(1, firstNameOnly.Version);
        Assert.All(await StoredAsync(), s => Assert.Null(s.SupersededAt));
        Assert.Contains("Olivia Brown", PdfReading.Read(full.Content!).Text());
        var text = PdfReading.Read(firstNameOnly.Content!).Text();
        Assert.DoesNotContain("Brown", text);
        Assert.Contains("Person harmed: Olivia", text);
        Assert.Equal(("disclose", "school", "agreement document version 1 (harmed person's first name only)"), (await AuditAsync())[^1]);
    }

    [Fact]
    public async Task Simultaneous_first_downloads_make_one_version_1()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => DownloadAsync())));

        Assert.All(results, r => Assert.Equal(1, r.Version));
        Assert.Single(await StoredAsync());
        Assert.Equal(6, (await AuditAsync()).Count(a => a.Action == "disclose"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("the_newspaper")]
    public async Task A_download_without_a_known_recipient_is_refused_and_nothing_is_disclosed(string? recipient)
    {
        var result = await documents.DownloadAsync(conference.ConferenceId, recipient, false, world.Officer.Id);

        Assert.Equal(DownloadStatus.NoRecipient, result.Status);
        Assert.StartsWith("Choose who the agreement is for", result.Message);
        Assert.Empty(await StoredAsync());
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == "disclose");
    }

    [Fact]
    public async Task Someone_outside_the_schools_scope_gets_not_found_and_it_is_audited()
    {
        var result = await DownloadAsync(user: world.Stranger);

        Assert.Equal(DownloadStatus.NotFound, result.Status);
        await using var connection = await world.Database.Db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = @id AND user_id = @user",
            new { id = conference.ConferenceId.ToString(), user = world.Stranger.Id.ToString() }));
        Assert.Null(await documents.ViewAsync(conference.ConferenceId, world.Stranger.Id));
    }

    [Fact]
    public async Task Without_a_font_the_download_says_what_to_do_and_stores_nothing()
    {
        var empty = Directory.CreateTempSubdirectory("rj-no-fonts-");
        try
        {
            var result = await world.Documents(new DocumentFonts([], [empty.FullName])).DownloadAsync(conference.ConferenceId, "school", false, world.Officer.Id);

            Assert.Equal(DownloadStatus.NoFont, result.Status);
            Assert.Contains("No font for agreement documents was found", result.Message);
            Assert.Empty(await StoredAsync());
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
