using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class RadioChoicesTests : FormKitTests
{
    private static readonly IReadOnlyList<Choice> Methods = [new("in_person", "In person"), new("phone", "By phone", "Or a video call")];

    private IRenderedComponent<RadioChoices> RenderField(FieldErrors? errors = null, string? hint = null, string? value = null, Action<string?>? changed = null) =>
        Render<RadioChoices>(p =>
        {
            p.Add(f => f.Field, "Method").Add(f => f.Legend, "How you met").Add(f => f.Choices, Methods)
                .Add(f => f.Errors, errors).Add(f => f.Hint, hint).Add(f => f.Value, value);
            if (changed is not null) p.Add(f => f.ValueChanged, changed);
        });

    [Fact]
    public void The_first_radio_has_the_fields_id_and_the_others_their_code()
    {
        var field = RenderField(value: "phone");

        var radios = field.FindAll("input[type=radio]");
        Assert.Equal([FieldIds.For("Method"), "field-Method-phone"], radios.Select(r => r.Id!).ToArray());
        Assert.All(radios, r => Assert.Equal("field-Method", r.GetAttribute("name")));
        Assert.Equal(["In person", "By phone"], radios.Select(r => field.Find($"label[for='{r.Id}']").TextContent).ToArray());
        Assert.Equal("How you met", field.Find("fieldset > legend").TextContent);
        Assert.True(radios[1].HasAttribute("checked"));
        // A choice's own hint describes its radio.
        Assert.Equal(["field-Method-phone-hint"], DescribedBy(radios[1]));
        Assert.Equal("Or a video call", field.Find("#field-Method-phone-hint").TextContent);
        Assert.Null(field.Find("fieldset").GetAttribute("aria-describedby"));
        AssertGroupError(field.Find("fieldset"), false);
    }

    [Fact]
    public void With_an_error_the_fieldset_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("Method"), hint: "Choose one");

        var fieldset = field.Find("fieldset");
        Assert.Equal(["field-Method-hint", "field-Method-error"], DescribedBy(fieldset));
        AssertMessageAbove(field.Markup, field.Find("#field-Method-error"), field.Find("#field-Method"));
        AssertGroupError(fieldset, true);
        // The bar marks the group; the radios themselves keep their look.
        Assert.All(field.FindAll("input[type=radio]"), r => AssertInvalid(r, false));
    }

    [Fact]
    public void Choosing_a_radio_gives_its_code()
    {
        string? value = null;
        var field = RenderField(changed: v => value = v);

        field.Find("#field-Method-phone").Change("on");

        Assert.Equal("phone", value);
    }
}
