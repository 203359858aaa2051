namespace ParamGen.Cli;

/// <summary>An argument combination the tool cannot use; reported as one line with exit code 2 (usage), like the parser's own errors.</summary>
/// <param name="message">What was wrong and how to fix it.</param>
internal sealed class CliUsageException(string message) : Exception(message)
{
    /// <summary>
    /// Builds a library object from command-line values. When the library rejects one of its options
    /// (an <see cref="ArgumentOutOfRangeException"/> whose parameter name is a key of <paramref name="flags"/>),
    /// the error becomes a usage error that names the flag the user typed, e.g. <c>--dim: SasRecOptions.HiddenSize
    /// = -3 is invalid: it must be at least 1.</c>
    /// </summary>
    /// <param name="flags">Library option name → the flag that sets it.</param>
    /// <param name="build">Creates the object (and validates its options).</param>
    public static T ForFlags<T>(IReadOnlyDictionary<string, string> flags, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is { } name && flags.TryGetValue(name, out string? flag))
        {
            string message = e.Message;
            int suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            throw new CliUsageException($"{flag}: {(suffix >= 0 ? message[..suffix] : message)}");
        }
    }
}
