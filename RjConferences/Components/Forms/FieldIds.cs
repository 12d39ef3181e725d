
namespace RjConferences.Components.Forms;

/// <summary>The element ids of a field and of its error message, shared by summary, message and input.</summary>
public static class FieldIds
{
    public static string For(string field) => "field-" + field.Replace('.', '-');

    public static string ErrorFor(string field) => For(field) + "-error";

    /// <summary>aria-describedby for an input: its hint (if any) and its error (when it has one).</summary>
    public static string? DescribedBy(FieldErrors? errors, string field, string? hintId = null)
    {
        var ids = new List<string>();
        if (hintId is not null)
        {
            ids.Add(hintId);
        }
        if (errors is not null && errors.ContainsKey(field))
        {
            ids.Add(ErrorFor(field));
        }
        return ids.Count == 0 ? null : string.Join(' ', ids);
    }

    public static bool HasError(FieldErrors? errors, string field) => errors is not null && errors.ContainsKey(field);

    /// <summary>
    /// The one class of a box in error (app.css draws it): Bootstrap's <c>is-invalid</c>, a 2px #b10e1e border,
    /// 7.1:1 against the white page and the box's white fill (WCAG 1.4.11 asks 3:1).
    /// </summary>
    public const string InvalidClass = "is-invalid";

    /// <summary>The class of a field's group (its label or legend, hint, message and input) in error: GOV.UK's red bar on the left.</summary>
    public const string GroupErrorClass = "field-group-error";

    public static string InputClass(FieldErrors? errors, string field, string baseClass = "form-control") =>
        HasError(errors, field) ? baseClass + " " + InvalidClass : baseClass;

    /// <summary>The classes of a field's wrapper (div or fieldset): its spacing, any layout classes, and the bar when in error.</summary>
    public static string GroupClass(FieldErrors? errors, string field, string? extra = null) =>
        string.Join(' ', new[] { "mb-3", extra, HasError(errors, field) ? GroupErrorClass : null }.Where(c => !string.IsNullOrWhiteSpace(c)));

    /// <summary>The ids a box names in aria-describedby besides its error: the ones given, nulls left out; null when none.</summary>
    public static string? Join(params string?[] ids) =>
        string.Join(' ', ids.Where(i => !string.IsNullOrEmpty(i))) is { Length: > 0 } joined ? joined : null;

    public static string HintFor(string field) => For(field) + "-hint";

    /// <summary>The class of every label (one style: bold, GOV.UK's small label) and every legend of a question.</summary>
    public const string LabelClass = "form-label fw-bold";

    public const string LegendClass = "form-label fs-6 fw-bold mb-1";
}
