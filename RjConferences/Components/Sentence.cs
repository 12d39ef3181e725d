namespace RjConferences.Components;

/// <summary>Words typed by users, put into the app's own sentences.</summary>
public static class Sentence
{
    /// <summary>The text with one full stop at its end: none added when it already ends a sentence (". ! ?").</summary>
    public static string End(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length > 0 && trimmed[^1] is '.' or '!' or '?' ? trimmed : trimmed + ".";
    }
}
