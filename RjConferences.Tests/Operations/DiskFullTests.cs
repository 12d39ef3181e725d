using System.Globalization;
using System.Net;
using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.MyWork;
using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;
using RjConferences.Features.Referrals.New;
using RjConferences.Security;
using RjConferences.Security.Account;
using RjConferences.Tests.Components;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// Issue 17: the SQLite database on a real 12 MB filesystem (a tmpfs) that fills up, as an operator tried it. Every save,
/// the opening of a case, sign-in and /health must say plainly that nothing could be stored, keep what the user typed,
/// and work again once space is freed, with nothing half-written. SQLite only (PostgreSQL's disk cannot be filled
/// safely: <see cref="LockTimeoutTests"/> covers its refusals); skipped with the reason where a tmpfs cannot be mounted.
/// </summary>
[Trait("Category", "SqliteOnly")]
public sealed class DiskFullTests : BunitContext
{
    private readonly TinyDisk disk;
    private readonly TestDatabase database;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 15, 10, 30, 0, TimeSpan.Zero));
    private SqliteConnection? keeper;

    public DiskFullTests()
    {
        disk = TinyDisk.Mount();
        database = new TestDatabase(provider: DatabaseProvider.Sqlite, folder: Path.Combine(disk.MountPoint, "db"));
    }

    /// <summary>Fills the disk under the database, one connection kept open as the app's pool would (<see cref="TinyDisk.FillUnderAsync"/>).</summary>
    private async Task FillDiskAsync(long leaveFree = 0) =>
        await disk.FillUnderAsync(keeper ??= (SqliteConnection)await database.Db.OpenAsync(), leaveFree);

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await database.Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Nothing half-written: SQLite finds the file sound, and the audit hash chain is whole.</summary>
    private async Task AssertSoundAsync()
    {
        Assert.Equal("ok", await ScalarAsync<string>("PRAGMA integrity_check"));
        await using var services = TestServices.Build(database, clock);
        Assert.True((await services.GetRequiredService<AuditLog>().VerifyAsync()).Intact);
    }

    private void SignInAs(TestUser user, params string[] roles)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(user.Email);
        auth.SetRoles(roles);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    [TinyDiskFact]
    public async Task A_referral_saved_on_a_full_disk_is_refused_in_the_error_summary_with_every_answer_kept_and_saves_once_space_is_freed()
    {
        Services.RegisterApp(database, clock);
        await using (var identity = TestUsers.Services(database, clock))
        {
            SignInAs(await TestUsers.CreateAsync(identity, "referrer@school.example", [Roles.Referrer], ["Newham/Langdon Park"]), Roles.Referrer);
        }
        var page = Render<NewReferralPage>();
        page.WaitForAssertion(() => Assert.Equal("The offence", NewReferralTests.Heading(page)));
        NewReferralTests.FillToCheckAnswers(page);
        await FillDiskAsync();

        NewReferralTests.Click(page, "Save referral");

        // Said in the error summary, on the same circuit, with every answer still on the page.
        page.WaitForAssertion(() => Assert.Equal(
            [SaveResult.NotSavedMessage(DbFailure.NoRoom, "The referral")], NewReferralTests.Summary(page)));
        Assert.Equal("Check your answers", NewReferralTests.Heading(page));
        Assert.Contains("Kwame Mensah", NewReferralTests.Text(page));
        Assert.Contains("Pushed another pupil in the lunch queue.", NewReferralTests.Text(page));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM cases"));

        disk.Free();
        NewReferralTests.Click(page, "Save referral");

        page.WaitForAssertion(() => Assert.Equal("Referral recorded", NewReferralTests.Heading(page)));
        Assert.Equal((1L, 3L), (await ScalarAsync<long>("SELECT count(*) FROM cases"), await ScalarAsync<long>("SELECT count(*) FROM parties")));
        await AssertSoundAsync();
    }

    [TinyDiskFact]
    public async Task A_case_whose_opening_cannot_be_recorded_is_not_shown_and_opens_once_space_is_freed()
    {
        Services.RegisterApp(database, clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var cases = new TestCases(database.Db, clock);
        var officer = await TestUsers.CreateAsync(cases.Services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park"]);
        var (caseId, reference) = await new TestReferral(await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park"), new DateOnly(2026, 6, 10))
            .SaveAsync(cases.Referrals, officer.Id);
        SignInAs(officer, Roles.Referrer);
        const string consults = "SELECT count(*) FROM audit_events WHERE action = 'consult' AND entity_id = @id";
        await FillDiskAsync();

        var page = Render<CasePage>(p => p.Add(x => x.Id, caseId));

        page.WaitForAssertion(() => Assert.Contains("its viewing could not be recorded: the server has run out of storage space",
            page.Find("[data-testid=case-not-recorded]").TextContent));
        Assert.Equal("This case cannot be shown right now", page.Find("h1").TextContent);
        Assert.DoesNotContain("Okafor", page.Markup); // nothing of the case is shown
        Assert.DoesNotContain(reference, page.Markup);
        Assert.Equal(0L, await ScalarAsync<long>(consults, new { id = caseId.ToString() }));

        disk.Free();
        await page.FindAll("button").Single(b => b.TextContent.Trim() == "Try again").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal($"Case {reference}", page.Find("h1").TextContent));
        Assert.Equal(1L, await ScalarAsync<long>(consults, new { id = caseId.ToString() }));
        await AssertSoundAsync();
    }

    [TinyDiskFact]
    public async Task Sign_in_and_health_on_a_full_disk_answer_503_signed_out_and_cannot_write_then_work_once_space_is_freed()
    {
        TestUser user;
        await using (var identity = TestUsers.Services(database, clock))
        {
            user = await TestUsers.CreateAsync(identity, "referrer@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        }
        using var app = new AppHost(database, settings: new Dictionary<string, string?>
        {
            ["Health:WriteProbeSeconds"] = "0",
            ["Health:MinimumFreeMegabytes"] = "2",
            ["Health:MinimumFreePercent"] = "0",
        });
        using var client = new FormClient(app);
        async Task<(HttpStatusCode, string)> HealthAsync()
        {
            var response = await client.GetAsync("/health");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync());
        await client.GetAsync("/account/login"); // the app's first form: its data-protection key is written now

        await FillDiskAsync(leaveFree: 1 << 20);
        var (lowStatus, low) = await HealthAsync();
        Assert.Equal(HttpStatusCode.OK, lowStatus); // Degraded still answers 200: the app works, the operator is warned
        Assert.StartsWith("Degraded\ndatabase: Degraded: Low disk space: ", low);

        await FillDiskAsync();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy\ndatabase: Unhealthy: The database cannot write: the disk is full."), await HealthAsync());

        var refused = await client.SignInAsync(user.Email, TestUsers.Password);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Contains(Login.CannotRecordMessage, page);
        Assert.Contains("<h1>Sign in</h1>", page);
        Assert.DoesNotContain("Signed in as", page);
        Assert.DoesNotContain("Sign out", page);
        Assert.DoesNotContain(client.Cookies.GetCookies(new Uri(app.BaseUrl)), c => c.Name.StartsWith("rj.auth", StringComparison.Ordinal));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'sign_in'"));

        disk.Free();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync());
        var signedIn = await client.SignInAsync(user.Email, TestUsers.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(client.Cookies.GetCookies(new Uri(app.BaseUrl)), c => c.Name.StartsWith("rj.auth", StringComparison.Ordinal));
        await AssertSoundAsync();
    }

    /// <summary>
    /// The administration pages, as the referral wizard: a room added, a user's details changed, an account disabled and a failed
    /// message tried again from the outbox on a full disk are each refused in the page's error summary, with what the
    /// administrator typed still in the form (before, the page fell into "Sorry, something went
    /// wrong" and lost it), and each saves once space is freed.
    /// </summary>
    [TinyDiskFact]
    public async Task Administration_saves_on_a_full_disk_are_refused_in_the_error_summary_with_the_form_kept_and_save_once_space_is_freed()
    {
        Services.RegisterApp(database, clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        TestUser admin, teacher;
        await using (var identity = TestUsers.Services(database, clock))
        {
            admin = await TestUsers.CreateAsync(identity, "admin@partnership.example", [Roles.Administrator]);
            teacher = await TestUsers.CreateAsync(identity, "teacher@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        }
        SignInAs(admin, Roles.Administrator);
        var schoolId = await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park");
        const string subject = "Reminder: conference on 17 June 2026";
        var failed = await database.Db.WriteAsync(async (connection, transaction) =>
        {
            var id = await Outbox.EnqueueAsync(connection, transaction,
                new OutboxMessage("conference_reminder", "two@school.example", null, subject, "A conference at 11:00."), clock.GetUtcNow());
            await connection.ExecuteAsync("UPDATE outbox SET status = 'failed', attempts = 1 WHERE id = @id", new { id }, transaction);
            return id;
        });
        static string Field(string key) => $"[id='{FieldIds.For(key)}']";
        static List<string> Summary(IRenderedComponent<IComponent> page) =>
            page.FindAll("[data-testid=error-summary] li").Select(li => li.TextContent.Trim()).ToList();
        static void Click(IRenderedComponent<IComponent> page, string button) =>
            page.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();
        static void TryAgain(IRenderedComponent<IComponent> outbox) =>
            outbox.FindAll("button").Single(b => b.TextContent.StartsWith("Try again", StringComparison.Ordinal)).Click();

        // A room.
        var rooms = (IRenderedComponent<IComponent>)Render<RjConferences.Features.Admin.RoomsPage>();
        rooms.WaitForAssertion(() => rooms.Find(Field("RoomSchool")).Change(schoolId.ToString(CultureInfo.InvariantCulture)));
        rooms.WaitForAssertion(() => rooms.Find(Field("Name")).Change("Library"));
        rooms.Find(Field("Capacity")).Change("6");
        await FillDiskAsync();

        Click(rooms, "Add room");

        rooms.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom, "The room")], Summary(rooms)));
        Assert.Equal(("Library", "6"), (rooms.Find(Field("Name")).GetAttribute("value"), rooms.Find(Field("Capacity")).GetAttribute("value")));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM rooms WHERE name = 'Library'"));

        // A user's details, and disabling the account.
        var user = (IRenderedComponent<IComponent>)Render<RjConferences.Features.Admin.UserEditPage>(p => p.Add(x => x.Id, teacher.Id));
        user.WaitForAssertion(() => user.Find(Field("DisplayName")).Change("Sam Okoro"));

        Click(user, "Save changes");

        user.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom)], Summary(user)));
        Assert.Equal("Sam Okoro", user.Find(Field("DisplayName")).GetAttribute("value"));
        user.FindAll("button").Single(b => b.TextContent.Trim().StartsWith("Disable account", StringComparison.Ordinal)).Click();
        user.FindAll("button").Single(b => b.TextContent.Trim().StartsWith("Yes, disable account", StringComparison.Ordinal)).Click();
        user.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom, "Disabling the account")], Summary(user)));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM users WHERE disabled_at IS NOT NULL OR display_name = 'Sam Okoro'"));

        // A failed message tried again from the outbox.
        var outbox = (IRenderedComponent<IComponent>)Render<OutboxPage>();
        outbox.WaitForAssertion(() => Assert.Single(outbox.FindAll("[data-testid=outbox-row]")));
        TryAgain(outbox);
        outbox.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom, $"Sending “{subject}” again")], Summary(outbox)));
        Assert.Empty(outbox.FindAll("[data-testid=outbox-message]"));
        Assert.Equal("failed", await ScalarAsync<string>("SELECT status FROM outbox WHERE id = @failed", new { failed }));

        disk.Free();
        TryAgain(outbox);
        outbox.WaitForAssertion(() => Assert.Contains("will be sent again shortly", outbox.Find("[data-testid=outbox-message]").TextContent));
        Assert.Empty(Summary(outbox));
        Assert.Equal("queued", await ScalarAsync<string>("SELECT status FROM outbox WHERE id = @failed", new { failed }));
        Click(rooms, "Add room");
        rooms.WaitForAssertion(() => Assert.Equal("Library has been added.", rooms.Find("[data-testid=rooms-status]").TextContent));
        Click(user, "Save changes");
        user.WaitForAssertion(() => Assert.Equal("Your changes have been saved.", user.Find("[role=status]").TextContent));
        Assert.Equal((1L, 1L), (await ScalarAsync<long>("SELECT count(*) FROM rooms WHERE name = 'Library' AND capacity = 6"),
            await ScalarAsync<long>("SELECT count(*) FROM users WHERE display_name = 'Sam Okoro'")));
        await AssertSoundAsync();
    }

    /// <summary>
    /// Marking a letter on the print list as posted on a full disk: refused in the error summary, the letter still waiting and
    /// nothing stored or audited; the same button marks it once space is freed.
    /// </summary>
    [TinyDiskFact]
    public async Task A_letter_marked_as_posted_on_a_full_disk_is_refused_in_the_error_summary_stays_on_the_print_list_and_is_marked_once_space_is_freed()
    {
        Services.RegisterApp(database, clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var cases = new TestCases(database.Db, clock);
        var teacher = await TestUsers.CreateAsync(cases.Services, "teacher@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        var (caseId, reference) = await new TestReferral(await TestCases.SchoolIdAsync(database.Db, "Newham/Langdon Park"), new DateOnly(2026, 6, 10))
            .SaveAsync(cases.Referrals, teacher.Id);
        var letter = await TestCases.LetterOnPrintListAsync(database.Db, caseId, "Grace Okafor", "Reminder: conference on 17 June 2026", clock.GetUtcNow());
        SignInAs(teacher, Roles.Referrer);
        const string posted = "SELECT count(*) FROM outbox WHERE id = @letter AND posted_at IS NOT NULL";
        const string audited = "SELECT count(*) FROM audit_events WHERE action = 'alter' AND justification LIKE '%marked as posted'";
        var page = Render<PrintListPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=print-list-row]")));
        void MarkAsPosted()
        {
            page.FindAll("button").Single(b => b.TextContent.StartsWith("Mark as posted", StringComparison.Ordinal)).Click();
            page.FindAll("button").Single(b => b.TextContent.StartsWith("Yes, mark as posted", StringComparison.Ordinal)).Click();
        }
        await FillDiskAsync();

        MarkAsPosted();

        page.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom, "That the letter to Grace Okafor was posted")],
            page.FindAll("[data-testid=error-summary] li").Select(li => li.TextContent.Trim())));
        Assert.Contains(reference, page.Find("[data-testid=print-list-row]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=print-list-message]"));
        Assert.Equal((0L, 0L), (await ScalarAsync<long>(posted, new { letter }), await ScalarAsync<long>(audited)));

        disk.Free();
        MarkAsPosted();

        page.WaitForAssertion(() => Assert.Equal($"The letter to Grace Okafor (case {reference}) is marked as posted.",
            page.Find("[data-testid=print-list-message]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=error-summary]"));
        Assert.Equal("No letters are waiting to be printed.", page.Find("[data-testid=print-list-summary]").TextContent);
        Assert.Equal((1L, 1L), (await ScalarAsync<long>(posted, new { letter }), await ScalarAsync<long>(audited)));
        await AssertSoundAsync();
    }

    /// <summary>
    /// A user's own email settings on a full disk: the save is refused in the error summary with the choice still made on the
    /// form and nothing stored, and the same button saves it once space is freed.
    /// </summary>
    [TinyDiskFact]
    public async Task Email_settings_saved_on_a_full_disk_are_refused_with_the_choice_kept_and_save_once_space_is_freed()
    {
        Services.RegisterApp(database, clock);
        JSInterop.Mode = JSRuntimeMode.Loose;
        TestUser teacher;
        await using (var identity = TestUsers.Services(database, clock))
        {
            teacher = await TestUsers.CreateAsync(identity, "teacher@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        }
        SignInAs(teacher, Roles.Referrer);
        var digests = Services.GetRequiredService<WorkDigests>();
        var page = Render<EmailSettingsPage>();
        page.WaitForAssertion(() => Assert.True(page.Find("#field-WeeklyDigest-no").HasAttribute("checked")));
        page.Find("#field-WeeklyDigest").Change("yes");
        await FillDiskAsync();

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal([SaveResult.NotSavedMessage(DbFailure.NoRoom, "Your email settings")],
            page.FindAll("[data-testid=error-summary] li").Select(li => li.TextContent.Trim())));
        Assert.True(page.Find("#field-WeeklyDigest").HasAttribute("checked"));
        Assert.Empty(page.FindAll("[data-testid=email-settings-saved]"));
        Assert.False(await digests.WantsWeeklyAsync(teacher.Id));

        disk.Free();
        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("You will get the weekly digest of My work.",
            page.Find("[data-testid=email-settings-saved]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=error-summary]"));
        Assert.True(await digests.WantsWeeklyAsync(teacher.Id));
        await AssertSoundAsync();
    }

    /// <summary>
    /// The <c>backup</c> command onto a full disk: it says the backup was not made and leaves nothing at the target (before, a
    /// copy cut short stayed there under the name the operator gave, unchecked); once space is freed it makes a checked copy.
    /// </summary>
    [TinyDiskFact]
    public async Task A_backup_onto_a_full_disk_is_refused_leaving_no_file_and_is_made_and_checked_once_space_is_freed()
    {
        await using (var identity = TestUsers.Services(database, clock))
        {
            await TestUsers.CreateAsync(identity, "referrer@school.example", [Roles.Referrer], ["Newham/Langdon Park"]);
        }
        var target = Path.Combine(disk.MountPoint, "copy.db");
        await FillDiskAsync();

        var refused = await AppProcess.RunAsync(database.ConnectionString, null, "backup", target);

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("The backup was not made: ", refused.Error.Trim());
        Assert.DoesNotContain("   at ", refused.Error);
        Assert.Equal([], Directory.GetFiles(disk.MountPoint, "copy.db*"));

        disk.Free();
        var made = await AppProcess.RunAsync(database.ConnectionString, null, "backup", target);

        Assert.True(made.ExitCode == 0, made.Error);
        Assert.Contains("SQLite's integrity check of the copy: ok", made.Output);
        Assert.Equal([target], Directory.GetFiles(disk.MountPoint, "copy.db*"));
        await using var copy = new SqliteConnection(TestDatabase.ConnectionStringFor(target));
        await copy.OpenAsync();
        Assert.Equal(1L, await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE email = 'referrer@school.example'"));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            keeper?.Dispose();
            database.Dispose();
            disk.Dispose();
        }
    }
}
