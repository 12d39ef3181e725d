
namespace RjConferences.Features.Reports;

/// <summary>
/// The tables of the report page as exports: the same figures as the page's tables, one file each.
/// Only aggregates: counts, shares and medians of groups of cases, never a row per child.
/// </summary>
public static class ReportTables
{
    public const string Headlines = "headlines";
    public const string Funnel = "funnel";
    public const string Disproportionality = "disproportionality";
    public const string Trend = "trend";
    public const string Boroughs = "boroughs";
    public const string Schools = "schools";
    public const string OffenceCategories = "offence-categories";

    /// <summary>The keys of the tables that can be exported, and their titles.</summary>
    public static readonly IReadOnlyDictionary<string, string> Titles = new Dictionary<string, string>
    {
        [Headlines] = "Headline figures",
        [Funnel] = "Stage by stage",
        [Disproportionality] = "Disproportionality by ethnic group",
        [Trend] = "Cohort: cases referred in each month or quarter",
        [Boroughs] = "By borough",
        [Schools] = "By school",
        [OffenceCategories] = "By offence category",
    };

    /// <summary>
    /// Every table of the report for one selection, suppressed together (<see cref="ReportSuppression"/>): what every
    /// export of a selection is made from (one CSV, the workbook, the board report), so that no file gives away what
    /// another hides. In the order of <see cref="Titles"/>.
    /// </summary>
    public static IReadOnlyList<ExportTable> BuildAll(ReportResult result, int suppressBelow)
    {
        var tables = Titles.Keys.Select(key => Build(key, result)).ToList();
        foreach (var table in tables)
        {
            ReportSuppression.Apply(table, suppressBelow);
        }
        return tables;
    }

    public static ExportTable Build(string key, ReportResult result) => key switch
    {
        Headlines => HeadlineTable(result),
        Funnel => FunnelTable(result),
        Disproportionality => GroupTable(result),
        Trend => TrendTable(result),
        Boroughs => BreakdownTable(key, "Borough", result.ByBorough),
        Schools => BreakdownTable(key, "School", result.BySchool),
        OffenceCategories => BreakdownTable(key, "Offence category", result.ByOffenceCategory),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a report table."),
    };

