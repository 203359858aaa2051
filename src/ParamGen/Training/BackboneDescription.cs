using System.Text.Json.Nodes;

namespace ParamGen.Training;

/// <summary>
/// What rebuilds a backbone: its registered kind, catalogue size and options as JSON (see <see cref="BackboneRegistry"/>).
/// Checkpoints store it so a model can be loaded without the code that configured it.
/// </summary>
/// <param name="Kind">The registered kind, e.g. <c>sasrec</c>.</param>
/// <param name="NumItems">The number of real items (embedding tables have one more row, for padding).</param>
/// <param name="Options">The backbone's options record, serialised.</param>
public sealed record BackboneDescription(string Kind, int NumItems, JsonObject Options);
