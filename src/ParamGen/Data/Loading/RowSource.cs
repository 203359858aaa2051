namespace ParamGen.Data;

/// <summary>
/// The rows of a delimited file as fields of chars, whatever the parser underneath (CsvHelper for quoted CSV,
/// a span splitter for <c>.dat</c> / <c>.inter</c>). Blank lines are skipped and counted; the first row is returned
/// like any other (the caller knows whether it is a header). Fields are valid until the next <see cref="MoveNext"/>.
/// </summary>
internal abstract class RowSource : IDisposable
{
    /// <summary>The file, for messages.</summary>
    public abstract string Path { get; }

    /// <summary>Fields of the current row.</summary>
    public abstract int FieldCount { get; }

    /// <summary>The 1-based line where the current row starts.</summary>
    public abstract long LineNumber { get; }

    /// <summary>The last line read so far (rows with line breaks in quotes span several).</summary>
    public abstract long LinesRead { get; }

    /// <summary>Blank lines skipped so far.</summary>
    public abstract long BlankLines { get; }

    /// <summary>A field of the current row (empty when past the end).</summary>
    public abstract ReadOnlySpan<char> Field(int index);

    /// <summary>Moves to the next non-blank row.</summary>
    public abstract bool MoveNext();

    public abstract void Dispose();

    /// <summary>Opens the rows of a file: CsvHelper for <see cref="DataFormat.Delimited"/>, the span splitter otherwise.</summary>
    public static RowSource Open(string path, DataFormat format, string separator) =>
        format == DataFormat.Delimited ? new CsvRowSource(path, separator[0]) : new SeparatedRowSource(path, separator);

    /// <summary>The current row's fields as strings (for headers and first rows).</summary>
    public string[] FieldStrings()
    {
        var fields = new string[FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = Field(i).ToString();
        }

        return fields;
    }

    /// <summary>The error for a row whose field count differs from the columns'.</summary>
    public DataFormatException WrongFieldCount(ColumnMap columns, string separatorName) =>
        new(Path, LineNumber, $"malformed line: expected {columns.FieldCount} fields separated by {separatorName} ({string.Join(", ", columns.Names)}) but found {FieldCount}.");
}
