using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParamGen.Training;

/// <summary>The JSON settings of everything the training layer stores (options, records, backbone descriptions).</summary>
internal static class TrainingJson
{
    /// <summary>snake_case property names; enums as names; NaN and infinities as the strings "NaN", "Infinity" (a diverged loss stays readable).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
