using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

/// <summary>
/// The <c>seed-demo</c> command: fills an empty database with a realistic demonstration — one
/// account per role and about 200 cases in Newham's schools, in every status that exists so far.
/// <para>
/// Everything goes through the real services (<see cref="UserAccounts"/>, <see cref="ReferralService"/>,
/// <see cref="CaseChanges"/>), so the data obey every rule, and the timeline and the audit log are
/// what those services write. Only their clock is different: a settable one, moved through the
/// invented history (the last 18 months) one step at a time, in time order across all cases, so
/// that timeline and audit times run forward like real use. The random choices come from a fixed
/// seed: two runs on the same day make the same cases (ids and passwords differ).
/// </para>
/// </summary>
public static partial class DemoData
{
    public const string EmailDomain = "demo.rjconferences.example";
    public const int Seed = 2003;
    public const int InternalMatterCount = 12;
    public const int RepeatYoungPeople = 8;

    /// <summary>
    /// What happens to each case, and how many cases of each story: every status before a conference,
    /// then conferences booked (upcoming, or past with the outcome still to record), cancelled, not held,
    /// held with or without an agreement, agreements kept, broken or failed, follow-up and closure.
    /// </summary>
    public static readonly IReadOnlyList<Story> Stories =
    [
        new(CaseStatus.Referred, CaseStatus.Referred, 16), new(CaseStatus.NotEligible, CaseStatus.NotEligible, 20),
        new(CaseStatus.Assessing, CaseStatus.Assessing, 18), new(CaseStatus.NotSuitable, CaseStatus.NotSuitable, 14),
        new(CaseStatus.AwaitingConsent, CaseStatus.AwaitingConsent, 24), new(CaseStatus.Withdrawn, CaseStatus.Withdrawn, 14),
        new(Story.WithdrawnClosed, CaseStatus.Closed, 8), new(CaseStatus.ReadyToSchedule, CaseStatus.ReadyToSchedule, 16),
        new(Story.Upcoming, CaseStatus.ConferenceScheduled, 16), new(Story.OutcomeDue, CaseStatus.ConferenceScheduled, 3),
        new(Story.Cancelled, CaseStatus.ReadyToSchedule, 3), new(Story.NotHeld, CaseStatus.ReadyToSchedule, 3),
        new(Story.NoAgreement, CaseStatus.NoAgreement, 3), new(Story.NoAgreementClosed, CaseStatus.Closed, 5),
        new(Story.Active, CaseStatus.AgreementActive, 20), new(Story.NewConference, CaseStatus.ReadyToSchedule, 2),
        new(Story.Escalated, CaseStatus.Closed, 5), new(Story.FollowUp, CaseStatus.FollowUp, 30),
        new(Story.Diverted, CaseStatus.Closed, 24), new(Story.EnteredCjs, CaseStatus.Closed, 6),
    ];

    public static int CaseCount => Stories.Sum(s => s.Count);

    /// <summary>One kind of case history: its name (a status for the stories that end before a conference), the status it ends in, how many.</summary>
    public sealed record Story(string Name, string Status, int Count)
    {
        public const string WithdrawnClosed = "withdrawn_then_closed";
        public const string Upcoming = "conference_upcoming";
        public const string OutcomeDue = "outcome_to_record";
        public const string Cancelled = "conference_cancelled";
        public const string NotHeld = "conference_not_held";
        public const string NoAgreement = "no_agreement";
        public const string NoAgreementClosed = "no_agreement_then_closed";
        public const string Active = "agreement_active";
        public const string NewConference = "agreement_broken_new_conference";
        public const string Escalated = "agreement_failed_escalated";
        public const string FollowUp = "follow_up";
        public const string Diverted = "closed_diverted";
        public const string EnteredCjs = "closed_entered_cjs";

        /// <summary>Stories with a conference booked; the others end before one.</summary>
        public bool HasConference => Name is Upcoming or OutcomeDue or Cancelled or NotHeld or NoAgreement or NoAgreementClosed
            or Active or NewConference or Escalated or FollowUp or Diverted or EnteredCjs;

