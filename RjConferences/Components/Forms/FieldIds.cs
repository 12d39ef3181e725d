using RjConferences.Security;

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

    public static string InputClass(FieldErrors? errors, string field, string baseClass = "form-control") =>
        errors is not null && errors.ContainsKey(field) ? baseClass + " is-invalid" : baseClass;
}
