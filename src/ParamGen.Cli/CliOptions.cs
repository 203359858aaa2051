using System.CommandLine;
using ParamGen.Tensors;

namespace ParamGen.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print exactly one JSON object on stdout and nothing else." };

    public static Option<int?> Threads() => new("--threads") { Description = "Compute threads (default: the engine's default, the logical CPU count)." };

    public static void ApplyThreads(ParseResult parsed, Option<int?> threads)
    {
        if (parsed.GetValue(threads) is int n)
        {
            if (n < 1)
            {
                throw new CliUsageException($"--threads {n}: needs at least 1.");
            }

            Engine.NumThreads = n;
        }
    }
}
