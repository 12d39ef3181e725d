// The agreement PDF benchmark: renders a typical two-page agreement again and again on one thread
// (pinned to one core where the OS allows it) and reports documents per second and latency
// percentiles. Target (issue 6): at least 50 documents per second on one core, 95th percentile under 50 ms.
//
//   dotnet run -c Release --project benchmarks/RjConferences.AgreementBenchmark [-- --count 2000 --warmup 200 --all-cores]
//
// With --board-report it renders the partnership board report instead (BoardReportBenchmark.cs).

using System.Diagnostics;
using System.Globalization;
using PdfSharp.Pdf.IO;
using RjConferences.Features.Agreements;

var count = Option("--count", 2000);
var warmup = Option("--warmup", 200);
var pinned = !args.Contains("--all-cores");
if (pinned && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
{
    Process.GetCurrentProcess().ProcessorAffinity = 1;   // the first core only: GC and JIT threads share it too
}

var fonts = new DocumentFonts([], DocumentFonts.DefaultFolders());
if (fonts.Fonts is null)
{
    Console.Error.WriteLine(fonts.Problem);
    return 2;
}
if (args.Contains("--board-report"))
{
    return BoardReportBenchmark.Run(fonts.Fonts, Option("--count", 50), Option("--warmup", 5));
}
var pdf = new AgreementPdf(fonts.Fonts);
var document = Sample();
var first = pdf.Render(document);
using (var stream = new MemoryStream(first))
{
    var pages = PdfReader.Open(stream, PdfDocumentOpenMode.Import).PageCount;
    Console.WriteLine($"Document: {pages} pages, {first.Length:N0} bytes, font {fonts.Fonts.Description}");
}

for (var i = 0; i < warmup; i++)
{
    pdf.Render(document);
}
var times = new double[count];
var total = Stopwatch.StartNew();
var each = new Stopwatch();
for (var i = 0; i < count; i++)
{
    each.Restart();
    pdf.Render(document);
    times[i] = each.Elapsed.TotalMilliseconds;
}
total.Stop();
Array.Sort(times);
double Percentile(double p) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
var perSecond = count / total.Elapsed.TotalSeconds;
var p95 = Percentile(0.95);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Rendered {count} documents in {total.Elapsed.TotalSeconds:F2} s on {(pinned ? "one core" : $"{Environment.ProcessorCount} cores")}, one thread"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{perSecond:F1} documents/s; latency p50 {Percentile(0.50):F2} ms, p95 {p95:F2} ms, p99 {Percentile(0.99):F2} ms, max {times[^1]:F2} ms"));
var met = perSecond >= 50 && p95 < 50;
Console.WriteLine(met ? "Target met: >= 50 documents/s and p95 < 50 ms." : "Target missed: >= 50 documents/s and p95 < 50 ms.");
return met ? 0 : 1;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

// A typical agreement: a young person, a parent, a harmed pupil, a facilitator and three actions (two pages).
static AgreementDocument Sample()
{
    var conference = new DateOnly(2026, 6, 16);
    var young = new DocumentPerson("Kwame Mensah", "Kwame");
    var facilitator = new DocumentPerson("PC Jones");
    return new AgreementDocument
    {
        Reference = "RJ-2026-00042",
        BoroughName = "Newham",
        SchoolName = "Langdon Park",
        ConferenceDate = conference,
        OffenceDate = new DateOnly(2026, 6, 10),
        Location = "on school premises",
        WhatHappened = "Kwame pushed Olivia in the lunch queue. She fell and hurt her wrist, and her phone screen cracked.",
        Parties =
        [
            new(young, "the young person who caused the harm", SignatureRole.YoungPerson),
            new(new DocumentPerson("Ama Mensah", "Ama"), "parent or guardian of the young person", SignatureRole.ParentOrGuardian),
            new(new DocumentPerson("Olivia Brown", "Olivia", Harmed: true), "the person who was harmed", SignatureRole.HarmedParty),
        ],
        Facilitators = [facilitator],
        Actions =
        [
            new(1, "Written apology", "Write a letter to Olivia saying sorry for pushing her, and what he will do differently.", young, conference.AddDays(14), facilitator),
            new(2, "Compensation", "Pay towards the repair of the phone screen.", young, conference.AddDays(28), facilitator, AmountPence: 2550),
            new(3, "Work for the school or community", "Help the site team tidy the playground after lunch on Fridays.", young, conference.AddDays(42), facilitator, Hours: 3),
        ],
    };
}
