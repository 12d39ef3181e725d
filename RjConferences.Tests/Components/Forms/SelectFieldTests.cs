using Bunit;
using RjConferences.Components.Forms;
using RjConferences.Features.Referrals;
using RjConferences.Security;

namespace RjConferences.Tests.Components.Forms;

public class SelectFieldTests : FormKitTests
{
    private static readonly IReadOnlyList<Choice> Rooms = [new("1", "Library"), new("2", "Hall")];

    private IRenderedComponent<SelectField> RenderField(FieldErrors? errors = null, string? hint = null, string? value = null, Action<string?>? changed = null) =>
        Render<SelectField>(p =>
        {
            p.Add(f => f.Field, "RoomId").Add(f => f.Label, "Room").Add(f => f.Choices, Rooms).Add(f => f.Empty, "Choose a room")
                .Add(f => f.Errors, errors).Add(f => f.Hint, hint).Add(f => f.Value, value);
            if (changed is not null) p.Add(f => f.ValueChanged, changed);
        });

    [Fact]
    public void The_select_has_the_fields_id_one_label_and_its_choices_after_the_empty_one()
    {
        var field = RenderField(value: "2");

        var select = field.Find("select");
        Assert.Equal(FieldIds.For("RoomId"), select.Id);
        Assert.Equal("Room", field.Find($"label[for='{select.Id}']").TextContent);
        Assert.Equal(["Choose a room", "Library", "Hall"], field.FindAll("option").Select(o => o.TextContent).ToArray());
        Assert.Equal("Hall", Assert.Single(field.FindAll("option[selected]")).TextContent);
        Assert.Null(select.GetAttribute("aria-describedby"));
        AssertInvalid(select, false);
        AssertGroupError(field.Find("div"), false);
    }

    [Fact]
    public void With_an_error_the_select_names_its_hint_and_message_and_takes_the_error_class()
    {
        var field = RenderField(ErrorAt("RoomId"), hint: "A room at the school");

        var select = field.Find("#field-RoomId");
        Assert.Equal(["field-RoomId-hint", "field-RoomId-error"], DescribedBy(select));
        AssertMessageAbove(field.Markup, field.Find("#field-RoomId-error"), select);
        AssertInvalid(select, true);
        Assert.Contains("form-select", select.ClassList);
        AssertGroupError(field.Find("div"), true);
    }

    [Fact]
    public void The_empty_choice_is_null()
    {
        string? value = "1";
        var field = RenderField(value: "1", changed: v => value = v);

        field.Find("select").Change("");

        Assert.Null(value);
    }
}