        /// <summary>Stories whose conference was held with an agreement.</summary>
        public bool HasAgreement => Name is Active or NewConference or Escalated or FollowUp or Diverted or EnteredCjs;
    }

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var db = services.GetRequiredService<Db>();
        await using (var connection = await db.OpenAsync())
        {
            var (users, cases) = await connection.QuerySingleAsync<(long, long)>(
                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM cases)");
            if (users > 0 || cases > 0)
            {
                await error.WriteLineAsync(
                    $"seed-demo fills an empty database only, and this one has {users:N0} account(s) and {cases:N0} case(s): nothing was changed. " +
                    "Point ConnectionStrings:Default at a new file (for example --ConnectionStrings:Default=\"Data Source=data/demo.db\") and run it again.");
                return 2;
            }
        }

        var realNow = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var clock = new SettableClock(realNow);
        var audit = new AuditLog(db, clock);
        var referrals = new ReferralService(db, new SchoolScope(db), audit, clock, services.GetRequiredService<IOptions<ReferralOptions>>());
        var work = new CaseWork(db, audit, clock);
        var changes = new CaseChanges(db, work, clock);
        var maxGravity = services.GetRequiredService<IOptions<ReferralOptions>>().Value.MaxGravity;

        var newham = await SchoolsOfAsync(db, "Newham");
        var towerHamlets = await SchoolsOfAsync(db, "Tower Hamlets");
        var random = new Random(Seed);
        var today = LondonTime.DateOf(realNow);
        var followUps = services.GetRequiredService<IOptions<FollowUpOptions>>();
        var calendar = await PlanCalendarAsync(db, newham[0].BoroughId, today);
        var planner = new Planner(random, today, newham, maxGravity,
            new ConferencePlanner(random, realNow, calendar.Calendar, followUps.Value.IntervalsMonths));
        var plans = planner.PlanCases();
        var matters = planner.PlanInternalMatters();
        var history = plans.Min(p => p.Steps[0].At).AddDays(-7);

