
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
    public const string Activity = "activity";
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
        [Activity] = "Activity: what was recorded in each month or quarter",
        [Boroughs] = "By borough",
        [Schools] = "By school",
        [OffenceCategories] = "By offence category",
    };

    /// <summary>
    /// Every table of the report for one selection, suppressed together (<see cref="ReportSuppression"/>): what every
    /// export of a selection is made from (one CSV, the workbook, the board report), so that no file gives away what
    /// another hides. In the order of <see cref="Titles"/>.
    /// <para>
    /// A quantity that appears in several tables (the referrals of the headline figures, the funnel's first stage and the
    /// base of a rate) is one <see cref="ExportCount"/> wherever it appears, so that hiding it hides it everywhere; the
    /// tables' parts and totals are <see cref="SumRelation"/>s across the files: each breakdown (ethnic groups, months,
    /// boroughs, schools, offence categories) adds up to the selection's total, and each borough to its schools.
    /// </para>
    /// </summary>
    public static IReadOnlyList<ExportTable> BuildAll(ReportResult result, int suppressBelow)
    {
        var book = new CountBook();
        List<ExportTable> tables =
        [
            HeadlineTable(result, book), FunnelTable(result, book), GroupTable(result, book), TrendTable(result, book), ActivityTable(result, book),
            BreakdownTable(Boroughs, "Borough", result.ByBorough, book), BreakdownTable(Schools, "School", result.BySchool, book),
            BreakdownTable(OffenceCategories, "Offence category", result.ByOffenceCategory, book),
        ];
        ReportSuppression.Apply(tables, [.. tables.SelectMany(t => t.Relations), .. AcrossTables(result, book)], suppressBelow);
        return tables;
    }

    private const string Diverted = "diverted", Checked = "checked", EnteredCjs = "entered_cjs_12";

    /// <summary>The measures of a breakdown row, by key (the funnel's stage keys, and the diversion rate's two counts).</summary>
    private static readonly string[] RowMeasures = ["referred", "eligible", "conference_held", "agreement_reached", "agreement_completed", Diverted, Checked];

    /// <summary>
    /// Every part-and-total relation between the tables: a total of the selection is the sum of the same measure over the
    /// ethnic groups, the months (or quarters), the boroughs, the schools and the offence categories; a borough's row is
    /// the sum of its schools' rows. (Each breakdown covers every case of the selection: every case has one school, one
    /// offence category, one ethnic group heading and one month of referral within the period.)
    /// </summary>
    private static IEnumerable<SumRelation> AcrossTables(ReportResult result, CountBook book)
    {
        var relations = new List<(string Total, IEnumerable<string> Parts)>();
        relations.AddRange(ReportQueries.StageKeys.Select(stage => (stage, result.Disproportionality.Select(g => GroupKey(g.Group, stage)))));
        relations.AddRange(new[] { "referred", "conference_held", Diverted, Checked }.Select(measure => (measure, result.Trend.Select(p => TrendKey(p, measure)))));
        foreach (var (key, rows) in new[] { (Boroughs, result.ByBorough), (Schools, result.BySchool), (OffenceCategories, result.ByOffenceCategory) })
        {
            relations.AddRange(RowMeasures.Select(measure => (measure, rows.Select(r => RowKey(key, r.Name, measure)))));
        }
        foreach (var borough in result.ByBorough)
        {
            var schools = result.BySchool.Where(s => s.Borough == borough.Name).ToList();
            relations.AddRange(RowMeasures.Select(measure => (RowKey(Boroughs, borough.Name, measure), schools.Select(s => RowKey(Schools, s.Name, measure)))));
        }
        // Only relations whose every count is published somewhere (a hand-made result may leave out a table's rows).
        foreach (var (total, parts) in relations)
        {
            var counts = parts.Select(book.Find).ToList();
            if (book.Find(total) is { } t && counts.Count > 0 && counts.All(c => c is not null))
            {
                yield return new SumRelation(t, counts!);
            }
        }
    }

    /// <summary>What a group's rate at a stage is out of: the stage before (the last stage: the completed agreements checked at 12 months).</summary>
    private static string BaseOf(string stage) => ReportQueries.StageKeys.ToList().IndexOf(stage) switch
    {
        6 => "final_base",
        > 0 and var k => ReportQueries.StageKeys[k - 1],
        _ => "referred",
    };

    private static string GroupKey(string group, string stage) => $"group/{group}/{stage}";

    private static string TrendKey(TrendPoint point, string measure) =>
        string.Create(CultureInfo.InvariantCulture, $"trend/{point.Start:yyyy-MM-dd}/{measure}");

    private static string RowKey(string table, string name, string measure) => $"{table}/{name}/{measure}";

    /// <summary>One <see cref="ExportCount"/> per quantity of the selection, by a key that says what it counts.</summary>
    private sealed class CountBook
    {
        private readonly Dictionary<string, ExportCount> counts = [];

        public ExportCount Get(string key, long value)
        {
            if (!counts.TryGetValue(key, out var count))
            {
                return counts[key] = new ExportCount(value);
            }
            // The same quantity always has one value in a computed report (the synthetic-data test checks every relation);
            // a hand-made result that disagrees with itself gets two counts, and relations that do not add up are not used.
            return count.Value == value ? count : Get(key + "'", value);
        }

        public ExportCount? Find(string key) => counts.GetValueOrDefault(key);
    }

    /// <summary>
    /// Figure, number, out of, percentage, median days. A figure's count is the same <see cref="ExportCount"/> as that
    /// quantity in the other tables (the referrals, the eligible referrals… as the funnel's stages; the diversion rate's two
    /// counts, which the breakdowns share); a count the other tables do not show (the answers on exclusions, the cases a
    /// median is over) is tied to any other headline count of the same value, since it may well be the same quantity.
    /// </summary>
    private static ExportTable HeadlineTable(ReportResult result, CountBook book)
    {
        // The headline figures that are counts or bases of the funnel and the breakdowns: numerator and denominator keys.
        var shared = new Dictionary<string, (string Numerator, string? Denominator)>
        {
            ["referrals"] = ("referred", null),
            ["eligible"] = ("eligible", "referred"),
            ["conferences_held"] = ("conference_held", "eligible"),
            ["agreements_reached"] = ("agreement_reached", "conference_held"),
            ["agreements_completed"] = ("agreement_completed", "agreement_reached"),
            ["diversion_rate"] = (Diverted, Checked),
            ["entered_cjs_12"] = (EnteredCjs, Checked),
        };
        var own = new HashSet<ExportCount>();
        ExportCount Count(HeadlineFigure figure, bool numerator)
        {
            var value = numerator ? figure.Numerator : figure.Denominator ?? 0;
            if (shared.TryGetValue(figure.Key, out var keys) && (numerator || keys.Denominator is not null))
            {
                return book.Get(numerator ? keys.Numerator : keys.Denominator!, value);
            }
            var count = book.Get($"headline/{figure.Key}/{(numerator ? "numerator" : "denominator")}", value);
            own.Add(count);
            return count;
        }
        var empty = new TextCell("");
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var figure in result.Headlines)
        {
            rows.Add(figure.Kind switch
            {
                FigureKind.Count when figure.Value is null => [new TextCell(figure.Label), new TextCell(ReportFormat.NotAvailable), empty, empty, empty],
                FigureKind.Count => [new TextCell(figure.Label), new CountCell(Count(figure, true)), empty, empty, empty],
                FigureKind.Rate when figure.Denominator is not null =>
                [
                    new TextCell(figure.Label), new CountCell(Count(figure, true)), new CountCell(Count(figure, false)),
                    DerivedCell.Percentage(figure.Value, Count(figure, true), Count(figure, false)), empty,
                ],
                FigureKind.MedianDays =>
                [
                    new TextCell(figure.Label), empty, new CountCell(Count(figure, false)), empty,
                    new DerivedCell(figure.Value, 1, [Count(figure, false)]),
                ],
                _ => [new TextCell(figure.Label), new CountCell(Count(figure, true)), empty, empty, empty],
            });
        }
        // Two shares of one base that add up to it (did not enter the CJS, entered the CJS): one would give the other away.
        var rates = result.Headlines.Where(f => f.Kind == FigureKind.Rate && f.Denominator is not null).ToList();
        var relations = rates
            .SelectMany((a, i) => rates.Skip(i + 1).Where(b => b.Denominator == a.Denominator && a.Numerator + b.Numerator == a.Denominator)
                .Select(b => new SumRelation(Count(a, false), [Count(a, true), Count(b, true)])))
            .ToList();
        // A count only the headline figures show (the cases a median is over, the answers on exclusions) may well be the same
        // quantity as another count of the same value (the median of days to conference is over the conferences held): each
        // such pair is a relation a = b, so that one is hidden with the other.
        var all = rows.SelectMany(r => r).OfType<CountCell>().Select(c => c.Count).Distinct().ToList();
        relations.AddRange(own.SelectMany(a => all.Where(b => b != a && b.Value == a.Value).Select(b => new SumRelation(a, [b]))));
        return new ExportTable(Headlines, Titles[Headlines], ["Figure", "Number", "Out of", "Percentage", "Median days"], rows, relations);
    }

    /// <summary>Stage, measure (reached the stage, or left before it and why), cases, percentage of referred, percentage of the previous stage.</summary>
    private static ExportTable FunnelTable(ReportResult result, CountBook book)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        var relations = new List<SumRelation>();
        var empty = new TextCell("");
        ExportCount? referred = null;
        ExportCount? previous = null;
        foreach (var stage in result.Funnel)
        {
            var count = book.Get(stage.Key, stage.Count);
            referred ??= count;
            var leavers = new List<ExportCount>();
            foreach (var left in stage.LeftBeforeThisStage)
            {
                var leaver = book.Get($"left/{stage.Key}/{left.Reason}", left.Count);
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
    private static ExportTable GroupTable(ReportResult result, CountBook book)
    {
        var reference = result.Selection.ReferenceGroup;
        var counts = result.Disproportionality.ToDictionary(
            g => g.Group,
            // A stage's base is the group's count at the stage before (the last stage's: its completed agreements with the check done).
            g => g.Stages.ToDictionary(s => s.StageKey, s => (Count: book.Get(GroupKey(g.Group, s.StageKey), s.Count),
                Base: book.Get(GroupKey(g.Group, BaseOf(s.StageKey)), s.Base))));
        var stageLabels = result.Funnel.ToDictionary(s => s.Key, s => s.Label);
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var group in result.Disproportionality)
        {
            var referred = book.Get(GroupKey(group.Group, "referred"), group.Referred);
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

    private static ExportTable TrendTable(ReportResult result, CountBook book)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var point in result.Trend)
        {
            var diverted = book.Get(TrendKey(point, Diverted), point.DiversionNumerator);
            var checks = book.Get(TrendKey(point, Checked), point.DiversionDenominator);
            rows.Add([
                new TextCell(point.Label), new TextCell(point.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new CountCell(book.Get(TrendKey(point, "referred"), point.Referrals)), new CountCell(book.Get(TrendKey(point, "conference_held"), point.ConferencesHeld)),
                new CountCell(diverted), new CountCell(checks), DerivedCell.Percentage(Share(point.DiversionNumerator, point.DiversionDenominator), diverted, checks),
                new CountCell(book.Get(TrendKey(point, "awaiting_check"), point.AwaitingCheck)),
            ]);
        }
        return new ExportTable(Trend, Titles[Trend],
            [result.Selection.Trend == TrendGranularity.Quarter ? "Quarter" : "Month", "Starts on", "Referrals", "Of them, conference held",
             "Did not enter the CJS within 12 months", "12-month checks complete", "Diversion rate (%)", "Waiting for the 12-month check"],
            rows, []);
    }

    /// <summary>
    /// Month (or quarter), starts on, and what was recorded in it. The referrals received are the cohort's referrals of the same
    /// month (one count, hidden with it); the other activity counts add up to nothing another file shows.
    /// </summary>
    private static ExportTable ActivityTable(ReportResult result, CountBook book)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var point in result.Activity)
        {
            var trendPoint = result.Trend.FirstOrDefault(t => t.Start == point.Start);
            ExportCount Count(string measure, long value) => book.Get($"activity/{point.Start:yyyy-MM-dd}/{measure}", value);
            rows.Add([
                new TextCell(point.Label), new TextCell(point.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new CountCell(trendPoint is null ? Count("referred", point.Referrals) : book.Get(TrendKey(trendPoint, "referred"), point.Referrals)),
                new CountCell(Count("conferences_held", point.ConferencesHeld)), new CountCell(Count("agreements_completed", point.AgreementsCompleted)),
                new CountCell(Count("checks_recorded", point.ChecksRecorded)), new CountCell(Count("cases_closed", point.CasesClosed)),
            ]);
        }
        return new ExportTable(Activity, Titles[Activity],
            [result.Selection.Trend == TrendGranularity.Quarter ? "Quarter" : "Month", "Starts on", "Referrals received", "Conferences held",
             "Agreements completed", "Follow-up checks recorded", "Cases closed"],
            rows, []);
    }

    private static ExportTable BreakdownTable(string key, string nameHeader, IReadOnlyList<BreakdownRow> breakdown, CountBook book)
    {
        var rows = new List<IReadOnlyList<ExportCell>>();
        foreach (var row in breakdown)
        {
            long[] values = [row.Referrals, row.Eligible, row.ConferencesHeld, row.AgreementsReached, row.AgreementsCompleted, row.DiversionNumerator, row.DiversionDenominator];
            var counts = RowMeasures.Select((measure, i) => book.Get(RowKey(key, row.Name, measure), values[i])).ToList();
            rows.Add([
                new TextCell(row.Name), .. counts.Select(c => new CountCell(c)),
                DerivedCell.Percentage(Share(row.DiversionNumerator, row.DiversionDenominator), counts[5], counts[6]),
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
