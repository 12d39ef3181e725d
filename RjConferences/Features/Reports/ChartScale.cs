
namespace RjConferences.Features.Reports;

/// <summary>The arithmetic of the server-rendered SVG charts: axis steps and coordinates as SVG text.</summary>
public static class ChartScale
{
    /// <summary>A round top for an axis that shows 0..<paramref name="max"/> in about four steps: 0, 5, 10, 15, 20 for 17.</summary>
    public static (long Top, long Step) Axis(long max)
    {
        if (max <= 4)
        {
            return (4, 1);
        }
        var rough = max / 4.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (long)(new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(s => s >= rough && s == Math.Floor(s)));
        return ((max + step - 1) / step * step, step);
    }

    /// <summary>A coordinate as SVG text (invariant, one decimal).</summary>
    public static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Every label when there are few points, else every n-th so that labels do not overlap.</summary>
    public static int LabelEvery(int points, int room) => Math.Max(1, (int)Math.Ceiling(points / (double)room));

    /// <summary>The axis label of a month ("Sep") or a quarter ("Jan–Mar"); the year goes on a second line.</summary>
    public static string ShortLabel(DateOnly start, bool quarterly) => quarterly
        ? $"{start.ToString("MMM", AppSetup.Culture)}–{start.AddMonths(2).ToString("MMM", AppSetup.Culture)}"
        : start.ToString("MMM", AppSetup.Culture);
}