    /// <summary>
    /// Figure, number, out of, percentage, median days. A count that appears twice (a figure and another's
    /// base) is one <see cref="ExportCount"/>, and two shares of the same base that add up to it (did not
    /// enter the CJS, entered the CJS) are a relation, so that one cannot be had from the other.
    /// </summary>
    private static ExportTable HeadlineTable(ReportResult result)
    {
        var byValue = new Dictionary<long, ExportCount>();
        ExportCount Count(long value) => byValue.TryGetValue(value, out var c) ? c : byValue[value] = new ExportCount(value);
        var empty = new TextCell("");
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var figure in result.Headlines)
        {
            rows.Add(figure.Kind switch
            {
                FigureKind.Count when figure.Value is null => [new TextCell(figure.Label), new TextCell(ReportFormat.NotAvailable), empty, empty, empty],
                FigureKind.Count => [new TextCell(figure.Label), new CountCell(Count(figure.Numerator)), empty, empty, empty],
                FigureKind.Rate when figure.Denominator is { } d =>
                [
                    new TextCell(figure.Label), new CountCell(Count(figure.Numerator)), new CountCell(Count(d)),
                    DerivedCell.Percentage(figure.Value, Count(figure.Numerator), Count(d)), empty,
                ],
                FigureKind.MedianDays =>
                [
                    new TextCell(figure.Label), empty, new CountCell(Count(figure.Denominator ?? 0)), empty,
                    new DerivedCell(figure.Value, 1, [Count(figure.Denominator ?? 0)]),
                ],
                _ => [new TextCell(figure.Label), new CountCell(Count(figure.Numerator)), empty, empty, empty],
            });
        }
        var rates = result.Headlines.Where(f => f.Kind == FigureKind.Rate && f.Denominator is not null).ToList();
        var relations = rates
            .SelectMany((a, i) => rates.Skip(i + 1).Where(b => b.Denominator == a.Denominator && a.Numerator + b.Numerator == a.Denominator)
                .Select(b => new SumRelation(Count(a.Denominator!.Value), [Count(a.Numerator), Count(b.Numerator)])))
            .ToList();
        return new ExportTable(Headlines, Titles[Headlines], ["Figure", "Number", "Out of", "Percentage", "Median days"], rows, relations);
    }

    /// <summary>Stage, measure (reached the stage, or left before it and why), cases, percentage of referred, percentage of the previous stage.</summary>
    private static ExportTable FunnelTable(ReportResult result)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        var relations = new List<SumRelation>();
        var empty = new TextCell("");
        ExportCount? referred = null;
        ExportCount? previous = null;
        foreach (var stage in result.Funnel)
        {
            var count = new ExportCount(stage.Count);
            referred ??= count;
            var leavers = new List<ExportCount>();
            foreach (var left in stage.LeftBeforeThisStage)
            {
                var leaver = new ExportCount(left.Count);
                leavers.Add(leaver);
                rows.Add([new TextCell(stage.Label), new TextCell($"Left before this stage: {left.Label}"), new CountCell(leaver), empty, empty]);
            }
            rows.Add([
                new TextCell(stage.Label), new TextCell("Reached this stage"), new CountCell(count),
                DerivedCell.Percentage(stage.ShareOfReferred, count, referred),
                previous is null ? empty : DerivedCell.Percentage(stage.ShareOfPrevious, count, previous),
            ]);
            if (previous is not null)
            {
                relations.Add(new SumRelation(previous, [count, .. leavers]));
            }
            previous = count;
        }
        return new ExportTable(Funnel, Titles[Funnel], ["Stage", "Measure", "Cases", "Percentage of referred", "Percentage of previous stage"], rows, relations);
    }

    /// <summary>One row per ethnic group and stage: the rate and the relative rate index against the reference group.</summary>
    private static ExportTable GroupTable(ReportResult result)
    {
        var reference = result.Selection.ReferenceGroup;
        var counts = result.Disproportionality.ToDictionary(
            g => g.Group,
            g => g.Stages.ToDictionary(s => s.StageKey, s => (Count: new ExportCount(s.Count), Base: new ExportCount(s.Base))));
        var stageLabels = result.Funnel.ToDictionary(s => s.Key, s => s.Label);
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var group in result.Disproportionality)
        {
            var referred = new ExportCount(group.Referred);
            foreach (var stage in group.Stages)
            {
                var (count, @base) = counts[group.Group][stage.StageKey];
                IReadOnlyList<ExportCount> rests = counts.TryGetValue(reference, out var r) && r.TryGetValue(stage.StageKey, out var rc)
                    ? [count, @base, rc.Count, rc.Base]
                    : [count, @base];
                // The intervals rest on the same counts as the figure they belong to, and are hidden with it.
                rows.Add([
                    new TextCell(group.Group), new CountCell(referred), new TextCell(group.SmallBase ? "yes" : "no"),
                    new TextCell(stageLabels.GetValueOrDefault(stage.StageKey, stage.StageKey)), new CountCell(count), new CountCell(@base),
                    DerivedCell.Percentage(stage.Rate, count, @base),
                    DerivedCell.Percentage(stage.RateInterval?.Low, count, @base), DerivedCell.Percentage(stage.RateInterval?.High, count, @base),
                    new DerivedCell(stage.RelativeRateIndex, 2, rests),
                    new DerivedCell(stage.IndexInterval?.Low, 2, rests), new DerivedCell(stage.IndexInterval?.High, 2, rests),
                    new DerivedTextCell(stage.IndexInterval is { } interval ? (interval.ExcludesOne ? "yes" : "no") : "", rests),
                ]);
            }
        }
        return new ExportTable(Disproportionality, Titles[Disproportionality],
            ["Ethnic group", "Referred", "Fewer than 30 referred", "Stage", "Cases", "Out of", "Rate (%)",
             "Rate, 95% CI lower (%)", "Rate, 95% CI upper (%)", $"Relative rate index (against {reference})",
             "Relative rate index, 95% CI lower", "Relative rate index, 95% CI upper", "Interval excludes 1"],
            rows, []);
    }

    private static ExportTable TrendTable(ReportResult result)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var point in result.Trend)
        {
            var diverted = new ExportCount(point.DiversionNumerator);
            var checks = new ExportCount(point.DiversionDenominator);
            rows.Add([
                new TextCell(point.Label), new TextCell(point.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new CountCell(new ExportCount(point.Referrals)), new CountCell(new ExportCount(point.ConferencesHeld)),
                new CountCell(diverted), new CountCell(checks), DerivedCell.Percentage(Share(point.DiversionNumerator, point.DiversionDenominator), diverted, checks),
                new CountCell(new ExportCount(point.AwaitingCheck)),
            ]);
        }
        return new ExportTable(Trend, Titles[Trend],
            [result.Selection.Trend == TrendGranularity.Quarter ? "Quarter" : "Month", "Starts on", "Referrals", "Of them, conference held",
             "Did not enter the CJS within 12 months", "12-month checks complete", "Diversion rate (%)", "Waiting for the 12-month check"],
            rows, []);
    }

    private static ExportTable BreakdownTable(string key, string nameHeader, IReadOnlyList<BreakdownRow> breakdown)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var row in breakdown)
        {
            var diverted = new ExportCount(row.DiversionNumerator);
            var checks = new ExportCount(row.DiversionDenominator);
            rows.Add([
                new TextCell(row.Name), new CountCell(new ExportCount(row.Referrals)), new CountCell(new ExportCount(row.Eligible)),
                new CountCell(new ExportCount(row.ConferencesHeld)), new CountCell(new ExportCount(row.AgreementsReached)),
                new CountCell(new ExportCount(row.AgreementsCompleted)), new CountCell(diverted), new CountCell(checks),
                DerivedCell.Percentage(Share(row.DiversionNumerator, row.DiversionDenominator), diverted, checks),
            ]);
        }
        return new ExportTable(key, Titles[key],
            [nameHeader, "Referrals", "Eligible", "Conferences held", "Agreements reached", "Agreements completed",
             "Did not enter the CJS within 12 months", "12-month checks complete", "Diversion rate (%)"],
            rows, []);
    }

    /// <summary>numerator / denominator, or null when the denominator is 0.</summary>
    public static double? Share(long numerator, long denominator) => denominator == 0 ? null : (double)numerator / denominator;
}
