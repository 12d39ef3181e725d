using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class YesNoRadiosTests : FormKitTests
{
    private IRenderedComponent<YesNoRadios> RenderField(FieldErrors? errors = null, bool? value = null, string? notAsked = null, Action<bool?>? changed = null) =>
        Render<YesNoRadios>(p =>
        {
            p.Add(f => f.Field, "Held").Add(f => f.Legend, "Was the conference held?").Add(f => f.Hint, "Select yes if it took place")
                .Add(f => f.Errors, errors).Add(f => f.Value, value).Add(f => f.NotAsked, notAsked);
            if (changed is not null) p.Add(f => f.ValueChanged, changed);
        });

    [Fact]
    public void Yes_has_the_fields_id_and_no_and_not_asked_follow()
    {
        var field = RenderField(value: false, notAsked: "Not asked");

        var radios = field.FindAll("input[type=radio]");
        Assert.Equal([FieldIds.For("Held"), "field-Held-no", "field-Held-not-asked"], radios.Select(r => r.Id!).ToArray());
        Assert.Equal(["Yes", "No", "Not asked"], radios.Select(r => field.Find($"label[for='{r.Id}']").TextContent).ToArray());
        Assert.Equal("field-Held-no", Assert.Single(radios, r => r.HasAttribute("checked")).Id);
        Assert.Equal(["field-Held-hint"], DescribedBy(field.Find("fieldset")));
        AssertGroupError(field.Find("fieldset"), false);
    }

    [Fact]
    public void With_an_error_the_fieldset_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("Held"));

        var fieldset = field.Find("fieldset");
        Assert.Equal(["field-Held-hint", "field-Held-error"], DescribedBy(fieldset));
        AssertMessageAbove(field.Markup, field.Find("#field-Held-error"), field.Find("#field-Held"));
        AssertGroupError(fieldset, true);
    }

    [Fact]
    public void Yes_is_true_and_not_asked_is_empty_but_stays_chosen()
    {
        var values = new List<bool?>();
        var field = RenderField(notAsked: "Not asked", changed: values.Add);
        Assert.DoesNotContain(field.FindAll("input[type=radio]"), r => r.HasAttribute("checked"));

        field.Find("#field-Held").Change("on");
        field.Find("#field-Held-not-asked").Change("on");

        Assert.Equal([true, null], values);
        Assert.True(field.Find("#field-Held-not-asked").HasAttribute("checked"));
    }
}
