using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Notifications;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Support;

/// <summary>
/// A valid referral for one school: a young person (13 on the offence date unless told otherwise),
/// a harmed pupil, and a parent of the young person. Change what a test needs with <c>with</c> or an
/// object initialiser, then <see cref="SaveAsync"/> it through the real <see cref="ReferralService"/>.
/// </summary>
public sealed record TestReferral(long SchoolId, DateOnly OffenceDate)
{
    public string FirstName { get; init; } = "Sam";
    public string LastName { get; init; } = "Okafor";

    /// <summary>Null: 13 years and a day before the offence.</summary>
    public DateOnly? DateOfBirth { get; init; }
    public string Gender { get; init; } = "male";
    public string EthnicGroup { get; init; } = "black_african";
    public int Gravity { get; init; } = 1;
    public bool Admitted { get; init; } = true;
    public string HarmedFirstName { get; init; } = "Jo";
    public string HarmedLastName { get; init; } = "Bell";
    public string ParentFirstName { get; init; } = "Grace";
    public string Description { get; init; } = "Pushed another pupil in the lunch queue; no injury.";

    public ReferralForm ToForm()
    {
        var young = new PartyForm
        {
            Role = "responsible", FirstName = FirstName, LastName = LastName,
            DateOfBirth = DateInput.From(DateOfBirth ?? OffenceDate.AddYears(-13).AddDays(-1)),
            Gender = Gender, EthnicGroup = EthnicGroup, YearGroup = 8, SpecialEducationalNeeds = false,
        };
        return new ReferralForm
        {
            SchoolId = SchoolId,
            Location = "on_school_premises",
            OffenceDate = DateInput.From(OffenceDate),
            OffenceTime = "10:00",
            OffenceCategoryId = 1,
            Gravity = Gravity,
            Description = Description,
            SchoolWouldDealInternally = false,
            Admitted = Admitted,
            AdmittedOn = Admitted ? DateInput.From(OffenceDate) : new DateInput(),
            AdmittedTo = Admitted ? "PC Jones" : null,
            OutcomeRoute = "community_resolution",
            YoungPeople = [young],
            HarmedParties = [new PartyForm { Role = "harmed", HarmedType = "pupil", FirstName = HarmedFirstName, LastName = HarmedLastName, Phone = "01632 960 002" }],
            Supporters =
            [
                new PartyForm
                {
                    Role = "supporter", SupporterType = "parent", SupportsKey = young.Key, FirstName = ParentFirstName, LastName = LastName,
                    Phone = "01632 960 001", Email = "parent@example.org",
                },
            ],
        };
    }

    /// <summary>Saves the referral as <paramref name="userId"/> and fails the test if it is refused.</summary>
    public async Task<(Guid Id, string Reference)> SaveAsync(ReferralService service, Guid userId)
    {
        var result = await service.SaveAsync(ToForm(), userId);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));
        return (result.CaseId!.Value, result.Reference!);
    }
}

/// <summary>The referral services over a test database, without a web host: the app's own (<see cref="TestServices"/>).</summary>
public sealed class TestCases(Db db, TimeProvider clock)
{
    public ServiceProvider Services { get; } = TestServices.Build(db.ConnectionString, clock);

    public AuditLog Audit => Services.GetRequiredService<AuditLog>();

    public ReferralService Referrals => Services.GetRequiredService<ReferralService>();

    public CaseRepository Repository => Services.GetRequiredService<CaseRepository>();

    public CaseChanges Changes => Services.GetRequiredService<CaseChanges>();

    public static async Task<long> SchoolIdAsync(Db db, string boroughAndSchool)
    {
        var parts = boroughAndSchool.Split('/');
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT s.id FROM schools s JOIN boroughs b ON b.id = s.borough_id WHERE b.name = @b AND s.name = @s",
            new { b = parts[0], s = parts[1] });
    }

    /// <summary>
    /// A letter about the case to <paramref name="toName"/> waiting on its school's print list since <paramref name="now"/>, as the
    /// print-list channel leaves it (queued through the outbox, then sent to the list).
    /// </summary>
    public static Task<Guid> LetterOnPrintListAsync(Db db, Guid caseId, string toName, string subject, DateTimeOffset now) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var id = await Outbox.EnqueueAsync(connection, transaction, new OutboxMessage(
                "conference_reminder", "Flat 3, 12 Acacia Avenue\nPoplar\nLondon E14 0AA", toName, subject, "A conference at 11:00.",
                CaseId: caseId, Channel: "letter"), now);
            await connection.ExecuteAsync("UPDATE outbox SET status = 'sent', print_list_at = @now WHERE id = @id", new { id, now }, transaction);
            return id;
        });

    /// <summary>A signed-in user as the pages see them: the id claim and the roles.</summary>
    public static ClaimsPrincipal Principal(Guid userId, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, userId.ToString()), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    /// <summary>A date as the GOV.UK date input holds it.</summary>
    public static DateInput Date(DateOnly date) => DateInput.From(date);

    public static DateInput Date(string ddMMyyyy)
    {
        var d = DateOnly.ParseExact(ddMMyyyy, "dd/MM/yyyy", CultureInfo.InvariantCulture);
        return DateInput.From(d);
    }
}
