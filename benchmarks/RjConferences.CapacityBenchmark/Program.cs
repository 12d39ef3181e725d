// Capacity: N concurrent signed-in users, each on a Blazor Server circuit driven at the protocol level (CircuitClient:
// no browser, so hundreds fit beside the server on 2 cores), against the built app running as a process of its own on
// loopback (so that its CPU and memory are its own), published into a temporary folder. For each N: a fresh app process, N users signed in through the
// sign-in form (sign-ins/s), N circuits opened on My work, then for --seconds each user follows links in a loop — My work,
// the case list, a case, the school diary, a report chosen in its address — with a think time between (5-15 s by default:
// someone reading a page before the next click; --think-ms 1000 is a stress test, a click every 0.5-1.5 s); then every
// user leaves by closing the tab and the memory is read again once their circuits have gone.
//
//   dotnet run -c Release --project benchmarks/RjConferences.CapacityBenchmark -- [--users 50,100,250,500,1000] [--seconds 60]
//       [--think-ms 10000] [--cases 20000] [--by-page true] [--warmup-seconds 60] [--postgres "<conn>"] [--provider both]
//
// SQLite by default (the database is a temporary file); with --postgres "<conn>" (or RJ_BENCH_POSTGRES) the same data is
// copied into a PostgreSQL database of its own and measured too (--provider sqlite|postgres|both). Exit 1 when a target is missed (p95 < 100 ms per interaction and
// ≤ 500 KB of memory per circuit at 500 users, no errors).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RjConferences;
using RjConferences.Benchmarks.Shared;
using RjConferences.Data;
using RjConferences.Security;
using RjConferences.Tests.Support;
using RjConferences.Tools;

var providers = BenchProviders.Parse(ref args);
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["users"] = "50,100,250,500,1000", ["seconds"] = "60", ["think-ms"] = "10000", ["cases"] = "20000", ["signins"] = "50", ["by-page"] = "false", ["chromium"] = "0", ["warmup-seconds"] = "60", ["pages"] = "all" };
for (var i = 0; i < args.Length; i += 2)
{
    if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal) || !options.ContainsKey(args[i][2..]))
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Options: --users <N,N,…> --seconds <N> --think-ms <N> --cases <N> --signins <N> --by-page <true|false> --chromium <pages> --warmup-seconds <N> --pages <all|/,/cases,/cases/{{id}},/conferences/diary,/reports>");
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
var userCounts = options["users"].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
var seconds = int.Parse(options["seconds"], CultureInfo.InvariantCulture);
var thinkMs = int.Parse(options["think-ms"], CultureInfo.InvariantCulture);
var caseCount = int.Parse(options["cases"], CultureInfo.InvariantCulture);
// Signing in costs a password hash (PBKDF2) each: --signins distinct users sign in (that is the sign-in figure), and
// circuit i uses the cookies of user i mod --signins (Limits:CircuitsPerUser is raised to allow it). Each circuit is its
// own connection, scope and page whichever cookie it carries.
var signIns = int.Parse(options["signins"], CultureInfo.InvariantCulture);
// --by-page true: after the run, every user is taken to each page in turn and the heap is read with all of them on it —
// which pages a circuit's memory comes from.
var byPage = bool.Parse(options["by-page"]);
// --chromium N: N real Chromium pages (Debian's, headless) follow the same links beside the circuits, timed from the link
// being followed (Blazor.navigateTo) to the page's text showing — a check that the browserless circuits time what a
// browser sees. Off by default: on 2 cores their rendering (the reports page above all) takes both cores in bursts, and
// the circuits' p95 rose from 36 ms to 1.3-2.6 s while Chromium's own stayed near 300 ms (docs/capacity.md).
var chromiumPages = int.Parse(options["chromium"], CultureInfo.InvariantCulture);
// --warmup-seconds: the N users follow their links for this long before the measured --seconds begin, without a pause
// between. A server runs for days; in its first minute under load the JIT is still compiling the hot methods again at
// tier 1 (a profile at 250 users: 15-35 % of the app's CPU on the tiered-compilation thread, and twice the CPU per
// interaction of a minute later), the thread pool is growing and the database's pages are being read for the first time.
// The warm-up's own figures are printed too (the "first minute" columns): what users see just after a restart.
var warmupSeconds = int.Parse(options["warmup-seconds"], CultureInfo.InvariantCulture);
// --pages: the users follow only these of the five links, in turn (the names as in the per-page lines: "/", "/cases",
// "/cases/{id}", "/conferences/diary", "/reports"), to find what one page costs: with "/,/conferences/diary" against
// "/cases,/conferences/diary", the difference in CPU per interaction is twice the difference between My work and the case
// list. A page needs another beside it: following a link to the page already shown renders nothing.
var pages = options["pages"] == "all" ? null : options["pages"].Split(',').ToHashSet(StringComparer.Ordinal);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = AppSetup.Culture;
TypeHandlers.Register();
const string Password = "capacity benchmark password";

