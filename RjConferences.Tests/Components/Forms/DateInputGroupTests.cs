using System.Globalization;
using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class DateInputGroupTests : FormKitTests
{
    private IRenderedComponent<DateInputGroup> RenderField(DateInput value, FieldErrors? errors = null) =>
        Render<DateInputGroup>(p => p.Add(f => f.Field, "Actions[0].DueOn").Add(f => f.Legend, "Due date").Add(f => f.Value, value).Add(f => f.Errors, errors));

    [Fact]
    public void The_day_box_has_the_fields_id_and_month_and_year_follow()
    {
        var field = RenderField(DateInput.From(new DateOnly(2026, 7, 17)));

        var boxes = field.FindAll("input");
        Assert.Equal([FieldIds.For("Actions[0].DueOn"), "field-Actions[0]-DueOn-month", "field-Actions[0]-DueOn-year"], boxes.Select(b => b.Id!).ToArray());
        Assert.Equal(["Day", "Month", "Year"], boxes.Select(b => field.Find($"label[for='{b.Id}']").TextContent).ToArray());
        Assert.Equal(["17", "7", "2026"], boxes.Select(b => b.GetAttribute("value")!).ToArray());
        Assert.Equal("Due date", field.Find("fieldset > legend").TextContent);
        Assert.Equal("For example, 27 3 2026", field.Find("#field-Actions\\[0\\]-DueOn-hint").TextContent);
        Assert.Equal(["field-Actions[0]-DueOn-hint"], DescribedBy(field.Find("fieldset")));
        // A mistyped part is kept whole for the rule's message, not cut by the browser.
        Assert.All(boxes, b => Assert.Equal(TextLimits.ParsedValue.ToString(CultureInfo.InvariantCulture), b.GetAttribute("maxlength")));
        Assert.All(boxes, b => AssertInvalid(b, false));
        AssertGroupError(field.Find("fieldset"), false);
    }

    [Fact]
    public void With_an_error_the_fieldset_names_its_hint_and_message_and_every_part_takes_the_error_class()
    {
        var field = RenderField(new DateInput { Day = "31", Month = "2" }, ErrorAt("Actions[0].DueOn"));

        var fieldset = field.Find("fieldset");
        Assert.Equal(["field-Actions[0]-DueOn-hint", "field-Actions[0]-DueOn-error"], DescribedBy(fieldset));
        var day = field.FindAll("input")[0];
        AssertMessageAbove(field.Markup, field.Find("[id='field-Actions[0]-DueOn-error']"), day);
        Assert.All(field.FindAll("input"), b => AssertInvalid(b, true));
        AssertGroupError(fieldset, true);
    }

    [Fact]
    public void Typing_a_part_changes_the_date_input()
    {
        var value = new DateInput();
        var field = RenderField(value);

        field.Find("[id='field-Actions[0]-DueOn-year']").Change("2027");

        Assert.Equal("2027", value.Year);
    }
}
