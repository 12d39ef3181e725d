using System.Net;
using System.Text;
using Dapper;
using RjConferences.Features.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Tests.Features;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Security;

/// <summary>GET /reports/export/{table}.csv, /reports/export/all.xlsx (the workbook) and /reports/board.pdf over HTTP: who may, what is refused, what is audited, and what the file holds.</summary>
public class ReportEndpointTests : IAsyncLifetime
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
    private AppHost app = null!;
    private TestUser reviewer = null!;
    private TestUser officer = null!;
    private long newham;
    private long hackney;

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
    public async Task A_reviewer_downloads_a_csv_attachment_never_cached_and_audited_as_disclose()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/export/headlines.csv?period=academic_year&academicYear=2025&borough={newham}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("report-headlines-2025-09-01-to-2026-08-31.csv",
            response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var csv = ReportCsvTests.Parse(Encoding.UTF8.GetString((await response.Content.ReadAsByteArrayAsync())[3..]));
        Assert.Equal(["Figure", "Number", "Out of", "Percentage", "Median days"], csv[0]);
        Assert.Equal(["Referrals", "7", "", "", ""], csv.Single(r => r[0] == "Referrals"));
        // 7 − 6 = 1 not eligible, which the funnel file hides: the 6 is hidden in this file too.
        Assert.Equal(["Eligible referrals", "suppressed", "7", "suppressed", ""], csv.Single(r => r[0] == "Eligible referrals"));
        Assert.DoesNotContain("Okafor", string.Join(",", csv.SelectMany(r => r)));
        Assert.Equal([("disclose", "report", "headlines", "csv export",
            $"period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White")], await AuditAsync(reviewer));
    }

    [Fact]
    public async Task Counts_of_1_to_4_are_suppressed_in_the_funnel_export()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/export/funnel.csv?period=academic_year&academicYear=2025");

        var csv = ReportCsvTests.Parse(Encoding.UTF8.GetString((await response.Content.ReadAsByteArrayAsync())[3..]));
        Assert.Equal("7", csv.Single(r => r[0] == "Referred" && r[1] == "Reached this stage")[2]);
        // One referral was not eligible (gravity 3): written "<5", and the 6 eligible hidden with it.
        Assert.Equal("<5", csv.Single(r => r[1].StartsWith("Left before this stage: Not eligible: the gravity", StringComparison.Ordinal))[2]);
        Assert.Equal("suppressed", csv.Single(r => r[0] == "Eligible" && r[1] == "Reached this stage")[2]);
    }

    [Fact]
    public async Task The_threshold_is_read_from_Reports_SuppressBelow()
    {
        using var strict = new AppHost(app.Database, Clock, new Dictionary<string, string?> { ["Reports:SuppressBelow"] = "10" });
        using var client = new FormClient(strict);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(reviewer.Email, reviewer.Password)).StatusCode);

        var response = await client.GetAsync("/reports/export/headlines.csv?period=academic_year&academicYear=2025");

        var csv = ReportCsvTests.Parse(Encoding.UTF8.GetString((await response.Content.ReadAsByteArrayAsync())[3..]));
        Assert.Equal(["Referrals", "<10", "", "", ""], csv.Single(r => r[0] == "Referrals"));
    }

    [Fact]
    public async Task A_forged_borough_outside_the_scope_is_refused_audited_as_access_denied_and_discloses_nothing()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/export/schools.csv?period=academic_year&academicYear=2025&borough={hackney}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEqual("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("Choose a borough from the list", text);
        Assert.DoesNotContain("Haggerston", text);
        Assert.Equal([("access_denied", "borough", hackney.ToString(), null, "report selection for a borough outside the user's scope or missing")],
            await AuditAsync(reviewer));
    }

    [Theory]
    [InlineData("period=custom&from=2026-03-05&to=2026-03-01", "End date must be the same as or after the start date")]
    [InlineData("period=custom&from=2010-01-01&to=2026-03-01", "The period must be 10 years or shorter")]
    [InlineData("period=academic_year&academicYear=2025&offence=999", "Choose an offence category from the list")]
    public async Task A_bad_selection_gets_a_message_and_no_file(string query, string message)
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/export/trend.csv?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Empty(await AuditAsync(reviewer));
    }

    [Fact]
    public async Task An_unknown_table_is_not_found()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/export/children.csv?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_referrer_gets_403_and_the_refusal_is_audited()
    {
        using var client = await SignedInAsync(officer);

        var response = await client.GetAsync("/reports/export/headlines.csv?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotEqual("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("access_denied", "page", "/reports/export/headlines.csv", null, null)], await AuditAsync(officer));
    }

    [Fact]
    public async Task A_reviewer_downloads_the_workbook_named_by_period_never_cached_and_audited_as_disclose()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/export/all.xlsx?period=academic_year&academicYear=2025&borough={newham}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("report-2025-09-01-to-2026-08-31.xlsx",
            response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var sheets = WorkbookReading.Read(bytes);
        Assert.Equal(["Selection", "Definitions", "Headline figures", "Stage by stage", "Disproportionality", "Cohort", "Activity", "By borough", "By school",
            "By offence category"], sheets.Select(s => s.Name));
        var selection = sheets.Sheet("Selection");
        Assert.Equal("Newham", selection.Row("Filters")[1].Text);
        Assert.StartsWith("10:00 BST on 15 June 2026", selection.Row("Data as at")[1].Text);
        var headlines = sheets.Sheet("Headline figures");
        Assert.Equal(("7", true), (headlines.Row("Referrals")[1].Text, headlines.Row("Referrals")[1].Number));
        // The same cells as the CSV of the same selection.
        var csv = ReportCsvTests.Parse(Encoding.UTF8.GetString((await (await client.GetAsync(
            $"/reports/export/funnel.csv?period=academic_year&academicYear=2025&borough={newham}")).Content.ReadAsByteArrayAsync())[3..]));
        var funnel = sheets.Sheet("Stage by stage");
        Assert.Equal(csv.Count, funnel.Rows.Count);
        for (var r = 0; r < csv.Count; r++)
        {
            Assert.Equal(csv[r], funnel.Texts(r).Concat(Enumerable.Repeat("", csv[r].Length - funnel.Rows[r].Count)));
        }
        Assert.DoesNotContain(sheets.SelectMany(s => s.Rows).SelectMany(r => r), c => c.Text.Contains("Young", StringComparison.Ordinal)
            || c.Text.Contains("Haggerston", StringComparison.Ordinal));
        Assert.Equal(
            [
                ("disclose", "report", "all", "xlsx workbook", $"period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White"),
                ("disclose", "report", "funnel", "csv export", $"period=academic_year&academicYear=2025&borough={newham}&trend=month&reference=White"),
            ],
            await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_forged_borough_gets_no_workbook_and_is_audited_as_access_denied()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync($"/reports/export/all.xlsx?period=academic_year&academicYear=2025&borough={hackney}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Choose a borough from the list", await response.Content.ReadAsStringAsync());
        Assert.Equal([("access_denied", "borough", hackney.ToString(), null, "report selection for a borough outside the user's scope or missing")],
            await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_bad_period_gets_a_message_and_no_workbook()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/export/all.xlsx?period=custom&from=2026-03-05&to=2026-03-01");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("End date must be the same as or after the start date", await response.Content.ReadAsStringAsync());
        Assert.Empty(await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_referrer_gets_403_for_the_workbook_and_the_refusal_is_audited()
    {
        using var client = await SignedInAsync(officer);

        var response = await client.GetAsync("/reports/export/all.xlsx?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("access_denied", "page", "/reports/export/all.xlsx", null, null)], await AuditAsync(officer));
    }

    [Theory]
    [InlineData("/reports/export/all.csv")]
    [InlineData("/reports/export/headlines.xlsx")]
    public async Task The_workbook_route_and_the_tables_route_do_not_answer_for_each_other(string path)
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync(path + "?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_referrer_cannot_open_the_reports_page()
    {
        using var client = await SignedInAsync(officer);

        var response = await client.GetAsync("/reports");

        Assert.DoesNotContain("Headline figures", await response.Content.ReadAsStringAsync());
        Assert.Contains(await AuditAsync(officer), e => e is ("access_denied", "page", "/reports", _, _));
    }

    // The board report (PDF): the same rules, through the same path.

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
    public async Task The_board_report_of_a_forged_borough_is_refused_audited_as_access_denied_and_discloses_nothing()
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
    public async Task A_bad_selection_gets_a_message_and_no_board_report()
    {
        using var client = await SignedInAsync(reviewer);

        var response = await client.GetAsync("/reports/board.pdf?period=custom&from=2026-03-05&to=2026-03-01");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("End date must be the same as or after the start date", await response.Content.ReadAsStringAsync());
        Assert.Empty(await AuditAsync(reviewer));
    }

    [Fact]
    public async Task A_referrer_asking_for_the_board_report_gets_403_and_the_refusal_is_audited()
    {
        using var client = await SignedInAsync(officer);

        var response = await client.GetAsync("/reports/board.pdf?period=academic_year&academicYear=2025");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotEqual("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("access_denied", "page", "/reports/board.pdf", null, null)], await AuditAsync(officer));
    }
}
