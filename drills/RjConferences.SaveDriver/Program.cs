// The drills' save driver: the real app (the same AddRjConferences/UseRjConferences as Program.cs, serving on the --urls
// it is given, /health and all), with --writers concurrent writers inside it that save new referrals through the app's own
// ReferralService, as the referral page does when a user presses "Submit referral". After each save that the app reports
// saved (the transaction committed, on SQLite with synchronous=FULL), it prints "ACK <case id>" on standard output:
// that line is the acknowledgement a user sees. The drills kill this process with kill -9 and then look for every
// acknowledged case. Saves by the account kill9-drill@example.invalid (create-user makes it), in the first school of its scope.
//
//   dotnet RjConferences.SaveDriver.dll [--writers 4] [--saves N] --urls http://127.0.0.1:PORT   (database: ConnectionStrings__Default, Database__Provider)
//   --saves N: each writer stops after N saves (0: serve only); the app serves until stopped (default: save until killed or stopped).
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RjConferences;
using RjConferences.Commands;
using RjConferences.Components;
using RjConferences.Components.Forms;
using RjConferences.Data;
using RjConferences.Features.Referrals;
using RjConferences.Security;

const string DrillEmail = "kill9-drill@example.invalid";
var writers = 4;
var saves = int.MaxValue;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--writers": writers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--saves": saves = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: rest.Add(args[i]); break;
    }
}
var line = AppCommands.Parse([.. rest]);
if (line.Problem is not null || line.Command is not null)
{
    Console.Error.WriteLine(line.Problem ?? "The save driver takes settings only, no command.");
    return 2;
}

// The app's own name: its static assets' manifest (RjConferences.staticwebassets.endpoints.json) and data-protection purposes go by it.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = line.Settings, ApplicationName = "RjConferences" });
builder.AddRjConferences();
var app = builder.Build();
app.UseRjConferences();
await app.Services.GetRequiredService<Migrator>().MigrateAsync();
await app.StartAsync();

var db = app.Services.GetRequiredService<Db>();
Guid userId;
await using (var connection = await db.OpenAsync())
{
    userId = await connection.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM users WHERE normalized_email = @email", new { email = DrillEmail.ToUpperInvariant() })
        ?? throw new InvalidOperationException($"No account {DrillEmail}: run create-user --email {DrillEmail} --role Referrer --borough Newham first.");
}
var schoolId = (await app.Services.GetRequiredService<SchoolScope>().SchoolIdsAsync(userId)).Min();
var referrals = app.Services.GetRequiredService<ReferralService>();
var offenceDate = LondonTime.Today(TimeProvider.System).AddDays(-7);
var output = TextWriter.Synchronized(Console.Out); // autoflushed: a line printed is a line the drill can read after the kill
output.WriteLine("READY");

await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var stopping = app.Lifetime.ApplicationStopping; // SIGTERM or Ctrl+C: stop saving, and stop
    for (var n = 0; n < saves && !stopping.IsCancellationRequested; n++)
    {
        var result = await referrals.SaveAsync(Referral(schoolId, offenceDate, w, n), userId);
        if (result.Succeeded)
        {
            output.WriteLine($"ACK {result.CaseId:D}");
        }
        else
        {
            // Refused ("try again", or a rule): not acknowledged, so nothing is expected of it. The drill fails a cycle with no ACK.
            output.WriteLine($"NOTSAVED {string.Join("; ", result.Errors.SelectMany(e => e.Value))}");
        }
    }
})));
output.WriteLine("DONE"); // the writers have finished; the app serves on until it is stopped (SIGTERM)
await app.WaitForShutdownAsync();
return 0;

static ReferralForm Referral(long schoolId, DateOnly offenceDate, int writer, int n)
{
    var young = new PartyForm
    {
        Role = "responsible", FirstName = $"Drill{writer}", LastName = $"Pupil{n}",
        DateOfBirth = DateInput.From(offenceDate.AddYears(-13).AddDays(-1)),
        Gender = "male", EthnicGroup = "white_british", YearGroup = 8, SpecialEducationalNeeds = false,
    };
    return new ReferralForm
    {
        SchoolId = schoolId,
        Location = "on_school_premises",
        OffenceDate = DateInput.From(offenceDate),
        OffenceTime = "10:00",
        OffenceCategoryId = 1,
        Gravity = 1,
        Description = "Drill referral: pushed another pupil in the lunch queue; no injury.",
        SchoolWouldDealInternally = false,
        Admitted = true,
        AdmittedOn = DateInput.From(offenceDate),
        AdmittedTo = "PC Jones",
        OutcomeRoute = "community_resolution",
        YoungPeople = [young],
        HarmedParties = [new PartyForm { Role = "harmed", HarmedType = "pupil", FirstName = "Harmed", LastName = $"Pupil{n}", Phone = "01632 960 002" }],
        Supporters =
        [
            new PartyForm
            {
                Role = "supporter", SupporterType = "parent", SupportsKey = young.Key, FirstName = "Parent", LastName = $"Pupil{n}",
                Phone = "01632 960 001", Email = "parent@example.invalid",
            },
        ],
    };
}
