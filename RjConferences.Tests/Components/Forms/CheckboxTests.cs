using Bunit;
using RjConferences.Components.Forms;

namespace RjConferences.Tests.Components.Forms;

public class CheckboxTests : FormKitTests
{
    [Fact]
    public void A_checkbox_on_its_own_has_its_id_its_label_and_names_its_hint()
    {
        var changes = new List<bool>();
        var field = Render<Checkbox>(p => p.Add(c => c.Id, FieldIds.For("OverdueOnly")).Add(c => c.Label, "Overdue checks only")
            .Add(c => c.Hint, "Checks past their due date").Add(c => c.Checked, true).Add(c => c.CheckedChanged, changes.Add));

        var box = field.Find("input[type=checkbox]");
        Assert.Equal("field-OverdueOnly", box.Id);
        Assert.Equal("Overdue checks only", field.Find("label[for='field-OverdueOnly']").TextContent);
        Assert.Equal(["field-OverdueOnly-hint"], DescribedBy(box));
        Assert.True(box.HasAttribute("checked"));

        box.Change(false);

        Assert.Equal([false], changes);
    }

    [Fact]
    public void Without_a_hint_it_describes_nothing()
    {
        var field = Render<Checkbox>(p => p.Add(c => c.Id, "role-Administrator").Add(c => c.Label, "Administrator"));

        Assert.Null(field.Find("#role-Administrator").GetAttribute("aria-describedby"));
        Assert.False(field.Find("#role-Administrator").HasAttribute("checked"));
    }
}
