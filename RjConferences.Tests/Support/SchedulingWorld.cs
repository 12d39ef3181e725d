using System.Security.Claims;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Conferences;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Support;

/// <summary>
/// A test database with a Newham school (Langdon Park), two rooms, a referrer-facilitator with
/// current training and a second facilitator, and a way to make cases ready to schedule.
/// The clock starts on Monday 15 June 2026 at 08:00 London time.
/// </summary>
public sealed class SchedulingWorld : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 7, 0, 0, TimeSpan.Zero);
    private const string OfficerEmail = "pc.jones@newham.example", ColleagueEmail = "sam.patel@newham.example", StrangerEmail = "ref@hackney.example";

    /// <summary>A copy of the world's fixed part (<see cref="SeedAsync"/>), made once per run.</summary>
    public TestDatabase Database { get; } = TestDatabase.FromTemplate(nameof(SchedulingWorld), SeedAsync);
    public FakeTimeProvider Clock { get; } = new(Start);
    /// <summary>The app's services over this world's database and clock (<see cref="TestServices"/>).</summary>
    public ServiceProvider Services { get; }
    public TestUser Officer { get; private set; } = null!;
    public TestUser Colleague { get; private set; } = null!;
    public TestUser Stranger { get; private set; } = null!;
    public long SchoolId { get; private set; }
    public long OtherSchoolId { get; private set; }
    public long Room1 { get; private set; }
    public long Room2 { get; private set; }
    public long OtherSchoolRoom { get; private set; }

    public AuditLog Audit => Services.GetRequiredService<AuditLog>();
    public CaseWork Work => Services.GetRequiredService<CaseWork>();
    public ReferralService Referrals => Services.GetRequiredService<ReferralService>();
    public CaseChanges Changes => Services.GetRequiredService<CaseChanges>();
    public CaseRepository Cases => Services.GetRequiredService<CaseRepository>();
    public ConferenceBooking Booking => Services.GetRequiredService<ConferenceBooking>();
    public ConferenceQueries Queries => Services.GetRequiredService<ConferenceQueries>();

    private SchedulingWorld() => Services = TestServices.Build(Database, Clock);

    public static async Task<SchedulingWorld> CreateAsync()
    {
        var world = new SchedulingWorld();
        await world.InitializeAsync();
        return world;
    }

    private const string LangdonPark = "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Newham' AND s.name = 'Langdon Park'";
    private const string FirstHackneySchool = "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = 'Hackney' ORDER BY s.name LIMIT 1";

    /// <summary>
    /// The fixed part, made through the app's services on the template's database: the three accounts (each with current
    /// training) and the three rooms.
    /// </summary>
    private static async Task SeedAsync(string connectionString)
    {
        await using var services = TestServices.Build(connectionString, new FakeTimeProvider(Start));
        TestUser[] users =
        [
            await TestUsers.CreateAsync(services, OfficerEmail, [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]),
            await TestUsers.CreateAsync(services, ColleagueEmail, [Roles.Facilitator], ["Newham/Langdon Park"]),
            await TestUsers.CreateAsync(services, StrangerEmail, [Roles.Referrer, Roles.Facilitator], boroughs: ["Hackney"]),
        ];
        var db = services.GetRequiredService<Db>();
        await using var connection = await db.OpenAsync();
        var schoolId = await connection.ExecuteScalarAsync<long>(LangdonPark);
        var otherSchoolId = await connection.ExecuteScalarAsync<long>(FirstHackneySchool);
        await connection.ExecuteAsync("INSERT INTO rooms (school_id, name, capacity) VALUES (@schoolId, 'Room 1', 8)", new { schoolId });
        await connection.ExecuteAsync("INSERT INTO rooms (school_id, name, capacity) VALUES (@schoolId, 'Room 2', 10)", new { schoolId });
        await connection.ExecuteAsync("INSERT INTO rooms (school_id, name, capacity) VALUES (@otherSchoolId, 'Library', 12)", new { otherSchoolId });
        foreach (var user in users)
        {
            await TrainAsync(db, user, new DateOnly(2025, 1, 10), new DateOnly(2027, 1, 10));
        }
    }

    /// <summary>Reads the ids of the fixed part from this world's copy.</summary>
    private async Task InitializeAsync()
    {
        await using var connection = await Database.Db.OpenAsync();
        async Task<TestUser> UserAsync(string email) => new(
            await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE normalized_email = @email", new { email = email.ToUpperInvariant() }),
            email, TestUsers.Password);
        Officer = await UserAsync(OfficerEmail);
        Colleague = await UserAsync(ColleagueEmail);
        Stranger = await UserAsync(StrangerEmail);
        SchoolId = await connection.ExecuteScalarAsync<long>(LangdonPark);
        OtherSchoolId = await connection.ExecuteScalarAsync<long>(FirstHackneySchool);
        async Task<long> RoomAsync(long school, string name) =>
            await connection.ExecuteScalarAsync<long>("SELECT id FROM rooms WHERE school_id = @school AND name = @name", new { school, name });
        Room1 = await RoomAsync(SchoolId, "Room 1");
        Room2 = await RoomAsync(SchoolId, "Room 2");
        OtherSchoolRoom = await RoomAsync(OtherSchoolId, "Library");
    }

    public Task TrainAsync(TestUser user, DateOnly completedOn, DateOnly refresherDueOn) => TrainAsync(Database.Db, user, completedOn, refresherDueOn);

    private static async Task TrainAsync(Db db, TestUser user, DateOnly completedOn, DateOnly refresherDueOn)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
            VALUES (@Id, 'Restorative Justice Council', @completedOn, @refresherDueOn, '2026-01-01T00:00:00.0000000Z')
            ON CONFLICT (user_id) DO UPDATE SET completed_on = excluded.completed_on, refresher_due_on = excluded.refresher_due_on
            """, new { user.Id, completedOn, refresherDueOn });
    }

    public static ClaimsPrincipal Principal(TestUser user, params string[] roles) => TestCases.Principal(user.Id, roles);

    public ClaimsPrincipal OfficerPrincipal => Principal(Officer, Roles.Referrer, Roles.Facilitator);

    /// <summary>A new case at Langdon Park, assessed suitable with every consent given.</summary>
    public Task<(Guid CaseId, IReadOnlyList<PartyDetails> Parties)> ReadyCaseAsync(string firstName = "Kwame", string lastName = "Mensah", string dateOfBirth = "2013-01-20") =>
        ReadyCaseAsync(Referrals, Changes, Cases, SchoolId, Officer, firstName, lastName, dateOfBirth);

    /// <summary>
    /// A new case at <paramref name="schoolId"/>, recorded by <paramref name="officer"/> (a Referrer and
    /// Facilitator), assessed suitable with every consent given: ready to schedule. Also for an app host's services.
    /// </summary>
    public static async Task<(Guid CaseId, IReadOnlyList<PartyDetails> Parties)> ReadyCaseAsync(ReferralService referrals, CaseChanges changes, CaseRepository cases,
        long schoolId, TestUser officer, string firstName = "Kwame", string lastName = "Mensah", string dateOfBirth = "2013-01-20", ReferralForm? form = null)
    {
        var principal = Principal(officer, Roles.Referrer, Roles.Facilitator);
        var saved = await referrals.SaveAsync(form ?? ReferralForms.Valid(schoolId, dateOfBirth, firstName: firstName, lastName: lastName), officer.Id);
        var caseId = saved.CaseId ?? throw new InvalidOperationException(string.Join("; ", saved.Errors.SelectMany(e => e.Value)));
        await changes.RecordSuitabilityAsync(caseId, new SuitabilityForm
        {
            RiskToParties = "Low", PowerImbalance = "None seen", AcceptanceOfResponsibility = "Full", HarmedPartyWishes = "An apology", Outcome = "suitable",
        }, principal);
        var parties = (await cases.GetAsync(caseId, officer.Id))!.Parties;
        foreach (var party in parties)
        {
            await changes.RecordConsentAsync(caseId, new ConsentForm
            {
                PartyId = party.Id, Purpose = "take_part", Decision = "given", DecidedOn = DateInput.From(new DateOnly(2026, 6, 12)), Method = "in_person",
            }, principal);
        }
        return (caseId, parties);
    }

    /// <summary>A booking form for Langdon Park on the given London date and time.</summary>
    public BookingForm Form(IReadOnlyList<PartyDetails> parties, DateOnly date, string time, long? room = null, int length = 60, TestUser? facilitator = null) => new()
    {
        Date = DateInput.From(date), StartTime = time, LengthMinutes = length, RoomId = room ?? Room2,
        FacilitatorId = (facilitator ?? Officer).Id, ParticipantIds = parties.Select(p => p.Id).ToHashSet(),
    };

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Database.Dispose();
    }
}
