using RjConferences.Features.Referrals;

namespace RjConferences.Tests.Features;

public class CaseLifecycleTests
{
    /// <summary>Every move of domain.md's lifecycle diagram.</summary>
    public static readonly TheoryData<string, string> AllowedMoves = new()
    {
        { "referred", "assessing" }, { "referred", "withdrawn" },
        { "assessing", "awaiting_consent" }, { "assessing", "not_suitable" }, { "assessing", "withdrawn" },
        { "awaiting_consent", "ready_to_schedule" }, { "awaiting_consent", "withdrawn" },
        { "ready_to_schedule", "conference_scheduled" }, { "ready_to_schedule", "awaiting_consent" },
        { "conference_scheduled", "conference_held" }, { "conference_scheduled", "ready_to_schedule" },
        { "conference_held", "agreement_active" }, { "conference_held", "no_agreement" },
        { "agreement_active", "agreement_completed" }, { "agreement_active", "agreement_failed" },
        { "agreement_active", "ready_to_schedule" },
        { "agreement_completed", "follow_up" },
        { "no_agreement", "closed" }, { "agreement_failed", "closed" }, { "follow_up", "closed" },
    };

    [Theory]
    [MemberData(nameof(AllowedMoves))]
    public void Moves_of_the_lifecycle_are_allowed(string from, string to) => Assert.True(CaseLifecycle.CanMove(from, to));

    public static TheoryData<string, string> RefusedMoves()
    {
        var refused = new TheoryData<string, string>();
        var statuses = CaseStatus.All.Select(s => s.Code).ToList();
        var allowed = AllowedMoves.Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        // The extra moves the product allows beyond the diagram, each for a stated reason.
        var extras = new HashSet<(string, string)>
        {
            ("assessing", "ready_to_schedule"),       // consents were all given before the assessment
            ("awaiting_consent", "assessing"),        // reassessment
            ("awaiting_consent", "not_suitable"),
            ("ready_to_schedule", "assessing"), ("ready_to_schedule", "not_suitable"), ("ready_to_schedule", "withdrawn"),
            ("conference_scheduled", "awaiting_consent"), ("conference_scheduled", "withdrawn"),
            ("not_suitable", "assessing"),            // reassessment after new information
            ("not_eligible", "closed"), ("not_suitable", "closed"), ("withdrawn", "closed"),
            // An administrator's reopening: back to the status the case was closed from.
            ("closed", "withdrawn"), ("closed", "no_agreement"), ("closed", "agreement_failed"), ("closed", "not_eligible"),
            ("closed", "not_suitable"), ("closed", "follow_up"),
        };
        foreach (var from in statuses)
        {
            foreach (var to in statuses.Where(to => to != from && !allowed.Contains((from, to)) && !extras.Contains((from, to))))
            {
                refused.Add(from, to);
            }
        }
        return refused;
    }

    [Theory]
    [MemberData(nameof(RefusedMoves))]
    public void Every_other_move_is_refused(string from, string to) => Assert.False(CaseLifecycle.CanMove(from, to));

    /// <summary>A closed case goes only back where it was closed from (an administrator's reopening), never onwards.</summary>
    [Fact]
    public void A_closed_case_goes_only_back_to_where_it_was_closed_from() =>
        Assert.Equal(["withdrawn", "no_agreement", "agreement_failed", "not_eligible", "not_suitable", "follow_up"], CaseLifecycle.NextFrom("closed"));

    [Theory]
    [InlineData(null, false, "assessing")]
    [InlineData(null, true, "assessing")]
    [InlineData("not_suitable", true, "not_suitable")]
    [InlineData("suitable", false, "awaiting_consent")]
    [InlineData("suitable", true, "ready_to_schedule")]
    public void Suitability_and_consent_settle_where_a_case_belongs(string? suitability, bool consents, string status) =>
        Assert.Equal(status, CaseLifecycle.Settle(suitability, consents));
}