var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "RjConferences.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("RjConferences.sln not found above the benchmark.");
var folder = Path.Combine(Path.GetTempPath(), "rjconferences-capacity-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
// The app as it is deployed: published (Release, built with this benchmark), Production — with its static files, which a
// browser needs (blazor.web.js) and a build output serves only in Development.
var appDll = Path.Combine(folder, "app", "RjConferences.dll");
using (var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(root, "RjConferences", "RjConferences.csproj"),
           "-c", "Release", "--no-build", "-o", Path.GetDirectoryName(appDll)!, "-v", "quiet"]) { RedirectStandardOutput = true })!)
{
    var said = await publish.StandardOutput.ReadToEndAsync();
    await publish.WaitForExitAsync();
    if (publish.ExitCode != 0) throw new InvalidOperationException("dotnet publish failed:\n" + said);
}
var file = Path.Combine(folder, "capacity.db");
var results = new List<Result>();
List<Guid> caseIdsForSteps = [];
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
    builder.Configuration["ConnectionStrings:Default"] = $"Data Source={file}";
    builder.Configuration[DataServices.ProviderKey] = "Sqlite";
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddRjConferences();
    await using (var seedApp = builder.Build())
    {
        await seedApp.Services.GetRequiredService<Migrator>().MigrateAsync();
        await SyntheticData.EnsureCasesAsync(seedApp.Services, caseCount, Console.Out);
        var db = seedApp.Services.GetRequiredService<Db>();
        await using (var connection = await db.OpenAsync())
        {
            caseIdsForSteps = (await connection.QueryAsync<Guid>("SELECT id FROM cases ORDER BY referred_on DESC LIMIT 500")).ToList();
        }
        var seeding = Stopwatch.StartNew();
        List<long> boroughs;
        await using (var connection = await db.OpenAsync()) boroughs = (await connection.QueryAsync<long>("SELECT id FROM boroughs")).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, signIns + 1), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            await using var scope = seedApp.Services.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(new NewAccount($"Capacity user {i}", Email(i),
                [Roles.Referrer, Roles.YouthJusticeReviewer], [], boroughs, Password, MustChangePassword: false), actorId: null);
            if (!created.Succeeded) throw new InvalidOperationException(string.Join("; ", created.Errors.SelectMany(e => e.Value)));
        });
        Console.WriteLine($"Created {signIns + 1:N0} users (Referrer and reviewer, every borough) in {seeding.Elapsed.TotalSeconds:N0} s.");
    }
    SqliteConnection.ClearAllPools();
    // PostgreSQL: the same data, copied into a database of its own (binary COPY), for the same users and steps.
    var postgres = providers.Postgres is null ? null
        : await PostgresLoad.EnsureAsync(file, providers.Postgres, "rjconferences_capacity", largeTables: null, Console.Out, reuse: false);

    foreach (var (provider, n) in (providers.Sqlite ? userCounts.Select(n => ("SQLite", n)) : []).Concat(postgres is null ? [] : userCounts.Select(n => ("PostgreSQL", n))))
    {
        results.Add(await RunAsync(n, provider, postgres));
        var r = results[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{provider} N={n}: {r.Interactions} interactions (Chromium: {r.BrowserTimes.Count}, p50 {P(r.BrowserTimes, 0.5):F0} ms, p95 {P(r.BrowserTimes, 0.95):F0} ms), sign-in page {r.SignInPagePerSecond:F0}/s, p50 {P(r.Times, 0.5):F0} ms, p95 {P(r.Times, 0.95):F0} ms, p99 {P(r.Times, 0.99):F0} ms (first minute: p95 {P(r.WarmupTimes, 0.95):F0} ms, {r.WarmupCpuMsPerInteraction:F1} ms of CPU per interaction), errors {r.Errors}, CPU {r.CpuPercent:F0} %, RSS {r.RssBaseMb:F0} → {r.RssLoadedMb:F0} → {r.RssAfterMb:F0} → {r.RssAfterGcMb:F0} MB, managed heap {r.HeapBaseMb:F1} → {r.HeapLoadedMb:F1} → {r.HeapAfterMb:F1} MB"));
    }

    Console.WriteLine();
    Console.WriteLine($"Conditions: {BenchProviders.Conditions()}; {caseCount:N0} cases; {seconds} s per N after {warmupSeconds} s of warm-up at N; think time {thinkMs / 2}–{thinkMs * 3 / 2} ms");
    Console.WriteLine();
    Console.WriteLine("| Database | Users (circuits) | sign-in page requests/s | sign-ins/s | open all circuits s | interactions | p50 ms | p95 ms | p99 ms | case page p95 ms | errors | server CPU % (of 1 core) | CPU ms per interaction | managed heap before MB | with users MB | per circuit KB | after they left MB | RSS before MB | RSS with users MB | RSS after they left MB | first minute: p95 ms | first minute: CPU ms per interaction |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Provider} | {r.Users:N0} | {r.SignInPagePerSecond:F0} | {r.SignInsPerSecond:F1} | {r.OpenSeconds:F1} | {r.Interactions:N0} | {P(r.Times, 0.5):F0} | {P(r.Times, 0.95):F0} | {P(r.Times, 0.99):F0} | {P(r.CaseTimes, 0.95):F0} | {r.Errors} | {r.CpuPercent:F0} | {r.CpuPercent * 10 * seconds / Math.Max(1, r.Interactions):F1} | {r.HeapBaseMb:F1} | {r.HeapLoadedMb:F1} | {r.HeapPerCircuitKb:F0} | {r.HeapAfterMb:F1} | {r.RssBaseMb:F0} | {r.RssLoadedMb:F0} | {r.RssAfterGcMb:F0} | {P(r.WarmupTimes, 0.95):F0} | {r.WarmupCpuMsPerInteraction:F1} |"));
    }
    foreach (var r in results.Where(r => r.ErrorSamples.Count > 0))
    {
        Console.WriteLine($"N={r.Users} errors, first few: {string.Join(" / ", r.ErrorSamples.Take(3))}");
    }
    var at500 = results.Where(r => r.Users == 500).ToList();
    return at500.All(r => P(r.Times, 0.95) < 100 && r.HeapPerCircuitKb <= 500 && r.Errors == 0) ? 0 : 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
}

