using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class TextAreaFieldTests : FormKitTests
{
    private IRenderedComponent<TextAreaField> RenderField(FieldErrors? errors = null, string? hint = null) =>
        Render<TextAreaField>(p => p.Add(f => f.Field, "Notes").Add(f => f.Label, "Notes (optional)").Add(f => f.MaxLength, 2000)
            .Add(f => f.Errors, errors).Add(f => f.Hint, hint));

    [Fact]
    public void The_box_has_the_fields_id_and_names_its_count_only_without_hint_or_error()
    {
        var field = RenderField();

        var box = field.Find("textarea");
        Assert.Equal(FieldIds.For("Notes"), box.Id);
        Assert.Equal("Notes (optional)", field.Find($"label[for='{box.Id}']").TextContent);
        Assert.Equal(["field-Notes-info"], DescribedBy(box));
        AssertInvalid(box, false);
        AssertGroupError(field.Find("div"), false);
    }

    [Fact]
    public void With_an_error_the_box_names_its_hint_count_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("Notes"), hint: "What was discussed");

        var box = field.Find("#field-Notes");
        Assert.Equal(["field-Notes-hint", "field-Notes-info", "field-Notes-error"], DescribedBy(box));
        AssertMessageAbove(field.Markup, field.Find("#field-Notes-error"), box);
        AssertInvalid(box, true);
        AssertGroupError(field.Find("div"), true);
    }
}
