using System.Globalization;
using System.Text;
using CsvHelper;

namespace ParamGen.Data;

/// <summary>
/// Rows of an RFC 4180 file read with CsvHelper (quoted fields, doubled quotes, separators inside quotes). Fields
/// are decoded from UTF-8 on demand into one reusable buffer per field index, so known tokens cost no allocation.
/// </summary>
internal sealed class CsvRowSource : RowSource
{
    private readonly CsvReader _reader;
    private char[][] _buffers = [];
    private long _rows;
    private long _lastLine;

    public CsvRowSource(string path, char separator)
    {
        Path = path;
        var options = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = false,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        _reader = CsvReader.FromFile(path, options);
    }

    public override string Path { get; }

    public override int FieldCount => _reader.FieldCount;

    public override long LineNumber => _reader.LineNumber;

    public override long LinesRead => _lastLine;

    /// <summary>Lines not taken by a row: blank lines (assuming no line breaks inside quoted fields).</summary>
    public override long BlankLines => Math.Max(0, _lastLine - _rows);

    public override ReadOnlySpan<char> Field(int index)
    {
        var bytes = _reader.GetSpan(index);
        if (index >= _buffers.Length)
        {
            Array.Resize(ref _buffers, Math.Max(index + 1, 8));
        }

        ref var buffer = ref _buffers[index];
        if (buffer is null || buffer.Length < bytes.Length)
        {
            buffer = new char[Math.Max(64, bytes.Length * 2)];
        }

        int chars = Encoding.UTF8.GetChars(bytes, buffer);
        return buffer.AsSpan(0, chars);
    }

    public override bool MoveNext()
    {
        try
        {
            if (!_reader.Read())
            {
                return false;
            }
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(Path, e.LineNumber > 0 ? e.LineNumber : _lastLine + 1, $"malformed CSV: {e.Message}", e);
        }

        _rows++;
        _lastLine = _reader.LineNumber;
        return true;
    }

    public override void Dispose() => _reader.Dispose();
}
