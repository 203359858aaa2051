using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParamGen.Tensors.Serialization;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// An optimizer's saved state, as PyTorch's <c>optimizer.state_dict()</c>: per-group hyper-parameters and
/// step counts (small scalars, see <see cref="ScalarsToJson"/>) and the per-parameter buffers as tensors
/// keyed <c>state.{group}.{param}.{buffer}</c> (e.g. <c>state.0.1.exp_avg</c>), ready for a safetensors file.
/// </summary>
/// <remarks>The tensors are copies taken when the state dict was made; later steps do not change them.</remarks>
public sealed class OptimizerStateDict
{
    /// <summary>The version of the JSON layout written by <see cref="ScalarsToJson"/>.</summary>
    public const int FormatVersion = 1;

    private const string MetadataKey = "paramgen.optimizer";

    /// <summary>Creates a state dict from its parts.</summary>
    /// <param name="optimizer">The optimizer type name (<c>Sgd</c>, <c>Adam</c>, <c>AdamW</c>).</param>
    /// <param name="groups">The groups' scalars.</param>
    /// <param name="tensors">The buffers by key.</param>
    public OptimizerStateDict(string optimizer, IReadOnlyList<ParamGroupState> groups, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(optimizer);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(tensors);
        Optimizer = optimizer;
        Groups = groups;
        Tensors = tensors;
    }

    /// <summary>The optimizer type name the state belongs to.</summary>
    public string Optimizer { get; }

    /// <summary>The groups' scalars, in group order.</summary>
    public IReadOnlyList<ParamGroupState> Groups { get; }

    /// <summary>The buffers keyed <c>state.{group}.{param}.{buffer}</c>.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The key of a buffer tensor.</summary>
    public static string TensorKey(int group, int parameter, string buffer) =>
        string.Create(CultureInfo.InvariantCulture, $"state.{group}.{parameter}.{buffer}");

    /// <summary>
    /// The scalars as JSON: <c>{"optimizer", "format_version", "groups": [{"options": {"lr", "weight_decay", ...},
    /// "lr", "frozen", "shapes", "steps"}]}</c>. Doubles are written in round-trip form, so a reload is exact.
    /// </summary>
    public JsonObject ScalarsToJson()
    {
        var groups = new JsonArray();
        foreach (var g in Groups)
        {
            var options = new JsonObject();
            g.Options.WriteJson(options);
            var shapes = new JsonArray();
            foreach (var s in g.ParameterShapes)
            {
                shapes.Add(new JsonArray(s.ToArray().Select(d => (JsonNode)d).ToArray()));
            }

            groups.Add(new JsonObject
            {
                ["options"] = options,
                ["lr"] = g.LearningRate,
                ["frozen"] = g.Frozen,
                ["shapes"] = shapes,
                ["steps"] = new JsonArray(g.Steps.Select(s => (JsonNode)s).ToArray()),
            });
        }

        return new JsonObject
        {
            ["optimizer"] = Optimizer,
            ["format_version"] = FormatVersion,
            ["groups"] = groups,
        };
    }

    /// <summary>Rebuilds a state dict from <see cref="ScalarsToJson"/> output and the buffer tensors.</summary>
    /// <param name="scalars">The JSON scalars.</param>
    /// <param name="tensors">The buffers keyed <c>state.{group}.{param}.{buffer}</c>.</param>
    /// <param name="source">Names the origin (a file) in error messages.</param>
    /// <exception cref="InvalidDataException">The JSON is malformed or of an unknown optimizer or version; the message names the field.</exception>
    public static OptimizerStateDict FromJson(JsonNode scalars, IReadOnlyDictionary<string, Tensor> tensors, string source = "optimizer state")
    {
        ArgumentNullException.ThrowIfNull(scalars);
        ArgumentNullException.ThrowIfNull(tensors);
        if (scalars is not JsonObject root)
        {
            throw new InvalidDataException($"{source}: the optimizer state is not a JSON object.");
        }

        string optimizer = root["optimizer"] is JsonValue ov && ov.TryGetValue(out string? name) && name is not null
            ? name
            : throw new InvalidDataException($"{source}: 'optimizer' (the optimizer type name) is missing.");
        if (root["format_version"] is not JsonValue vv || !vv.TryGetValue(out int version) || version != FormatVersion)
        {
            throw new InvalidDataException($"{source}: optimizer state format_version {root["format_version"]?.ToJsonString() ?? "(missing)"} is not supported (expected {FormatVersion}).");
        }

        if (root["groups"] is not JsonArray groupsJson)
        {
            throw new InvalidDataException($"{source}: 'groups' is missing or not an array.");
        }

        var groups = new List<ParamGroupState>(groupsJson.Count);
        for (int gi = 0; gi < groupsJson.Count; gi++)
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"{source}: group {gi}");
            if (groupsJson[gi] is not JsonObject gj || gj["options"] is not JsonObject oj)
            {
                throw new InvalidDataException($"{where} is malformed (needs an 'options' object).");
            }

            var options = ReadOptions(optimizer, oj, where);
            double lr = OptimizerOptions.ReadDouble(gj, "lr", where);
            bool frozen = OptimizerOptions.ReadBool(gj, "frozen", where);
            if (gj["shapes"] is not JsonArray shapesJson || gj["steps"] is not JsonArray stepsJson || shapesJson.Count != stepsJson.Count)
            {
                throw new InvalidDataException($"{where}: 'shapes' and 'steps' must be arrays of equal length.");
            }

            var shapes = new Shape[shapesJson.Count];
            var steps = new long[stepsJson.Count];
            for (int pi = 0; pi < shapes.Length; pi++)
            {
                if (shapesJson[pi] is not JsonArray dims || !dims.All(d => d is JsonValue dv && dv.TryGetValue(out int size) && size >= 0)
                    || stepsJson[pi] is not JsonValue sv || !sv.TryGetValue(out steps[pi]))
                {
                    throw new InvalidDataException($"{where}: parameter {pi} has a malformed shape or step count.");
                }

                shapes[pi] = new Shape(dims.Select(d => d!.GetValue<int>()).ToArray());
            }

            groups.Add(new ParamGroupState(options, lr, frozen, shapes, steps));
        }

        return new OptimizerStateDict(optimizer, groups, tensors);
    }

    /// <summary>Saves the state to a safetensors file (buffers as tensors, scalars as JSON metadata), atomically.</summary>
    public void Save(string path) =>
        SafeTensors.Save(path, Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), new Dictionary<string, string> { [MetadataKey] = ScalarsToJson().ToJsonString() });

    /// <summary>Loads a state saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a saved optimizer state; the message names it.</exception>
    public static OptimizerStateDict Load(string path)
    {
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue(MetadataKey, out var json))
        {
            throw new InvalidDataException($"{path}: no '{MetadataKey}' metadata; this is not a saved optimizer state.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the optimizer state JSON is malformed: {e.Message}", e);
        }

        return FromJson(node ?? throw new InvalidDataException($"{path}: the optimizer state JSON is null."), file.ToDictionary(), path);
    }

    private static OptimizerOptions ReadOptions(string optimizer, JsonObject json, string where) => optimizer switch
    {
        nameof(Sgd) => SgdOptions.FromJson(json, where),
        nameof(Adam) => AdamOptions.FromJson<AdamOptions>(json, where),
        nameof(AdamW) => AdamOptions.FromJson<AdamWOptions>(json, where),
        _ => throw new InvalidDataException($"{where}: unknown optimizer '{optimizer}' (expected Sgd, Adam or AdamW)."),
    };
}
