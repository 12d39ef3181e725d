using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// Two app instances (separate processes, the built app) on one PostgreSQL database, behind HAProxy configured from
/// docs/haproxy.cfg (sticky cookie, WebSockets, health checks), started by the test; Chromium goes through the balancer
/// only. A browser is sent to an instance by the balancer's cookie (<see cref="Haproxy.CookieName"/>, whose value names
/// the server), and every document response says which server answered (<see cref="Haproxy.ServedByHeader"/>), so the
/// tests see where each browser landed. Runs once, in the PostgreSQL pass of ./test.sh (Category=PostgresPass), where the
/// cores have room to spare; it needs a PostgreSQL server (RJ_TEST_POSTGRES) and HAProxy: without either it fails and says
/// what is missing.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "PostgresPass")]
public sealed class TwoInstanceTests(BrowserFixture browser, TwoInstanceCluster cluster) : IClassFixture<TwoInstanceCluster>, IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];

    // A test that killed an instance leaves it stopped: each test starts with both instances up behind the balancer.
    public Task InitializeAsync() => cluster.EnsureBothUpAsync();

    public async Task DisposeAsync()
    {
        var n = 0;
        foreach (var context in contexts)
        {
            foreach (var page in context.Pages)
            {
                // For a failure's story: where each browser ended (in the temporary folder, overwritten by the next run).
                try { await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"rj-two-instance-{++n}.png") }); }
                catch (PlaywrightException) { }
            }
            await context.CloseAsync();
        }
    }

    /// <summary>A browser context on the balancer, in en-GB and London time; sent to <paramref name="instance"/> when given (by the balancer's cookie).</summary>
    private async Task<IPage> NewPageAsync(string? instance = null)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = cluster.Balancer.BaseUrl,
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ReducedMotion = ReducedMotion.Reduce,
        });
        context.SetDefaultTimeout(20_000);
        contexts.Add(context);
        if (instance is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = Haproxy.CookieName, Value = instance, Url = cluster.Balancer.BaseUrl }]);
        }
        return await context.NewPageAsync();
    }

    /// <summary>The balancer's cookie in the page's browser: the instance that browser is sent to.</summary>
    private static async Task<string?> InstanceCookieAsync(IPage page) =>
        (await page.Context.CookiesAsync()).FirstOrDefault(c => c.Name == Haproxy.CookieName)?.Value;

    /// <summary>Loads <paramref name="path"/> as a whole page, checks which instance answered, and waits for the circuit.</summary>
    private static async Task GotoOnAsync(IPage page, string path, string instance)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(instance, await response.HeaderValueAsync(Haproxy.ServedByHeader));
        await page.WaitForInteractiveAsync();
    }

    /// <summary>Signs in through the sign-in page and checks that the instance of <paramref name="instance"/> served it.</summary>
    private static async Task SignInOnAsync(IPage page, TestUser user, string instance)
    {
        var response = await page.GotoAsync("/account/login");
        Assert.Equal(instance, await response!.HeaderValueAsync(Haproxy.ServedByHeader));
        await page.SignInAsync(user);
        Assert.Equal(instance, await InstanceCookieAsync(page));
    }

    [Fact]
    public async Task Users_sign_in_through_the_balancer_which_keeps_each_browser_on_one_instance_with_its_circuit_over_a_websocket()
    {
        var officer = cluster.Officer;
        var first = await NewPageAsync();
        var second = await NewPageAsync();
        var webSockets = new List<string>();
        first.WebSocket += (_, socket) => webSockets.Add(socket.Url);

        foreach (var page in new[] { first, second })
        {
            var response = await page.GotoAsync("/account/login");
            var servedBy = await response!.HeaderValueAsync(Haproxy.ServedByHeader);
            Assert.Contains(servedBy, TwoInstanceCluster.Instances);
            // The balancer's first answer names the instance in its cookie; the browser goes back there from now on.
            Assert.Equal(servedBy, await InstanceCookieAsync(page));
            await page.AssertAccessibleAsync();
            await page.SignInAsync(officer);
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync("Signed in as");
            await page.AssertAccessibleAsync();
            Assert.Equal(servedBy, await InstanceCookieAsync(page));
        }
        // Round robin: two new browsers land on the two instances.
        Assert.NotEqual(await InstanceCookieAsync(first), await InstanceCookieAsync(second));

        // The circuit runs over a WebSocket through the balancer, on the browser's own instance: a page of the app
        // reached by a link (no new document) is rendered by it.
        Assert.Contains(webSockets, url => url.StartsWith(cluster.Balancer.BaseUrl.Replace("http:", "ws:"), StringComparison.Ordinal));
        var instance = (await InstanceCookieAsync(first))!;
        await first.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Schools" }).ClickAsync();
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "Schools", Level = 1 })).ToBeVisibleAsync();
        await first.AssertAccessibleAsync();
        await GotoOnAsync(first, "/schools", instance);
        await Assertions.Expect(first.GetByTestId("signed-in-as")).ToContainTextAsync("Signed in as");
    }

    [Fact]
    public async Task The_same_room_and_time_booked_at_once_from_browsers_on_the_two_instances_gives_one_conference_and_a_clear_clash_to_the_other()
    {
        var room = await cluster.NewRoomAsync();
        var caseOfJones = await cluster.ReadyCaseAsync(cluster.Officer, "Kwame", "Mensah");
        var caseOfPatel = await cluster.ReadyCaseAsync(cluster.Colleague, "Zofia", "Nowak");
        var onA = await NewPageAsync("a");
        var onB = await NewPageAsync("b");
        await SignInOnAsync(onA, cluster.Officer, "a");
        await SignInOnAsync(onB, cluster.Colleague, "b");
        await onA.AssertAccessibleAsync();

        var date = TwoInstanceCluster.BookingDate(0);
        await FillBookingAsync(onA, caseOfJones, "a", room, date, "10:00");
        await FillBookingAsync(onB, caseOfPatel, "b", room, date, "10:00");

        // Both press "Book conference" at once; when the date has warnings (a holiday), both confirm them at once.
        await Task.WhenAll(PressAsync(onA, "Book conference"), PressAsync(onB, "Book conference"));
        var outcomes = await Task.WhenAll(OutcomeAsync(onA), OutcomeAsync(onB));
        if (outcomes.All(o => o == Outcome.Warnings))
        {
            await Task.WhenAll(PressAsync(onA, "Book anyway"), PressAsync(onB, "Book anyway"));
            outcomes = await Task.WhenAll(OutcomeAsync(onA, afterWarnings: true), OutcomeAsync(onB, afterWarnings: true));
        }

        Assert.Equal([Outcome.Booked, Outcome.Refused], outcomes.Order());
        var (winner, loser) = outcomes[0] == Outcome.Booked ? (onA, onB) : (onB, onA);
        await Assertions.Expect(winner.GetByTestId("booked-time")).ToContainTextAsync("10:00–11:00");
        await winner.AssertAccessibleAsync();
        var summary = loser.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToContainTextAsync($"{room.Name} is booked 10:00–11:00");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await loser.AssertAccessibleAsync();
        // Each browser stayed on its own instance throughout.
        Assert.Equal("a", await InstanceCookieAsync(onA));
        Assert.Equal("b", await InstanceCookieAsync(onB));

        await using var connection = await cluster.Database.Db.OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM conferences WHERE room_id = @Id AND status = 'scheduled'", new { room.Id }));
        // The loser's case is still ready to schedule; the winner's has its conference.
        var loserCase = ReferenceEquals(loser, onA) ? caseOfJones : caseOfPatel;
        Assert.Equal(CaseStatus.ReadyToSchedule, await connection.ExecuteScalarAsync<string>("SELECT status FROM cases WHERE id = @loserCase", new { loserCase }));
    }

    [Fact]
    public async Task A_user_disabled_by_an_administrator_on_one_instance_is_signed_out_on_the_other()
    {
        var user = await cluster.NewUserAsync("Rita Referrer");
        var userPage = await NewPageAsync("b");
        await SignInOnAsync(userPage, user, "b");
        await GotoOnAsync(userPage, "/schools", "b");
        await userPage.AssertAccessibleAsync();

        var adminPage = await NewPageAsync("a");
        await SignInOnAsync(adminPage, cluster.Administrator, "a");
        await GotoOnAsync(adminPage, $"/admin/users/{user.Id}", "a");
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "Rita Referrer", Level = 1 })).ToBeVisibleAsync();
        await adminPage.AssertAccessibleAsync();
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "Disable account Rita Referrer" }).ClickAsync();
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "Yes, disable account Rita Referrer" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Status)).ToContainTextAsync("The account is disabled and its sessions have ended.");
        await adminPage.AssertAccessibleAsync();

        // Her next page, on instance b, which never saw the change, ends at the sign-in page.
        var response = await userPage.GotoAsync("/schools");
        Assert.Equal("b", await response!.HeaderValueAsync(Haproxy.ServedByHeader));
        await userPage.WaitForURLAsync("**/account/login**");
        await Assertions.Expect(userPage.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Assertions.Expect(userPage.GetByTestId("signed-in-as")).ToHaveCountAsync(0);
        await userPage.AssertAccessibleAsync();
        // And she cannot sign in again there.
        await userPage.GetByLabel("Email address").FillAsync(user.Email);
        await userPage.GetByLabel("Password").FillAsync(user.Password);
        await userPage.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(userPage.GetByText("Enter a correct email address and password").First).ToBeVisibleAsync();
        await userPage.AssertAccessibleAsync();
    }

    [Fact]
    public async Task When_an_instance_is_killed_its_users_carry_on_from_the_other_still_signed_in_with_what_they_saved()
    {
        var room = await cluster.NewRoomAsync();
        var first = await cluster.ReadyCaseAsync(cluster.Officer, "Amara", "Okoro");
        var second = await cluster.ReadyCaseAsync(cluster.Officer, "Tomasz", "Kowal");
        var colleaguesCase = await cluster.ReadyCaseAsync(cluster.Colleague, "Leila", "Haddad");
        var date = TwoInstanceCluster.BookingDate(1);

        // Two users on instance a each book a conference there.
        var officer = await NewPageAsync("a");
        var colleague = await NewPageAsync("a");
        await SignInOnAsync(officer, cluster.Officer, "a");
        await SignInOnAsync(colleague, cluster.Colleague, "a");
        await FillBookingAsync(officer, first, "a", room, date, "10:00");
        await BookAsync(officer);
        await FillBookingAsync(colleague, colleaguesCase, "a", room, date, "13:00");
        await BookAsync(colleague);
        await GotoOnAsync(officer, $"/cases/{first}", "a");
        await GotoOnAsync(colleague, $"/cases/{colleaguesCase}", "a");

        // kill -9 instance a. Each page loses its circuit, reconnects through the balancer, which sends it to b; b does not
        // know the circuit, so the page reloads there.
        var reloads = new[] { officer, colleague }.Select(page => page.WaitForResponseAsync(
            r => r.Request.ResourceType == "document", new() { Timeout = 90_000 })).ToArray();
        var clock = Stopwatch.StartNew();
        await cluster.A.KillAsync();
        var documents = await Task.WhenAll(reloads);
        var failover = clock.Elapsed;
        foreach (var document in documents)
        {
            Assert.Equal(200, document.Status);
            Assert.Equal("b", await document.HeaderValueAsync(Haproxy.ServedByHeader));
        }

        // Still signed in, on b, where they were, with what they saved.
        foreach (var page in new[] { officer, colleague })
        {
            await page.WaitForInteractiveAsync();
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync("Signed in as");
            Assert.Equal("b", await InstanceCookieAsync(page));
        }
        foreach (var page in new[] { officer, colleague })
        {
            await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Conference scheduled");
            await page.AssertAccessibleAsync();
        }

        // And they carry on: the officer books the second case on b, next to the first.
        await FillBookingAsync(officer, second, "b", room, date, "15:00");
        await BookAsync(officer);
        await Assertions.Expect(officer.GetByTestId("booked-time")).ToContainTextAsync("15:00–16:00");
        await using var connection = await cluster.Database.Db.OpenAsync();
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM conferences WHERE room_id = @Id AND status = 'scheduled'", new { room.Id }));
        Assert.True(failover < TimeSpan.FromSeconds(60), $"The pages took {failover.TotalSeconds:0} s to reload on the other instance.");
    }

    private enum Outcome { Booked, Refused, Warnings }

    /// <summary>Opens the booking page of <paramref name="caseId"/> on <paramref name="instance"/> and fills in the room, date and time.</summary>
    private static async Task FillBookingAsync(IPage page, Guid caseId, string instance, TwoInstanceCluster.Room room, DateOnly date, string time)
    {
        await GotoOnAsync(page, $"/cases/{caseId}", instance);
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Ready to schedule");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Book a conference", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Facilitator", new() { Exact = true })).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(".+"));
        await page.GetByLabel("Room", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"{room.Name} (seats 10)" });
        var group = page.GetByRole(AriaRole.Group, new() { Name = "Date", Exact = true });
        await group.GetByLabel("Day").FillAsync(date.Day.ToString());
        await group.GetByLabel("Month").FillAsync(date.Month.ToString());
        await group.GetByLabel("Year").FillAsync(date.Year.ToString());
        await page.GetByLabel("Start time").FillAsync(time);
        await page.AssertAccessibleAsync();
    }

    private static Task PressAsync(IPage page, string button) => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();

    /// <summary>What the booking page shows after a press: the confirmation, the error summary, or warnings to confirm.</summary>
    private static async Task<Outcome> OutcomeAsync(IPage page, bool afterWarnings = false)
    {
        var booked = page.GetByTestId("booked-time");
        var refused = page.GetByTestId("error-summary");
        var warnings = page.GetByRole(AriaRole.Button, new() { Name = "Book anyway" });
        var any = afterWarnings ? booked.Or(refused) : booked.Or(refused).Or(warnings);
        await Assertions.Expect(any.First).ToBeVisibleAsync();
        if (await booked.IsVisibleAsync()) return Outcome.Booked;
        if (await refused.IsVisibleAsync()) return Outcome.Refused;
        return Outcome.Warnings;
    }

    /// <summary>Books what the page holds, confirming any warnings (the date may be in a holiday), and waits for the confirmation.</summary>
    private static async Task BookAsync(IPage page)
    {
        await PressAsync(page, "Book conference");
        if (await OutcomeAsync(page) == Outcome.Warnings)
        {
            await page.AssertAccessibleAsync();
            await PressAsync(page, "Book anyway");
        }
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Conference booked" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
    }
}

