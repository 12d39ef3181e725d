using System.Numerics;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Reports;
using RjConferences.Security;
using RjConferences.Tests.Support;
using Xunit.Abstractions;

namespace RjConferences.Tests.Features;

/// <summary>
/// The exports of one selection are safe as a set: an attacker holding every CSV file of a selection (headlines,
/// funnel, disproportionality, cohort, activity, boroughs, schools, offence categories) and knowing how the tables add up cannot
/// work out any hidden count by adding and subtracting published figures. Checked on many selections of synthetic data
/// by solving, from all the files at once, for every hidden cell.
/// <para>
/// The checker is the attacker's, written here apart from the app's suppression: it reads the files as text, writes
/// down every way the tables add up that a reader of docs/reports.md would know (each breakdown sums to the selection's
/// totals, each borough to its schools, each funnel stage to the next stage and the reasons cases left, the headline
/// figures are the funnel's stages, a group's rate is out of its count at the stage before…), keeps those that hold on
/// the true figures, and solves the system exactly (rational arithmetic) for each hidden cell.
/// </para>
/// </summary>
[Trait("Category", "SqliteOnly")] // generate-synthetic writes SQLite; the suppression is the same code on both databases
public sealed class ReportDisclosureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int SuppressBelow = 5;
    private SchedulingWorld world = null!;
    private TestUser everyBorough = null!;
    private TestUser newham = null!;

    public async Task InitializeAsync()
    {
        world = await SchedulingWorld.CreateAsync();
        var userId = await RjConferences.Tools.SyntheticData.EnsureUserAsync(world.Services);
        await RjConferences.Tools.SyntheticData.GenerateAsync(world.Database.Db, 4000, userId, new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));
        everyBorough = await TestUsers.CreateAsync(world.Services, "admin@example.org", [Roles.Administrator],
            boroughs: ["Brent", "Camden", "Croydon", "Ealing", "Hackney", "Newham", "Tower Hamlets"]);
        newham = await TestUsers.CreateAsync(world.Services, "yjs@newham.example", [Roles.YouthJusticeReviewer], boroughs: ["Newham"]);
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private ReportQueries Reports => new(world.Database.Db, Options.Create(new FollowUpOptions()));

    [Fact]
    public async Task No_hidden_count_of_any_selection_can_be_worked_out_from_all_its_files_together()
    {
        var hiddenCells = 0;
        var checkedSelections = 0;
        var naiveLeaks = 0;
        foreach (var (user, selection) in await SelectionsAsync(120))
        {
            var result = await Reports.RunAsync(user, selection, CancellationToken.None);
            var published = Files(ReportTables.BuildAll(result, SuppressBelow));
            var truth = Files(ReportTables.BuildAll(result, 1)); // nothing hidden: the figures as they are
            var identities = Identities(truth, result).Where(i => HoldsOn(i, truth)).ToList();
            Assert.True(identities.Count > 20, "The checker found too few ways the tables add up: it would prove nothing.");

            var determined = Solve(identities, published);
            Assert.True(determined.Count == 0,
                $"{selection}: hidden cells that can be worked out: " + string.Join("; ", determined.Select(c => $"{c} = {truth[c.File][c.Row][c.Column]}")));
            hiddenCells += published.Sum(f => f.Value.Sum(r => r.Count(c => c is "suppressed" || c.StartsWith('<'))));
            checkedSelections++;

            // The same files with only the small counts hidden (no secondary suppression): the checker finds what they give away.
            naiveLeaks += Solve(identities, SmallOnly(truth)).Count;
        }
        output.WriteLine($"{checkedSelections} selections, {hiddenCells} hidden cells, none determined; hiding only the small counts would give away {naiveLeaks}.");
        Assert.Equal(120, checkedSelections);
        Assert.True(hiddenCells > 1000, $"Only {hiddenCells} hidden cells over all the selections: the selections are too large to test anything.");
        Assert.True(naiveLeaks > 100, $"Hiding only the small counts gave away {naiveLeaks} cells: the checker should find far more.");
    }

    /// <summary>Random selections over the five years of synthetic referrals, for a user of every borough and one of Newham.</summary>
    private async Task<List<(Guid User, ReportSelection Selection)>> SelectionsAsync(int count)
    {
        await using var connection = await world.Database.Db.OpenAsync();
        var boroughs = (await connection.QueryAsync<long>("SELECT id FROM boroughs")).ToList();
        var schools = (await connection.QueryAsync<(long Id, long BoroughId)>("SELECT id, borough_id FROM schools")).ToList();
        var newhamId = await connection.ExecuteScalarAsync<long>("SELECT id FROM boroughs WHERE name = 'Newham'");
        var categories = (await connection.QueryAsync<long>("SELECT id FROM offence_categories")).ToList();
        var random = new Random(2026);
        T? Sometimes<T>(double chance, Func<T> value) => random.NextDouble() < chance ? value() : default;
        var selections = new List<(Guid, ReportSelection)>();
        for (var i = 0; i < count; i++)
        {
            var oneBorough = random.NextDouble() < 0.3;
            var from = new DateOnly(2022, 1, 1).AddMonths(random.Next(0, 54));
            var to = random.Next(4) switch
            {
                0 => from.AddMonths(1).AddDays(-1),
                1 => from.AddMonths(3).AddDays(-1),
                2 => from.AddMonths(12).AddDays(-1),
                _ => from.AddDays(random.Next(20, 700)),
            };
            long? borough = oneBorough ? newhamId : Sometimes(0.3, () => (long?)boroughs[random.Next(boroughs.Count)]);
            var inBorough = schools.Where(s => borough is null || s.BoroughId == borough).ToList();
            selections.Add((oneBorough ? newham.Id : everyBorough.Id, new ReportSelection(from, to,
                BoroughId: borough,
                SchoolId: Sometimes(0.1, () => (long?)inBorough[random.Next(inBorough.Count)].Id),
                OffenceCategoryId: Sometimes(0.2, () => (long?)categories[random.Next(categories.Count)]),
                Gender: Sometimes(0.15, () => random.Next(2) == 0 ? "female" : "male"),
                EthnicGroup: Sometimes(0.1, () => new[] { "Asian", "Black", "White" }[random.Next(3)]),
                AgeBand: Sometimes(0.1, () => new[] { "10-13", "14-15", "16-17" }[random.Next(3)]),
                Trend: random.Next(2) == 0 ? TrendGranularity.Month : TrendGranularity.Quarter,
                ReferenceGroup: random.Next(3) == 0 ? "Asian" : "White")));
        }
        return selections;
    }

    /// <summary>Every table written as its CSV file and read back as text, by table key: the files a reader holds.</summary>
    private static Dictionary<string, List<string[]>> Files(IReadOnlyList<ExportTable> tables) =>
        tables.ToDictionary(t => t.Key, t =>
        {
            var bytes = ReportCsv.Write(t, SuppressBelow);
            return ReportCsvTests.Parse(Encoding.UTF8.GetString(bytes[3..]));
        });

    private static Dictionary<string, List<string[]>> SmallOnly(Dictionary<string, List<string[]>> truth) =>
        truth.ToDictionary(f => f.Key, f => f.Value.Select((row, r) => r == 0 ? row : row.Select(c =>
            long.TryParse(c, out var n) && n is >= 1 and < SuppressBelow ? "<" + SuppressBelow : c).ToArray()).ToList());

    /// <summary>A cell of a file: row 0 is the header.</summary>
    private sealed record Cell(string File, int Row, int Column)
    {
        public override string ToString() => $"{File} row {Row} column {Column}";
    }

    /// <summary>Σ coefficient × cell = 0.</summary>
    private sealed record Identity(string Name, IReadOnlyList<(Cell Cell, int Coefficient)> Terms);

    private static bool HoldsOn(Identity identity, Dictionary<string, List<string[]>> truth) =>
        identity.Terms.Count > 1 && identity.Terms.All(t => long.TryParse(truth[t.Cell.File][t.Cell.Row][t.Cell.Column], out _))
        && identity.Terms.Sum(t => t.Coefficient * long.Parse(truth[t.Cell.File][t.Cell.Row][t.Cell.Column])) == 0;

    /// <summary>The ways the files add up, as a reader of docs/reports.md would write them down (checked against the truth after).</summary>
    private static IEnumerable<Identity> Identities(Dictionary<string, List<string[]>> files, ReportResult result)
    {
        Cell At(string file, Func<string[], bool> row, string header)
        {
            var rows = files[file];
            var r = rows.FindIndex(1, x => row(x));
            Assert.True(r > 0, $"{file}: no such row for {header}");
            return new Cell(file, r, Array.IndexOf(rows[0], header));
        }
        IEnumerable<int> Rows(string file) => Enumerable.Range(1, files[file].Count - 1);
        Identity Sum(string name, Cell total, IEnumerable<Cell> parts) => new(name, [(total, 1), .. parts.Select(p => (p, -1))]);
        Identity Same(string name, Cell a, Cell b) => new(name, [(a, 1), (b, -1)]);

        var stages = result.Funnel.Select(s => s.Label).ToList();
        Cell Stage(string label) => At(ReportTables.Funnel, r => r[0] == label && r[1] == "Reached this stage", "Cases");
        Cell Headline(string label, string column) => At(ReportTables.Headlines, r => r[0] == label, column);
        var referred = Stage(stages[0]);

        // The headline figures are the funnel's stages and their bases.
        var headlineStages = new (string Figure, int Stage)[]
        {
            ("Referrals", 0), ("Eligible referrals", 1), ("Conferences held", 3), ("Agreements reached", 4), ("Agreements completed", 5),
        };
        foreach (var (figure, stage) in headlineStages)
        {
            yield return Same($"headline {figure}", Headline(figure, "Number"), Stage(stages[stage]));
            if (stage > 0)
            {
                var previous = stage == 3 ? 1 : stage - 1;
                yield return Same($"headline {figure} out of", Headline(figure, "Out of"), Stage(stages[previous]));
            }
        }
        var diverted = Headline("Diversion rate: did not enter the CJS within 12 months", "Number");
        var checks = Headline("Diversion rate: did not enter the CJS within 12 months", "Out of");
        yield return Sum("12-month checks", checks, [diverted, Headline("Entered the CJS within 12 months", "Number")]);
        yield return Same("12-month checks twice", checks, Headline("Entered the CJS within 12 months", "Out of"));
        yield return Same("median over the held conferences", Headline("Median days from referral to conference", "Out of"), Stage(stages[3]));

        // The funnel: each stage is the next one and the reasons cases left before it.
        for (var k = 1; k < stages.Count; k++)
        {
            var label = stages[k];
            var leavers = Rows(ReportTables.Funnel).Where(r => files[ReportTables.Funnel][r][0] == label && files[ReportTables.Funnel][r][1] != "Reached this stage")
                .Select(r => new Cell(ReportTables.Funnel, r, 2));
            yield return Sum($"funnel {label}", Stage(stages[k - 1]), [Stage(label), .. leavers]);
        }

        // Disproportionality: each stage over the groups is the funnel's; a rate is out of the group's count at the stage before.
        var groups = files[ReportTables.Disproportionality];
        var names = Rows(ReportTables.Disproportionality).Select(r => groups[r][0]).Distinct().ToList();
        Cell GroupCell(string group, string stage, string header) => At(ReportTables.Disproportionality, r => r[0] == group && r[3] == stage, header);
        yield return Sum("groups referred", referred, names.Select(g => GroupCell(g, groups.First(r => r[0] == g && r != groups[0])[3], "Referred")));
        foreach (var stage in Rows(ReportTables.Disproportionality).Select(r => groups[r][3]).Distinct())
        {
            yield return Sum($"groups {stage}", Stage(stage), names.Select(g => GroupCell(g, stage, "Cases")));
            var k = stages.IndexOf(stage);
            foreach (var g in names.Where(_ => k >= 1 && k < stages.Count - 1)) // the last stage is out of the checked agreements, not shown
            {
                yield return Same($"{g} {stage} out of", GroupCell(g, stage, "Out of"), k == 1 ? GroupCell(g, stage, "Referred") : GroupCell(g, stages[k - 1], "Cases"));
            }
        }

        // The trend and the breakdowns add up to the selection's totals.
        var trendTotals = new (string Header, Cell Total)[]
        {
            ("Referrals", referred), ("Of them, conference held", Stage(stages[3])),
            ("Did not enter the CJS within 12 months", diverted), ("12-month checks complete", checks),
        };
        foreach (var (header, total) in trendTotals)
        {
            var column = Array.IndexOf(files[ReportTables.Trend][0], header);
            yield return Sum($"trend {header}", total, Rows(ReportTables.Trend).Select(r => new Cell(ReportTables.Trend, r, column)));
        }
        // The activity file's referrals received are the cohort's referrals, month by month.
        var received = Array.IndexOf(files[ReportTables.Activity][0], "Referrals received");
        var cohortReferrals = Array.IndexOf(files[ReportTables.Trend][0], "Referrals");
        foreach (var r in Rows(ReportTables.Activity))
        {
            var month = files[ReportTables.Activity][r][1];
            var t = Rows(ReportTables.Trend).First(x => files[ReportTables.Trend][x][1] == month);
            yield return Same($"activity {month} referrals", new Cell(ReportTables.Activity, r, received), new Cell(ReportTables.Trend, t, cohortReferrals));
        }
        var breakdownTotals = new (string Header, Cell Total)[]
        {
            ("Referrals", referred), ("Eligible", Stage(stages[1])), ("Conferences held", Stage(stages[3])),
            ("Agreements reached", Stage(stages[4])), ("Agreements completed", Stage(stages[5])),
            ("Did not enter the CJS within 12 months", diverted), ("12-month checks complete", checks),
        };
        foreach (var file in new[] { ReportTables.Boroughs, ReportTables.Schools, ReportTables.OffenceCategories })
        {
            foreach (var (header, total) in breakdownTotals)
            {
                var column = Array.IndexOf(files[file][0], header);
                yield return Sum($"{file} {header}", total, Rows(file).Select(r => new Cell(file, r, column)));
            }
        }
        // Each borough is its schools ("Langdon Park, Newham").
        foreach (var b in Rows(ReportTables.Boroughs))
        {
            var borough = files[ReportTables.Boroughs][b][0];
            var schoolRows = Rows(ReportTables.Schools).Where(s => files[ReportTables.Schools][s][0].EndsWith(", " + borough, StringComparison.Ordinal)).ToList();
            for (var column = 1; column <= 7; column++)
            {
                yield return Sum($"{borough} column {column}", new Cell(ReportTables.Boroughs, b, column), schoolRows.Select(s => new Cell(ReportTables.Schools, s, column)));
            }
        }
    }

    /// <summary>
    /// The hidden cells the identities determine: each identity with the published numbers moved to the constant side,
    /// solved exactly (Gauss–Jordan over the rationals); a cell is determined when a reduced row holds it alone.
    /// </summary>
    private static List<Cell> Solve(List<Identity> identities, Dictionary<string, List<string[]>> published)
    {
        bool Hidden(Cell c) => !long.TryParse(published[c.File][c.Row][c.Column], out _);
        var unknowns = identities.SelectMany(i => i.Terms).Select(t => t.Cell).Where(Hidden).Distinct().ToList();
        var index = unknowns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var rows = new List<Fraction[]>();
        foreach (var identity in identities)
        {
            var row = new Fraction[unknowns.Count];
            Array.Fill(row, Fraction.Zero);
            var any = false;
            foreach (var (cell, coefficient) in identity.Terms.Where(t => Hidden(t.Cell)))
            {
                row[index[cell]] = row[index[cell]] + new Fraction(coefficient, 1);
                any = true;
            }
            if (any) rows.Add(row);
        }
        var pivots = new List<(int Row, int Column)>();
        var next = 0;
        for (var c = 0; c < unknowns.Count && next < rows.Count; c++)
        {
            var p = rows.FindIndex(next, r => !r[c].IsZero);
            if (p < 0) continue;
            (rows[next], rows[p]) = (rows[p], rows[next]);
            var pivot = rows[next][c];
            for (var k = 0; k < unknowns.Count; k++) rows[next][k] = rows[next][k] / pivot;
            for (var r = 0; r < rows.Count; r++)
            {
                if (r == next || rows[r][c].IsZero) continue;
                var factor = rows[r][c];
                for (var k = 0; k < unknowns.Count; k++) rows[r][k] = rows[r][k] - factor * rows[next][k];
            }
            pivots.Add((next, c));
            next++;
        }
        return pivots.Where(p => Enumerable.Range(0, unknowns.Count).All(k => k == p.Column || rows[p.Row][k].IsZero))
            .Select(p => unknowns[p.Column]).ToList();
    }

    /// <summary>An exact rational number, always reduced, with a positive denominator.</summary>
    private readonly record struct Fraction
    {
        public static readonly Fraction Zero = new(0, 1);
        public BigInteger N { get; }
        public BigInteger D { get; }

        public Fraction(BigInteger n, BigInteger d)
        {
            if (d.Sign < 0) (n, d) = (-n, -d);
            var g = BigInteger.GreatestCommonDivisor(n, d);
            (N, D) = g.IsZero || g.IsOne ? (n, d) : (n / g, d / g);
            if (N.IsZero) D = 1;
        }

        public bool IsZero => N.IsZero;
        public static Fraction operator +(Fraction a, Fraction b) => new(a.N * b.D + b.N * a.D, a.D * b.D);
        public static Fraction operator -(Fraction a, Fraction b) => new(a.N * b.D - b.N * a.D, a.D * b.D);
        public static Fraction operator *(Fraction a, Fraction b) => new(a.N * b.N, a.D * b.D);
        public static Fraction operator /(Fraction a, Fraction b) => new(a.N * b.D, a.D * b.N);
    }
}
