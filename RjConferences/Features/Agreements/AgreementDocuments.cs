using System.Security.Cryptography;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Agreements;

/// <summary>A stored version of an agreement document.</summary>
public sealed class DocumentVersionInfo
{
    public int VersionNumber { get; set; }
    public bool HarmedFirstNameOnly { get; set; }
    public string ContentHash { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public string GeneratedByName { get; set; } = "";
    public DateTimeOffset GeneratedAt { get; set; }
    public DateTimeOffset? SupersededAt { get; set; }
}

/// <summary>What the agreement page shows.</summary>
public sealed record AgreementView(SourcedAgreement Agreement, IReadOnlyList<DocumentVersionInfo> Versions, string? DocumentProblem)
{
    /// <summary>The newest version that is not superseded, if any was made.</summary>
    public DocumentVersionInfo? Current => Versions.Where(v => v.SupersededAt is null).MaxBy(v => v.VersionNumber);

    /// <summary>The agreement has changed since the current version was made: the next download makes a new version.</summary>
    public bool ChangedSinceCurrent => Current is { } current && current.ContentHash != Agreement.Document.ContentHash();

    public int NextVersionNumber => Current is null ? 1 : ChangedSinceCurrent ? Versions.Max(v => v.VersionNumber) + 1 : Current.VersionNumber;
}

public enum DownloadStatus { Ok, NotFound, NoRecipient, NoFont }

public sealed record DownloadResult(DownloadStatus Status, string? FileName = null, byte[]? Content = null, int Version = 0, string? Message = null);

/// <summary>
/// The versions of agreement documents. Each version is stored as made (bytes, SHA-256, who, when).
/// Asking again for an unchanged agreement returns the stored version; when what the document shows
/// has changed (its content hash), a new version is made and the earlier ones are marked superseded.
/// Every download names its recipient and is audited as a disclosure to that recipient.
/// </summary>
public sealed class AgreementDocuments(Db db, AuditLog audit, TimeProvider clock, AgreementRenderer renderer)
{
    /// <summary>The agreement of a conference with its document versions; null (and audited) when missing or outside the user's scope.</summary>
    public async Task<AgreementView?> ViewAsync(Guid conferenceId, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var agreement = await AgreementDocumentSource.LoadAsync(connection, null, conferenceId, userId);
        if (agreement is null)
        {
            await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "conference", EntityId: conferenceId.ToString(), UserId: userId,
                Justification: "agreement outside the user's scope or missing"), cancellationToken);
            return null;
        }
        var versions = await VersionsAsync(connection, agreement.AgreementId);
        await audit.RecordAsync(new AuditEvent(AuditAction.Consult, EntityType: "case", EntityId: agreement.CaseId.ToString(), UserId: userId,
            Justification: $"agreement of conference {conferenceId}"), cancellationToken);
        return new AgreementView(agreement, versions, renderer.Problem);
    }

    /// <summary>
    /// The document for <paramref name="recipient"/>: the current version when the agreement has not
    /// changed since it was made, else a new version. Audited as disclose with the recipient.
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(Guid conferenceId, string? recipient, bool harmedFirstNameOnly, Guid userId,
        CancellationToken cancellationToken = default)
    {
        if (!Vocabulary.IsCode(AgreementVocabulary.Recipients, recipient))
        {
            return new DownloadResult(DownloadStatus.NoRecipient, Message: NoRecipientMessage);
        }
        for (var attempt = 0; ; attempt++)
        {
            // Each attempt reads the agreement afresh: if it changed while a version was being made, the new content wins.
            SourcedAgreement? agreement;
            IReadOnlyList<DocumentVersionInfo> versions = [];
            await using (var connection = await db.OpenAsync(cancellationToken))
            {
                agreement = await AgreementDocumentSource.LoadAsync(connection, null, conferenceId, userId);
                if (agreement is not null)
                {
                    versions = await VersionsAsync(connection, agreement.AgreementId);
                }
            }
            if (agreement is null)
            {
                await audit.RecordAsync(new AuditEvent(AuditAction.AccessDenied, EntityType: "conference", EntityId: conferenceId.ToString(), UserId: userId,
                    Justification: "agreement document outside the user's scope or missing"), cancellationToken);
                return new DownloadResult(DownloadStatus.NotFound);
            }
            if (renderer.Problem is { } problem)
            {
                return new DownloadResult(DownloadStatus.NoFont, Message: problem);
            }
            var hash = agreement.Document.ContentHash();
            var version = versions.FirstOrDefault(v => v.SupersededAt is null && v.ContentHash == hash)?.VersionNumber
                ?? (versions.Count == 0 ? 1 : versions.Max(v => v.VersionNumber) + 1);
            var stored = await StoredAsync(agreement, version, harmedFirstNameOnly, hash, recipient!, userId, null, cancellationToken);
            if (stored is not null)
            {
                return stored;
            }
            var bytes = await renderer.RenderAsync(agreement.Document with { Version = version, HarmedFirstNameOnly = harmedFirstNameOnly }, cancellationToken);
            stored = await StoredAsync(agreement, version, harmedFirstNameOnly, hash, recipient!, userId, bytes, cancellationToken);
            if (stored is not null)
            {
                return stored;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException("The agreement document kept changing while it was being made.");
            }
        }
    }

    /// <summary>
    /// A version as it was stored (the one a family signed may be an earlier one): its bytes exactly as
    /// made, never made again. Audited as disclose with the recipient, like the current download;
    /// not found (audited) outside the user's scope, not found when that version was never made.
    /// </summary>
    public async Task<DownloadResult> DownloadVersionAsync(Guid conferenceId, int version, string? recipient, bool harmedFirstNameOnly, Guid userId,
        CancellationToken cancellationToken = default)
    {
        if (!Vocabulary.IsCode(AgreementVocabulary.Recipients, recipient))
        {
            return new DownloadResult(DownloadStatus.NoRecipient, Message: NoRecipientMessage);
        }
        return await db.WriteAsync(async (connection, transaction) =>
        {
            var agreement = await AgreementDocumentSource.LoadAsync(connection, transaction, conferenceId, userId);
            if (agreement is null)
            {
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AccessDenied, EntityType: "conference", EntityId: conferenceId.ToString(),
                    UserId: userId, Justification: "agreement document outside the user's scope or missing"));
                return new DownloadResult(DownloadStatus.NotFound);
            }
            var stored = await connection.QuerySingleOrDefaultAsync<(byte[] Bytes, DateTimeOffset? SupersededAt)?>("""
                SELECT bytes, superseded_at FROM agreement_documents
                WHERE agreement_id = @AgreementId AND version_number = @version AND harmed_first_name_only = @harmedFirstNameOnly
                """, new { agreement.AgreementId, version, harmedFirstNameOnly }, transaction);
            if (stored is not { } found)
            {
                return new DownloadResult(DownloadStatus.NotFound);
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Disclose, EntityType: "case", EntityId: agreement.CaseId.ToString(),
                UserId: userId, Recipient: recipient,
                Justification: $"agreement document version {version}{Variant(harmedFirstNameOnly)}{(found.SupersededAt is null ? "" : ", superseded")}"));
            return new DownloadResult(DownloadStatus.Ok, FileName(agreement, version), found.Bytes, version);
        }, cancellationToken);
    }

    private static string NoRecipientMessage => "Choose who the agreement is for: " +
        string.Join(", ", AgreementVocabulary.Recipients.Select(r => $"{r.Code} ({r.Label.ToLowerInvariant()})"));

    private static string FileName(SourcedAgreement agreement, int version) => $"agreement-{agreement.Document.Reference}-v{version}.pdf";

    /// <summary>
    /// Under the write lock (on PostgreSQL, the agreement's row lock): returns the stored document of (version, variant) when it holds this
    /// content, storing <paramref name="bytes"/> first if given and nobody stored it meanwhile; null
    /// when it must be made (bytes null) or another version came first (try again).
    /// </summary>
    private Task<DownloadResult?> StoredAsync(SourcedAgreement agreement, int version, bool firstNameOnly, string hash, string recipient,
        Guid userId, byte[]? bytes, CancellationToken cancellationToken) =>
        db.WriteAsync<DownloadResult?>(async (connection, transaction) =>
        {
            // Two first downloads at once, on any instances: the second waits here and then finds the first one's document.
            await connection.ExecuteAsync($"SELECT id FROM agreements WHERE id = @AgreementId{SqlDialect.Of(connection).ForUpdate}",
                new { agreement.AgreementId }, transaction);
            var newest = await connection.ExecuteScalarAsync<int?>(
                "SELECT max(version_number) FROM agreement_documents WHERE agreement_id = @AgreementId", new { agreement.AgreementId }, transaction) ?? 0;
            var sameVersion = await connection.QueryFirstOrDefaultAsync<string?>(
                "SELECT content_hash FROM agreement_documents WHERE agreement_id = @AgreementId AND version_number = @version",
                new { agreement.AgreementId, version }, transaction);
            if ((sameVersion is not null && sameVersion != hash) || newest > version || (sameVersion is null && newest >= version))
            {
                return null;   // another version was made meanwhile
            }
            var now = clock.GetUtcNow();
            var content = await connection.QuerySingleOrDefaultAsync<byte[]>("""
                SELECT bytes FROM agreement_documents
                WHERE agreement_id = @AgreementId AND version_number = @version AND harmed_first_name_only = @firstNameOnly
                """, new { agreement.AgreementId, version, firstNameOnly }, transaction);
            if (content is null)
            {
                if (bytes is null)
                {
                    return null;
                }
                if (sameVersion is null)
                {
                    await connection.ExecuteAsync(
                        "UPDATE agreement_documents SET superseded_at = @now WHERE agreement_id = @AgreementId AND superseded_at IS NULL",
                        new { now, agreement.AgreementId }, transaction);
                }
                await connection.ExecuteAsync("""
                    INSERT INTO agreement_documents (id, agreement_id, version_number, harmed_first_name_only, content_hash, bytes, sha256,
                                                     generated_by, generated_at)
                    VALUES (@id, @AgreementId, @version, @firstNameOnly, @hash, @bytes, @sha256, @userId, @now)
                    """, new
                {
                    id = Guid.NewGuid(), agreement.AgreementId, version, firstNameOnly, hash, bytes,
                    sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), userId, now,
                }, transaction);
                await connection.ExecuteAsync("UPDATE agreements SET content_hash = @hash WHERE id = @AgreementId AND content_hash <> @hash",
                    new { hash, agreement.AgreementId }, transaction);
                await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, EntityType: "case", EntityId: agreement.CaseId.ToString(),
                    UserId: userId, Justification: $"agreement document version {version}{Variant(firstNameOnly)} made"));
                content = bytes;
            }
            await audit.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Disclose, EntityType: "case", EntityId: agreement.CaseId.ToString(),
                UserId: userId, Recipient: recipient, Justification: $"agreement document version {version}{Variant(firstNameOnly)}"));
            return new DownloadResult(DownloadStatus.Ok, FileName(agreement, version), content, version);
        }, cancellationToken);

    /// <summary>The stored versions of an agreement's document (no personal data: for refreshing the agreement page).</summary>
    public async Task<IReadOnlyList<DocumentVersionInfo>> VersionsAsync(Guid agreementId)
    {
        await using var connection = await db.OpenAsync();
        return await VersionsAsync(connection, agreementId);
    }

    private static string Variant(bool firstNameOnly) => firstNameOnly ? " (harmed person's first name only)" : "";

    private static async Task<IReadOnlyList<DocumentVersionInfo>> VersionsAsync(DbConnection connection, Guid agreementId) =>
        (await connection.QueryAsync<DocumentVersionInfo>("""
            SELECT d.version_number, d.harmed_first_name_only, d.content_hash, d.sha256, u.display_name AS generated_by_name,
                   d.generated_at, d.superseded_at
            FROM agreement_documents AS d JOIN users AS u ON u.id = d.generated_by
            WHERE d.agreement_id = @agreementId
            ORDER BY d.version_number DESC, d.harmed_first_name_only
            """, new { agreementId })).ToList();
}
