using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RjConferences.Data;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;
using RjConferences.Security;
using RjConferences.Telemetry;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Browser;

/// <summary>
/// The log canary: journeys with known young people's names, and then a search of every log line (at Trace level, from
/// every category), every state value and scope, every metric label and every span's name, tags and events for those
/// names and the offence's words.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LogCanaryBrowserTests(BrowserFixture browser)
{
    private static readonly string[] Canaries =
    [
        "Canaryfirst", "Canarylast", "Canaryharmed", "Canaryvictim", "Canaryparent", "Canaryoffence",
    ];

    [Fact]
    public async Task No_young_persons_name_or_offence_reaches_a_log_line_a_metric_label_or_a_span()
    {
        var logs = new LogRecorder();
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        // Monday 15 June 2026, 08:00 in London, in term.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));
        using var app = new AppHost(clock: clock, settings: new Dictionary<string, string?> { [AppTelemetry.EnabledKey] = "true" }, services: s =>
        {
            LogRecorder.AddTo(s, logs);
            s.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(metrics));
            s.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(spans));
        });

        // A ready case for Canaryfirst Canarylast through the real referral service, harmed party and parent named too.
        var officer = await TestUsers.CreateAsync(app.Services, "pc.jones@school.example", [Roles.Referrer, Roles.Facilitator], ["Newham/Langdon Park"]);
        var school = await TestCases.SchoolIdAsync(app.Database.Db, "Newham/Langdon Park");
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO rooms (school_id, name, capacity) VALUES (@school, 'Room 2', 10);
                INSERT INTO facilitator_training (user_id, provider, completed_on, refresher_due_on, updated_at)
                VALUES (@Id, 'Restorative Justice Council', '2025-01-10', '2027-01-10', '2026-01-01T00:00:00.0000000Z');
                """, new { school, officer.Id });
        }
        var form = new TestReferral(school, new DateOnly(2026, 6, 10))
        {
            FirstName = "Canaryfirst", LastName = "Canarylast", HarmedFirstName = "Canaryharmed", HarmedLastName = "Canaryvictim",
            ParentFirstName = "Canaryparent", Description = "Canaryoffence: wrote on the lockers in the east corridor.",
        }.ToForm();
        var (caseId, _) = await SchedulingWorld.ReadyCaseAsync(app.Services.GetRequiredService<ReferralService>(),
            app.Services.GetRequiredService<CaseChanges>(), app.Services.GetRequiredService<CaseRepository>(), school, officer, form: form);

        // In Chromium: sign in, search for the young person by name (typed, so it crosses the circuit), open the case, book a conference.
        var page = await browser.NewPageAsync(app);
        await page.SignInAsync(officer);
        await page.GotoInteractiveAsync("/cases");
        await page.GetByLabel("Search by case reference or young person's name").FillAsync("Canarylast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-count")).ToHaveTextAsync("1 case matches.");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Canaryfirst Canarylast" }).GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-status")).ToHaveTextAsync("Ready to schedule");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Canaryoffence");
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a conference" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Facilitator", new() { Exact = true })).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(".+"));
        var date = page.GetByRole(AriaRole.Group, new() { Name = "Date", Exact = true });
        await date.GetByLabel("Day").FillAsync("16");
        await date.GetByLabel("Month").FillAsync("6");
        await date.GetByLabel("Year").FillAsync("2026");
        await page.GetByLabel("Start time").FillAsync("10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book conference" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Conference booked" })).ToBeVisibleAsync();
        await page.GotoInteractiveAsync($"/cases/{caseId}");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Canarylast");

        // The daily job, as it runs at night (its log line, its span and its metrics).
        Assert.NotNull(await app.Services.GetRequiredService<DailyJob>().RunOnceTodayAsync());

        Flush(app);
        var leaks = Leaks(logs, metrics, spans);
        Assert.True(leaks.Count == 0, "Found:\n" + string.Join("\n", leaks));

        // The capture is real: lines from ASP.NET Core at Trace and Debug, the app's own event ids, and the instruments.
        var lines = logs.Lines;
        Assert.Contains(lines, l => l.Level == LogLevel.Trace && l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Category.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal) ||
            l.Category.StartsWith("Microsoft.AspNetCore.Components.Server", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EventId.Id == 1201 && l.EventId.Name == "DailyJobRan");
        var names = metrics.Select(m => m.Name).ToHashSet();
        foreach (var expected in new[]
        {
            "http.server.request.duration", "aspnetcore.components.circuit.active", "aspnetcore.components.handle_event.duration",
            "rjconferences.db.transaction.duration", "rjconferences.db.lock.wait", "rjconferences.audit.events",
            "rjconferences.job.runs", "rjconferences.outbox.messages",
        })
        {
            Assert.True(names.Contains(expected), $"No metric {expected} among: {string.Join(", ", names.Order())}");
        }
        if (app.Database.Db.Provider == DatabaseProvider.Sqlite)
        {
            Assert.Contains("rjconferences.db.command.duration", names);
        }
        // The outbox gauge reads the database: the booking's invitations are queued (the sender is off in tests).
        long queued;
        await using (var connection = await app.Database.Db.OpenAsync())
        {
            queued = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE status = 'queued'");
        }
        Assert.True(queued > 0);
        Assert.Equal(queued, Gauge(metrics, "rjconferences.outbox.messages", "status", "queued"));
        // A copy: the app's background work (the outbox, the jobs) goes on ending spans into the list while the test reads it.
        var ended = spans.ToArray();
        Assert.Contains(ended, s => s.Source.Name == AppTelemetry.Name && s.DisplayName == "db write");
        Assert.Contains(ended, s => s.DisplayName == "job daily" && (string?)s.GetTagItem("rjconferences.job.outcome") == "ran");
        var paths = ended.Where(s => s.Kind == ActivityKind.Server).Select(s => (string?)s.GetTagItem("url.path")).ToHashSet();
        Assert.True(paths.Contains("/cases/{Id:guid}"), "Server spans' paths: " + string.Join(", ", paths));

        // And the search finds a name where one is put on purpose: in a log line's message, state and scope, a metric label and a span's tag.
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Canary.Sanity");
        using (logger.BeginScope(new Dictionary<string, object?> { ["Who"] = "Canaryfirst" }))
        {
            logger.LogInformation("Deliberately logged: {Name}", "Canarylast");
        }
        using (var span = AppTelemetry.Source.StartActivity("sanity"))
        {
            span?.SetTag("who", "Canaryharmed");
        }
        AppTelemetry.JobRuns.Add(1, new("job", "Canaryparent"), new("outcome", "sanity"));
        Flush(app);
        var found = Leaks(logs, metrics, spans);
        Assert.Contains(found, f => f.Contains("scope: Canaryfirst"));
        Assert.Contains(found, f => f.Contains("message: Canarylast"));
        Assert.Contains(found, f => f.Contains("state value: Canarylast"));
        Assert.Contains(found, f => f.Contains("span tag: Canaryharmed"));
        Assert.Contains(found, f => f.Contains("metric label: Canaryparent"));
    }

    private static void Flush(AppHost app)
    {
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
    }

    private static long? Gauge(List<MetricSnapshot> metrics, string name, string key, string value)
    {
        foreach (var point in metrics.LastOrDefault(m => m.Name == name)?.MetricPoints ?? [])
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == key && Equals(tag.Value, value)) return point.GetGaugeLastValueLong();
            }
        }
        return null;
    }

    /// <summary>Each place a canary was found, as "where: canary (in: text)".</summary>
    private static List<string> Leaks(LogRecorder logs, List<MetricSnapshot> metrics, List<Activity> spans)
    {
        var texts = new List<(string Where, string Text)>();
        foreach (var line in logs.Lines)
        {
            texts.AddRange(line.Texts().Select(t => ($"{t.Where} of {line.Category}/{line.EventId.Id}", t.Text)));
        }
        foreach (var metric in metrics.ToList())
        {
            texts.Add(($"metric name", metric.Name));
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    texts.AddRange(LogRecorder.AsTexts(tag.Value).Prepend(tag.Key).Select(t => ($"metric label {metric.Name}/{tag.Key}", t)));
                }
            }
        }
        foreach (var span in spans.ToList())
        {
            texts.Add(("span name", span.DisplayName));
            texts.Add(("span status", span.StatusDescription ?? ""));
            foreach (var tag in span.TagObjects)
            {
                texts.AddRange(LogRecorder.AsTexts(tag.Value).Select(t => ($"span tag {span.DisplayName}/{tag.Key}", t)));
            }
            foreach (var e in span.Events)
            {
                texts.Add(("span event", e.Name));
                texts.AddRange(e.Tags.SelectMany(t => LogRecorder.AsTexts(t.Value)).Select(t => ($"span event {e.Name}", t)));
            }
            foreach (var (key, value) in span.Baggage)
            {
                texts.Add(($"span baggage {key}", value ?? ""));
            }
        }
        return texts
            .SelectMany(t => Canaries.Where(c => t.Text.Contains(c, StringComparison.OrdinalIgnoreCase))
                .Select(c => $"{Kind(t.Where)}: {c} ({t.Where}: {Shorten(t.Text)})"))
            .Distinct().ToList();
    }

    /// <summary>"metric label", "span tag", "state value"… from "metric label x/y".</summary>
    private static string Kind(string where) => where switch
    {
        _ when where.StartsWith("metric label", StringComparison.Ordinal) => "metric label",
        _ when where.StartsWith("span tag", StringComparison.Ordinal) => "span tag",
        _ => where.Split(" of ")[0],
    };

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