static string Email(int i) => $"capacity{i}@benchmark.example";

static double P(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

async Task<Result> RunAsync(int n, string provider, string? postgresConnection)
{
    var port = FreePort();
    var baseUrl = $"http://127.0.0.1:{port}";
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(appDll)! };
    start.ArgumentList.Add(appDll);
    start.ArgumentList.Add("--urls");
    start.ArgumentList.Add(baseUrl);
    start.Environment["ConnectionStrings__Default"] = provider == "SQLite" ? $"Data Source={file}" : postgresConnection;
    start.Environment["Database__Provider"] = provider == "SQLite" ? "Sqlite" : "Postgres";
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    start.Environment["FollowUps__DailyJob__Enabled"] = "false";
    start.Environment["Limits__SignInsPerMinute"] = "1000000";
    start.Environment["Limits__DisconnectedCircuitSeconds"] = "10";
    start.Environment["Limits__CircuitsPerUser"] = (n / signIns + 2).ToString(CultureInfo.InvariantCulture);
    start.Environment["Limits__DisconnectedCircuitsKept"] = (n + 10).ToString(CultureInfo.InvariantCulture);
    using var app = Process.Start(start)!;
    var log = new System.Text.StringBuilder();
    app.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
    app.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
    app.BeginOutputReadLine();
    app.BeginErrorReadLine();
    var clients = new List<CircuitClient>();
    try
    {
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                if (app.HasExited) throw new InvalidOperationException("The app exited while starting:\n" + log);
                try { if ((await probe.GetAsync(baseUrl + "/health")).IsSuccessStatusCode) break; } catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                if (waited.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The app did not start:\n" + log);
                await Task.Delay(200);
            }
        }
        // One more user visits every page twice, so that the memory before is read with every page's code loaded (the
        // JIT's work under load is the warm-up below, at N users).
        var warm = new CookieContainer();
        await SignInAsync(baseUrl, warm, signIns);
        await using (var warmClient = (await CircuitClient.OpenAsync(baseUrl, warm, "/", "What needs you now, ", TimeSpan.FromSeconds(60))).Client)
        {
            var random = new Random(0);
            for (var i = 0; i < 10; i++)
            {
                var (path, text) = AllSteps(random)[(i + 1) % 5]; // not "/" first: the circuit is on it already
                await warmClient.NavigateAsync(path, text, TimeSpan.FromSeconds(60));
            }
        }
        await Task.Delay(12000); // the warm-up circuit is kept 10 s after it disconnects
        var rssBase = Rss(app);
        var heapBase = ManagedHeap.MegabytesAfterFullGc(app.Id);
        var liveBase = ManagedHeap.LastLiveMegabytes;

        // The sign-in page (static server rendering, with its antiforgery token), 8 requests at a time for 5 s.
        var signInPagePerSecond = await SignInPageRequestsPerSecondAsync(baseUrl, TimeSpan.FromSeconds(5));

        // Sign in --signins users through the sign-in form (8 at a time).
        var jars = new CookieContainer[Math.Min(n, signIns)];
        var signingIn = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jars.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            jars[i] = new CookieContainer();
            await SignInAsync(baseUrl, jars[i], i);
        });
        var signInsPerSecond = jars.Length / signingIn.Elapsed.TotalSeconds;

        // Open every user's circuit on My work (16 at a time).
        var opening = Stopwatch.StartNew();
        var opened = new CircuitClient?[n];
        var errors = 0;
        var samples = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            try
            {
                opened[i] = (await CircuitClient.OpenAsync(baseUrl, jars[i % jars.Length], "/", "What needs you now, ", TimeSpan.FromSeconds(60))).Client;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref errors);
                lock (samples) samples.Add("opening: " + e.Message[..Math.Min(e.Message.Length, 300)]);
            }
        });
        var openSeconds = opening.Elapsed.TotalSeconds;
        clients.AddRange(opened.OfType<CircuitClient>());

        // Each user follows links in a loop for the warm-up and then the time given; an interaction belongs to the window
        // it started in.
        var times = new List<double>();
        var warmupTimes = new List<double>();
        var caseTimes = new List<double>();
        var byStep = new Dictionary<string, List<double>>();
        var warmupCpuBefore = CpuSeconds(app);
        var running = Stopwatch.StartNew();
        var warmupEnd = TimeSpan.FromSeconds(warmupSeconds);
        var end = warmupEnd + TimeSpan.FromSeconds(seconds);
        var cpuBefore = 0.0;
        var measuring = warmupSeconds > 0 ? WhenAsync(warmupEnd) : Task.CompletedTask;
        async Task WhenAsync(TimeSpan at)
        {
            await Task.Delay(at - running.Elapsed);
            cpuBefore = CpuSeconds(app);
        }
        if (warmupSeconds == 0) cpuBefore = warmupCpuBefore;
        var browserTimes = new List<double>();
        var browsing = chromiumPages > 0 ? BrowseAsync(baseUrl, jars, chromiumPages, end, running, browserTimes, samples) : Task.FromResult(0);
        await Task.WhenAll(opened.Select(async (client, i) =>
        {
            if (client is null) return;
            var random = new Random(i);
            var step = random.Next(1, 5); // not "/" first: the circuit opened on it
            await Task.Delay(random.Next(thinkMs));
            while (running.Elapsed < end)
            {
                var steps = Steps(random);
                var (path, text) = steps[step++ % steps.Length];
                if (client.Path == path) continue; // with --pages: the page the circuit opened on
                var warmingUp = running.Elapsed < warmupEnd;
                try
                {
                    var time = (await client.NavigateAsync(path, text, TimeSpan.FromSeconds(30))).TotalMilliseconds;
                    if (warmingUp)
                    {
                        lock (warmupTimes) warmupTimes.Add(time);
                    }
                    else lock (times)
                    {
                        times.Add(time);
                        if (path.StartsWith("/cases/", StringComparison.Ordinal)) caseTimes.Add(time);
                        var name = path.StartsWith("/cases/", StringComparison.Ordinal) ? "/cases/{id}" : path;
                        if (!byStep.TryGetValue(name, out var list)) byStep[name] = list = [];
                        list.Add(time);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref errors);
                    lock (samples) samples.Add((warmingUp ? "warm-up " : "") + (path.StartsWith("/cases/", StringComparison.Ordinal) ? "/cases/{id}" : path) + ": " + e.Message[..Math.Min(e.Message.Length, 300)]);
                }
                await Task.Delay(thinkMs / 2 + random.Next(thinkMs));
            }
        }));
        errors += await browsing;
        await measuring;
        browserTimes.Sort();
        var cpuPercent = (CpuSeconds(app) - cpuBefore) / (running.Elapsed - warmupEnd).TotalSeconds * 100;
        var warmupCpuMsPerInteraction = (cpuBefore - warmupCpuBefore) * 1000 / Math.Max(1, warmupTimes.Count);
        var rssLoaded = Rss(app);
        // With every user still connected (their circuits, pages and state held), the heap after a full GC.
        var heapLoaded = ManagedHeap.MegabytesAfterFullGc(app.Id);
        if (byPage)
        {
            foreach (var (path, text) in AllSteps(new Random(0)))
            {
                var failed = 0;
                await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, _) =>
                {
                    // A circuit already on the page stays there: the same address again renders nothing new to wait for.
                    if (c.Path == path) return;
                    try { await c.NavigateAsync(path, text, TimeSpan.FromSeconds(20)); } catch (Exception) { Interlocked.Increment(ref failed); }
                });
                var heap = ManagedHeap.MegabytesAfterFullGc(app.Id);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  N={n}, everyone on {(path.StartsWith("/cases/", StringComparison.Ordinal) ? "/cases/{id}" : path)}: managed heap {heap:F1} MB, {(heap - heapBase) * 1024 / clients.Count:F0} KB per circuit; live objects {(ManagedHeap.LastLiveMegabytes - liveBase) * 1024 / clients.Count:F0} KB per circuit ({failed} did not get there)"));
            }
        }
        errors += clients.Sum(c => c.Errors.Count);

        // Everyone leaves by closing the tab: blazor.web.js then tells the server to end the circuit (/_blazor/disconnect).
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, _) => await c.CloseTabAsync());
        clients.Clear();
        // A circuit ends at once, but one with a JavaScript call still unanswered when its tab closed (Blazor's own calls at
        // the end of a navigation) stays referenced by that call's timeout: Limits:JavaScriptCallSeconds, 60 s by default.
        await Task.Delay(TimeSpan.FromSeconds(70));
        var rssAfter = Rss(app);
        var heapAfter = ManagedHeap.MegabytesAfterFullGc(app.Id);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rssAfterGc = Rss(app);
        times.Sort();
        warmupTimes.Sort();
        caseTimes.Sort();
        foreach (var (name, list) in byStep.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            list.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  N={n} {name}: {list.Count} × p50 {P(list, 0.5):F0} ms, p95 {P(list, 0.95):F0} ms, p99 {P(list, 0.99):F0} ms"));
        }
        return new Result(provider, n, signInPagePerSecond, signInsPerSecond, openSeconds, times.Count, times, caseTimes, errors, samples, cpuPercent, rssBase, rssLoaded, rssAfter, heapBase, heapLoaded, heapAfter, rssAfterGc, browserTimes, warmupTimes, warmupCpuMsPerInteraction);
    }
    finally
    {
        foreach (var c in clients) await c.DisposeAsync();
        if (!app.HasExited) app.Kill(entireProcessTree: true);
        await app.WaitForExitAsync();
    }
}

