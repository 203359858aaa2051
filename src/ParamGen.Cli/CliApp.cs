using System.CommandLine;
using ParamGen.Data;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary>
/// The <c>paramgen</c> tool: builds the command tree and runs it with one error policy. Bad arguments and bad
/// input give one line on stderr and a non-zero exit code (2 for usage: a bad option or value, a value the
/// checkpoint does not know such as a domain; 1 for data or run errors), never a
/// stack trace; with <c>--json</c> a command prints exactly one JSON object on stdout.
/// </summary>
internal static class CliApp
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <returns>The exit code: 0 success, 1 failed run (bad file, bad value), 2 bad usage.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = stdout == Console.Out ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = stdout == Console.Out ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = stdout == Console.Out ? InteractionSupport.Detect : InteractionSupport.No,
        });
        var io = new CliIO(stdout, stderr, console);
        var root = new RootCommand("paramgen: dynamic-parameter sequential recommenders (ParamGen).")
        {
            InfoCommand.Create(io),
            TrainCommand.Create(io),
            EvaluateCommand.Create(io),
            RecommendCommand.Create(io),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = parsed.CommandResult.Command == root ? "paramgen" : $"paramgen {parsed.CommandResult.Command.Name}";
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"paramgen: error: {OneLine(error.Message)} (see '{command} --help')");
            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (CliUsageException ex)
        {
            stderr.WriteLine($"paramgen: error: {OneLine(ex.Message)}");
            return 2;
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            stderr.WriteLine($"paramgen: error: {OneLine(ex.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("paramgen: cancelled");
            return 130;
        }
        catch (Exception ex)
        {
            stderr.WriteLine($"paramgen: internal error ({ex.GetType().Name}): {OneLine(ex.Message)}");
            return 3;
        }
    }

    private static bool IsUserError(Exception ex) => ex is DataFormatException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or IOException or UnauthorizedAccessException or KeyNotFoundException or InvalidOperationException or FormatException;

    private static string OneLine(string message) => string.Join(' ', message.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
