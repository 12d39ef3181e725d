using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RjConferences.Tests.Support;

/// <summary>
/// Records every log line of an app at Trace level from every category (ASP.NET Core's, SignalR's, Blazor's and the
/// app's), whatever the app's configuration says: the message, each value of its state, every scope around it, and
/// the exception. Add it with <see cref="AddTo"/> before the app starts.
/// </summary>
public sealed class LogRecorder : ILoggerProvider, ISupportExternalScope
{
    /// <summary>One log line, with everything in it as text.</summary>
    public sealed record Line(LogLevel Level, string Category, EventId EventId, string Message, IReadOnlyList<string> Values,
        IReadOnlyList<string> Scopes, string? Exception)
    {
        /// <summary>Every piece of text the line carries, for searching.</summary>
        public IEnumerable<(string Where, string Text)> Texts() =>
            new[] { ("message", Message), ("category", Category), ("event name", EventId.Name ?? "") }
                .Concat(Values.Select(v => ("state value", v)))
                .Concat(Scopes.Select(s => ("scope", s)))
                .Concat(Exception is null ? [] : new[] { ("exception", Exception) });
    }

    private readonly ConcurrentQueue<Line> lines = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<Line> Lines => lines.ToArray();

    /// <summary>Registers <paramref name="recorder"/> with no level filter of its own: Trace for every category.</summary>
    public static void AddTo(IServiceCollection services, LogRecorder recorder) =>
        services.AddLogging(b =>
        {
            b.AddProvider(recorder);
            // A rule for this provider beats the configuration's rules (Logging:LogLevel), which are for every provider.
            b.AddFilter<LogRecorder>(null, LogLevel.Trace);
        });

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>A value as text; a list's items each as text (SignalR's arguments, a scope's values).</summary>
    public static IEnumerable<string> AsTexts(object? value) => value switch
    {
        null => [],
        string s => [s],
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.SelectMany(p => AsTexts(p.Value).Prepend(p.Key)),
        IEnumerable items => items.Cast<object?>().SelectMany(AsTexts).Prepend(value.ToString() ?? ""),
        _ => [value.ToString() ?? ""],
    };

    private sealed class Logger(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopeTexts = new List<string>();
            owner.scopes.ForEachScope((scope, list) => list.AddRange(AsTexts(scope).Prepend(scope?.ToString() ?? "")), scopeTexts);
            owner.lines.Enqueue(new Line(logLevel, category, eventId, formatter(state, exception), AsTexts(state).ToList(), scopeTexts,
                exception?.ToString()));
        }
    }
}
