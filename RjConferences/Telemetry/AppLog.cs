namespace RjConferences.Telemetry;

/// <summary>
/// Every log line the app writes itself, with its stable event id (the table is in docs/telemetry.md: change a message
/// freely, never an id). Ids only and counts in the values: never a name, an address, an offence or a case's reference.
/// 1000s: data; 1100s: security; 1200s: the daily job; 1300s: notifications; 1400s: backups.
/// </summary>
internal static partial class AppLog
{
    [LoggerMessage(EventId = 1001, EventName = "MigrationApplied", Level = LogLevel.Information, Message = "Applied migration {Migration}")]
    public static partial void MigrationApplied(this ILogger logger, string migration);

    [LoggerMessage(EventId = 1002, EventName = "SetAsideIndexesMade", Level = LogLevel.Warning,
        Message = "Made the {Count} indexes that a stopped generate-synthetic run had set aside")]
    public static partial void SetAsideIndexesMade(this ILogger logger, int count);

    [LoggerMessage(EventId = 1101, EventName = "FirstRunSetupLink", Level = LogLevel.Warning,
        Message = "No accounts exist yet. Create the first Administrator at {SetupUrl} (this link works once).")]
    public static partial void FirstRunSetupLink(this ILogger logger, string setupUrl);

    [LoggerMessage(EventId = 1201, EventName = "DailyJobRan", Level = LogLevel.Information,
        Message = "Daily job for {Day}: {Actions} agreement actions flagged overdue, {Created} follow-up checks created, {Moved} cases moved to follow-up, {Flagged} checks flagged overdue, {Anonymised} cases anonymised")]
    public static partial void DailyJobRan(this ILogger logger, string day, int actions, int created, int moved, int flagged, int anonymised);

    [LoggerMessage(EventId = 1202, EventName = "DailyJobFailed", Level = LogLevel.Error,
        Message = "The daily job failed ({FailedRuns} in a row); it will try again in {RetryMinutes} minutes")]
    public static partial void DailyJobFailed(this ILogger logger, Exception exception, int failedRuns, double retryMinutes);

    [LoggerMessage(EventId = 1301, EventName = "NotificationJobRan", Level = LogLevel.Information,
        Message = "Notifications for {Day}: {Reminders} reminders and {Digests} digests queued")]
    public static partial void NotificationJobRan(this ILogger logger, string day, int reminders, int digests);

    [LoggerMessage(EventId = 1302, EventName = "NotificationJobFailed", Level = LogLevel.Error,
        Message = "The notifications job failed ({FailedRuns} in a row); it will try again in {RetryMinutes} minutes")]
    public static partial void NotificationJobFailed(this ILogger logger, Exception exception, int failedRuns, double retryMinutes);

    // A delivery failure's reason may name the recipient (a mail server's "550 <address>: unknown user"): it is kept on
    // the outbox page (outbox.last_error), and the log has the message's id and the kind of error only.
    [LoggerMessage(EventId = 1311, EventName = "OutboxMessageRefused", Level = LogLevel.Warning,
        Message = "Outbox message {MessageId} ({Kind}, {Channel}) could not be delivered and will not be retried ({ErrorType}); the reason is on the outbox page")]
    public static partial void OutboxMessageRefused(this ILogger logger, Guid messageId, string kind, string channel, string errorType);

    [LoggerMessage(EventId = 1312, EventName = "OutboxMessageNotDelivered", Level = LogLevel.Warning,
        Message = "Outbox message {MessageId} ({Kind}, {Channel}) was not delivered (attempt {Attempt}, {ErrorType}); {Next}")]
    public static partial void OutboxMessageNotDelivered(this ILogger logger, Guid messageId, string kind, string channel, long attempt, string errorType, string next);

    [LoggerMessage(EventId = 1313, EventName = "OutboxSenderFailed", Level = LogLevel.Error,
        Message = "The outbox sender could not run; it will look again shortly")]
    public static partial void OutboxSenderFailed(this ILogger logger, Exception exception);

    // The file name is the backup's date and time (rjconferences-YYYY-MM-DD-HHmm.db): nothing personal.
    [LoggerMessage(EventId = 1401, EventName = "BackupWritten", Level = LogLevel.Information,
        Message = "Backup {File} written and checked ({Bytes} bytes); {Removed} older copies removed, {Kept} kept")]
    public static partial void BackupWritten(this ILogger logger, string file, long bytes, int removed, int kept);

    [LoggerMessage(EventId = 1402, EventName = "BackupFailed", Level = LogLevel.Error,
        Message = "The scheduled backup failed ({FailedRuns} in a row) and left no partial copy; it will try again in {RetryMinutes} minutes")]
    public static partial void BackupFailed(this ILogger logger, Exception exception, int failedRuns, double retryMinutes);
}
