namespace RjConferences.Components;

/// <summary>
/// The one way a school is written: "Langdon Park, Newham". A school's name alone is not enough
/// (the partnership has a Langdon Park in Newham and another in Tower Hamlets).
/// </summary>
public static class SchoolNames
{
    public static string Format(string school, string borough) => $"{school}, {borough}";
}
