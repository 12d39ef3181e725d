using Dapper;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Operations;

/// <summary>
/// The database goes away while the app runs (PostgreSQL stopped at once, as in a crash or a restart) and comes back.
/// The test stops and starts a server of its own (<see cref="PrivatePostgres"/>), so it runs once, in the first pass
/// (Category=SqliteOnly keeps it out of the PostgreSQL pass, which would only run it again).
/// </summary>
[Trait("Category", "SqliteOnly")]
public class LostConnectionTests
{
    [Fact]
    public async Task A_save_while_the_database_is_down_says_nothing_was_saved_and_the_same_save_works_once_it_is_back()
    {
        await using var server = await PrivatePostgres.StartAsync();
        var db = new Db(server.ConnectionString, DatabaseProvider.Postgres);
        await new Migrator(db, Migration.Embedded(DatabaseProvider.Postgres)).MigrateAsync();
        var cases = new TestCases(db, new RunningClock());
        var officer = await TestUsers.CreateAsync(cases.Services, "pc.jones@example.org", [Roles.Referrer], ["Newham/Langdon Park"]);
        var principal = TestCases.Principal(officer.Id, Roles.Referrer);
        var referral = new TestReferral(await TestCases.SchoolIdAsync(db, "Newham/Langdon Park"), new DateOnly(2026, 6, 10));
        var (caseId, _) = await referral.SaveAsync(cases.Referrals, officer.Id);
        var before = (await cases.Repository.GetAsync(caseId, officer.Id))!;
        var edit = new CaseEdit { Description = "Pushed in the lunch queue; said sorry straight away", Location = before.Location, OutcomeRoute = before.OutcomeRoute };
        var newReferral = new TestReferral(referral.SchoolId, new DateOnly(2026, 6, 11)) { FirstName = "Ade" }.ToForm();

        await server.StopServerAsync();

        // The user is told the save did not happen (in the error summary; their form keeps what they typed).
        var edited = await cases.Changes.EditAsync(caseId, edit, before.Version, principal);
        Assert.Equal(SaveOutcome.Invalid, edited.Outcome);
        Assert.Equal([SaveResult.UnavailableMessage], edited.Errors[""]);
        var referred = await cases.Referrals.SaveAsync(newReferral, officer.Id);
        Assert.False(referred.Succeeded);
        Assert.Equal([SaveResult.UnavailableMessage], referred.Errors[""]);

        await server.StartServerAsync();

        // Nothing was half-written: the case is as it was, and the second referral does not exist.
        var after = (await cases.Repository.GetAsync(caseId, officer.Id))!;
        Assert.Equal((before.Version, before.Description), (after.Version, after.Description));
        await using (var connection = await db.OpenAsync())
        {
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"));
        }
        // The app recovers by itself: the same forms, sent again, save once each.
        Assert.Equal(SaveOutcome.Saved, (await cases.Changes.EditAsync(caseId, edit, before.Version, principal)).Outcome);
        Assert.Equal(edit.Description, (await cases.Repository.GetAsync(caseId, officer.Id))!.Description);
        var again = await cases.Referrals.SaveAsync(newReferral, officer.Id);
        Assert.True(again.Succeeded);
        Assert.Equal("RJ-2026-00002", again.Reference);
        Assert.True((await cases.Audit.VerifyAsync()).Intact);
    }
}
