
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
/// The suppression rule of every export (the page itself shows the exact figures to its authorised users):
/// <list type="number">
/// <item>A count from 1 to <c>suppressBelow</c> − 1 (1–4 by default) is written "&lt;5". Zero is written 0.</item>
/// <item>Where a total and its parts are in the same table (a funnel stage, the next stage and the reasons
/// cases left between them), a relation with exactly one hidden count would give it back by subtraction:
/// the smallest other non-zero part is hidden too ("suppressed"), or the total when no part can be. This
/// repeats until no relation has exactly one hidden count. A part that the table does not show (cases still
/// in progress) counts as hidden.</item>
/// <item>A percentage, relative rate index, confidence interval or median is written "suppressed" when any count it
/// rests on is hidden: multiplied by a shown base it would give the hidden count back.</item>
/// </list>
/// The rule holds within one export; different exports of the same selection are separate files.
/// </summary>
public static class ReportSuppression
{
    public static void Apply(ExportTable table, int suppressBelow)
    {
        var counts = table.Rows.SelectMany(r => r).SelectMany(CountsOf)
            .Concat(table.Relations.SelectMany(r => r.Parts.Append(r.Total)))
            .Distinct();
        foreach (var count in counts)
        {
            count.State = count.Value >= 1 && count.Value < suppressBelow ? CountState.Small : CountState.Shown;
        }
        bool changed;
        do
        {
            changed = false;
            foreach (var relation in table.Relations)
            {
                var hidden = relation.Parts.Count(p => p.Hidden) + (relation.Total.Hidden ? 1 : 0);
                var unseenPart = relation.Total.Value != relation.Parts.Sum(p => p.Value);
                if (hidden != 1 || unseenPart)
                {
                    // Nothing hidden, or two unknowns already (a second hidden count, or a part the table does not show).
                    continue;
                }
                var protect = relation.Parts.Where(p => !p.Hidden && p.Value > 0).OrderBy(p => p.Value).FirstOrDefault()
                    ?? (relation.Total.Hidden ? null : relation.Total);
                if (protect is not null)
                {
                    protect.State = CountState.Protecting;
                    changed = true;
                }
            }
        }
        while (changed);
    }

    private static IEnumerable<ExportCount> CountsOf(ExportCell cell) => cell switch
    {
        CountCell c => [c.Count],
        DerivedFromCounts d => d.DependsOn,
        _ => [],
    };
}
