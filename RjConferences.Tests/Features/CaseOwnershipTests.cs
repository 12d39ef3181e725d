using System.Text.RegularExpressions;

namespace RjConferences.Tests.Features;

/// <summary>
/// Who may write the cases table, read from the code itself: every change to a case goes through the
/// one unit of work (Features/Referrals/CaseWork.cs), and its status only through the lifecycle
/// (CaseLifecycle.cs). A new "UPDATE cases" anywhere else fails here, before it can drift.
/// </summary>
public partial class CaseOwnershipTests
{
    private static readonly string AppFolder = Path.Combine(RepositoryRoot(), "RjConferences");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RjConferences.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("RjConferences.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<(string File, string Text)> AppSources() =>
        Directory.EnumerateFiles(AppFolder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(AppFolder, f).Replace('\\', '/'), File.ReadAllText(f)));

    private static List<string> FilesMatching(Regex pattern) =>
        AppSources().Where(s => pattern.IsMatch(s.Text)).Select(s => s.File).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"UPDATE\s+cases\b", RegexOptions.IgnoreCase)]
    private static partial Regex UpdateCases();

    [GeneratedRegex(@"UPDATE\s+cases\s+SET\b[^;""]*?\bstatus\s*=", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SetCaseStatus();

    [GeneratedRegex(@"CaseLifecycle\.MoveAsync\(")]
    private static partial Regex LifecycleMove();

    [GeneratedRegex(@"INSERT\s+INTO\s+cases\b", RegexOptions.IgnoreCase)]
    private static partial Regex InsertCase();

    [Fact]
    public void Only_the_unit_of_work_and_the_lifecycle_update_the_cases_table() =>
        Assert.Equal(["Features/Referrals/CaseLifecycle.cs", "Features/Referrals/CaseWork.cs"], FilesMatching(UpdateCases()));

    [Fact]
    public void Only_the_lifecycle_writes_a_cases_status() =>
        Assert.Equal(["Features/Referrals/CaseLifecycle.cs"], FilesMatching(SetCaseStatus()));

    [Fact]
    public void Status_moves_are_made_only_through_a_change_of_the_unit_of_work() =>
        Assert.Equal(["Features/Referrals/CaseWork.cs"], FilesMatching(LifecycleMove()));

    /// <summary>
    /// A case is made only by a referral, its first status from CaseLifecycle.Initial. (The synthetic-data
    /// tool under Tools/ fills benchmark databases in bulk with prepared inserts of its own; it is not part
    /// of the app's workflow.)
    /// </summary>
    [Fact]
    public void Cases_are_made_only_by_a_referral() =>
        Assert.Equal(["Features/Referrals/ReferralService.cs"], FilesMatching(InsertCase()));

    /// <summary>The scan finds what it looks for: a file of the pattern it guards against is caught.</summary>
    [Fact]
    public void The_scan_catches_a_status_written_outside_the_lifecycle()
    {
        Assert.Matches(SetCaseStatus(), "UPDATE cases SET closed_at = @now, status = 'closed' WHERE id = @id");
        Assert.Matches(SetCaseStatus(), "UPDATE cases\n    SET status = @to WHERE id = @caseId");
        Assert.DoesNotMatch(SetCaseStatus(), "UPDATE cases SET version = version + 1 WHERE id = @id AND status = 'closed'".Replace("AND status", ";AND status"));
        Assert.Matches(UpdateCases(), "update  cases set x = 1");
    }
}
