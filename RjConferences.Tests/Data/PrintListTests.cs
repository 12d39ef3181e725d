using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Features.Admin;
using RjConferences.Features.Agreements;
using RjConferences.Features.Notifications;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>
/// Letters on a deployment without Notify (the embedded default): when an agreement is completed and the harmed pupil's
/// parent asked to be told by letter, the sender puts the letter on the school's print list; the school's staff (and only
/// they) see it and download it as an A4 PDF for a window envelope — the address in the window, no child's name — each
/// download audited as a disclosure; marking it as posted records that the harmed party was told.
/// </summary>
public sealed class PrintListTests : IAsyncLifetime
{
    private const string ParentAddress = "Flat 3, 12 Acacia Avenue\nPoplar\nLondon E14 0AA";

    private SchedulingWorld world = null!;
    private HeldConference conference = null!;

    private PrintList PrintList => world.Services.GetRequiredService<PrintList>();

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        conference = await world.ConferenceDueAsync();
        Assert.True((await world.Outcomes().RecordOutcomeAsync(conference.ConferenceId, conference.Agreement(), world.OfficerPrincipal)).Saved);
        await ExecuteAsync("UPDATE agreements SET harmed_wants_outcome = @yes WHERE conference_id = @ConferenceId", new { yes = true, conference.ConferenceId });
        // The harmed pupil's mother agreed to be contacted, by letter (the contact preferences' form is another engineer's).
        await ExecuteAsync("""
            INSERT INTO parties (id, case_id, party_role, supporter_type, supports_party_id, first_name, last_name, address, contact_consent, contact_by, sort_order)
            VALUES (@id, @CaseId, 'supporter', 'parent', @harmed, 'Grace', 'Adeyemi', @ParentAddress, @yes, 'letter', 9)
            """, new { id = Guid.NewGuid(), conference.CaseId, harmed = conference.Harmed.Id, ParentAddress, yes = true });
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private async Task CompleteAgreementAsync()
    {
        world.Clock.SetUtcNow(new DateTimeOffset(2026, 8, 3, 9, 0, 0, TimeSpan.Zero));
        var tracking = world.Services.GetRequiredService<ActionTracking>();
        foreach (var i in Enumerable.Range(0, 3))
        {
            var progress = (await tracking.LoadAsync(conference.ConferenceId, world.OfficerPrincipal))!;
            var action = progress.Actions[i];
            var done = await tracking.CompleteAsync(conference.ConferenceId, action.Id, progress.Version,
                new ActionStatusForm { On = DateInput.From(new DateOnly(2026, 7, 30)), CheckedBy = action.CheckerCode }, world.OfficerPrincipal);
            Assert.Equal(SaveOutcome.Saved, done.Outcome);
        }
    }

    private Task<SaveResult> SetSchoolAddressAsync(string address) =>
        world.Services.GetRequiredService<SchoolAddresses>().SaveAsync(world.SchoolId, null, address, world.Officer.Id);

