using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using RjConferences.Security;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

public class AuditLogTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly AuditLog auditLog;

    public AuditLogTests() => auditLog = new AuditLog(database.Db, clock);

    public void Dispose() => database.Dispose();

    private sealed record Row(long Id, string OccurredAt, string? UserId, string Action, string? EntityType, string? EntityId,
        string? Justification, string? Recipient, string? CorrelationId, string PreviousHash, string Hash);

    private async Task<List<Row>> RowsAsync()
    {
        await using var connection = await database.Db.OpenAsync();
        return (await connection.QueryAsync<Row>("""
            SELECT id, occurred_at, user_id, action, entity_type, entity_id, justification, recipient,
                   correlation_id, previous_hash, hash
            FROM audit_events
            ORDER BY id
            """)).ToList();
    }

    private async Task RecordEventsAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await auditLog.RecordAsync(new AuditEvent(AuditAction.Consult, "case", i.ToString(), Guid.NewGuid()));
            clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>Drops the triggers, as someone with direct access to the database file could.</summary>
    private async Task ExecuteAsTamperer(string sql)
    {
        await using var connection = await database.Db.OpenAsync();
        await connection.ExecuteAsync(TestDatabase.IsPostgres
            ? "DROP TRIGGER audit_events_no_update ON audit_events; DROP TRIGGER audit_events_no_delete ON audit_events;"
            : "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;");
        await connection.ExecuteAsync(sql);
    }

    [Fact]
    public async Task Recorded_events_verify_as_intact()
    {
        await RecordEventsAsync(5);

        var result = await auditLog.VerifyAsync();

        Assert.Equal(new AuditChainResult(true, 5, null, null), result);
    }

    [Fact]
    public async Task An_empty_log_verifies_as_intact()
    {
        Assert.Equal(new AuditChainResult(true, 0, null, null), await auditLog.VerifyAsync());
    }

    [Fact]
    public async Task Each_event_stores_its_fields_as_ids_and_utc_text()
    {
        var userId = Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E");
        await auditLog.RecordAsync(new AuditEvent(AuditAction.Disclose, "case", "42", userId,
            Justification: "court order", Recipient: "youth-offending-team", CorrelationId: "abc"));

        var row = Assert.Single(await RowsAsync());

        Assert.Equal(new Row(1, "2026-03-02T09:00:00.0000000Z", "0f8fad5b-d9cb-469f-a165-70867728950e", "disclose",
            "case", "42", "court order", "youth-offending-team", "abc", AuditLog.GenesisHash, row.Hash), row);
    }

    [Fact]
    public async Task Each_hash_is_sha256_over_the_length_prefixed_fields_and_chains_to_the_previous_hash()
    {
        await auditLog.RecordAsync(new AuditEvent(AuditAction.SignInFailed, CorrelationId: "c-1"));
        await RecordEventsAsync(3);

        var rows = await RowsAsync();

        Assert.Equal(AuditLog.GenesisHash, rows[0].PreviousHash);
        // Written out by hand, so that the format an outside verifier reproduces is pinned here.
        var first = "1:1" + "28:2026-03-02T09:00:00.0000000Z" + "-" + "14:sign_in_failed" + "-" + "-" + "-" + "-" + "3:c-1" + "64:" + AuditLog.GenesisHash;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(first))), rows[0].Hash);
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.Equal(i + 1, rows[i].Id);
            Assert.Equal(rows[i - 1].Hash, rows[i].PreviousHash);
            Assert.Matches("^[0-9a-f]{64}$", rows[i].Hash);
        }
    }

    [Fact]
    public void Serialisation_counts_utf8_bytes_and_marks_null_apart_from_empty()
    {
        var text = AuditLog.Serialise(7, "t", null, "alter", "", "é", null, null, null, "p");

        Assert.Equal("1:7" + "1:t" + "-" + "5:alter" + "0:" + "2:é" + "-" + "-" + "-" + "1:p", text);
    }

    [Fact]
    public async Task The_correlation_id_defaults_to_the_current_trace_id()
    {
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        await auditLog.RecordAsync(new AuditEvent(AuditAction.SignIn, UserId: Guid.NewGuid()));

        Assert.Equal(activity.TraceId.ToHexString(), Assert.Single(await RowsAsync()).CorrelationId);
    }

    [Fact]
    public async Task Update_is_refused_by_the_trigger()
    {
        await RecordEventsAsync(2);
        await using var connection = await database.Db.OpenAsync();

        var e = await Assert.ThrowsAnyAsync<DbException>(() =>
            connection.ExecuteAsync("UPDATE audit_events SET entity_id = '99' WHERE id = 1"));

        Assert.Contains("append-only", e.Message);
        Assert.Equal("1", (await RowsAsync())[0].EntityId);
    }

    [Fact]
    public async Task Delete_is_refused_by_the_trigger()
    {
        await RecordEventsAsync(2);
        await using var connection = await database.Db.OpenAsync();

        var e = await Assert.ThrowsAnyAsync<DbException>(() =>
            connection.ExecuteAsync("DELETE FROM audit_events WHERE id = 1"));

        Assert.Contains("append-only", e.Message);
        Assert.Equal(2, (await RowsAsync()).Count);
    }

    [Fact]
    public async Task Changing_one_field_of_a_middle_event_breaks_the_chain_at_that_event()
    {
        await RecordEventsAsync(5);
        await ExecuteAsTamperer("UPDATE audit_events SET entity_id = '99' WHERE id = 3");

        var result = await auditLog.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenId);
        Assert.Equal(3, result.EventsChecked);
        Assert.Contains("does not match its content", result.Problem);
    }

    [Fact]
    public async Task Changing_an_event_and_recomputing_its_hash_breaks_the_chain_at_the_next_event()
    {
        await RecordEventsAsync(5);
        var rows = await RowsAsync();
        var forged = AuditLog.Serialise(3, rows[2].OccurredAt, rows[2].UserId, "consult", "case", "99", null, null, null, rows[2].PreviousHash);
        var forgedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(forged)));
        await ExecuteAsTamperer($"UPDATE audit_events SET entity_id = '99', correlation_id = NULL, hash = '{forgedHash}' WHERE id = 3");

        var result = await auditLog.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenId);
        Assert.Contains("previous hash does not match the hash of event 3", result.Problem);
    }

    [Fact]
    public async Task Deleting_a_middle_event_breaks_the_chain_at_the_event_after_it()
    {
        await RecordEventsAsync(5);
        await ExecuteAsTamperer("DELETE FROM audit_events WHERE id = 3");

        var result = await auditLog.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenId);
        Assert.Contains("follows event 2", result.Problem);
    }

    [Fact]
    public async Task Deleting_the_first_event_breaks_the_chain_at_the_new_first_event()
    {
        await RecordEventsAsync(3);
        await ExecuteAsTamperer("DELETE FROM audit_events WHERE id = 1");

        var result = await auditLog.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(2, result.FirstBrokenId);
    }

    [Fact]
    public async Task An_event_recorded_in_a_caller_transaction_that_rolls_back_leaves_no_row()
    {
        await RecordEventsAsync(2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.Db.WriteAsync(async (connection, transaction) =>
        {
            await auditLog.RecordAsync(connection, transaction, new AuditEvent(AuditAction.Alter, "case", "7", Guid.NewGuid()));
            throw new InvalidOperationException("the feature's own change failed");
        }));
        await RecordEventsAsync(1);

        Assert.Equal([1, 2, 3], (await RowsAsync()).Select(r => r.Id));
        Assert.True((await auditLog.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task An_event_recorded_in_a_caller_transaction_commits_with_it()
    {
        await database.Db.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("INSERT INTO boroughs (name) VALUES ('Bexley')", transaction: transaction);
            await auditLog.RecordAsync(connection, transaction, new AuditEvent(AuditAction.AdminChange, "borough", "16", Guid.NewGuid()));
        });

        Assert.Equal("admin_change", Assert.Single(await RowsAsync()).Action);
        Assert.True((await auditLog.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Twenty_concurrent_records_give_twenty_events_and_an_intact_chain()
    {
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() =>
            auditLog.RecordAsync(new AuditEvent(AuditAction.Consult, "case", i.ToString(), Guid.NewGuid())))));

        var rows = await RowsAsync();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), rows.Select(r => r.Id));
        Assert.Equal(20, rows.Select(r => r.EntityId).Distinct().Count());
        Assert.Equal(new AuditChainResult(true, 20, null, null), await auditLog.VerifyAsync());
    }

    [Fact]
    public void Every_action_maps_to_its_stored_text_and_back()
    {
        var texts = Enum.GetValues<AuditAction>().Select(a => a.ToText()).ToList();

        Assert.Equal(["collect", "alter", "consult", "disclose", "erase", "sign_in", "sign_in_failed",
            "locked_out", "access_denied", "admin_change"], texts);
        Assert.Equal(Enum.GetValues<AuditAction>(), texts.Select(AuditActions.Parse));
        Assert.Equal("Sign in failed", AuditAction.SignInFailed.ToLabel());
    }

    [Fact]
    public async Task The_table_refuses_an_unknown_action()
    {
        await using var connection = await database.Db.OpenAsync();

        var e = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("""
            INSERT INTO audit_events (id, occurred_at, action, previous_hash, hash)
            VALUES (1, '2026-01-01T00:00:00.0000000Z', 'read', 'x', 'y')
            """));

        Assert.Contains("check", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    // Search

    private static readonly Guid Alice = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Bob = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private async Task RecordAtAsync(DateTimeOffset at, AuditEvent e)
    {
        clock.SetUtcNow(at);
        await auditLog.RecordAsync(e);
    }

    [Fact]
    public async Task Search_with_no_filters_returns_every_event_newest_first()
    {
        await RecordEventsAsync(3);

        var page = await auditLog.SearchAsync(new AuditQuery(), 1);

        Assert.Equal(3, page.TotalCount);
        Assert.Equal([3L, 2L, 1L], page.Events.Select(e => e.Id));
        Assert.Equal(AuditAction.Consult, page.Events[0].Action);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 2, 0, TimeSpan.Zero), page.Events[0].OccurredAt);
    }

    [Fact]
    public async Task Search_filters_by_user_action_entity_type_and_entity_id()
    {
        await auditLog.RecordAsync(new AuditEvent(AuditAction.Consult, "case", "1", Alice));
        await auditLog.RecordAsync(new AuditEvent(AuditAction.Alter, "case", "2", Alice));
        await auditLog.RecordAsync(new AuditEvent(AuditAction.Consult, "case", "2", Bob));
        await auditLog.RecordAsync(new AuditEvent(AuditAction.Disclose, "agreement", "2", Bob));
        await auditLog.RecordAsync(new AuditEvent(AuditAction.SignInFailed));

        async Task<long[]> Ids(AuditQuery q) => (await auditLog.SearchAsync(q, 1)).Events.Select(e => e.Id).ToArray();

        Assert.Equal(new long[] { 2, 1 }, await Ids(new AuditQuery(UserId: Alice)));
        Assert.Equal(new long[] { 3, 1 }, await Ids(new AuditQuery(Action: AuditAction.Consult)));
        Assert.Equal(new long[] { 3, 2, 1 }, await Ids(new AuditQuery(EntityType: "case")));
        Assert.Equal(new long[] { 4, 3, 2 }, await Ids(new AuditQuery(EntityId: "2")));
        Assert.Equal(new long[] { 3, 2 }, await Ids(new AuditQuery(EntityType: " case ", EntityId: "2")));
        Assert.Equal(new long[] { 3 }, await Ids(new AuditQuery(UserId: Bob, Action: AuditAction.Consult)));
        Assert.Equal(new long[] { 5 }, await Ids(new AuditQuery(Action: AuditAction.SignInFailed)));
        Assert.Empty(await Ids(new AuditQuery(EntityType: "case' OR 1=1 --")));
    }

    [Fact]
    public async Task Search_pages_fifty_events_at_a_time_with_the_total_count()
    {
        await RecordEventsAsync(120);

        var first = await auditLog.SearchAsync(new AuditQuery(), 1);
        var last = await auditLog.SearchAsync(new AuditQuery(), 3);

        Assert.Equal(120, first.TotalCount);
        Assert.Equal(3, first.PageCount);
        Assert.Equal(50, first.Events.Count);
        Assert.Equal(120, first.Events[0].Id);
        Assert.Equal(20, last.Events.Count);
        Assert.Equal(20, last.Events[0].Id);
        Assert.Equal(1, last.Events[^1].Id);
        Assert.Empty((await auditLog.SearchAsync(new AuditQuery(), 4)).Events);
    }

    [Fact]
    public async Task Search_dates_are_whole_london_days_in_summer_time()
    {
        // 15 June 2026 in London (BST, UTC+1) runs from 14 June 23:00 UTC to 15 June 23:00 UTC.
        await RecordAtAsync(new DateTimeOffset(2026, 6, 14, 22, 59, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "14 June 23:59 BST"));
        await RecordAtAsync(new DateTimeOffset(2026, 6, 14, 23, 0, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "15 June 00:00 BST"));
        await RecordAtAsync(new DateTimeOffset(2026, 6, 15, 22, 59, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "15 June 23:59 BST"));
        await RecordAtAsync(new DateTimeOffset(2026, 6, 15, 23, 0, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "16 June 00:00 BST"));
        var day = new DateOnly(2026, 6, 15);

        async Task<string[]> Found(AuditQuery q) => (await auditLog.SearchAsync(q, 1)).Events.Select(e => e.EntityId!).ToArray();

        Assert.Equal(new[] { "15 June 23:59 BST", "15 June 00:00 BST" }, await Found(new AuditQuery(From: day, To: day)));
        Assert.Equal(new[] { "16 June 00:00 BST", "15 June 23:59 BST", "15 June 00:00 BST" }, await Found(new AuditQuery(From: day)));
        Assert.Equal(new[] { "15 June 23:59 BST", "15 June 00:00 BST", "14 June 23:59 BST" }, await Found(new AuditQuery(To: day)));
    }

    [Fact]
    public async Task Search_dates_are_whole_london_days_in_winter_time()
    {
        // 2 December 2026 in London (GMT) is the UTC day.
        await RecordAtAsync(new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "before"));
        await RecordAtAsync(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "in"));
        await RecordAtAsync(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), new AuditEvent(AuditAction.Consult, EntityId: "after"));
        var day = new DateOnly(2026, 12, 2);

        var page = await auditLog.SearchAsync(new AuditQuery(From: day, To: day), 1);

        Assert.Equal("in", Assert.Single(page.Events).EntityId);
    }
}
