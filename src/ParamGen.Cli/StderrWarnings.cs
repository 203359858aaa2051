using Microsoft.Extensions.Logging;

namespace ParamGen.Cli;

/// <summary>
/// The logger the commands hand the library: warnings and errors become one <c>warning: ...</c> line each on standard
/// error (so <c>--json</c> output on stdout stays one object); information is left to the progress bars and tables.
/// </summary>
/// <param name="error">Standard error.</param>
internal sealed class StderrWarnings(TextWriter error) : ILogger
{
    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            error.WriteLine($"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {formatter(state, exception)}");
        }
    }
}
