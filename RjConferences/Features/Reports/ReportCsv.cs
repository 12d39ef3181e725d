using CsvHelper;

namespace RjConferences.Features.Reports;

/// <summary>The options of the report exports: <c>Reports:SuppressBelow</c> in configuration.</summary>
public sealed class ReportOptions
{
    /// <summary>Counts from 1 to this less one are written "&lt;N" in exports (default 5: 1–4 are "&lt;5").</summary>
    public int SuppressBelow { get; set; } = 5;
}

/// <summary>
/// Writes an <see cref="ExportTable"/> of <see cref="ReportTables.BuildAll"/> (suppressed with the rest of its selection) as
/// CSV (RFC 4180, UTF-8 with a byte order mark so that Excel reads accents right). Any text cell that starts with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, a tab or a carriage return — a school called "=HYPERLINK(...)" — is written with a
/// single quote in front (CsvHelper's injection escape), so that a spreadsheet shows it as text rather
/// than running it. Counts are written as numbers.
/// </summary>
public static class ReportCsv
{
    private static readonly CsvWriterOptions Options = new()
    {
        Injection = CsvInjection.Escape,
        InjectionCharacters = "=+-@\t\r",
        InjectionEscape = '\'',
        WriteByteOrderMark = true,
    };

    public static byte[] Write(ExportTable table, int suppressBelow)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, Options, leaveOpen: true))
        {
            csv.WriteHeader(table.Headers.ToArray());
            foreach (var row in table.Rows)
            {
                foreach (var cell in row)
                {
                    if (cell is CountCell { Count.State: CountState.Shown } count)
                    {
                        csv.WriteField(count.Count.Value);
                    }
                    else
                    {
                        csv.WriteField(ExportTable.Text(cell, suppressBelow));
                    }
                }
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }
}
