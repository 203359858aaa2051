using System.Text;

namespace ParamGen.Data;

/// <summary>
/// Streams a text file line by line as spans over one reusable char buffer: no string per line and no
/// whole-file copy. A line is valid until the next call to <see cref="TryReadLine"/>.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private const int InitialBufferChars = 1 << 16;
    private readonly StreamReader _reader;
    private char[] _buffer = new char[InitialBufferChars];
    private int _start;
    private int _end;
    private bool _eof;
    private int _lineStart;
    private int _lineLength;

    public LineReader(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>The 1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>The line last returned by <see cref="TryReadLine"/> (valid until the next call).</summary>
    public ReadOnlySpan<char> Current => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>Reads the next line without its line break (LF, CR LF or a lone CR at its end).</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf('\n');
            if (newline >= 0)
            {
                line = SetCurrent(_start, newline);
                _start += newline + 1;
                LineNumber++;
                return true;
            }

            if (_eof)
            {
                if (_start < _end)
                {
                    line = SetCurrent(_start, _end - _start);
                    _start = _end;
                    LineNumber++;
                    return true;
                }

                line = default;
                return false;
            }

            Fill();
        }
    }

    public void Dispose() => _reader.Dispose();

    private ReadOnlySpan<char> SetCurrent(int start, int length)
    {
        if (length > 0 && _buffer[start + length - 1] == '\r')
        {
            length--;
        }

        _lineStart = start;
        _lineLength = length;
        return _buffer.AsSpan(start, length);
    }

    private void Fill()
    {
        int pending = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        }

        int read = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
