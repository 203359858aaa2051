using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ParamGen.Cli;

/// <summary>Where a command writes: plain text and JSON to stdout, tables through Spectre.Console, errors to stderr.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Console">Spectre console over <paramref name="Out"/>.</param>
internal sealed record CliIO(TextWriter Out, TextWriter Error, IAnsiConsole Console)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes one JSON object (the whole stdout of a <c>--json</c> run).</summary>
    /// <param name="value">The object.</param>
    public void WriteJson(object value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}
