namespace RjConferences.Features.Demo;

/// <summary>The random choices of seed-demo and generate-synthetic (a seeded <see cref="Random"/>: the same seed, the same data).</summary>
internal static class RandomChoices
{
    /// <summary>One of <paramref name="choices"/>, each as likely as its weight. No LINQ: generate-synthetic calls it millions of times.</summary>
    public static T Weighted<T>(this Random random, params (T Value, int Weight)[] choices)
    {
        var total = 0;
        foreach (var c in choices) total += c.Weight;
        var pick = random.Next(total);
        foreach (var (value, weight) in choices)
        {
            if (pick < weight) return value;
            pick -= weight;
        }
        return choices[^1].Value;
    }
}
