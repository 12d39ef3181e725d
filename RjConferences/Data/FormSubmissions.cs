
namespace RjConferences.Data;

/// <summary>
/// Double-submit safety for the case forms that create something, the referral's mechanism
/// (<c>cases.submission_id</c>) for every other form: the form carries a key made when it is
/// opened, and the write that saves it claims the key in its own transaction. The second submit
/// of the same form finds its key taken and saves nothing, however many requests arrive and in
/// whatever order: the transactions take the write lock up front, and the key is unique.
/// </summary>
public static class FormSubmissions
{
    /// <summary>
    /// Claims <paramref name="submissionId"/> for this save; false when it was claimed before (the
    /// form has been saved already: do nothing, and tell the user it is saved). A save that is
    /// refused after the claim rolls the claim back with the rest of its transaction.
    /// </summary>
    public static async Task<bool> ClaimAsync(DbConnection connection, IDbTransaction transaction, Guid submissionId,
        Guid caseId, Guid userId, DateTimeOffset now) =>
        await connection.ExecuteAsync("""
            INSERT INTO form_submissions (submission_id, case_id, submitted_by, submitted_at)
            VALUES (@submissionId, @caseId, @userId, @now)
            ON CONFLICT (submission_id) DO NOTHING
            """, new { submissionId, caseId, userId, now }, transaction) == 1;
}
