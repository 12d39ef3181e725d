// Shared by the benchmark harnesses (linked into each project): a world of ready-to-schedule cases to book.
using Dapper;
using RjConferences.Data;

namespace RjConferences.Benchmarks.Shared;

/// <summary>Rooms, facilitators, a booking user and ready-to-schedule cases (three parties each), seeded straight into the tables.</summary>
public sealed record BookingWorld(Guid UserId, List<long> Rooms, List<Guid> Facilitators, List<(Guid Case, Guid[] Parties)> Cases)
{
    // Rooms (3 at each school), a facilitator with current training for each room, a user who is a referrer at every school
    // and a facilitator, and ready-to-schedule cases, case j at the school of room j mod rooms, each with a young person, a harmed
    // pupil and a parent whose names, phone and email are its own (so no two cases share a person).
    public static async Task<BookingWorld> SeedAsync(Db db, int count)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = TypeHandlers.ToUtcText(DateTimeOffset.UtcNow);
        var schools = (await connection.QueryAsync<long>("SELECT id FROM schools ORDER BY id", transaction: transaction)).ToList();
        var userId = Guid.NewGuid();
        async Task UserAsync(Guid id, string name, string email, params long[] roles)
        {
            await connection.ExecuteAsync("""
                INSERT INTO users (id, email, normalized_email, display_name, security_stamp, concurrency_stamp, created_at)
                VALUES (@id, @email, upper(@email), @name, 'stamp', 'stamp', @now)
                """, new { id = id.ToString("D"), email, name, now }, transaction);
            foreach (var role in roles) await connection.ExecuteAsync("INSERT INTO user_roles (user_id, role_id) VALUES (@id, @role)", new { id = id.ToString("D"), role }, transaction);
            await connection.ExecuteAsync("""
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@id, 'Restorative Justice Council', '2025-01-10', '2030-01-10', @now)
                """, new { id = id.ToString("D"), now }, transaction);
        }
        await UserAsync(userId, "Booking benchmark", "booking@bench.example", 2, 3);
        foreach (var school in schools)
        {
            await connection.ExecuteAsync("INSERT INTO user_schools (user_id, school_id) VALUES (@id, @school)", new { id = userId.ToString("D"), school }, transaction);
        }
        var rooms = new List<long>();
        var roomSchools = new List<long>();
        var facilitators = new List<Guid>();
        foreach (var school in schools)
        {
            for (var r = 1; r <= 3; r++)
            {
                rooms.Add(await connection.ExecuteScalarAsync<long>("INSERT INTO rooms (school_id, name, capacity) VALUES (@school, @name, 10) RETURNING id",
                    new { school, name = $"Room {r}" }, transaction));
                roomSchools.Add(school);
                var f = Guid.NewGuid();
                await UserAsync(f, $"Facilitator {rooms.Count}", $"facilitator{rooms.Count}@bench.example", 3);
                facilitators.Add(f);
            }
        }
        var cases = new List<(Guid, Guid[])>();
        var offence = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-20);
        for (var n = 0; n < count; n++)
        {
            var caseId = Guid.NewGuid();
            var id = caseId.ToString("D");
            await connection.ExecuteAsync("""
                INSERT INTO cases (id, reference, school_id, status, location, offence_at, offence_date, offence_category_id, gravity, admitted,
                                   outcome_route, eligible, referred_at, referred_on, referred_by, submission_id, updated_at)
                VALUES (@id, @reference, @school, 'ready_to_schedule', 'on_school_premises', @at, @on, 1, 1, 1,
                        'community_resolution', 1, @at, @on, @user, @id, @at)
                """, new { id, reference = $"RJ-{offence.Year}-{n + 1:D6}", school = roomSchools[n % rooms.Count], at = now, on = TypeHandlers.ToDateText(offence),
                    user = userId.ToString("D") }, transaction);
            var parties = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
            const string party = """
                INSERT INTO parties (id, case_id, party_role, harmed_type, supporter_type, first_name, last_name, first_name_key, last_name_key,
                                     date_of_birth, phone, email, sort_order)
                VALUES (@pid, @id, @role, @harmed, @supporter, @first, @last, lower(@first), lower(@last), @dob, @phone, @email, @sort)
                """;
            await connection.ExecuteAsync(party, new { pid = parties[0].ToString("D"), id, role = "responsible", harmed = (string?)null, supporter = (string?)null,
                first = $"Young{n}", last = "Person", dob = "2012-05-01", phone = (string?)null, email = (string?)null, sort = 1 }, transaction);
            await connection.ExecuteAsync(party, new { pid = parties[1].ToString("D"), id, role = "harmed", harmed = "pupil", supporter = (string?)null,
                first = $"Harmed{n}", last = "Pupil", dob = (string?)null, phone = $"01632 {n:D6}", email = (string?)null, sort = 2 }, transaction);
            await connection.ExecuteAsync(party, new { pid = parties[2].ToString("D"), id, role = "supporter", harmed = (string?)null, supporter = "parent",
                first = $"Parent{n}", last = "Person", dob = (string?)null, phone = (string?)null, email = $"parent{n}@bench.example", sort = 3 }, transaction);
            cases.Add((caseId, parties));
        }
        await transaction.CommitAsync();
        return new BookingWorld(userId, rooms, facilitators, cases);
    }
}
