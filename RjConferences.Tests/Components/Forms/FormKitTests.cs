using AngleSharp.Dom;
using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

/// <summary>What every test of the form kit (Components/Forms) shares: an error at one field, and reading ids and classes.</summary>
public abstract class FormKitTests : BunitContext
{
    protected const string Message = "Enter something";

    protected static FieldErrors ErrorAt(string field) => new() { { field, Message } };

    protected static string[] DescribedBy(IElement element) =>
        element.GetAttribute("aria-describedby")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>The message is shown above the box (GOV.UK): it comes first in the markup.</summary>
    protected static void AssertMessageAbove(string markup, IElement message, IElement box)
    {
        Assert.Contains(Message, message.TextContent);
        var messageAt = markup.IndexOf($"id=\"{message.Id}\"", StringComparison.Ordinal);
        var boxAt = markup.IndexOf($"id=\"{box.Id}\"", StringComparison.Ordinal);
        Assert.True(messageAt >= 0 && messageAt < boxAt, "the message is above the box");
    }

    protected static void AssertInvalid(IElement box, bool invalid) =>
        Assert.Equal(invalid, box.ClassList.Contains(FieldIds.InvalidClass));

    protected static void AssertGroupError(IElement group, bool inError) =>
        Assert.Equal(inError, group.ClassList.Contains(FieldIds.GroupErrorClass));
}
