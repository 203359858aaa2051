namespace ParamGen.Data;

/// <summary>Rows of an unquoted file split on a separator string (<c>::</c>, tab, ...), as spans over the line buffer.</summary>
internal sealed class SeparatedRowSource : RowSource
{
    private readonly LineReader _lines;
    private readonly string _separator;
    private Range[] _ranges = new Range[16];
    private int _count;
    private long _blank;

    public SeparatedRowSource(string path, string separator)
    {
        Path = path;
        _separator = separator;
        _lines = new LineReader(path);
    }

    public override string Path { get; }

    public override int FieldCount => _count;

    public override long LineNumber => _lines.LineNumber;

    public override long LinesRead => _lines.LineNumber;

    public override long BlankLines => _blank;

    public override ReadOnlySpan<char> Field(int index) => index < _count ? _lines.Current[_ranges[index]] : default;

    public override bool MoveNext()
    {
        while (_lines.TryReadLine(out var line))
        {
            if (FieldText.IsBlank(line))
            {
                _blank++;
                continue;
            }

            _count = FieldText.Split(line, _separator, _ranges);
            if (_count > _ranges.Length)
            {
                _ranges = new Range[_count * 2];
                FieldText.Split(line, _separator, _ranges);
            }

            return true;
        }

        _count = 0;
        return false;
    }

    public override void Dispose() => _lines.Dispose();
}
