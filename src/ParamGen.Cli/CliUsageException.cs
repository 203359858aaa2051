namespace ParamGen.Cli;

/// <summary>An argument combination the tool cannot use; reported as one line with exit code 2 (usage), like the parser's own errors.</summary>
/// <param name="message">What was wrong and how to fix it.</param>
internal sealed class CliUsageException(string message) : Exception(message);
