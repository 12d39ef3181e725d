using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class PasswordFieldTests : FormKitTests
{
    private IRenderedComponent<PasswordField> RenderField(FieldErrors? errors = null, string? hint = null) =>
        Render<PasswordField>(p => p.Add(f => f.Field, "NewPassword").Add(f => f.Label, "New password").Add(f => f.Hint, hint)
            .Add(f => f.Autocomplete, "new-password").Add(f => f.Errors, errors));

    [Fact]
    public void The_password_box_posts_under_its_input_name_and_is_never_shown_back()
    {
        var field = RenderField();

        var box = field.Find("input");
        Assert.Equal(FieldIds.For("NewPassword"), box.Id);
        Assert.Equal("password", box.GetAttribute("type"));
        Assert.Equal("Input.NewPassword", box.GetAttribute("name"));
        Assert.Equal("new-password", box.GetAttribute("autocomplete"));
        Assert.False(box.HasAttribute("value"));
        Assert.Equal("New password", field.Find($"label[for='{box.Id}']").TextContent);
        Assert.Null(box.GetAttribute("aria-describedby"));
        AssertInvalid(box, false);
    }

    [Fact]
    public void With_an_error_the_box_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("NewPassword"), hint: "At least 12 characters.");

        var box = field.Find("#field-NewPassword");
        Assert.Equal(["field-NewPassword-hint", "field-NewPassword-error"], DescribedBy(box));
        AssertMessageAbove(field.Markup, field.Find("#field-NewPassword-error"), box);
        AssertInvalid(box, true);
        AssertGroupError(field.Find("div"), true);
    }
}
