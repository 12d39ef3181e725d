using Microsoft.Extensions.Time.Testing;

namespace RjConferences.Tests.Support;

/// <summary>
/// The tests' "now": never the machine's date. A test that moves time itself uses a <see cref="FakeTimeProvider"/>
/// set to a fixed moment; one that only needs time to pass (sign-in cookies, timeouts) gets a <see cref="RunningClock"/>
/// that starts at <see cref="Start"/>. `./test.sh --at …` runs the suite at any date to prove it.
/// </summary>
public static class TestClock
{
    /// <summary>Monday 15 June 2026, 10:00 in London: a school day in the summer term.</summary>
    public static readonly DateTimeOffset Start = new(2026, 6, 15, 9, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Fixed(DateTimeOffset? at = null) => new(at ?? Start);
}

/// <summary>A clock that starts at a fixed moment and then runs on in real (monotonic) time.</summary>
public sealed class RunningClock(DateTimeOffset start) : TimeProvider
{
    private readonly long started = System.GetTimestamp();

    public RunningClock() : this(TestClock.Start)
    {
    }

    public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(started);
}
