
namespace RjConferences.Features.Reports;

/// <summary>How a count is written in an export.</summary>
public enum CountState
{
    Shown,

    /// <summary>From 1 to the threshold less one: written "&lt;5".</summary>
    Small,

    /// <summary>Any size, hidden so that a small count cannot be worked out from it: written "suppressed".</summary>
    Protecting,
}

/// <summary>
/// One aggregate count in an exported table. The same quantity shown twice (a stage's count and the
/// base of the next stage's rate) is the same object, so that hiding it hides it everywhere.
/// </summary>
public sealed class ExportCount(long value)
{
    public long Value { get; } = value;

    public CountState State { get; internal set; }

    public bool Hidden => State != CountState.Shown;
}

public abstract record ExportCell;

public sealed record TextCell(string Text) : ExportCell;

public sealed record CountCell(ExportCount Count) : ExportCell;

/// <summary>
/// Anything worked out from counts: written only when every count it rests on is shown, since with them it would give
/// a hidden count back (by multiplication, or by saying which side of 1 it lies).
/// </summary>
public abstract record DerivedFromCounts(IReadOnlyList<ExportCount> DependsOn) : ExportCell;

/// <summary>
/// A figure worked out from counts (a percentage, a relative rate index, a median). Null (no base) is written empty.
/// </summary>
public sealed record DerivedCell(double? Value, int Decimals, IReadOnlyList<ExportCount> DependsOn) : DerivedFromCounts(DependsOn)
{
    /// <summary>A share (0..1) written as a percentage with one decimal: 0.62 is "62.0".</summary>
    public static DerivedCell Percentage(double? share, ExportCount numerator, ExportCount denominator) =>
        new(share * 100, 1, [numerator, denominator]);
}

/// <summary>A word worked out from counts (whether an interval excludes 1).</summary>
public sealed record DerivedTextCell(string Text, IReadOnlyList<ExportCount> DependsOn) : DerivedFromCounts(DependsOn);

/// <summary>
/// A total and the parts it is made of (Total = Σ Parts, plus any part not in the table). When only one
/// count of a relation is hidden, subtraction would give it back; <see cref="ReportSuppression"/> then hides another.
/// </summary>
public sealed record SumRelation(ExportCount Total, IReadOnlyList<ExportCount> Parts);

/// <summary>One exported table: aggregate figures only, never a row per child.</summary>
public sealed record ExportTable(string Key, string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<ExportCell>> Rows,
    IReadOnlyList<SumRelation> Relations)
{
    public const string SmallPrefix = "<";
    public const string SuppressedText = "suppressed";

    /// <summary>The text of a cell once <see cref="ReportSuppression.Apply"/> has run.</summary>
    public static string Text(ExportCell cell, int suppressBelow) => cell switch
    {
        TextCell t => t.Text,
        CountCell { Count.State: CountState.Small } => SmallPrefix + suppressBelow.ToString(CultureInfo.InvariantCulture),
        CountCell { Count.State: CountState.Protecting } => SuppressedText,
        CountCell c => c.Count.Value.ToString(CultureInfo.InvariantCulture),
        DerivedFromCounts d when d.DependsOn.Any(c => c.Hidden) => SuppressedText,
        DerivedCell { Value: null } => "",
        DerivedCell d => Math.Round(d.Value!.Value, d.Decimals, MidpointRounding.AwayFromZero).ToString("F" + d.Decimals, CultureInfo.InvariantCulture),
        DerivedTextCell d => d.Text,
        _ => "",
    };
}

