using System.Text.Json.Nodes;

namespace ParamGen.Generators;

/// <summary>
/// What rebuilds a generator for a backbone: its registered kind, group count and options as JSON (see
/// <see cref="GeneratorRegistry"/>). Checkpoints store it beside the backbone's description.
/// </summary>
/// <param name="Kind">The registered kind, e.g. <c>hamur</c>.</param>
/// <param name="GroupCount">Number of groups (domains) it was built for.</param>
/// <param name="Options">The generator's options record, serialised.</param>
public sealed record GeneratorDescription(string Kind, int GroupCount, JsonObject Options);
