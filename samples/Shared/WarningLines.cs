using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ParamGen.Samples;

/// <summary>
/// The logger the samples hand the library: each distinct warning (or error) becomes one yellow line above the progress
/// display, once however many trainings repeat it; information is left to the bars and tables.
/// </summary>
internal sealed class WarningLines : ILogger
{
    private readonly HashSet<string> _shown = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception);
        lock (_shown)
        {
            if (_shown.Add(message))
            {
                AnsiConsole.MarkupLine($"[yellow]{(logLevel >= LogLevel.Error ? "error" : "warning")}:[/] {Markup.Escape(message)}");
            }
        }
    }
}
