using System.Text.Json;
using System.Text.Json.Nodes;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Serialization;

namespace ParamGen.Training;

/// <summary>
/// The checkpoint folder of a training run (<see cref="TrainerOptions.CheckpointDirectory"/>) and the loader that
/// rebuilds a recommender from it.
/// </summary>
/// <remarks>
/// <para>Layout. <c>last.safetensors</c>: the weights after the latest epoch, the optimizer's moments and the
/// generator's state (a <see cref="Checkpoint"/>, readable by PyTorch's <c>safetensors</c>), whose JSON record holds the
/// run record: format version, <see cref="TrainerOptions"/>, the backbone's kind and options
/// (<see cref="BackboneRegistry"/>), the dataset's counts, epochs and steps done, the best epoch and score, and the
/// per-epoch history. <c>best.safetensors</c>: the best validated weights with the same record (written when
/// <see cref="TrainerOptions.KeepBest"/> is set). <c>items.json</c>: the item vocabulary, so tools can take item
/// tokens. Each file has a readable <c>.json</c> sidecar written by <see cref="Checkpoint"/>.</para>
/// <para>Every file is written to a temporary file and moved into place, so a crash leaves the previous version.</para>
/// </remarks>
public static class TrainingCheckpoint
{
    /// <summary>The file of the latest epoch's state (resumption starts here).</summary>
    public const string LastFileName = "last.safetensors";

    /// <summary>The file of the best validated weights.</summary>
    public const string BestFileName = "best.safetensors";

    /// <summary>The file of the item vocabulary.</summary>
    public const string ItemsFileName = "items.json";

    private const string ItemsFormat = "paramgen.items";

    /// <summary>
    /// Rebuilds the recommender a run saved, with its weights, in evaluation mode. The backbone's kind must be
    /// registered in <see cref="BackboneRegistry"/>, and a generator's (a <see cref="GeneratedRecommender"/>) in
    /// <see cref="GeneratorRegistry"/>; other models cannot be rebuilt this way: build them and use <see cref="Checkpoint.Load"/>.
    /// </summary>
    /// <param name="directory">The run's checkpoint folder.</param>
    /// <param name="preferBest">Load <c>best.safetensors</c> when it exists (default true); otherwise, or when false, <c>last.safetensors</c>.</param>
    /// <param name="generator">The generator the rebuilt backbone draws from (default: a new one); the checkpoint's generator state is restored into it.</param>
    /// <returns>The model, its item vocabulary (when saved) and the run's record.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">It holds no checkpoint.</exception>
    /// <exception cref="InvalidDataException">A file is not a training checkpoint, or the model is not a rebuildable backbone; the message names the file.</exception>
    /// <exception cref="KeyNotFoundException">The backbone's kind is not registered; the message lists the registered ones.</exception>
    public static TrainedModel Load(string directory, bool preferBest = true, Generator? generator = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Checkpoint folder '{directory}' does not exist.");
        }