(string Path, string Text)[] Steps(Random random) => pages is null ? AllSteps(random) : AllSteps(random).Where(s => pages.Contains(PageName(s.Path))).ToArray();

static string PageName(string path) => path.StartsWith("/cases/", StringComparison.Ordinal) ? "/cases/{id}" : path.Split('?')[0];

(string Path, string Text)[] AllSteps(Random random) =>
[
    ("/", "What needs you now, "),
    ("/cases", "case-count"),
    ($"/cases/{caseIdsForSteps[random.Next(caseIdsForSteps.Count)]}", "case-status"),
    ("/conferences/diary", "Choose a school"),
    ("/reports?period=academic_year&academicYear=2025", "report-summary"),
];

static async Task SignInAsync(string baseUrl, CookieContainer jar, int user)
{
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false });
    var page = await http.GetStringAsync(baseUrl + "/account/login");
    var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
    var response = await http.PostAsync(baseUrl + "/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = Email(user), ["Input.Password"] = Password,
    }));
    if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in of user {user} answered {(int)response.StatusCode}.");
}

// Real Chromium pages beside the circuits: each signed in with one of the users' cookies, on My work, then following the
// same links with the same think time. Returns the failed steps.
async Task<int> BrowseAsync(string baseUrl, CookieContainer[] jars, int pages, TimeSpan end, Stopwatch running, List<double> times, List<string> samples)
{
    var failed = 0;
    using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
    await Task.WhenAll(Enumerable.Range(0, pages).Select(async i =>
    {
        // Signed in through the sign-in page as a user would (one of the --signins users; each has room for one more circuit).
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email address").FillAsync(Email(i % jars.Length));
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForSelectorAsync("main[data-interactive=true]", new() { Timeout = 60_000 });
        var random = new Random(1000 + i);
        var step = random.Next(1, 5);
        await Task.Delay(random.Next(thinkMs));
        while (running.Elapsed < end)
        {
            var steps = Steps(random);
            var (path, text) = steps[step++ % steps.Length];
            var selector = text.Contains(' ') ? $"text={text}" : $"[data-testid={text}]";
            try
            {
                var warmingUp = running.Elapsed < TimeSpan.FromSeconds(warmupSeconds);
                var started = Stopwatch.StartNew();
                await page.EvaluateAsync("path => Blazor.navigateTo(path)", path);
                await page.WaitForSelectorAsync(selector, new() { Timeout = 30_000, State = Microsoft.Playwright.WaitForSelectorState.Attached });
                if (!warmingUp) lock (times) times.Add(started.Elapsed.TotalMilliseconds);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref failed);
                lock (samples) samples.Add("Chromium " + (path.StartsWith("/cases/", StringComparison.Ordinal) ? "/cases/{id}" : path) + ": " + e.Message[..Math.Min(e.Message.Length, 200)]);
            }
            await Task.Delay(thinkMs / 2 + random.Next(thinkMs));
        }
        await context.CloseAsync();
    }));
    return failed;
}

static async Task<double> SignInPageRequestsPerSecondAsync(string baseUrl, TimeSpan duration)
{
    using var http = new HttpClient();
    var count = 0;
    var running = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        while (running.Elapsed < duration)
        {
            using var response = await http.GetAsync(baseUrl + "/account/login");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            Interlocked.Increment(ref count);
        }
    }));
    return count / running.Elapsed.TotalSeconds;
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static double Rss(Process process)
{
    var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

static double CpuSeconds(Process process)
{
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
    var stat = File.ReadAllText($"/proc/{process.Id}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

sealed record Result(string Provider, int Users, double SignInPagePerSecond, double SignInsPerSecond, double OpenSeconds, int Interactions, List<double> Times, List<double> CaseTimes, int Errors,
    List<string> ErrorSamples, double CpuPercent, double RssBaseMb, double RssLoadedMb, double RssAfterMb,
    double HeapBaseMb, double HeapLoadedMb, double HeapAfterMb, double RssAfterGcMb, List<double> BrowserTimes, List<double> WarmupTimes,
    double WarmupCpuMsPerInteraction)
{
    public double HeapPerCircuitKb => (HeapLoadedMb - HeapBaseMb) * 1024 / Users;
}