/// <summary>
/// The suppression rule of every export (the page itself shows the exact figures to its authorised users), applied to
/// all the tables of a selection together — its CSV files, its workbook and its board report — so that no hidden count
/// can be worked out by adding or subtracting any figures in any of them:
/// <list type="number">
/// <item>A count from 1 to <c>suppressBelow</c> − 1 (1–4 by default) is written "&lt;5". Zero is written 0.</item>
/// <item>Secondary suppression: the totals and their parts (<see cref="SumRelation"/>s, within and across the tables) are
/// a system of linear equations in the hidden counts. While it determines any hidden count — by one relation (a total and
/// all but one of its parts shown) or by adding and subtracting several (a borough's total from its schools and the other
/// boroughs) — another count of a relation holding it is hidden ("suppressed"): the smallest non-zero part shown, else the
/// total. A relation with a part no table shows (cases still in progress) has an unknown already and tells nothing.</item>
/// <item>A percentage, relative rate index, confidence interval or median is written "suppressed" when any count it
/// rests on is hidden: multiplied by a shown base it would give the hidden count back.</item>
/// </list>
/// A relation that pins a hidden count by bounds alone (a reader knows "&lt;5" is 1 to 4 and "suppressed" is 5 or more:
/// 6 = one of each gives both) has one more count hidden in the same way.
/// Not protected, and said so on every export: two different selections compared with each other (a year and the same
/// year less one school); and ranges narrowed (not pinned) by bounds, or pinned through several relations at once.
/// </summary>
public static class ReportSuppression
{
    public static void Apply(IReadOnlyList<ExportTable> tables, IReadOnlyList<SumRelation> relations, int suppressBelow)
    {
        var counts = tables.SelectMany(t => t.Rows).SelectMany(r => r).SelectMany(CountsOf)
            .Concat(relations.SelectMany(r => r.Parts.Append(r.Total)))
            .Distinct();
        foreach (var count in counts)
        {
            count.State = count.Value >= 1 && count.Value < suppressBelow ? CountState.Small : CountState.Shown;
        }
        // A relation whose parts do not add up to its total holds a part no table shows: an unknown no other relation has.
        var complete = relations.Where(r => r.Total.Value == r.Parts.Sum(p => p.Value) && r.Parts.Count > 0).ToList();
        while (Determined(complete).Concat(PinnedByBounds(complete, suppressBelow)).ToList() is { Count: > 0 } groups)
        {
            var protectedAny = false;
            foreach (var determined in groups)
            {
                // One count a round in each group of linked relations (hiding it may undo the rest): of the relations holding a
                // determined count, the smallest non-zero part still shown, else a total.
                var protect = determined
                    .SelectMany(count => complete.Where(r => r.Total == count || r.Parts.Contains(count)))
                    .SelectMany(r => r.Parts.Where(p => !p.Hidden && p.Value > 0).Append(r.Total).Where(c => !c.Hidden))
                    .OrderBy(c => complete.Any(r => r.Total == c) ? 1 : 0).ThenBy(c => c.Value)
                    .FirstOrDefault();
                if (protect is not null)
                {
                    protect.State = CountState.Protecting;
                    protectedAny = true;
                }
            }
            if (!protectedAny)
            {
                break; // cannot happen: a determined count always has a relation with another count shown
            }
        }
    }

    /// <summary>
    /// The hidden counts the shown figures determine: the relations as equations (total − Σ parts = 0) with the shown
    /// counts moved to the constant side, brought to reduced row echelon form one connected group of hidden counts at a
    /// time; a hidden count is determined when a reduced row holds it alone. By group: those of each group that has any.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<ExportCount>> Determined(IReadOnlyList<SumRelation> relations)
    {
        var index = new Dictionary<ExportCount, int>();
        var equations = new List<Dictionary<int, double>>();
        foreach (var relation in relations)
        {
            var equation = new Dictionary<int, double>();
            void Add(ExportCount count, double coefficient)
            {
                if (!count.Hidden) return;
                if (!index.TryGetValue(count, out var i)) index[count] = i = index.Count;
                equation[i] = equation.GetValueOrDefault(i) + coefficient;
            }
            Add(relation.Total, 1);
            foreach (var part in relation.Parts) Add(part, -1);
            if (equation.Values.Any(c => c != 0)) equations.Add(equation);
        }
        var variables = index.Keys.ToArray();
        var determined = new List<IReadOnlyList<ExportCount>>();
        foreach (var group in ConnectedGroups(equations, variables.Length))
        {
            var columns = group.SelectMany(e => e.Keys).Distinct().Order().ToArray();
            var column = columns.Select((v, c) => (v, c)).ToDictionary(x => x.v, x => x.c);
            var m = group.Select(e =>
            {
                var row = new double[columns.Length];
                foreach (var (v, coefficient) in e) row[column[v]] = coefficient;
                return row;
            }).ToArray();
            var found = ReducedRowsHoldingOne(m).Select(c => variables[columns[c]]).ToList();
            if (found.Count > 0) determined.Add(found);
        }
        return determined;
    }

