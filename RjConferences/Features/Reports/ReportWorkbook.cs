using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using RjConferences.Features.Referrals;
using Xl = DocumentFormat.OpenXml.Spreadsheet;

namespace RjConferences.Features.Reports;

/// <summary>What the "Selection" sheet says about the report besides its figures: the filters in words and when it was worked out.</summary>
/// <param name="Filters">The filters as the page describes them (<see cref="ReportChoices.Describe"/>); empty for none.</param>
/// <param name="AsAt">When the figures were worked out (the app's clock), as the page's "Data as at".</param>
public sealed record WorkbookCover(string Filters, DateTimeOffset AsAt, int SuppressBelow);

/// <summary>
/// "Download all (Excel)": every table of <see cref="ReportTables.BuildAll"/> for one selection in one .xlsx, so the workbook
/// holds exactly the figures of the selection's CSV files, suppressed together with them. Sheets: "Selection" (what the report
/// is of, the suppression rule and what it does not protect), "Definitions" (how each headline figure is counted, what
/// "&lt;5" and "suppressed" mean), then one per table in BuildAll's order, its headers a bold, frozen first row.
/// A shown count or figure is a number cell; everything else — "&lt;5", "suppressed", names — an inline string, never a
/// formula, so a school called "=HYPERLINK(...)" is shown as text. Aggregates only, as the CSV files.
/// </summary>
public static partial class ReportWorkbook
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public const string SelectionSheet = "Selection";
    public const string DefinitionsSheet = "Definitions";

    /// <summary>
    /// Sheet names: Excel allows 31 characters and none of []:*?/\, which some titles break
    /// ("Cohort: cases referred in each month or quarter"); the Selection sheet gives each sheet's full title.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SheetNames = new Dictionary<string, string>
    {
        [ReportTables.Headlines] = "Headline figures",
        [ReportTables.Funnel] = "Stage by stage",
        [ReportTables.Disproportionality] = "Disproportionality",
        [ReportTables.Trend] = "Cohort",
        [ReportTables.Activity] = "Activity",
        [ReportTables.Boroughs] = "By borough",
        [ReportTables.Schools] = "By school",
        [ReportTables.OffenceCategories] = "By offence category",
    };

    /// <summary>"report-2025-09-01-to-2026-08-31.xlsx": the period, nothing about a person.</summary>
    public static string FileName(ReportSelection selection) =>
        string.Create(CultureInfo.InvariantCulture, $"report-{selection.From:yyyy-MM-dd}-to-{selection.To:yyyy-MM-dd}.xlsx");

    /// <summary>The sheet name of a table: its short name, or its title made valid for Excel (a table added later).</summary>
    public static string SheetName(ExportTable table)
    {
        var name = SheetNames.GetValueOrDefault(table.Key) ?? InvalidInSheetName().Replace(table.Title, " ").Trim('\'', ' ');
        return name.Length > 31 ? name[..31].TrimEnd() : name;
    }

    public static byte[] Write(ReportResult result, WorkbookCover cover)
    {
        var tables = ReportTables.BuildAll(result, cover.SuppressBelow);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            workbookPart.Workbook = new Xl.Workbook();
            // Named relationship ids (the SDK would make random ones): the same report gives the same XML.
            workbookPart.AddNewPart<WorkbookStylesPart>("rIdStyles").Stylesheet = Styles.Sheet();
            var sheets = workbookPart.Workbook.AppendChild(new Xl.Sheets());
            void Add(string name, SheetWriter sheet)
            {
                var part = workbookPart.AddNewPart<WorksheetPart>($"rIdSheet{sheets.ChildElements.Count + 1}");
                part.Worksheet = sheet.Build(tabSelected: sheets.ChildElements.Count == 0);
                sheets.Append(new Xl.Sheet { Id = workbookPart.GetIdOfPart(part), SheetId = (uint)sheets.ChildElements.Count + 1, Name = name });
            }

            var names = SheetNamesOf(tables);
            Add(SelectionSheet, SelectionSheetOf(result.Selection, cover, tables, names));
            Add(DefinitionsSheet, DefinitionsSheetOf(result, cover.SuppressBelow));
            for (var t = 0; t < tables.Count; t++)
            {
                var sheet = new SheetWriter(frozenHeader: true);
                sheet.AddRow(tables[t].Headers.Select(h => Text(h, Styles.Header)));
                foreach (var row in tables[t].Rows)
                {
                    sheet.AddRow(row.Select(cell => CellOf(cell, cover.SuppressBelow)));
                }
                Add(names[t], sheet);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Each table's sheet name, made unique: Excel refuses two sheets whose names differ only in case.</summary>
    private static List<string> SheetNamesOf(IReadOnlyList<ExportTable> tables)
    {
        var used = new HashSet<string>([SelectionSheet, DefinitionsSheet], StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var table in tables)
        {
            var name = SheetName(table);
            var unique = name;
            for (var n = 2; !used.Add(unique); n++)
            {
                unique = $"{name[..Math.Min(name.Length, 26)]} ({n})";
            }
            names.Add(unique);
        }
        return names;
    }

    /// <summary>A cell as the CSV writes it: a shown count or figure as a number (rounded as its text), anything else as text.</summary>
    private static WorkbookCell CellOf(ExportCell cell, int suppressBelow)
    {
        var text = ExportTable.Text(cell, suppressBelow);
        return cell switch
        {
            CountCell { Count.State: CountState.Shown } => new WorkbookCell(text, Number: true, Styles.Count),
            DerivedCell { Value: not null } d when !d.DependsOn.Any(c => c.Hidden) => new WorkbookCell(text, Number: true, Styles.Decimals(d.Decimals)),
            _ => Text(text),
        };
    }

    private static WorkbookCell Text(string text, uint style = Styles.Plain) => new(text, Number: false, style);

    private static SheetWriter SelectionSheetOf(ReportSelection selection, WorkbookCover cover, IReadOnlyList<ExportTable> tables,
        IReadOnlyList<string> names)
    {
        var below = cover.SuppressBelow;
        var sheet = new SheetWriter(frozenHeader: false, widths: [28, 100]);
        void Line(string label, string value) => sheet.AddRow([Text(label, Styles.Label), Text(value, Styles.Wrapped)]);
        sheet.AddRow([Text("RjConferences report", Styles.Header)]);
        Line("Cases referred from", ReportFormat.Period(selection));
        Line("Filters", string.IsNullOrEmpty(cover.Filters) ? "None: all of your boroughs and schools" : cover.Filters);
        Line("Cohort table", Vocabulary.Label(ReportChoices.TrendGranularities, selection.Trend == TrendGranularity.Quarter ? "quarter" : "month"));
        Line("Reference group", $"{selection.ReferenceGroup}: each ethnic group's relative rate index compares its rate with this group's");
        Line("Data as at", $"{LondonTime.Clock(cover.AsAt, named: true)} on {LondonTime.FormatDate(LondonTime.DateOf(cover.AsAt))}: "
            + "changes recorded since are not in it");
        sheet.AddRow([Text("Suppression threshold", Styles.Label), new WorkbookCell(below.ToString(CultureInfo.InvariantCulture), Number: true, Styles.Count)]);
        Line("Suppression rule", $"Counts from 1 to {below - 1} are shown as “{ExportTable.SmallPrefix}{below}”; 0 is shown as 0. "
            + "A count from which such a count could be worked out by adding or subtracting other figures, and any percentage, "
            + $"index, interval or median resting on a hidden count, is shown as “{ExportTable.SuppressedText}”.");
        Line("Suppressed together", "Every figure in this workbook and in this selection's CSV files is suppressed together, so no hidden "
            + "count can be worked out from them, by adding or subtracting any of them. Comparing two different selections with each "
            + "other (another period, borough, school or filter) is your responsibility: the difference between two selections can "
            + "give away a count that each of them hides.");
        Line("What it holds", "Counts, percentages and medians of groups of cases: no row describes a young person.");
        sheet.AddRow([]);
        sheet.AddRow([Text("Sheet", Styles.Label), Text("Table", Styles.Label)]);
        Line(DefinitionsSheet, $"How each headline figure is counted, and what “{ExportTable.SmallPrefix}{below}” and “{ExportTable.SuppressedText}” mean");
        for (var t = 0; t < tables.Count; t++)
        {
            Line(names[t], tables[t].Title);
        }
        return sheet;
    }

    private static SheetWriter DefinitionsSheetOf(ReportResult result, int below)
    {
        var sheet = new SheetWriter(frozenHeader: true, widths: [40, 100]);
        void Line(string label, string value) => sheet.AddRow([Text(label, Styles.Label), Text(value, Styles.Wrapped)]);
        sheet.AddRow([Text("Figure", Styles.Header), Text("How it is counted", Styles.Header)]);
        foreach (var figure in result.Headlines)
        {
            Line(figure.Label, ReportDefinitions.Headlines.GetValueOrDefault(figure.Key, ""));
        }
        sheet.AddRow([]);
        sheet.AddRow([Text("In a table", Styles.Header), Text("Means", Styles.Header)]);
        Line($"{ExportTable.SmallPrefix}{below}", $"A count from 1 to {below - 1}, hidden because so few cases could identify a young person.");
        Line(ExportTable.SuppressedText, $"A figure hidden because, with the other figures of this selection (in this workbook or its CSV files), "
            + $"it would give away a count shown as “{ExportTable.SmallPrefix}{below}”: a count that a total minus its other parts would "
            + "reveal, or a percentage, relative rate index, interval or median worked out from a hidden count.");
        Line("(an empty cell)", "Nothing to work out: no cases to divide by, or no interval (the reference group's index is 1 by definition).");
        Line(ReportFormat.NotAvailable, "The figure is not recorded with these filters (a school's internal matters have no age, gender, ethnic group or outcome route).");
        return sheet;
    }

    /// <summary>
    /// Text as Excel stores it (ST_Xstring): a character XML cannot hold (a control character, a lone surrogate) is written
    /// "_xHHHH_", as Excel does, and an "_x" that already looks like such an escape has its underscore escaped so it reads back as typed.
    /// A carriage return is escaped too, since XML readers turn it into a line feed.
    /// </summary>
    internal static string Escape(string text)
    {
        text = LooksEscaped().Replace(text, "_x005F_");
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (c == '\r' || !XmlConvert.IsXmlChar(c))
            {
                escaped ??= new StringBuilder(text, 0, i, text.Length + 8);
                escaped.Append(CultureInfo.InvariantCulture, $"_x{(int)c:X4}_");
            }
            else
            {
                escaped?.Append(c);
            }
        }
        return escaped?.ToString() ?? text;
    }

    [GeneratedRegex("_(?=x[0-9A-Fa-f]{4}_)")]
    private static partial Regex LooksEscaped();

    [GeneratedRegex(@"[\[\]:*?/\\]")]
    private static partial Regex InvalidInSheetName();

    private sealed record WorkbookCell(string Value, bool Number, uint Style);

    /// <summary>The rows of one sheet, then the sheet: widths from the longest text of each column unless given.</summary>
    private sealed class SheetWriter(bool frozenHeader, double[]? widths = null)
    {
        private readonly List<IReadOnlyList<WorkbookCell>> rows = [];

        public void AddRow(IEnumerable<WorkbookCell> cells) => rows.Add(cells.ToList());

        public Xl.Worksheet Build(bool tabSelected)
        {
            var view = new Xl.SheetView { WorkbookViewId = 0U, TabSelected = tabSelected };
            if (frozenHeader)
            {
                // The header row stays in view while the rows scroll (ySplit is VerticalSplit in the SDK's names).
                view.Append(
                    new Xl.Pane { VerticalSplit = 1D, TopLeftCell = "A2", ActivePane = Xl.PaneValues.BottomLeft, State = Xl.PaneStateValues.Frozen },
                    new Xl.Selection { Pane = Xl.PaneValues.BottomLeft, ActiveCell = "A2", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A2" } });
            }
            var data = new Xl.SheetData();
            for (var r = 0; r < rows.Count; r++)
            {
                var row = new Xl.Row { RowIndex = (uint)r + 1 };
                for (var c = 0; c < rows[r].Count; c++)
                {
                    var cell = rows[r][c];
                    if (cell.Value.Length == 0)
                    {
                        continue; // an empty figure is an empty cell, as in the CSV
                    }
                    var reference = Column(c) + (r + 1).ToString(CultureInfo.InvariantCulture);
                    row.Append(cell.Number
                        ? new Xl.Cell { CellReference = reference, DataType = Xl.CellValues.Number, CellValue = new Xl.CellValue(cell.Value), StyleIndex = cell.Style }
                        : new Xl.Cell(new Xl.InlineString(new Xl.Text(Escape(cell.Value)) { Space = SpaceProcessingModeValues.Preserve }))
                        {
                            CellReference = reference, DataType = Xl.CellValues.InlineString, StyleIndex = cell.Style,
                        });
                }
                data.Append(row);
            }
            var worksheet = new Xl.Worksheet(new Xl.SheetViews(view));
            if (ColumnWidths() is { Length: > 0 } columnWidths)
            {
                worksheet.Append(new Xl.Columns(columnWidths.Select((w, i) =>
                    new Xl.Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = w, CustomWidth = true })));
            }
            worksheet.Append(data);
            return worksheet;
        }

        /// <summary>Wide enough for the longest text of the column, from 8 to 40 characters; a longer header wraps.</summary>
        private double[] ColumnWidths() => widths ?? Enumerable.Range(0, rows.Count == 0 ? 0 : rows.Max(r => r.Count))
            .Select(c => Math.Clamp(rows.Where(r => c < r.Count).Max(r => r[c].Value.Length), 8, 40) + 2.0)
            .ToArray();

        private static string Column(int index)
        {
            var name = "";
            for (index++; index > 0; index = (index - 1) / 26)
            {
                name = (char)('A' + (index - 1) % 26) + name;
            }
            return name;
        }
    }

    /// <summary>The workbook's few cell formats, by their index in the stylesheet.</summary>
    private static class Styles
    {
        public const uint Plain = 0;
        public const uint Header = 1;
        public const uint Label = 2;
        public const uint Wrapped = 3;
        public const uint Count = 0;
        private const uint FirstDecimals = 4;
        private const int MostDecimals = 4;
        private const uint FirstCustomFormat = 164; // below are Excel's built-in formats

        /// <summary>A figure shown with as many decimals as its text: 62.0, 0.97.</summary>
        public static uint Decimals(int decimals) => FirstDecimals + (uint)Math.Clamp(decimals, 0, MostDecimals);

        private static Xl.CellFormat Format(uint fontId, Xl.Alignment? alignment = null, uint numberFormatId = 0)
        {
            var format = new Xl.CellFormat
            {
                NumberFormatId = numberFormatId, FontId = fontId, FillId = 0, BorderId = 0, FormatId = 0,
                ApplyNumberFormat = numberFormatId != 0 ? true : null, ApplyFont = fontId != 0 ? true : null, ApplyAlignment = alignment is null ? null : true,
            };
            if (alignment is not null)
            {
                format.Append(alignment.CloneNode(true));
            }
            return format;
        }

        public static Xl.Stylesheet Sheet()
        {
            var top = new Xl.Alignment { Vertical = Xl.VerticalAlignmentValues.Top, WrapText = true };
            var formats = Enumerable.Range(0, MostDecimals + 1)
                .Select(d => new Xl.NumberingFormat { NumberFormatId = FirstCustomFormat + (uint)d, FormatCode = d == 0 ? "0" : "0." + new string('0', d) });
            return new Xl.Stylesheet(
                new Xl.NumberingFormats(formats) { Count = MostDecimals + 1 },
                new Xl.Fonts(
                    new Xl.Font(new Xl.FontSize { Val = 11 }, new Xl.FontName { Val = "Calibri" }),
                    new Xl.Font(new Xl.Bold(), new Xl.FontSize { Val = 11 }, new Xl.FontName { Val = "Calibri" })) { Count = 2 },
                new Xl.Fills(
                    new Xl.Fill(new Xl.PatternFill { PatternType = Xl.PatternValues.None }),
                    new Xl.Fill(new Xl.PatternFill { PatternType = Xl.PatternValues.Gray125 })) { Count = 2 },
                new Xl.Borders(new Xl.Border(new Xl.LeftBorder(), new Xl.RightBorder(), new Xl.TopBorder(), new Xl.BottomBorder(), new Xl.DiagonalBorder())) { Count = 1 },
                new Xl.CellStyleFormats(new Xl.CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
                new Xl.CellFormats(new[]
                    {
                        Format(fontId: 0),
                        Format(fontId: 1, top),
                        Format(fontId: 1, new Xl.Alignment { Vertical = Xl.VerticalAlignmentValues.Top }),
                        Format(fontId: 0, top),
                    }.Concat(Enumerable.Range(0, MostDecimals + 1).Select(d => Format(fontId: 0, numberFormatId: FirstCustomFormat + (uint)d))))
                { Count = FirstDecimals + MostDecimals + 1 },
                new Xl.CellStyles(new Xl.CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        }
    }
}
