using System.Collections.Immutable;
using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace RjConferences.Tests.Support;

/// <summary>
/// A database's schema in provider-neutral terms, so that the SQLite and PostgreSQL dialects of the
/// migrations can be compared (<see cref="Compare"/>). Column types are reduced to SQLite's families
/// (<see cref="Families"/>); CHECK constraints to the columns each one reads, since their text differs
/// between dialects; SQLite's 0/1 CHECKs are left out, PostgreSQL having the boolean type instead.
/// </summary>
public sealed record SchemaSnapshot(
    string Provider,
    ImmutableSortedDictionary<string, TableShape> Tables,
    ImmutableSortedDictionary<string, IndexShape> Indexes,
    ImmutableSortedDictionary<string, ImmutableArray<string>> Views)
{
    /// <summary>The migrator's journal: not part of the schema the migrations describe.</summary>
    private const string Journal = "schema_migrations";

    /// <summary>The type families: SQLite's declared type, and the PostgreSQL types that stand for it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Families = new Dictionary<string, string>
    {
        ["text"] = "TEXT",
        ["timestamp with time zone"] = "TEXT",
        ["date"] = "TEXT",
        ["bigint"] = "INTEGER",
        ["boolean"] = "INTEGER",
        ["double precision"] = "REAL",
        ["bytea"] = "BLOB",
    };

    public static Task<SchemaSnapshot> ReadAsync(DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => ReadSqliteAsync(sqlite),
        NpgsqlConnection postgres => ReadPostgresAsync(postgres),
        _ => throw new ArgumentException($"No schema reader for {connection.GetType().Name}.", nameof(connection)),
    };

    /// <summary>Every difference between two snapshots, one readable line each; empty when they are equal.</summary>
    public static IReadOnlyList<string> Compare(SchemaSnapshot a, SchemaSnapshot b)
    {
        var differences = new List<string>();
        string Only(bool inA) => $"in {(inA ? a.Provider : b.Provider)} only";
        string Both(string inA, string inB) => $"{inA} in {a.Provider}, {inB} in {b.Provider}";

        foreach (var name in a.Tables.Keys.Union(b.Tables.Keys).Order(StringComparer.Ordinal))
        {
            if (!a.Tables.TryGetValue(name, out var ta) || !b.Tables.TryGetValue(name, out var tb))
            {
                differences.Add($"table {name}: {Only(a.Tables.ContainsKey(name))}");
                continue;
            }
            var columnsA = ta.Columns.ToDictionary(c => c.Name);
            var columnsB = tb.Columns.ToDictionary(c => c.Name);
            foreach (var column in ta.Columns.Select(c => c.Name).Union(tb.Columns.Select(c => c.Name)))
            {
                if (!columnsA.TryGetValue(column, out var ca) || !columnsB.TryGetValue(column, out var cb))
                {
                    differences.Add($"{name}.{column}: column {Only(columnsA.ContainsKey(column))}");
                    continue;
                }
                if (ca.Type != cb.Type)
                {
                    differences.Add($"{name}.{column}: {Both($"type {ca.Type}", $"type {cb.Type}")}");
                }
                if (ca.Nullable != cb.Nullable)
                {
                    differences.Add($"{name}.{column}: {Both(Nullability(ca), Nullability(cb))}");
                }
            }
            // Order is compared over the columns both have, so a missing column is reported once, above.
            var orderA = ta.Columns.Select(c => c.Name).Where(columnsB.ContainsKey).ToList();
            var orderB = tb.Columns.Select(c => c.Name).Where(columnsA.ContainsKey).ToList();
            if (!orderA.SequenceEqual(orderB))
            {
                differences.Add($"{name}: {Both($"columns in order ({string.Join(", ", orderA)})", $"({string.Join(", ", orderB)})")}");
            }
            if (!ta.PrimaryKey.SequenceEqual(tb.PrimaryKey))
            {
                differences.Add($"{name}: {Both(PrimaryKey(ta), PrimaryKey(tb))}");
            }
            AddSetDifferences(differences, name, "unique", ta.Uniques, tb.Uniques, Only);
            AddSetDifferences(differences, name, "foreign key", ta.ForeignKeys, tb.ForeignKeys, Only);
            AddListDifferences(differences, name, "CHECK on", ta.Checks, tb.Checks, Only);
        }

        foreach (var name in a.Indexes.Keys.Union(b.Indexes.Keys).Order(StringComparer.Ordinal))
        {
            if (!a.Indexes.TryGetValue(name, out var ia) || !b.Indexes.TryGetValue(name, out var ib))
            {
                differences.Add($"index {name}: {Only(a.Indexes.ContainsKey(name))}");
                continue;
            }
            if ((ia.Table, ia.Columns) != (ib.Table, ib.Columns))
            {
                differences.Add($"index {name}: {Both($"on {ia.Table} ({ia.Columns})", $"on {ib.Table} ({ib.Columns})")}");
            }
            if (ia.Unique != ib.Unique)
            {
                differences.Add($"index {name}: {Both(ia.Unique ? "unique" : "not unique", ib.Unique ? "unique" : "not unique")}");
            }
            if (ia.Partial != ib.Partial)
            {
                differences.Add($"index {name}: {Both(ia.Partial ? "partial" : "not partial", ib.Partial ? "partial" : "not partial")}");
            }
        }

        foreach (var name in a.Views.Keys.Union(b.Views.Keys).Order(StringComparer.Ordinal))
        {
            if (!a.Views.TryGetValue(name, out var va) || !b.Views.TryGetValue(name, out var vb))
            {
                differences.Add($"view {name}: {Only(a.Views.ContainsKey(name))}");
            }
            else if (!va.SequenceEqual(vb))
            {
                differences.Add($"view {name}: {Both($"columns ({string.Join(", ", va)})", $"({string.Join(", ", vb)})")}");
            }
        }
        return differences;
    }

    private static string Nullability(ColumnShape column) => column.Nullable ? "nullable" : "not null";

    private static string PrimaryKey(TableShape table) =>
        table.PrimaryKey.IsEmpty ? "no primary key" : $"primary key ({string.Join(", ", table.PrimaryKey)})";

    private static void AddSetDifferences(List<string> differences, string table, string what,
        ImmutableSortedSet<string> a, ImmutableSortedSet<string> b, Func<bool, string> only)
    {
        differences.AddRange(a.Except(b).Select(x => $"{table}: {what} {x} {only(true)}"));
        differences.AddRange(b.Except(a).Select(x => $"{table}: {what} {x} {only(false)}"));
    }

    /// <summary>Like a set difference, but counting: two CHECKs on the same column are two.</summary>
    private static void AddListDifferences(List<string> differences, string table, string what,
        ImmutableArray<string> a, ImmutableArray<string> b, Func<bool, string> only)
    {
        var remaining = b.ToList();
        foreach (var x in a)
        {
            if (!remaining.Remove(x))
            {
                differences.Add($"{table}: {what} {x} {only(true)}");
            }
        }
        differences.AddRange(remaining.Select(x => $"{table}: {what} {x} {only(false)}"));
    }

    // ---- SQLite ----

    private static async Task<SchemaSnapshot> ReadSqliteAsync(SqliteConnection connection)
    {
        var tables = ImmutableSortedDictionary.CreateBuilder<string, TableShape>(StringComparer.Ordinal);
        var indexes = ImmutableSortedDictionary.CreateBuilder<string, IndexShape>(StringComparer.Ordinal);
        var views = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);

        var objects = await connection.QueryAsync<(string Type, string Name, string Sql)>(
            "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> @Journal",
            new { Journal });
        foreach (var (type, name, sql) in objects)
        {
            var columns = (await connection.QueryAsync<(string Name, string Type, long NotNull, long Pk)>(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info(@name) ORDER BY cid", new { name })).ToList();
            if (type == "view")
            {
                views[name] = [.. columns.Select(c => c.Name)];
                continue;
            }

            var definitions = SqliteColumnDefinitions(sql);
            var primaryKey = columns.Where(c => c.Pk > 0).OrderBy(c => c.Pk).Select(c => c.Name).ToImmutableArray();
            // SQLite lets a primary key column of an ordinary table hold NULL unless it says NOT NULL (a documented
            // quirk kept for compatibility); PostgreSQL does not. A key column the table declares NULL on purpose
            // makes the key a unique constraint in effect (NULLs distinct), which is what it is recorded as; other
            // key columns count as NOT NULL, as they are used.
            var keyAllowsNull = primaryKey.Any(k => ExplicitlyNullable.IsMatch(definitions.GetValueOrDefault(k, "")));
            var uniques = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            if (keyAllowsNull)
            {
                uniques.Add(ColumnList(primaryKey));
                primaryKey = [];
            }

            var shapes = columns.Select(c => new ColumnShape(c.Name, c.Type.ToUpperInvariant(),
                Nullable: c.NotNull == 0 && !primaryKey.Contains(c.Name))).ToImmutableArray();

            var indexList = await connection.QueryAsync<(string Name, long Unique, string Origin, long Partial)>(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(@name)", new { name });
            foreach (var index in indexList)
            {
                var keyColumns = (await connection.QueryAsync<(long Cid, string? Name, long Desc)>(
                        "SELECT cid, name, \"desc\" FROM pragma_index_xinfo(@Name) WHERE key = 1 ORDER BY seqno", new { index.Name }))
                    .Select(k => IndexColumn(k.Cid < 0 ? null : k.Name, k.Desc != 0))
                    .ToList();
                if (index.Unique != 0 && index.Partial == 0 && index.Origin != "pk")
                {
                    uniques.Add(ColumnList(keyColumns));
                }
                // Indexes of constraints are named by SQLite (sqlite_autoindex_…) and by PostgreSQL differently,
                // and are compared as the constraints above; only the indexes the migrations name are compared by name.
                if (index.Origin == "c")
                {
                    indexes[index.Name] = new IndexShape(name, string.Join(", ", keyColumns), index.Unique != 0, index.Partial != 0);
                }
            }

            var foreignKeys = (await connection.QueryAsync<(long Id, string Table, string From, string? To)>(
                    "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(@name) ORDER BY id, seq", new { name }))
                .GroupBy(f => f.Id)
                .Select(g => $"{ColumnList(g.Select(f => f.From))} → {g.First().Table} {ColumnList(g.Select(f => f.To ?? "its primary key"))}")
                .ToImmutableSortedSet(StringComparer.Ordinal);

            var checks = SqliteChecks(sql)
                .Where(check => !BooleanCheck.IsMatch(check))
                .Select(check => ColumnList(columns.Select(c => c.Name)
                    .Where(c => Regex.IsMatch(check, $@"(?<![\w""]){Regex.Escape(c)}(?![\w""])|""{Regex.Escape(c)}""", RegexOptions.IgnoreCase))
                    .Order(StringComparer.Ordinal)))
                .Order(StringComparer.Ordinal)
                .ToImmutableArray();

            tables[name] = new TableShape(shapes, primaryKey, uniques.ToImmutable(), foreignKeys, checks);
        }
        return new SchemaSnapshot("sqlite", tables.ToImmutable(), indexes.ToImmutable(), views.ToImmutable());
    }

    /// <summary>SQLite's CHECK that makes an INTEGER column a boolean: PostgreSQL's boolean type needs none.</summary>
    private static readonly Regex BooleanCheck = new(@"^\s*""?\w+""?\s+IN\s*\(\s*0\s*,\s*1\s*\)\s*$", RegexOptions.IgnoreCase);

    /// <summary>A column definition that says NULL (not NOT NULL) outside any parentheses, e.g. "party_id TEXT NULL".</summary>
    private static readonly Regex ExplicitlyNullable = new(@"(?<!\bNOT\s+)\bNULL\b", RegexOptions.IgnoreCase);

    /// <summary>
    /// The CHECK expressions in a CREATE TABLE statement (column and table constraints; SQLite keeps the
    /// statement's text, with the columns ALTER TABLE added), without string literals and comments.
    /// </summary>
    private static IEnumerable<string> SqliteChecks(string createTable)
    {
        var sql = WithoutLiteralsAndComments(createTable);
        foreach (Match match in Regex.Matches(sql, @"\bCHECK\s*\(", RegexOptions.IgnoreCase))
        {
            var open = match.Index + match.Length - 1;
            yield return sql[(open + 1)..MatchingParenthesis(sql, open)];
        }
    }

    /// <summary>Each column's definition in a CREATE TABLE statement, by column name, with parenthesised parts removed.</summary>
    private static Dictionary<string, string> SqliteColumnDefinitions(string createTable)
    {
        var sql = WithoutLiteralsAndComments(createTable);
        var open = sql.IndexOf('(');
        var body = sql[(open + 1)..MatchingParenthesis(sql, open)];
        var definitions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var part = new StringBuilder();
        var depth = 0;
        foreach (var c in body + ",")
        {
            if (c == ',' && depth == 0)
            {
                var words = part.ToString().Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length > 0)
                {
                    definitions.TryAdd(words[0].Trim('"', '`', '[', ']'), part.ToString());
                }
                part.Clear();
                continue;
            }
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && c != ')')
            {
                part.Append(c);
            }
        }
        return definitions;
    }

    private static int MatchingParenthesis(string sql, int open)
    {
        var depth = 0;
        for (var i = open; i < sql.Length; i++)
        {
            depth += sql[i] == '(' ? 1 : sql[i] == ')' ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }
        throw new FormatException($"Unbalanced parentheses in: {sql}");
    }

    /// <summary>The SQL with each string literal emptied ('') and comments removed, so that neither can look like SQL.</summary>
    private static string WithoutLiteralsAndComments(string sql) =>
        Regex.Replace(sql, @"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", m => m.Value[0] == '\'' ? "''" : " ", RegexOptions.Singleline);

    // ---- PostgreSQL ----

    private static async Task<SchemaSnapshot> ReadPostgresAsync(NpgsqlConnection connection)
    {
        var columns = (await connection.QueryAsync<(string Table, string Kind, string Name, string Type, bool NotNull)>("""
            SELECT c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
            FROM pg_class AS c
            JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> @Journal
            ORDER BY c.relname, a.attnum
            """, new { Journal })).ToList();

        // Constraints with their columns in key order (conkey), or by name for CHECKs, whose order means nothing.
        var constraints = (await connection.QueryAsync<(string Table, string Type, string Columns, string? Referenced, string? ReferencedColumns)>("""
            SELECT t.relname, con.contype::text,
                   (SELECT string_agg(a.attname, ', ' ORDER BY CASE WHEN con.contype = 'c' THEN 0 ELSE k.n END, a.attname)
                    FROM unnest(con.conkey) WITH ORDINALITY AS k (attnum, n)
                    JOIN pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                   r.relname,
                   (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                    FROM unnest(con.confkey) WITH ORDINALITY AS k (attnum, n)
                    JOIN pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
            FROM pg_constraint AS con
            JOIN pg_class AS t ON t.oid = con.conrelid
            LEFT JOIN pg_class AS r ON r.oid = con.confrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND con.contype IN ('p', 'f', 'c') AND t.relname <> @Journal
            """, new { Journal })).ToList();

        // Every index, with whether a constraint (primary key, unique, exclusion) of its table owns it.
        var indexes = (await connection.QueryAsync<(string Name, string Table, string Columns, bool Unique, bool Primary, bool Partial, bool OfConstraint)>("""
            SELECT ic.relname, t.relname,
                   (SELECT string_agg(CASE WHEN i.indkey[k.n] = 0 THEN '<expression>' ELSE a.attname END
                                      || CASE WHEN i.indoption[k.n] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k.n)
                    FROM generate_series(0, i.indnkeyatts - 1) AS k (n)
                    LEFT JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n]),
                   i.indisunique, i.indisprimary, i.indpred IS NOT NULL,
                   EXISTS (SELECT 1 FROM pg_constraint AS con
                           WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
            FROM pg_index AS i
            JOIN pg_class AS ic ON ic.oid = i.indexrelid
            JOIN pg_class AS t ON t.oid = i.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> @Journal
            """, new { Journal })).ToList();

        var tables = ImmutableSortedDictionary.CreateBuilder<string, TableShape>(StringComparer.Ordinal);
        var views = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var relation in columns.GroupBy(c => (c.Table, c.Kind)))
        {
            var name = relation.Key.Table;
            if (relation.Key.Kind is "v" or "m")
            {
                views[name] = [.. relation.Select(c => c.Name)];
                continue;
            }
            var own = constraints.Where(c => c.Table == name).ToList();
            tables[name] = new TableShape(
                [.. relation.Select(c => new ColumnShape(c.Name, Families.GetValueOrDefault(c.Type, $"postgres {c.Type} (no family)"), !c.NotNull))],
                own.Where(c => c.Type == "p").Select(c => c.Columns.Split(", ")).SingleOrDefault()?.ToImmutableArray() ?? [],
                indexes.Where(i => i.Table == name && i.Unique && !i.Primary && !i.Partial)
                    .Select(i => $"({i.Columns})").ToImmutableSortedSet(StringComparer.Ordinal),
                own.Where(c => c.Type == "f").Select(c => $"({c.Columns}) → {c.Referenced} ({c.ReferencedColumns})")
                    .ToImmutableSortedSet(StringComparer.Ordinal),
                [.. own.Where(c => c.Type == "c").Select(c => $"({c.Columns})").Order(StringComparer.Ordinal)]);
        }
        var named = indexes.Where(i => !i.OfConstraint)
            .ToImmutableSortedDictionary(i => i.Name, i => new IndexShape(i.Table, i.Columns, i.Unique, i.Partial), StringComparer.Ordinal);
        return new SchemaSnapshot("postgres", tables.ToImmutable(), named, views.ToImmutable());
    }

    private static string IndexColumn(string? name, bool descending) => (name ?? "<expression>") + (descending ? " DESC" : "");

    private static string ColumnList(IEnumerable<string> columns) => $"({string.Join(", ", columns)})";
}

/// <summary>A column: its name, type family (SQLite's declared type) and whether it may hold NULL.</summary>
public sealed record ColumnShape(string Name, string Type, bool Nullable);

/// <summary>
/// A table: columns in order, primary key columns in key order (empty: none), unique column lists (unique
/// constraints and unique indexes that are not partial), foreign keys as "(columns) → table (columns)",
/// and for each CHECK the columns it reads.
/// </summary>
public sealed record TableShape(
    ImmutableArray<ColumnShape> Columns,
    ImmutableArray<string> PrimaryKey,
    ImmutableSortedSet<string> Uniques,
    ImmutableSortedSet<string> ForeignKeys,
    ImmutableArray<string> Checks);

/// <summary>A named index: its table, key columns (with DESC; expressions as &lt;expression&gt;), and whether it is unique or partial.</summary>
public sealed record IndexShape(string Table, string Columns, bool Unique, bool Partial);
