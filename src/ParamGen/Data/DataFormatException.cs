namespace ParamGen.Data;

/// <summary>
/// A data file could not be read: malformed line, missing column, a value that does not parse, an empty or
/// header-only file, or an unknown format. The message names the file and, where there is one, the 1-based line.
/// Loaders throw it before returning anything, so no partial dataset ever escapes.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for a file and an optional line.</summary>
    /// <param name="path">The file (as given by the caller).</param>
    /// <param name="line">The 1-based line, or 0 when the problem is the whole file.</param>
    /// <param name="problem">What was wrong, e.g. <c>rating 'abc' is not a number</c>.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DataFormatException(string path, long line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}", inner)
    {
        FilePath = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line, or 0 when the problem is the file as a whole (empty, header only, unknown format).</summary>
    public long Line { get; }

    /// <summary>What was wrong, without the location.</summary>
    public string Problem { get; }
}
