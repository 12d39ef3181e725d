using RjConferences.Features.Agreements;

namespace RjConferences.Features.Notifications;

/// <summary>A letter waiting on the print list: for which case, whom to (name only), what about, since when.</summary>
public sealed record PrintListLetter(Guid Id, Guid CaseId, string CaseReference, string SchoolName, string? ToName, string Subject, DateTimeOffset PrintListAt);

/// <summary>A letter's PDF to download, or why not.</summary>
public sealed record LetterDownload(byte[]? Content, string? FileName, string? Problem = null);

/// <summary>
/// The print list: letters a deployment without GOV.UK Notify leaves for the school office (<see cref="PrintListChannel"/>).
/// Staff see the letters of their own schools only (<see cref="SchoolScope"/>); a letter of another school, asked for by its
/// id, is "not found" and audited as access denied. Each download is audited as a disclosure of the case, and marking a
/// letter as posted is audited too; when it is the harmed party's outcome letter, the agreement then records that they were told.
/// </summary>
public sealed class PrintList(Db db, AuditLog audit, TimeProvider clock, DocumentFonts fonts)
{
    public const int PageSize = 50;

    /// <summary>The letters waiting to be printed in the user's schools, oldest first (at most <see cref="PageSize"/>), and how many in all.</summary>
    public async Task<(IReadOnlyList<PrintListLetter> Letters, int Total)> WaitingAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        const string from = $"""
            FROM outbox AS o JOIN cases AS k ON k.id = o.case_id JOIN schools AS s ON s.id = k.school_id
            WHERE o.channel = 'letter' AND o.status = 'sent' AND o.print_list_at IS NOT NULL AND o.posted_at IS NULL AND k.{SchoolScope.SqlFilter}
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var letters = await connection.QueryAsync<PrintListLetter>(new CommandDefinition($"""
            SELECT o.id, o.case_id, k.reference AS case_reference, s.name AS school_name, o.to_name, o.subject, o.print_list_at
            {from}
            ORDER BY o.print_list_at, o.id
            LIMIT {PageSize}
            """, new { ScopeUserId = userId }, cancellationToken: cancellationToken));
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT COUNT(*) {from}", new { ScopeUserId = userId },
            cancellationToken: cancellationToken));
        return (letters.ToList(), total);
    }

    private sealed record Letter(Guid Id, Guid CaseId, string CaseReference, string Kind, string? ToName, string ToAddress, string Subject,
        string TextBody, DateTimeOffset PrintListAt, string SchoolName, string? SchoolAddress);

    /// <summary>The letter <paramref name="id"/> as a PDF, for a user whose schools include its case's; audited as a disclosure of the case.</summary>
    public async Task<LetterDownload?> DownloadAsync(Guid id, Guid userId, CancellationToken cancellationToken = default)
    {
        if (fonts.Fonts is not { } fontSet)
        {
            return new LetterDownload(null, null, $"Letters cannot be made on this server. {fonts.Problem}");
        }
        return await db.WriteAsync(async (connection, transaction) =>
        {
            var letter = await connection.QuerySingleOrDefaultAsync<Letter>($"""
                SELECT o.id, o.case_id, k.reference AS case_reference, o.kind, o.to_name, o.to_address, o.subject, o.text_body, o.print_list_at,
                       s.name AS school_name, s.postal_address AS school_address
                FROM outbox AS o JOIN cases AS k ON k.id = o.case_id JOIN schools AS s ON s.id = k.school_id
                WHERE o.id = @id AND o.channel = 'letter' AND o.status = 'sent' AND o.print_list_at IS NOT NULL AND k.{SchoolScope.SqlFilter}
                """, new { id, ScopeUserId = userId }, transaction);
            if (letter is null)
            {
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AccessDenied, EntityType: "notification", EntityId: id.ToString(),
                    UserId: userId, Justification: "letter outside the user's schools, not on the print list, or missing"));
                return null;
            }
            var recipient = PostalAddress.Parse(letter.ToAddress, out var problem);
            var school = PostalAddress.Parse(letter.SchoolAddress, out _);
            if (recipient is null || school is null)
            {
                return new LetterDownload(null, null, recipient is null
                    ? $"The letter's address cannot be printed: {problem}."
                    : $"{letter.SchoolName} has no postal address for the return address: an administrator sets it on the Rooms page.");
            }
            var pdf = new LetterPdf(fontSet).Render(new LetterContent(letter.ToName ?? "", recipient, letter.SchoolName, school,
                LondonTime.DateOf(letter.PrintListAt), letter.Subject, letter.TextBody));
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Disclose, EntityType: "case", EntityId: letter.CaseId.ToString(),
                UserId: userId, Recipient: "letter to print and post",
                Justification: $"{letter.Kind} (letter), message {letter.Id}, downloaded to print"));
            return new LetterDownload(pdf, $"letter-{letter.CaseReference}-{letter.Id.ToString("N")[..8]}.pdf");
        }, cancellationToken);
    }

    /// <summary>Marks the letter as posted (once, audited); false when it is not on this user's print list any more.</summary>
    public Task<bool> MarkPostedAsync(Guid id, Guid userId, CancellationToken cancellationToken = default) =>
        db.WriteAsync(async (connection, transaction) =>
        {
            var now = clock.GetUtcNow();
            var posted = await connection.QuerySingleOrDefaultAsync<(Guid CaseId, string Kind, Guid? AboutId)?>($"""
                UPDATE outbox SET posted_at = @now, posted_by = @userId
                WHERE id = @id AND channel = 'letter' AND status = 'sent' AND print_list_at IS NOT NULL AND posted_at IS NULL
                  AND case_id IN (SELECT id FROM cases WHERE {SchoolScope.SqlFilter})
                RETURNING case_id, kind, about_id
                """, new { id, userId, now, ScopeUserId = userId }, transaction);
            if (posted is not { } letter)
            {
                return false;
            }
            if (letter.Kind == HarmedPartyOutcome.Kind && letter.AboutId is { } agreementId)
            {
                await HarmedPartyOutcome.RecordToldAsync(connection, transaction, agreementId, "letter", now);
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, EntityType: "case", EntityId: letter.CaseId.ToString(),
                UserId: userId, Justification: $"{letter.Kind} letter, message {id}, marked as posted"));
            return true;
        }, cancellationToken);
}