    /// <summary>
    /// The hidden counts one relation pins down by bounds alone: a reader knows a "&lt;5" is 1 to 4 and a "suppressed" count
    /// is 5 or more (only shown counts, never small ones, are chosen to protect), so a total of 6 made of one of each gives
    /// both away. Each hidden count's range is worked out from the relation and the others' ranges; a range of one value is
    /// a disclosure. (Ranges narrowed through several relations at once are not looked for.)
    /// </summary>
    private static IEnumerable<IReadOnlyList<ExportCount>> PinnedByBounds(IReadOnlyList<SumRelation> relations, int suppressBelow)
    {
        const long Unbounded = long.MaxValue / 4;
        (long Low, long High) Range(ExportCount c) => c.State switch
        {
            CountState.Small => (1, suppressBelow - 1),
            CountState.Protecting => (suppressBelow, Unbounded),
            _ => (c.Value, c.Value),
        };
        foreach (var relation in relations)
        {
            // total − Σ parts = 0, as Σ sign × count = 0.
            var terms = relation.Parts.Select(p => (Count: p, Sign: -1L)).Prepend((Count: relation.Total, Sign: 1L)).ToList();
            if (terms.Count(t => t.Count.Hidden) < 2) continue; // one alone is the linear check's
            foreach (var (count, sign) in terms.Where(t => t.Count.Hidden))
            {
                // sign × count = −Σ others' sign × value: its range from the others' ranges.
                long low = 0, high = 0;
                foreach (var (other, otherSign) in terms.Where(t => t.Count != count))
                {
                    var (l, h) = Range(other);
                    low += otherSign > 0 ? -Math.Min(h, Unbounded) : l;
                    high += otherSign > 0 ? -l : Math.Min(h, Unbounded);
                    low = Math.Max(low, -Unbounded); high = Math.Min(high, Unbounded);
                }
                var (from, to) = sign > 0 ? (low, high) : (-high, -low);
                var (own, ownHigh) = Range(count);
                if (Math.Max(from, own) == Math.Min(to, ownHigh))
                {
                    yield return [count];
                }
            }
        }
    }

    /// <summary>The equations split into groups that share no variable (each is solved on its own: small matrices).</summary>
    private static IEnumerable<List<Dictionary<int, double>>> ConnectedGroups(List<Dictionary<int, double>> equations, int variables)
    {
        var parent = Enumerable.Range(0, variables).ToArray();
        int Root(int v) => parent[v] == v ? v : parent[v] = Root(parent[v]);
        foreach (var e in equations)
        {
            var first = e.Keys.First();
            foreach (var v in e.Keys) parent[Root(v)] = Root(first);
        }
        return equations.GroupBy(e => Root(e.Keys.First())).Select(g => g.ToList());
    }

    /// <summary>
    /// Gauss–Jordan elimination with partial pivoting. The coefficients are small whole numbers (±1, sums of them), so a
    /// tolerance of 1e-9 separates zero from non-zero safely. Returns the columns whose reduced row holds no other column.
    /// </summary>
    private static IEnumerable<int> ReducedRowsHoldingOne(double[][] m)
    {
        const double Zero = 1e-9;
        var rows = m.Length;
        var columns = rows == 0 ? 0 : m[0].Length;
        var pivotRow = 0;
        var pivots = new List<(int Row, int Column)>();
        for (var c = 0; c < columns && pivotRow < rows; c++)
        {
            var best = pivotRow;
            for (var r = pivotRow + 1; r < rows; r++) if (Math.Abs(m[r][c]) > Math.Abs(m[best][c])) best = r;
            if (Math.Abs(m[best][c]) < Zero) continue;
            (m[pivotRow], m[best]) = (m[best], m[pivotRow]);
            var pivot = m[pivotRow][c];
            for (var k = c; k < columns; k++) m[pivotRow][k] /= pivot;
            for (var r = 0; r < rows; r++)
            {
                if (r == pivotRow || Math.Abs(m[r][c]) < Zero) continue;
                var factor = m[r][c];
                for (var k = c; k < columns; k++) m[r][k] -= factor * m[pivotRow][k];
            }
            pivots.Add((pivotRow, c));
            pivotRow++;
        }
        foreach (var (row, column) in pivots)
        {
            var alone = true;
            for (var k = 0; k < columns && alone; k++) alone = k == column || Math.Abs(m[row][k]) < Zero;
            if (alone) yield return column;
        }
    }

    private static IEnumerable<ExportCount> CountsOf(ExportCell cell) => cell switch
    {
        CountCell c => [c.Count],
        DerivedFromCounts d => d.DependsOn,
        _ => [],
    };
}