        string best = Path.Combine(directory, BestFileName), last = Path.Combine(directory, LastFileName);
        string path = preferBest && File.Exists(best) ? best
            : File.Exists(last) ? last
            : throw new FileNotFoundException($"Checkpoint folder '{directory}' holds neither {BestFileName} nor {LastFileName}.", last);
        var record = ReadRecord(path);
        var description = record.Backbone ?? throw new InvalidDataException(
            $"{path}: the run trained {record.ModelType}, which is not a backbone registered in BackboneRegistry when it was saved; build the model yourself and load the weights with Checkpoint.Load.");
        generator ??= new Generator(0);
        var backbone = BackboneRegistry.Create(description, generator);
        ISequentialRecommender recommender = record.Generator is { } generated
            ? new GeneratedRecommender(backbone, GeneratorRegistry.Create(generated, backbone, generator))
            : new SequentialRecommender(backbone);
        Checkpoint.Load(path, recommender.Module, generator: generator);
        recommender.Module.Eval();
        string items = Path.Combine(directory, ItemsFileName);
        return new TrainedModel
        {
            Recommender = recommender,
            Items = File.Exists(items) ? ReadItems(items) : null,
            Options = record.Trainer,
            Backbone = description,
            Epoch = record.EpochsDone,
            Steps = record.Steps,
            BestEpoch = record.BestEpoch,
            BestScore = record.BestScore,
            History = record.History,
            Path = path,
        };
    }

    /// <summary>
    /// Warm start: copies the backbone weights a run saved (embeddings, blocks, norms) into <paramref name="target"/>,
    /// leaving its adapter slots (the keys under <see cref="ISequentialBackbone.Slots"/>, <c>adapters.*</c> in SASRec
    /// and GRU4Rec) as they are, e.g. to train HAMUR's adapters over a backbone that was trained alone. The run may
    /// hold the backbone alone or with a generator; its adapters are never copied.
    /// </summary>
    /// <param name="directory">The run's checkpoint folder.</param>
    /// <param name="target">The backbone to fill; it must be of the same kind, item count and options as the saved one.</param>
    /// <param name="preferBest">Read <c>best.safetensors</c> when it exists (default true); otherwise <c>last.safetensors</c>.</param>
    /// <returns>The number of tensors copied.</returns>
    /// <exception cref="ArgumentException">The target differs from the saved backbone, or its kind is not registered; the message says how. Nothing is copied.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">It holds no checkpoint.</exception>
    /// <exception cref="InvalidDataException">A file is not a training checkpoint of a rebuildable backbone.</exception>
    public static int LoadBackbone(string directory, ISequentialBackbone target, bool preferBest = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        var wanted = BackboneRegistry.Describe(target) ?? throw new ArgumentException(
            $"The target backbone {target.GetType().Name} is not registered in BackboneRegistry, so it cannot be checked against the saved one.", nameof(target));
        var saved = Load(directory, preferBest);
        var source = saved.Backbone;
        if (source.Kind != wanted.Kind || source.NumItems != wanted.NumItems || !JsonNode.DeepEquals(source.Options, wanted.Options))
        {
            throw new ArgumentException(
                $"{saved.Path} holds a {source.Kind} backbone over {source.NumItems} items with options {source.Options.ToJsonString()}, " +
                $"but the target is a {wanted.Kind} backbone over {wanted.NumItems} items with options {wanted.Options.ToJsonString()}.", nameof(target));
        }

        var state = WithoutSlots(saved.Recommender.Backbone);
        var own = WithoutSlots(target).Keys.ToList();
        if (own.Count != state.Count || own.Any(k => !state.ContainsKey(k)))
        {
            throw new ArgumentException(
                $"{saved.Path}: the saved backbone's keys [{string.Join(", ", state.Keys.Order(StringComparer.Ordinal))}] differ from the target's [{string.Join(", ", own.Order(StringComparer.Ordinal))}].", nameof(target));
        }

        target.Module.LoadStateDict(state, strict: false);
        return state.Count;
    }

    /// <summary>A backbone's state without the keys under its <see cref="ISequentialBackbone.Slots"/> (the adapters).</summary>
    private static Dictionary<string, Tensor> WithoutSlots(ISequentialBackbone backbone)
    {
        string? slots = backbone.Module.NamedModules().Where(m => ReferenceEquals(m.Module, backbone.Slots)).Select(m => m.Name + ".").FirstOrDefault();
        return backbone.Module.StateDict()
            .Where(kv => slots is null || !kv.Key.StartsWith(slots, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Reads the item vocabulary a run saved.</summary>
    /// <param name="path">An <c>items.json</c> file.</param>
    /// <returns>The vocabulary (id 0 is padding).</returns>
    /// <exception cref="InvalidDataException">The file is not an item vocabulary; the message names it.</exception>
    public static Vocabulary ReadItems(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON: {e.Message}", e);
        }

        if (node is not JsonObject root || Text(root["format"]) != ItemsFormat || root["tokens"] is not JsonArray tokens
            || tokens.Count == 0 || Text(tokens[0]) != Vocabulary.PaddingToken)
        {
            throw new InvalidDataException($"{path}: not a ParamGen item vocabulary (expected {{\"format\": \"{ItemsFormat}\", \"tokens\": [\"{Vocabulary.PaddingToken}\", ...]}}).");
        }

        var list = new List<string>(tokens.Count - 1);
        for (int i = 1; i < tokens.Count; i++)
        {
            list.Add(Text(tokens[i]) ?? throw new InvalidDataException($"{path}: token {i} is not a string."));
        }

        try
        {
            return new Vocabulary(Text(root["name"]) ?? "item", list);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>Writes the item vocabulary atomically.</summary>
    internal static void WriteItems(string directory, Vocabulary items)
    {
        var tokens = new JsonArray();
        foreach (var token in items.Tokens)
        {
            tokens.Add(token);
        }

        var root = new JsonObject { ["format"] = ItemsFormat, ["format_version"] = 1, ["name"] = items.Name, ["tokens"] = tokens };
        AtomicFile.WriteAllText(Path.Combine(directory, ItemsFileName), root.ToJsonString());
    }

    /// <summary>Writes a checkpoint file of the folder with the run record in its metadata.</summary>
    internal static void Write(string directory, string fileName, Module module, Optimizer? optimizer, Generator generator, TrainingRecord record)
    {
        var metadata = new CheckpointMetadata
        {
            Epoch = record.EpochsDone,
            Step = record.Steps,
            BestScore = record.BestScore,
            Options = JsonSerializer.SerializeToNode(record, TrainingJson.Options),
        };
        Checkpoint.Save(Path.Combine(directory, fileName), module, optimizer, metadata, generator: generator);
    }

    /// <summary>Reads the run record of a checkpoint file.</summary>
    /// <exception cref="InvalidDataException">The file is not a training checkpoint of a known layout.</exception>
    internal static TrainingRecord ReadRecord(string path)
    {
        var metadata = Checkpoint.ReadMetadata(path);
        TrainingRecord? record;
        try
        {
            record = metadata.Options?.Deserialize<TrainingRecord>(TrainingJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the training record is malformed: {e.Message}", e);
        }

        if (record is null)
        {
            throw new InvalidDataException($"{path}: a checkpoint without a training record (it was not written by Trainer).");
        }

        if (record.FormatVersion != TrainingRecord.CurrentFormatVersion)
        {
            throw new InvalidDataException($"{path}: training record format_version {record.FormatVersion} is not supported (this build reads {TrainingRecord.CurrentFormatVersion}).");
        }

        return record;
    }

    /// <summary>Reads the weights of a checkpoint file as a state dict (for the best snapshot on resumption).</summary>
    internal static Dictionary<string, Tensor> ReadWeights(string path, Module module)
    {
        var all = SafeTensors.Load(path).ToDictionary();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, _) in module.StateDict())
        {
            state[key] = all.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"{path}: the model key '{key}' is missing.");
        }

        return state;
    }
}
