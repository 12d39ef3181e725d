using System.Globalization;
using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class TextFieldTests : FormKitTests
{
    private IRenderedComponent<TextField> RenderField(FieldErrors? errors = null, string? hint = null, int? maxLength = null, Action<string?>? changed = null) =>
        Render<TextField>(p =>
        {
            p.Add(f => f.Field, "Party.FirstName").Add(f => f.Label, "First name").Add(f => f.Errors, errors).Add(f => f.Hint, hint).Add(f => f.MaxLength, maxLength);
            if (changed is not null) p.Add(f => f.ValueChanged, changed);
        });

    [Fact]
    public void The_box_has_the_fields_id_and_one_label_and_nothing_to_describe_without_hint_or_error()
    {
        var field = RenderField();

        var box = field.Find("input");
        Assert.Equal("field-Party-FirstName", box.Id);
        Assert.Equal(FieldIds.For("Party.FirstName"), box.Id);
        Assert.Equal("First name", field.Find($"label[for='{box.Id}']").TextContent);
        Assert.Single(field.FindAll("label"));
        Assert.Null(box.GetAttribute("aria-describedby"));
        AssertInvalid(box, false);
        AssertGroupError(field.Find("div"), false);
        // A value the server parses: bounded well above anything valid, no count.
        Assert.Equal(TextLimits.ParsedValue.ToString(CultureInfo.InvariantCulture), box.GetAttribute("maxlength"));
        Assert.Empty(field.FindAll(".character-count"));
    }

    [Fact]
    public void With_an_error_the_box_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("Party.FirstName"), hint: "As on their birth certificate");

        var box = field.Find("#field-Party-FirstName");
        Assert.Equal(["field-Party-FirstName-hint", "field-Party-FirstName-error"], DescribedBy(box));
        Assert.Equal("As on their birth certificate", field.Find("#field-Party-FirstName-hint").TextContent);
        AssertMessageAbove(field.Markup, field.Find("#field-Party-FirstName-error"), box);
        AssertInvalid(box, true);
        AssertGroupError(field.Find("div"), true);
    }

    [Fact]
    public void Free_text_counts_against_its_limit_and_names_the_count()
    {
        var field = RenderField(maxLength: 60);

        var box = field.Find("input");
        Assert.Equal(["field-Party-FirstName-info"], DescribedBy(box));
        Assert.Equal(TextLimits.BrowserMaximum.ToString(CultureInfo.InvariantCulture), box.GetAttribute("maxlength"));
        Assert.Equal("60", box.GetAttribute("data-character-limit"));
        Assert.Equal("You can enter up to 60 characters", field.Find("#field-Party-FirstName-info").TextContent);
    }

    [Fact]
    public void A_change_reaches_the_value()
    {
        string? value = null;
        var field = RenderField(changed: v => value = v);

        field.Find("input").Change("Sam");

        Assert.Equal("Sam", value);
    }

    [Fact]
    public void In_a_posted_form_it_posts_under_its_name()
    {
        var field = Render<TextField>(p => p.Add(f => f.Field, "Email").Add(f => f.Label, "Email address").Add(f => f.Type, "email")
            .Add(f => f.Name, "Input.Email").Add(f => f.Autocomplete, "username").Add(f => f.Value, "a@example.org"));

        var box = field.Find("#field-Email");
        Assert.Equal("Input.Email", box.GetAttribute("name"));
        Assert.Equal("email", box.GetAttribute("type"));
        Assert.Equal("username", box.GetAttribute("autocomplete"));
        Assert.Equal("a@example.org", box.GetAttribute("value"));
    }
}
