namespace RjConferences.Features.Schools;

/// <summary>
/// How a school is named wherever its borough is shown too: "Langdon Park, Newham" — the school as
/// people call it, then the borough that tells apart two schools of the same name (Langdon Park is in
/// Newham and in Tower Hamlets). The one way the app writes it: lists, forms, reports and exports.
/// </summary>
public static class SchoolName
{
    public static string WithBorough(string school, string borough) => $"{school}, {borough}";
}
