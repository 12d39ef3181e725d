using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using RjConferences.Components.Forms;
using RjConferences.Features.FollowUps;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class FollowUpBrowserTests(BrowserFixture browser) : IDisposable
{
    // 20 June 2027: a year and five days after a conference on 15 June 2026.
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2027, 6, 20, 9, 0, 0, TimeSpan.Zero));
    private readonly AppHost app = new(clock: Clock);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task A_reviewer_records_the_12_month_check_and_the_case_closes_as_diverted()
    {
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var reviewer = await TestUsers.CreateAsync(app.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
        var db = app.Database.Db;
        var cases = new TestCases(db, Clock);
        var school = await TestCases.SchoolIdAsync(db, "Newham/Langdon Park");
        var (caseId, reference) = await new TestReferral(school, new DateOnly(2026, 6, 1)).SaveAsync(cases.Referrals, officer.Id);
        await using (var connection = await db.OpenAsync())
        {
            var room = await connection.ExecuteScalarAsync<long>("INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 2', 10) RETURNING id", new { school });
            await connection.ExecuteAsync("""
                INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, created_by, created_at, updated_at)
                VALUES (@id, @caseId, @school, @room, '2026-06-15T09:00:00.0000000Z', '2026-06-15T10:00:00.0000000Z', @officer, 'held', @officer, '2026-06-15T09:00:00.0000000Z', '2026-06-15T09:00:00.0000000Z')
                """, new { id = Guid.NewGuid(), caseId, school, room, officer = officer.Id });
            await connection.ExecuteAsync("UPDATE cases SET status = 'agreement_completed' WHERE id = @caseId", new { caseId });
        }
        await app.Services.GetRequiredService<DailyJob>().RunAsync();
        var checks = app.Services.GetRequiredService<FollowUpChecks>();
        var reviewerPrincipal = TestCases.Principal(reviewer.Id, Roles.YouthJusticeReviewer);
        foreach (var check in (await checks.ForCaseAsync(caseId, reviewer.Id)).Where(c => c.IntervalMonths < 12))
        {
            Assert.True(((await checks.RecordAsync(check.Id, new FollowUpForm
            {
                Source = "police_records", Result = "no_further_offending", CheckedOn = DateInput.From(check.DueOn.AddDays(2)),
            }, reviewerPrincipal)).Errors).IsEmpty);
        }

        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(reviewer);
        await Assertions.Expect(page.GetByTestId("checks-waiting")).ToHaveTextAsync("1 check is waiting, none overdue. Record follow-up checks");
        await Assertions.Expect(page.GetByTestId("checks-due")).ToContainTextAsync($"{reference} – 12-month check due 15 June 2027");
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Follow-up checks" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Record the 12-month check for {reference}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the check" }).ClickAsync();
        await Assertions.Expect(page.GetByText("There is a problem")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Police records").CheckAsync();
        await page.GetByLabel("No further offending").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the check" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"The 12-month check for {reference} has been recorded.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("follow-up-count")).ToHaveTextAsync("No follow-up checks are waiting.");
        await page.AssertAccessibleAsync();

        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Closed");
        await Assertions.Expect(page.GetByTestId("closure")).ToContainTextAsync("Closed: Diverted: did not enter the criminal justice system");
        await Assertions.Expect(page.GetByTestId("follow-up-checks")).ToContainTextAsync("12 months");
        await page.AssertAccessibleAsync();
    }
}