    [Fact]
    public async Task A_completed_agreement_puts_the_parents_letter_on_the_print_list_for_the_schools_staff_to_print_and_post()
    {
        Assert.True((await SetSchoolAddressAsync("Langdon Park School\nByron Street\nLondon\ne14 0rz")).Saved);
        await CompleteAgreementAsync();
        await world.Services.GetRequiredService<OutboxSender>().RunOnceAsync();   // the letter, and the booking's invitations to staff

        // Sent to the print list, but the parent is not told until it is posted.
        Assert.Null(await ScalarAsync<string?>("SELECT CAST(harmed_told_on AS TEXT) FROM agreements WHERE conference_id = @ConferenceId", new { conference.ConferenceId }));
        var (letters, total) = await PrintList.WaitingAsync(world.Officer.Id);
        var letter = Assert.Single(letters);
        Assert.Equal(1, total);
        Assert.Equal("Grace Adeyemi", letter.ToName);
        Assert.Equal("The restorative justice agreement was completed", letter.Subject);
        Assert.Empty((await PrintList.WaitingAsync(world.Stranger.Id)).Letters);

        // Another school's user asking for it by its id gets nothing, and that is audited.
        Assert.Null(await PrintList.DownloadAsync(letter.Id, world.Stranger.Id));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'access_denied' AND entity_id = @id", new { id = letter.Id.ToString() }));

        var download = await PrintList.DownloadAsync(letter.Id, world.Officer.Id);
        Assert.NotNull(download?.Content);
        Assert.EndsWith(".pdf", download.FileName);
        Assert.Equal(1L, await ScalarAsync<long>("""
            SELECT count(*) FROM audit_events WHERE action = 'disclose' AND entity_type = 'case' AND entity_id = @id AND user_id = @user AND justification LIKE '%downloaded to print'
            """, new { id = conference.CaseId.ToString(), user = world.Officer.Id.ToString() }));
        if (Environment.GetEnvironmentVariable("RJ_TEST_LETTER_PDF") is { Length: > 0 } keep) File.WriteAllBytes(keep, download.Content);

        var page = Assert.Single(PdfReading.Read(download.Content));
        var text = page.Text;
        Assert.Contains("Grace Adeyemi", text);
        Assert.Contains("Langdon Park School", text);
        Assert.Contains("E14 0RZ", text);
        Assert.Contains("3 August 2026", text);
        Assert.Contains("Dear Grace Adeyemi,", text);
        Assert.Contains("Every action in the agreement has been completed.", text);
        foreach (var childName in new[] { "Kwame", "Mensah", "Olivia", "Brown" })
        {
            Assert.DoesNotContain(childName, text, StringComparison.OrdinalIgnoreCase);
        }

        // The name and each address line sit in the envelope's window (PDF coordinates run up from the bottom of the page).
        var window = LetterPdf.Window;
        foreach (var word in new[] { "Grace", "Adeyemi", "Flat", "Acacia", "Poplar", "0AA" })
        {
            var letters0 = FindWord(page, word);
            Assert.All(letters0, l =>
            {
                var top = page.Height - l.BoundingBox.Top;
                var bottom = page.Height - l.BoundingBox.Bottom;
                Assert.InRange(l.BoundingBox.Left, window.X, window.X + window.Width);
                Assert.InRange(l.BoundingBox.Right, window.X, window.X + window.Width);
                Assert.InRange(top, window.Y, window.Y + window.Height);
                Assert.InRange(bottom, window.Y, window.Y + window.Height);
            });
        }
        // The address lines in their order, the postcode last and on its own line.
        var lines = page.Letters.Where(l => InWindow(page, l)).GroupBy(l => Math.Round(l.StartBaseLine.Y, 1)).OrderByDescending(g => g.Key)
            .Select(g => string.Concat(g.OrderBy(l => l.StartBaseLine.X).Select(l => l.Value)).Replace(" ", "", StringComparison.Ordinal)).ToList();
        Assert.Equal(["GraceAdeyemi", "Flat3,12AcaciaAvenue", "Poplar", "London", "E140AA"], lines);

        Assert.True(await PrintList.MarkPostedAsync(letter.Id, world.Officer.Id));
        Assert.False(await PrintList.MarkPostedAsync(letter.Id, world.Officer.Id));
        Assert.Empty((await PrintList.WaitingAsync(world.Officer.Id)).Letters);
        Assert.Equal("letter", await ScalarAsync<string>("SELECT harmed_told_how FROM agreements WHERE conference_id = @ConferenceId", new { conference.ConferenceId }));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'alter' AND justification LIKE '%marked as posted'"));
    }

    private static bool InWindow(PdfPageText page, UglyToad.PdfPig.Content.Letter l)
    {
        var w = LetterPdf.Window;
        var top = page.Height - l.BoundingBox.Top;
        return l.BoundingBox.Left >= w.X && l.BoundingBox.Right <= w.X + w.Width && top >= w.Y && top <= w.Y + w.Height && l.Value.Trim().Length > 0;
    }

