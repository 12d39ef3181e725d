using System.Globalization;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xl = DocumentFormat.OpenXml.Spreadsheet;

namespace RjConferences.Tests.Support;

/// <summary>One cell of a downloaded workbook as Excel would read it: its text, whether it is a number, a formula, bold, and its number format.</summary>
public sealed record WorkbookValue(string Text, bool Number, bool Formula, bool Bold, string? NumberFormat);

/// <summary>One sheet: its rows (a missing cell is an empty string), and whether its first row is frozen.</summary>
public sealed record WorkbookSheet(string Name, IReadOnlyList<IReadOnlyList<WorkbookValue>> Rows, bool HeaderFrozen)
{
    public IReadOnlyList<string> Texts(int row) => Rows[row].Select(c => c.Text).ToList();

    /// <summary>The row whose first cell is <paramref name="first"/>.</summary>
    public IReadOnlyList<WorkbookValue> Row(string first) => Rows.Single(r => r.Count > 0 && r[0].Text == first);
}

/// <summary>Reads an .xlsx back with the Open XML SDK, as a spreadsheet would: the tests' view of <c>ReportWorkbook</c>'s files.</summary>
public static partial class WorkbookReading
{
    public static IReadOnlyList<WorkbookSheet> Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, isEditable: false);
        // The file is valid against the Office schemas, so Excel opens it without a repair.
        var errors = new OpenXmlValidator().Validate(document).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var workbook = document.WorkbookPart!;
        var stylesheet = workbook.WorkbookStylesPart?.Stylesheet;
        var formats = stylesheet?.CellFormats?.Elements<Xl.CellFormat>().ToList() ?? [];
        var fonts = stylesheet?.Fonts?.Elements<Xl.Font>().ToList() ?? [];
        var customFormats = stylesheet?.NumberingFormats?.Elements<Xl.NumberingFormat>()
            .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode!.Value!) ?? [];
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<Xl.SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];

        var sheets = new List<WorkbookSheet>();
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<Xl.Sheet>())
        {
            var worksheet = ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet;
            var rows = new List<IReadOnlyList<WorkbookValue>>();
            foreach (var row in worksheet.GetFirstChild<Xl.SheetData>()!.Elements<Xl.Row>())
            {
                var index = (int)row.RowIndex!.Value - 1;
                while (rows.Count < index)
                {
                    rows.Add([]);
                }
                var cells = new List<WorkbookValue>();
                foreach (var cell in row.Elements<Xl.Cell>())
                {
                    var column = ColumnIndex(cell.CellReference!.Value!);
                    while (cells.Count < column)
                    {
                        cells.Add(new WorkbookValue("", false, false, false, null));
                    }
                    var format = cell.StyleIndex is { } s ? formats[(int)s.Value] : null;
                    var type = cell.DataType?.Value;
                    var text = type == Xl.CellValues.InlineString ? Unescape(cell.InlineString!.InnerText)
                        : type == Xl.CellValues.SharedString ? Unescape(shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)])
                        : cell.CellValue?.Text ?? "";
                    var number = type is null || type == Xl.CellValues.Number;
                    var formatId = format?.NumberFormatId?.Value ?? 0;
                    cells.Add(new WorkbookValue(text, number, cell.CellFormula is not null,
                        format?.FontId is { } f && fonts[(int)f.Value].Bold is not null,
                        customFormats.GetValueOrDefault(formatId) ?? (formatId == 0 ? null : $"built-in {formatId}")));
                }
                rows.Add(cells);
            }
            var pane = worksheet.GetFirstChild<Xl.SheetViews>()?.GetFirstChild<Xl.SheetView>()?.GetFirstChild<Xl.Pane>();
            sheets.Add(new WorkbookSheet(sheet.Name!.Value!, rows,
                pane is { State.Value: var state, VerticalSplit.Value: 1D } && state == Xl.PaneStateValues.Frozen));
        }
        return sheets;
    }

    public static WorkbookSheet Sheet(this IReadOnlyList<WorkbookSheet> sheets, string name) => sheets.Single(s => s.Name == name);

    /// <summary>Every formula element in every sheet of the file (there should be none).</summary>
    public static int FormulaCount(byte[] bytes)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), isEditable: false);
        return document.WorkbookPart!.WorksheetParts.Sum(p => p.Worksheet.Descendants<Xl.CellFormula>().Count());
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsLetter))
        {
            index = index * 26 + (c - 'A' + 1);
        }
        return index - 1;
    }

    /// <summary>Excel's reading of "_xHHHH_" in stored text: the character it stands for.</summary>
    private static string Unescape(string text) =>
        Escaped().Replace(text, m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [GeneratedRegex("_x([0-9A-Fa-f]{4})_")]
    private static partial Regex Escaped();
}