/// <summary>
/// One fresh PostgreSQL database, two app instances on it ("a" and "b", each its own process) and HAProxy before them,
/// for <see cref="TwoInstanceTests"/>; plus a Langdon Park world: an administrator and two referrer-facilitators with
/// current training, created through the app's own services in the test process (on the machine's clock, which the
/// instances share).
/// </summary>
public sealed class TwoInstanceCluster : IAsyncLifetime
{
    public static readonly string[] Instances = ["a", "b"];

    private ServiceProvider services = null!;
    private long schoolId;
    private int rooms;

    public TestDatabase Database { get; private set; } = null!;
    public AppServer A { get; private set; } = null!;
    public AppServer B { get; private set; } = null!;
    public Haproxy Balancer { get; private set; } = null!;
    public TestUser Administrator { get; private set; } = null!;
    public TestUser Officer { get; private set; } = null!;
    public TestUser Colleague { get; private set; } = null!;

    public sealed record Room(long Id, string Name);

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable) is not { Length: > 0 })
        {
            throw new InvalidOperationException(
                $"The two-instance tests need a PostgreSQL server: set {TestDatabase.PostgresVariable}, e.g. " +
                "\"Host=127.0.0.1;Port=5432;Username=postgres\" (./test.sh starts a throwaway server and sets it).");
        }
        Haproxy.Executable(); // fails with what to install

        Database = new TestDatabase(provider: DatabaseProvider.Postgres);
        services = TestServices.Build(Database.ConnectionString, InstanceClock);
        Administrator = await TestUsers.CreateAsync(services, "ada.admin@rj.example", [Roles.Administrator]);
        Officer = await TestUsers.CreateAsync(services, "pc.jones@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        Colleague = await TestUsers.CreateAsync(services, "sam.patel@newham.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        schoolId = await TestCases.SchoolIdAsync(Database.Db, "Newham/Langdon Park");
        var today = Today();
        await using (var connection = await Database.Db.OpenAsync())
        {
            foreach (var user in new[] { Officer, Colleague })
            {
                await connection.ExecuteAsync("""
                    INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                    VALUES (@Id, 'Restorative Justice Council', @completedOn, @refresherDueOn, @updatedAt)
                    """, new { user.Id, completedOn = today.AddYears(-1), refresherDueOn = today.AddYears(2), updatedAt = InstanceClock.GetUtcNow() });
            }
        }

        // Both instances start at once, as after a deployment: they share the database and its data-protection keys.
        A = new AppServer("a", Database.ConnectionString);
        B = new AppServer("b", Database.ConnectionString);
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
        Balancer = await Haproxy.StartAsync([A, B]);
    }

    /// <summary>Starts whichever instance a test killed, and waits until the balancer's checks see both up.</summary>
    public async Task EnsureBothUpAsync()
    {
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
        await Balancer.WaitForServersAsync(Instances, []);
    }

    /// <summary>
    /// The instances' clock: they are processes of their own, on the machine's clock (faked for the whole run, Chromium and
    /// the instances too, by <c>./test.sh --at</c>), so the rows this test writes for them and the days it books are taken
    /// from that clock, the one place this test reads it. The days chosen from it (<see cref="BookingDate"/>) hold on any date.
    /// </summary>
    private static readonly TimeProvider InstanceClock = TimeProvider.System;

    /// <summary>Today in London, on the instances' clock.</summary>
    public static DateOnly Today() => LondonTime.Today(InstanceClock);

    /// <summary>
    /// A weekday three weeks or more ahead (the <paramref name="test"/>th after it, so that tests sharing facilitators
    /// never clash with each other's bookings): clear of "now" on any clock the run has. It may fall in a holiday (a
    /// warning to confirm).
    /// </summary>
    public static DateOnly BookingDate(int test)
    {
        var date = Today().AddDays(21);
        for (var weekdays = -1; ; date = date.AddDays(1))
        {
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            if (++weekdays == test) return date;
        }
    }

    /// <summary>A new room at Langdon Park, for one test's bookings (so tests never clash with each other's).</summary>
    public async Task<Room> NewRoomAsync()
    {
        var name = $"Hall {Interlocked.Increment(ref rooms)}";
        await using var connection = await Database.Db.OpenAsync();
        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO rooms (school_id, name, capacity) VALUES (@schoolId, @name, 10) RETURNING id", new { schoolId, name });
        return new Room(id, name);
    }

    /// <summary>A Referrer at Langdon Park, new for each test that needs one.</summary>
    public Task<TestUser> NewUserAsync(string name) =>
        TestUsers.CreateAsync(services, $"{name.Replace(' ', '.').ToLowerInvariant()}.{Guid.NewGuid():N}@school.example", [Roles.Referrer], ["Newham/Langdon Park"])
            .ContinueWith(async created =>
            {
                var user = created.Result;
                await using var connection = await Database.Db.OpenAsync();
                await connection.ExecuteAsync("UPDATE users SET display_name = @name WHERE id = @Id", new { name, user.Id });
                return user;
            }).Unwrap();

    /// <summary>
    /// A new case at Langdon Park recorded by <paramref name="officer"/>, assessed suitable with every consent given:
    /// ready to schedule. Every person in it has a name of its own, so no booking clashes on a person.
    /// </summary>
    public async Task<Guid> ReadyCaseAsync(TestUser officer, string firstName, string lastName)
    {
        var today = Today();
        var principal = TestCases.Principal(officer.Id, [Roles.Referrer, Roles.Facilitator]);
        var (caseId, _) = await new TestReferral(schoolId, today.AddDays(-7))
        {
            FirstName = firstName, LastName = lastName, HarmedFirstName = "Harmed", HarmedLastName = lastName + "-Harmed", ParentFirstName = "Parent",
        }.SaveAsync(services.GetRequiredService<ReferralService>(), officer.Id);
        var changes = services.GetRequiredService<CaseChanges>();
        Assert.True((await changes.RecordSuitabilityAsync(caseId, new SuitabilityForm
        {
            RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "An apology", Outcome = "suitable",
        }, principal)).Saved);
        foreach (var party in (await services.GetRequiredService<CaseRepository>().GetAsync(caseId, officer.Id))!.Parties)
        {
            Assert.True((await changes.RecordConsentAsync(caseId, new ConsentForm
            {
                PartyId = party.Id, Purpose = "take_part", Decision = "given", DecidedOn = DateInput.From(today.AddDays(-1)), Method = "in_person",
            }, principal)).Saved);
        }
        return caseId;
    }

    public async Task DisposeAsync()
    {
        if (Balancer is not null) await Balancer.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        // For a failure's story: what the instances and the balancer logged (in the temporary folder, overwritten by the next run).
        foreach (var (name, text) in new[] { ("a", A?.Log), ("b", B?.Log), ("haproxy", Balancer?.Log) })
        {
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"rj-two-instance-{name}.log"), text ?? "");
        }
        if (services is not null) await services.DisposeAsync();
        Database?.Dispose();
    }
}
