using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer(RjConferences.Tests.Support.LongestFirst.TypeName, RjConferences.Tests.Support.LongestFirst.AssemblyName)]

namespace RjConferences.Tests.Support;

/// <summary>
/// Marks a test class, or a collection definition, whose tests take long together (the seconds they took in a run of
/// ./test.sh, roughly), so that it starts first. xunit runs two collections at a time and starts the next when one
/// ends; a long one started last would run alone at the end while the other core idles.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RunsLongAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}

/// <summary>Orders the test collections longest first (<see cref="RunsLongAttribute"/>), the rest by name.</summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public const string TypeName = "RjConferences.Tests.Support.LongestFirst";
    public const string AssemblyName = "RjConferences.Tests";

    // A class without a collection of its own is alone in a collection named after it.
    private const string ClassCollectionPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(Seconds).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Seconds(ITestCollection collection)
    {
        var type = collection.CollectionDefinition?.ToRuntimeType()
            ?? (collection.DisplayName.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal)
                ? typeof(LongestFirst).Assembly.GetType(collection.DisplayName[ClassCollectionPrefix.Length..])
                : null);
        return type?.GetCustomAttributes(typeof(RunsLongAttribute), inherit: false).Cast<RunsLongAttribute>().FirstOrDefault()?.Seconds ?? 0;
    }
}
