using System.Runtime.CompilerServices;
using Bunit;

namespace RjConferences.Tests.Support;

/// <summary>
/// bUnit's WaitFor… give up after 1 second by default. A component test waits for what the page loads from a real
/// database: on PostgreSQL, under a full suite's load on two cores, a load or a save has taken longer (the rescheduling
/// and new-referral tests failed once each in clean-clone runs). A wait that passes returns as soon as it passes, so a
/// longer limit costs nothing when all is well; it only stops a slow machine from failing a correct page.
/// </summary>
internal static class ComponentWaits
{
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
