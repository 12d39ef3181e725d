using Dapper;
using Microsoft.Data.Sqlite;
using RjConferences.Components;
using RjConferences.Data;
using RjConferences.Features.Conferences;

namespace RjConferences.SlotFinderBenchmark;

/// <summary>What the benchmark asks about: a ready case at the first school, its busy facilitator and room.</summary>
public sealed record Target(Guid CaseId, Guid UserId, Guid FacilitatorId, long RoomId, IReadOnlyList<Guid> PartyIds, int Conferences, int BusyDays);

/// <summary>
/// Fills a migrated database with a year of conferences: 3 rooms at each of the 78 schools, 300
/// facilitators, one case with three parties (a young person, a harmed pupil, a parent) for each
/// conference, and the participants with their person keys, straight in SQL through prepared
/// commands in one transaction. No two conferences share a room or a facilitator at the same time.
/// The target facilitator and room are fully booked, together, on the first school days after now.
/// </summary>
public static class BenchmarkData
{
    private const int Facilitators = 300;
    private const int RoomsPerSchool = 3;
    private const int SlotsPerDay = 7; // 08:30, 09:45, ... 16:00, one hour each: a 15-minute buffer leaves no gap for another hour
    private static readonly TimeOnly FirstSlot = new(8, 30);

    public static async Task<Target> SeedAsync(Db db, DateTimeOffset now, DateOnly from, int count, int busyDays)
    {
        await using var connection = (Microsoft.Data.Sqlite.SqliteConnection)await db.OpenAsync();
        var schools = (await connection.QueryAsync<(long Id, long BoroughId)>("SELECT id, borough_id FROM schools ORDER BY id")).ToList();
        var calendar = await ConferenceBooking.CalendarAsync(connection, null, schools[0].BoroughId);
        var random = new Random(42);
        var created = Text(now);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();

        // Users: the facilitators, and the referrer-facilitator who runs the slot finder.
        var facilitators = Enumerable.Range(0, Facilitators).Select(_ => Guid.NewGuid()).ToArray();
        var user = facilitators[0];
        for (var i = 0; i < facilitators.Length; i++)
        {
            await connection.ExecuteAsync("""
                INSERT INTO users (id, email, normalized_email, display_name, security_stamp, concurrency_stamp, created_at)
                VALUES (@id, @email, upper(@email), @name, 'stamp', 'stamp', @created);
                INSERT INTO user_roles (user_id, role_id) VALUES (@id, 3);
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@id, 'Restorative Justice Council', '2025-01-10', '2028-01-10', @created);
                """, new { id = facilitators[i].ToString("D"), email = $"facilitator{i}@bench.example", name = $"Facilitator {i}", created }, transaction);
        }
        await connection.ExecuteAsync("INSERT INTO user_roles (user_id, role_id) VALUES (@id, 2); INSERT INTO user_schools (user_id, school_id) VALUES (@id, @school)",
            new { id = user.ToString("D"), school = schools[0].Id }, transaction);

        var rooms = new List<(long Id, long SchoolId)>();
        foreach (var school in schools)
        {
            for (var r = 1; r <= RoomsPerSchool; r++)
            {
                rooms.Add((await connection.ExecuteScalarAsync<long>("INSERT INTO rooms (school_id, name, capacity) VALUES (@Id, @name, 10) RETURNING id",
                    new { school.Id, name = $"Room {r}" }, transaction), school.Id));
            }
        }

        // Every (school day, slot, room) of the year; the target room's slots on the busy days go to the target facilitator.
        var days = Enumerable.Range(0, 365).Select(from.AddDays).Where(calendar.IsSchoolDay).ToList();
        var today = LondonTime.DateOf(now);
        var busy = days.Where(d => d >= today).Take(busyDays).ToHashSet();
        var reserved = new List<(int Day, int Slot, int Room, int Facilitator)>();
        var others = new List<(int Day, int Slot, int Room, int Facilitator)>();
        for (var d = 0; d < days.Count; d++)
        {
            for (var s = 0; s < SlotsPerDay; s++)
            {
                for (var r = 0; r < rooms.Count; r++)
                {
                    // Distinct rooms at one time get distinct facilitators (rooms.Count < Facilitators).
                    var f = (r + s * 41 + d * 13) % Facilitators;
                    if (busy.Contains(days[d]) && r == 0) reserved.Add((d, s, r, 0));
                    else if (!(busy.Contains(days[d]) && f == 0)) others.Add((d, s, r, f));
                }
            }
        }
        var chosen = reserved.Concat(others.OrderBy(_ => random.Next()).Take(count - reserved.Count))
            .OrderBy(c => c.Day).ThenBy(c => c.Slot).ThenBy(c => c.Room).ToList();

        var insertCase = Prepare(connection, transaction, """
            INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity, admitted,
                               outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, updated_at)
            VALUES ($id, $reference, $school, $status, 'on_school_premises', $offenceAt, $offenceOn, 1, 1, 1,
                    'community_resolution', 1, $offenceAt, $offenceOn, $user, $id, $offenceAt)
            """, "$id", "$reference", "$school", "$status", "$offenceAt", "$offenceOn", "$user");
        var insertParty = Prepare(connection, transaction, """
            INSERT INTO parties (id, case_id, party_role, harmed_type, supporter_type, first_name, last_name, first_name_key, last_name_key,
                                 date_of_birth, phone, email, sort_order)
            VALUES ($id, $case, $role, $harmed, $supporter, $first, $last, lower($first), lower($last), $dob, $phone, $email, $sort)
            """, "$id", "$case", "$role", "$harmed", "$supporter", "$first", "$last", "$dob", "$phone", "$email", "$sort");
        var insertConference = Prepare(connection, transaction, """
            INSERT INTO conferences (id, case_id, school_id, room_id, starts_at, ends_at, facilitator_id, status, sequence, version,
                                     created_by, created_at, updated_at)
            VALUES ($id, $case, $school, $room, $start, $end, $facilitator, $status, 0, 1, $user, $created, $created)
            """, "$id", "$case", "$school", "$room", "$start", "$end", "$facilitator", "$status", "$user", "$created");
        var insertParticipant = Prepare(connection, transaction,
            "INSERT INTO conference_participants (conference_id, party_id, person_key) VALUES ($conference, $party, $key)",
            "$conference", "$party", "$key");

        var counters = new Dictionary<int, int>();
        string Reference(DateOnly on)
        {
            var number = counters[on.Year] = counters.GetValueOrDefault(on.Year) + 1;
            return $"RJ-{on.Year}-{number:D5}";
        }

        (Guid Case, Guid[] Parties) NewCase(long school, string status, DateOnly offenceOn, int n)
        {
            var caseId = Guid.NewGuid();
            Run(insertCase, caseId.ToString("D"), Reference(offenceOn), school, status, Text(new DateTimeOffset(offenceOn.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero)),
                TypeHandlers.ToDateText(offenceOn), user.ToString("D"));
            var dob = TypeHandlers.ToDateText(offenceOn.AddYears(-13).AddDays(-(n % 700)));
            var parties = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
            Run(insertParty, parties[0].ToString("D"), caseId.ToString("D"), "responsible", null, null, $"Young{n % 5000}", $"Person{n % 997}", dob, null, null, 1);
            Run(insertParty, parties[1].ToString("D"), caseId.ToString("D"), "harmed", "pupil", null, $"Harmed{n}", $"Pupil{n % 991}", null, $"01632 {n:D6}", null, 2);
            Run(insertParty, parties[2].ToString("D"), caseId.ToString("D"), "supporter", null, "parent", $"Parent{n}", $"Person{n % 997}", null, null, $"parent{n}@bench.example", 3);
            return (caseId, parties);
        }

        var length = TimeSpan.FromMinutes(60);
        for (var n = 0; n < chosen.Count; n++)
        {
            var (d, s, r, f) = chosen[n];
            LondonTime.TryToUtc(days[d], FirstSlot.AddMinutes(75 * s), out var start, out _);
            var past = start < now;
            var roll = random.NextDouble();
            var status = busy.Contains(days[d]) && r == 0 ? "scheduled"
                : past ? (roll < 0.9 ? "held" : roll < 0.95 ? "not_held" : "cancelled")
                : (roll < 0.92 ? "scheduled" : "cancelled");
            var caseStatus = status switch { "held" => "conference_held", "scheduled" => "conference_scheduled", _ => "ready_to_schedule" };
            var (caseId, parties) = NewCase(rooms[r].SchoolId, caseStatus, days[d].AddDays(-21), n);
            var conferenceId = Guid.NewGuid().ToString("D");
            Run(insertConference, conferenceId, caseId.ToString("D"), rooms[r].SchoolId, rooms[r].Id, Text(start), Text(start + length),
                facilitators[f].ToString("D"), status, user.ToString("D"), created);
            foreach (var (party, key) in await ConferenceBooking.PersonKeysAsync(connection, transaction, parties))
            {
                Run(insertParticipant, conferenceId, party.ToString("D"), key);
            }
        }

        // The case the slot finder is asked about: ready to schedule at the first school.
        var target = NewCase(schools[0].Id, "ready_to_schedule", today.AddDays(-10), chosen.Count);
        await transaction.CommitAsync();
        return new Target(target.Case, user, facilitators[0], rooms[0].Id, target.Parties, chosen.Count, busy.Count);
    }

    private static string Text(DateTimeOffset value) => TypeHandlers.ToUtcText(value);

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        command.ExecuteNonQuery();
    }
}
