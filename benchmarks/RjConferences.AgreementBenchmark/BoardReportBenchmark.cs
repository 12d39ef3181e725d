// The board report (issue 15, item 8): renders the PDF of a report the size of one academic year of the 1,000,000-case
// synthetic database (200,465 cases, 78 schools in 6 boroughs, 12 offence categories, 12 months, last year's beside it)
// and reports the first render (JIT and fonts included) and the steady state. Target: under 2 s.
//
//   dotnet run -c Release --project benchmarks/RjConferences.AgreementBenchmark -- --board-report [--count 50 --warmup 5]

using System.Diagnostics;
using System.Globalization;
using PdfSharp.Pdf.IO;
using RjConferences.Features.Agreements;
using RjConferences.Features.Reports;

internal static class BoardReportBenchmark
{
    public static int Run(PdfFontSet fonts, int count, int warmup)
    {
        var pdf = new BoardReportPdf(fonts);
        var report = new BoardReport(Year(200_465, 2025) with { PreviousYear = Year(187_310, 2024) }, "", new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero), 5);
        var clock = Stopwatch.StartNew();
        var first = pdf.Render(report);
        var firstMs = clock.Elapsed.TotalMilliseconds;
        using (var stream = new MemoryStream(first))
        {
            Console.WriteLine($"Board report: {PdfReader.Open(stream, PdfDocumentOpenMode.Import).PageCount} pages, {first.Length:N0} bytes; first render {firstMs:F0} ms");
        }
        for (var i = 0; i < warmup; i++)
        {
            pdf.Render(report);
        }
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            clock.Restart();
            pdf.Render(report);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double Percentile(double p) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} renders: p50 {Percentile(0.5):F1} ms, p95 {Percentile(0.95):F1} ms, max {times[^1]:F1} ms"));
        var met = firstMs < 2000 && Percentile(0.95) < 2000;
        Console.WriteLine(met ? "Target met: under 2 s (first render and p95)." : "Target missed: under 2 s (first render and p95).");
        return met ? 0 : 1;
    }

    /// <summary>A report of <paramref name="cases"/> referrals in the academic year starting in <paramref name="year"/>, shaped like the synthetic data.</summary>
    private static ReportResult Year(long cases, int year)
    {
        long Part(double share) => (long)(cases * share);
        HeadlineFigure Rate(string key, string label, long n, long d) => new(key, label, FigureKind.Rate, n, d, d == 0 ? null : (double)n / d);
        long[] stages = [cases, Part(0.82), Part(0.55), Part(0.45), Part(0.38), Part(0.31), Part(0.12)];
        var labels = new[] { "Referred", "Eligible", "Consented", "Conference held", "Agreement reached", "Agreement completed", "No CJS entry at 12 months" };
        var keys = new[] { "referred", "eligible", "consented", "conference_held", "agreement_reached", "agreement_completed", "no_cjs_12_months" };
        var funnel = stages.Select((n, k) => new FunnelStage(keys[k], labels[k], n, (double)n / cases, k == 0 ? null : (double)n / stages[k - 1],
            k == 0 ? [] : [new StageLeavers("left", "Left", (stages[k - 1] - n) * 2 / 3), new StageLeavers("in_progress", "In progress", stages[k - 1] - n - (stages[k - 1] - n) * 2 / 3)])).ToList();
        var groups = new[] { ("Asian", 0.2), ("Black", 0.18), ("Mixed", 0.07), ("White", 0.45), ("Other", 0.05), ("Not stated", 0.05) }.Select(g =>
            new GroupRates(g.Item1, (long)(cases * g.Item2), false, keys.Select((key, k) =>
            {
                var count = (long)(stages[k] * g.Item2);
                var @base = k == 0 ? count : (long)(stages[k - 1] * g.Item2);
                return new GroupStageRate(key, count, @base, (double)count / @base, 1.0, Intervals.Wilson(count, @base), Intervals.RelativeRateIndex(count, @base, count, @base));
            }).ToList())).ToList();
        var from = new DateOnly(year, 9, 1);
        var trend = Enumerable.Range(0, 12).Select(m => new TrendPoint(from.AddMonths(m).ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")), from.AddMonths(m),
            cases / 12, cases / 30, m < 6 ? cases / 90 : 0, m < 6 ? cases / 85 : 0, m < 6 ? cases / 400 : cases / 40)).ToList();
        BreakdownRow Row(string name, long n) => new(name, n, n * 82 / 100, n * 45 / 100, n * 38 / 100, n * 31 / 100, n * 11 / 100, n * 12 / 100);
        var boroughs = new[] { "Hackney", "Newham", "Tower Hamlets", "Islington", "Camden", "Southwark" };
        return new ReportResult(new ReportSelection(from, from.AddYears(1).AddDays(-1)),
            [
                new("referrals", "Referrals", FigureKind.Count, cases, null, cases),
                new("school_internal", "Referrals the school handled internally", FigureKind.Count, Part(0.08), null, Part(0.08)),
                Rate("eligible", "Eligible referrals", stages[1], stages[0]), Rate("conferences_held", "Conferences held", stages[3], stages[1]),
                Rate("agreements_reached", "Agreements reached", stages[4], stages[3]), Rate("agreements_completed", "Agreements completed", stages[5], stages[4]),
                Rate("diversion_rate", "Diversion rate: did not enter the CJS within 12 months", Part(0.12), Part(0.13)),
                Rate("entered_cjs_12", "Entered the CJS within 12 months", Part(0.13) - Part(0.12), Part(0.13)),
                Rate("exclusions_avoided", "School exclusions avoided", Part(0.1), Part(0.33)),
                new("median_days_to_conference", "Median days from referral to conference", FigureKind.MedianDays, stages[3], stages[3], 23.5),
                new("median_days_to_victim_contact", "Median days from referral to first contact with the harmed party", FigureKind.MedianDays, Part(0.4), Part(0.4), 4),
                Rate("harmed_satisfaction", "Harmed parties satisfied (4 or 5 out of 5)", Part(0.24), Part(0.31)),
            ],
            funnel, groups, trend,
            boroughs.Select(b => Row(b, cases / 6)).ToList(),
            Enumerable.Range(0, 78).Select(i => Row($"School {i + 1:00}, {boroughs[i % 6]}", cases / 78)).ToList(),
            Enumerable.Range(1, 12).Select(i => Row($"Offence category {i}", cases / 12)).ToList());
    }
}