    /// <summary>The letters of the first run of <paramref name="word"/> on the page.</summary>
    private static IReadOnlyList<UglyToad.PdfPig.Content.Letter> FindWord(PdfPageText page, string word)
    {
        var letters = page.Letters.Where(l => l.Value.Trim().Length > 0).ToList();
        for (var i = 0; i + word.Length <= letters.Count; i++)
        {
            if (string.Concat(letters.Skip(i).Take(word.Length).Select(l => l.Value)) == word) return letters.GetRange(i, word.Length);
        }
        Assert.Fail($"\"{word}\" is not on the page");
        return [];
    }

    [Fact]
    public async Task Without_the_schools_postal_address_the_letter_fails_saying_where_to_set_it_and_goes_once_it_is_set()
    {
        await CompleteAgreementAsync();
        var sender = world.Services.GetRequiredService<OutboxSender>();
        await sender.RunOnceAsync();
        var (id, status, error) = await LetterRowAsync();
        Assert.Equal("failed", status);
        Assert.Contains("no postal address", error);
        Assert.Contains("Rooms page", error);
        Assert.Empty((await PrintList.WaitingAsync(world.Officer.Id)).Letters);

        Assert.True((await SetSchoolAddressAsync("Langdon Park School\nByron Street\nLondon E14 0RZ")).Saved);
        Assert.True(await world.Services.GetRequiredService<OutboxAdministration>().RetryAsync(id, world.Officer.Id));
        Assert.Equal(1, await sender.RunOnceAsync());
        Assert.Equal("sent", (await LetterRowAsync()).Status);
        Assert.Equal(id, Assert.Single((await PrintList.WaitingAsync(world.Officer.Id)).Letters).Id);
    }

    private async Task<(Guid Id, string Status, string? Error)> LetterRowAsync()
    {
        await using var connection = await world.Database.Db.OpenAsync();
        return await connection.QuerySingleAsync<(Guid, string, string?)>("SELECT id, status, last_error FROM outbox WHERE channel = 'letter'");
    }

    [Theory]
    [InlineData("", "Enter the address")]
    [InlineData("Byron Street\nLondon", "real UK postcode")]
    [InlineData("E14 0RZ", "street or building")]
    [InlineData("1\n2\n3\n4\n5\n6\nE14 0RZ", "6 lines or fewer")]
    [InlineData("A school whose address line is far too long to fit the window\nE14 0RZ", "35 characters or fewer")]
    public async Task A_school_address_without_a_postcode_or_with_too_many_lines_is_refused_at_the_field(string typed, string message)
    {
        var refused = await SetSchoolAddressAsync(typed);

        Assert.Equal(SaveOutcome.Invalid, refused.Outcome);
        Assert.Contains(message, Assert.Single(refused.Errors[SchoolAddresses.Field]));
        Assert.Null(await world.Services.GetRequiredService<SchoolAddresses>().GetAsync(world.SchoolId));
    }

    [Fact]
    public async Task A_school_address_is_stored_line_by_line_with_the_postcode_written_properly_and_a_stale_edit_is_a_conflict()
    {
        var addresses = world.Services.GetRequiredService<SchoolAddresses>();
        Assert.True((await SetSchoolAddressAsync("Langdon Park School, Byron Street, London e140rz")).Saved);
        Assert.Equal("Langdon Park School\nByron Street\nLondon\nE14 0RZ", await addresses.GetAsync(world.SchoolId));

        var stale = await addresses.SaveAsync(world.SchoolId, null, "Langdon Park\nE14 0RZ", world.Officer.Id);
        Assert.Equal(SaveOutcome.Conflict, stale.Outcome);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'admin_change' AND entity_type = 'school'"));
    }
}
