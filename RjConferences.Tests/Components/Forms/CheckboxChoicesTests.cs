using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class CheckboxChoicesTests : FormKitTests
{
    private static readonly Guid Sam = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Alex = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private IRenderedComponent<CheckboxChoices> RenderField(HashSet<Guid> selected, FieldErrors? errors = null) =>
        Render<CheckboxChoices>(p => p.Add(f => f.Field, "ParticipantIds").Add(f => f.Legend, "Who will take part")
            .Add(f => f.Hint, "Untick anyone who will not come").Add(f => f.Choices, [(Sam, "Sam – young person"), (Alex, "Alex – harmed party")])
            .Add(f => f.Selected, selected).Add(f => f.Errors, errors));

    [Fact]
    public void The_first_checkbox_has_the_fields_id_and_the_others_their_place()
    {
        var field = RenderField([Alex]);

        var boxes = field.FindAll("input[type=checkbox]");
        Assert.Equal([FieldIds.For("ParticipantIds"), "field-ParticipantIds-1"], boxes.Select(b => b.Id!).ToArray());
        Assert.Equal(["Sam – young person", "Alex – harmed party"], boxes.Select(b => field.Find($"label[for='{b.Id}']").TextContent).ToArray());
        Assert.Equal([false, true], boxes.Select(b => b.HasAttribute("checked")).ToArray());
        Assert.Equal(["field-ParticipantIds-hint"], DescribedBy(field.Find("fieldset")));
        AssertGroupError(field.Find("fieldset"), false);
    }

    [Fact]
    public void With_an_error_the_fieldset_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField([], ErrorAt("ParticipantIds"));

        var fieldset = field.Find("fieldset");
        Assert.Equal(["field-ParticipantIds-hint", "field-ParticipantIds-error"], DescribedBy(fieldset));
        AssertMessageAbove(field.Markup, field.Find("#field-ParticipantIds-error"), field.Find("#field-ParticipantIds"));
        AssertGroupError(fieldset, true);
    }

    [Fact]
    public void Ticking_and_clearing_change_the_selection()
    {
        var selected = new HashSet<Guid> { Alex };
        var field = RenderField(selected);

        field.Find("#field-ParticipantIds").Change(true);
        field.Find("#field-ParticipantIds-1").Change(false);

        Assert.Equal([Sam], selected);
    }
}