        // The accounts exist a week before the first referral of the story.
        clock.Now = history;
        var accounts = new List<(string Email, string What, string Password, Guid Id)>();
        await using (var scope = services.CreateAsyncScope())
        {
            var userAccounts = new UserAccounts(db, scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(), audit, clock);
            async Task<Guid> CreateAsync(string local, string name, string[] roles, IEnumerable<long> schools, IEnumerable<long> boroughs, string what)
            {
                var password = UserAccounts.GeneratePassword();
                var email = $"{local}@{EmailDomain}";
                var result = await userAccounts.CreateAsync(
                    new NewAccount(name, email, roles, schools.ToList(), boroughs.ToList(), password, MustChangePassword: false), actorId: null);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"Could not create {email}: {string.Join("; ", result.Errors.SelectMany(e => e.Value))}");
                }
                accounts.Add((email, what, password, result.UserId!.Value));
                clock.Now = clock.Now.AddMinutes(3);
                return result.UserId.Value;
            }

            var adminId = await CreateAsync("admin", "Demo Administrator", [Roles.Administrator], [], [], "Administrator");
            var referrerId = await CreateAsync("referrer", "Demo Referrer", [Roles.Referrer], newham.Select(s => s.Id), [],
                $"Referrer, the {newham.Count} schools of Newham");
            var facilitatorId = await CreateAsync("facilitator", "Demo Facilitator", [Roles.Facilitator],
                newham.Concat(towerHamlets).Select(s => s.Id), [], "Facilitator, the schools of Newham and Tower Hamlets");
            var reviewerId = await CreateAsync("reviewer", "Demo Reviewer", [Roles.YouthJusticeReviewer], [], [newham[0].BoroughId, towerHamlets[0].BoroughId],
                "Youth justice reviewer, the boroughs of Newham and Tower Hamlets");

            await SetUpAsync(db, audit, clock, calendar, newham[0].BoroughId, newham, adminId, facilitatorId, today);

            var (referrer, facilitator) = (Principal(referrerId, Roles.Referrer), Principal(facilitatorId, Roles.Facilitator));
            var conferenceOptions = services.GetRequiredService<IOptions<ConferenceOptions>>();
            var later = new ConferenceRunner(db, new ConferenceBooking(work, clock, conferenceOptions), new PreparationMeetings(db, work, clock),
                new AgreementOutcomes(db, audit, clock, work), new ActionTracking(db, work, clock, followUps), new FollowUpChecks(db, work, clock, followUps),
                new CaseClosing(work), facilitatorId, referrer, facilitator, Principal(reviewerId, Roles.YouthJusticeReviewer));
            var job = new DailyJob(db, work, clock, followUps, new Retention(db, work, clock, followUps), NullLogger<DailyJob>.Instance, new JobLease(db, clock));
            var run = new Runner(db, clock, referrals, changes, referrerId, referrer, facilitator, later, job);
            await run.ExecuteAsync(plans, matters, DailyRuns(history, realNow, followUps.Value.RunAt));
            await KeepUpcomingInvitationsAsync(db, realNow);
        }

        await PrintSummaryAsync(db, output, accounts, plans, matters.Count);
        return 0;
    }

    /// <summary>The daily job runs every morning of the invented history, up to this morning's run.</summary>
    private static IEnumerable<DateTimeOffset> DailyRuns(DateTimeOffset from, DateTimeOffset to, TimeOnly runAt)
    {
        for (var day = LondonTime.DateOf(from).AddDays(1); ; day = day.AddDays(1))
        {
            LondonTime.TryToUtc(day, runAt, out var at, out _);
            if (at >= to) yield break;
            yield return at;
        }
    }

    private static ClaimsPrincipal Principal(Guid userId, string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Role, role)], "demo"));

    internal sealed record School(long Id, string Name, long BoroughId);

    private static async Task<List<School>> SchoolsOfAsync(Db db, string borough)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<School>("""
            SELECT s.id, s.name, s.borough_id FROM schools AS s JOIN boroughs AS b ON b.id = s.borough_id
            WHERE b.name = @borough ORDER BY s.id
            """, new { borough })).ToList();
    }

    private static async Task PrintSummaryAsync(Db db, TextWriter output,
        List<(string Email, string What, string Password, Guid Id)> accounts, List<PlannedCase> plans, int matters)
    {
        await using var connection = await db.OpenAsync();
        var byStatus = (await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM cases GROUP BY status")).ToDictionary(r => r.Status, r => r.Count);
        var (first, last) = await connection.QuerySingleAsync<(DateOnly, DateOnly)>("SELECT min(referred_on), max(referred_on) FROM cases");
        var events = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM case_events");
        var parties = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM parties");
        var consents = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM consents");

        await output.WriteLineAsync($"Demonstration data added to {db.DatabasePath}");
        await output.WriteLineAsync();
        await output.WriteLineAsync("Accounts (the passwords are shown only now; they work straight away):");
        var width = accounts.Max(a => a.Email.Length);
        foreach (var (email, what, password, _) in accounts)
        {
            await output.WriteLineAsync($"  {email.PadRight(width)}  {password}  {what}");
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{plans.Count} cases in the schools of Newham, referred from {first:yyyy-MM-dd} to {last:yyyy-MM-dd}:");
        foreach (var status in CaseStatus.All.Where(s => byStatus.ContainsKey(s.Code)))
        {
            await output.WriteLineAsync($"  {status.Label,-20} {byStatus[status.Code],4}");
        }
        await output.WriteLineAsync($"with {parties} parties, {consents} consent decisions and {events} timeline entries; " +
            $"{matters} incidents the schools dealt with internally (counted only).");
    }

    /// <summary>
    /// The demo's bookings went through the booking service, so each queued its messages in the outbox as it was made; the
    /// invented history never sent them. Only the invitations to the conferences still to come are kept (the Outbox page shows
    /// them queued, and a demo started with an SMTP server delivers them); the rest of the history's messages are removed.
    /// </summary>
    private static Task KeepUpcomingInvitationsAsync(Db db, DateTimeOffset now) =>
        db.WriteAsync((connection, transaction) => connection.ExecuteAsync("""
            DELETE FROM outbox
            WHERE NOT (kind IN ('conference_invitation', 'conference_update')
                       AND case_id IN (SELECT case_id FROM conferences WHERE status = 'scheduled' AND starts_at > @now))
            """, new { now }, transaction));

    /// <summary>A clock the seeding moves through the invented history; everything else reads it as "now".</summary>
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

}
