using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>GET /reports/board.pdf over HTTP: the CSV exports' rules (who may, what is refused, what is audited), and a PDF of published figures.</summary>
public class BoardReportEndpointTests : IAsyncLifetime
{
    private static readonly FakeTimeProvider Clock = new(TestClock.Start);
    private AppHost app = null!;
    private TestUser reviewer = null!;
    private TestUser officer = null!;
    private long newham;
    private long hackney;

    /// <summary>Seven referrals at Langdon Park in Newham (one with gravity 3, so not eligible) and one at Haggerston in Hackney.</summary>
    public async Task InitializeAsync()
    {
        app = new AppHost(clock: Clock);
        officer = await TestUsers.CreateAsync(app.Services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park", "Hackney/Haggerston"]);
        reviewer = await TestUsers.CreateAsync(app.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var db = app.Database.Db;
        var cases = new TestCases(db, Clock);
        var langdon = await TestCases.SchoolIdAsync(db, "Newham/Langdon Park");
        for (var i = 0; i < 6; i++)
        {
            await new TestReferral(langdon, new DateOnly(2026, 6, 1)) { FirstName = $"Young{i}" }.SaveAsync(cases.Referrals, officer.Id);
        }
        await new TestReferral(langdon, new DateOnly(2026, 6, 1)) { Gravity = 3 }.SaveAsync(cases.Referrals, officer.Id);
        await new TestReferral(await TestCases.SchoolIdAsync(db, "Hackney/Haggerston"), new DateOnly(2026, 6, 1)).SaveAsync(cases.Referrals, officer.Id);
        await using var connection = await db.OpenAsync();
        newham = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Newham'");
        hackney = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Hackney'");
    }

    public Task DisposeAsync()
    {
        app.Dispose();
        return Task.CompletedTask;
    }

    private async Task<FormClient> SignedInAsync(TestUser user)
    {
        var client = new FormClient(app);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(user.Email, user.Password)).StatusCode);
        return client;
    }

    private async Task<List<(string Action, string? EntityType, string? EntityId, string? Recipient, string? Justification)>> AuditAsync(TestUser user)
    {
        await using var connection = await app.Database.Db.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?, string?, string?)>(
            "SELECT action, entity_type, entity_id, recipient, justification FROM audit_events WHERE user_id = @id AND action IN ('disclose', 'access_denied') ORDER BY id",
            new { id = user.Id.ToString() })).ToList();
    }

    [Fact]
    public async Task A_reviewer_downloads_a_pdf_of_the_published_figures_audited_as_disclose()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/board.pdf?period=academic_year&academicYear=2025&borough={newham}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("board-report-2025-09-01-to-2026-08-31.pdf",
            response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var pages = PdfReading.Read(await response.Content.ReadAsByteArrayAsync());
        var text = pages.Text();
        // The same selection's report, as the exports publish it: every row of the PDF is theirs, small counts included.
        var result = await app.Services.GetRequiredService<ReportQueries>().RunAsync(reviewer.Id,
            new ReportSelection(new DateOnly(2025, 9, 1), new DateOnly(2026, 8, 31), BoroughId: newham), CancellationToken.None);
        foreach (var row in BoardReportReading.Expected(result).All)
        {
            Assert.Contains(row, text);
        }
        Assert.Contains("Referrals 7", text);
        Assert.Contains("Not eligible: the gravity score is above the maximum for a conference: <5", text);
        Assert.Contains("Scope Newham (within the schools of Newham)", text);
        Assert.Contains("Data as at 10:00 BST on 15 June 2026", text);
        Assert.DoesNotContain("Haggerston", text);
        Assert.DoesNotContain("Okafor", text);
        Assert.DoesNotContain("Young", text);
        Assert.Equal([("disclose", "report", "board-report", "board report pdf",
            $"period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White")], await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_forged_borough_outside_the_scope_is_refused_audited_as_access_denied_and_discloses_nothing()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/board.pdf?period=academic_year&academicYear=2025&borough={hackney}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("Choose a borough from the list", text);
        Assert.DoesNotContain("Haggerston", text);
        Assert.Equal([("access_denied", "borough", hackney.ToString(), null, "report selection for a borough outside the user's scope or missing")],
            await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_bad_selection_gets_a_message_and_no_file()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/board.pdf?period=custom&from=2026-03-05&to=2026-03-01");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("End date must be the same as or after the start date", await response.Content.ReadAsStringAsync());
        Assert.Empty(await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_referrer_gets_403_and_the_refusal_is_audited()
    {
        using var client = await SignedInAsync(officer);

        var response = await client.GetAsync("/reports/board.pdf?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("access_denied", "page", "/reports/board.pdf", null, null)], await AuditAsync(officer));
    }
}
