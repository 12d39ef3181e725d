using Bunit;
using Microsoft.AspNetCore.Components;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class ErrorSummaryTests : FormKitTests
{
    private static readonly IReadOnlyList<Choice> Choices = [new("a", "A"), new("b", "B")];

    /// <summary>One field of every kind in the kit, each with an error, and the summary above them.</summary>
    // The page is rendered once and never re-rendered, so counted sequence numbers cannot upset a diff.
#pragma warning disable ASP0006
    private static RenderFragment Form(FieldErrors errors) => builder =>
    {
        var seq = 0;
        void Field<T>(params (string Name, object? Value)[] parameters) where T : IComponent
        {
            builder.OpenComponent<T>(seq++);
            foreach (var (name, value) in parameters) builder.AddAttribute(seq++, name, value);
            builder.AddAttribute(seq++, "Errors", errors);
            builder.CloseComponent();
        }
        builder.OpenComponent<ErrorSummary>(seq++);
        builder.AddAttribute(seq++, "Errors", errors);
        builder.CloseComponent();
        Field<TextField>(("Field", "Party.FirstName"), ("Label", "First name"));
        Field<TextAreaField>(("Field", "Notes"), ("Label", "Notes"), ("MaxLength", 2000));
        Field<SelectField>(("Field", "RoomId"), ("Label", "Room"), ("Choices", Choices), ("Empty", "Choose a room"));
        Field<RadioChoices>(("Field", "Method"), ("Legend", "How you met"), ("Choices", Choices));
        Field<YesNoRadios>(("Field", "Held"), ("Legend", "Was the conference held?"));
        Field<CheckboxChoices>(("Field", "Attended"), ("Legend", "Who came?"), ("Choices", new List<(Guid, string)> { (Guid.NewGuid(), "Sam") }), ("Selected", new HashSet<Guid>()));
        Field<DateInputGroup>(("Field", "Actions[0].DueOn"), ("Legend", "Due date"), ("Value", new DateInput()));
        Field<PasswordField>(("Field", "Password"), ("Label", "Password"));
    };
#pragma warning restore ASP0006

    private static readonly string[] Fields = ["Party.FirstName", "Notes", "RoomId", "Method", "Held", "Attended", "Actions[0].DueOn", "Password"];

    /// <summary>Where the summary's link for each field must land: the box, or the first radio, checkbox or date part of a group.</summary>
    public static TheoryData<string, string> FocusTargets => new()
    {
        { "Party.FirstName", "input[type=text]" },
        { "Notes", "textarea" },
        { "RoomId", "select" },
        { "Method", "input[type=radio][value=a]" },
        { "Held", "input[type=radio][value=yes]" },
        { "Attended", "input[type=checkbox]" },
        { "Actions[0].DueOn", "input.date-day" },
        { "Password", "input[type=password]" },
    };

    [Theory]
    [MemberData(nameof(FocusTargets))]
    public void Each_link_targets_the_fields_focus_target(string field, string target)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        var errors = new FieldErrors();
        foreach (var f in Fields) errors.Add(f, $"Problem with {f}");

        var page = Render(Form(errors));

        var link = page.FindAll("[data-testid=error-summary] a").Single(a => a.TextContent == $"Problem with {field}");
        // The link keeps the page's own address (<base href="/"> would send "#field" home) and names the field's id.
        Assert.Equal($"http://localhost/#{FieldIds.For(field)}", link.GetAttribute("href"));
        // The element with that id is the focus target: the box, the first radio or checkbox, the day part.
        Assert.Equal(FieldIds.For(field), page.Find(target).Id);
        // The field says the same message, and names it.
        Assert.Equal($"Problem with {field}", page.Find($"[id='{FieldIds.ErrorFor(field)}']").TextContent.Replace("Error:", "").Trim());
        Assert.Contains(page.FindAll("[aria-describedby]"), e => DescribedBy(e).Contains(FieldIds.ErrorFor(field)));
    }

    [Fact]
    public void Every_field_has_its_link_in_the_order_of_the_errors()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        var errors = new FieldErrors();
        foreach (var f in Fields) errors.Add(f, $"Problem with {f}");

        var page = Render(Form(errors));

        Assert.Equal(Fields.Select(f => "#" + FieldIds.For(f)).ToArray(),
            page.FindAll("[data-testid=error-summary] a").Select(a => "#" + a.GetAttribute("href")!.Split('#')[1]).ToArray());
        Assert.Equal(Fields.Length, FocusTargets.Count);
    }

    [Fact]
    public void Without_errors_there_is_no_summary()
    {
        var page = Render<ErrorSummary>(p => p.Add(s => s.Errors, new FieldErrors()));

        Assert.Empty(page.FindAll("[data-testid=error-summary]"));
    }

    [Fact]
    public void The_summary_takes_focus_when_it_appears()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        var page = Render<ErrorSummary>(p => p.Add(s => s.Errors, ErrorAt("Name")));

        var summary = page.Find("[data-testid=error-summary]");
        Assert.Equal("There is a problem", summary.QuerySelector("h2")!.TextContent);
        Assert.Equal("-1", summary.GetAttribute("tabindex"));
        var focused = JSInterop.Invocations.Last(i => i.Identifier.Contains("focus", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(summary.GetAttribute("blazor:elementReference"), Assert.IsType<ElementReference>(focused.Arguments[0]).Id);
    }
}
