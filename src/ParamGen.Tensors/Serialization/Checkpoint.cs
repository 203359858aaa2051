using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Optim;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Serialization;

/// <summary>
/// Training checkpoints: model weights and optimizer buffers in one safetensors file, plus a JSON record
/// (format version, epoch, step, best score, user options, optimizer and schedule scalars, the random
/// generator's state).
/// </summary>
/// <remarks>
/// <para>Layout. The safetensors file holds the model's state under its own dotted keys (so PyTorch can read
/// the weights with <c>safetensors.torch.load_file</c>), the optimizer buffers under
/// <c>optimizer.state.{group}.{param}.{buffer}</c>, and the JSON record in its metadata under
/// <c>paramgen.checkpoint</c>. A readable copy of the record is written beside it as a sidecar
/// (<see cref="SidecarPath"/>), with the SHA-256 of the tensor file it describes.</para>
/// <para>Atomicity. The tensor file is the single commit point: it is written to a temporary file and
/// moved over the target (<see cref="AtomicFile"/>), so a reader sees the old checkpoint or the complete
/// new one, never a mix. Everything is serialised in memory first, so a failing save leaves the previous
/// checkpoint intact. The sidecar is written last; <see cref="Load"/> never depends on it.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The version of the checkpoint layout this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "paramgen.checkpoint";
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>The path of the JSON sidecar of the checkpoint at <paramref name="path"/> (its extension replaced by <c>.json</c>).</summary>
    public static string SidecarPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.ChangeExtension(path, ".json");
    }

    /// <summary>Writes a checkpoint (see the type remarks for the layout and the atomicity guarantee).</summary>
    /// <param name="path">The safetensors file, e.g. <c>runs/last.safetensors</c>; its sidecar goes beside it.</param>
    /// <param name="model">The model whose <see cref="Module.StateDict"/> to save.</param>
    /// <param name="optimizer">The optimizer whose state to save, or null.</param>
    /// <param name="metadata">Epoch, step, best score and options; null records zeros.</param>
    /// <param name="scheduler">The learning-rate schedule whose step count to save, or null.</param>
    /// <param name="generator">The generator whose state to save; null (the default) saves <see cref="Generator.Default"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, ends in <c>.json</c>, or names a
    /// folder, or a model key collides with an optimizer key; nothing is written.</exception>
    /// <exception cref="IOException">Writing failed; the previous checkpoint at <paramref name="path"/> is unchanged
    /// unless the failure was in the sidecar, after the new checkpoint was committed.</exception>
    public static void Save(string path, Module model, Optimizer? optimizer = null, CheckpointMetadata? metadata = null, LrScheduler? scheduler = null, Generator? generator = null) =>
        SaveWith(path, model, optimizer, metadata, scheduler, generator, static (p, bytes) => AtomicFile.WriteAllBytes(p, bytes));

    /// <summary>As the public overload, writing each file through <paramref name="writeFile"/> (a seam for failure tests).</summary>
    internal static void SaveWith(string path, Module model, Optimizer? optimizer, CheckpointMetadata? metadata, LrScheduler? scheduler, Generator? generator, Action<string, byte[]> writeFile)
    {
        ArgumentNullException.ThrowIfNull(model);
        string sidecar = CheckPath(path);
        metadata ??= new CheckpointMetadata();

        var tensors = new List<KeyValuePair<string, Tensor>>(model.StateDict());
        var modelKeys = new HashSet<string>(tensors.Select(kv => kv.Key), StringComparer.Ordinal);
        var record = new JsonObject
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion,
            ["epoch"] = metadata.Epoch,
            ["step"] = metadata.Step,
            ["best_score"] = WriteScore(metadata.BestScore),
            ["options"] = metadata.Options?.DeepClone(),
            ["model_keys"] = new JsonArray(tensors.Select(kv => (JsonNode)kv.Key).ToArray()),
        };

        if (optimizer is not null)
        {
            var state = optimizer.StateDict();
            foreach (var (key, t) in state.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string full = OptimizerPrefix + key;
                if (modelKeys.Contains(full))
                {
                    throw new ArgumentException($"Checkpoint {path}: the model key '{full}' collides with an optimizer buffer key.", nameof(model));
                }

                tensors.Add(new(full, t));
            }

            record["optimizer"] = state.ScalarsToJson();
        }

        if (scheduler is not null)
        {
            var s = scheduler.StateDict();
            record["scheduler"] = new JsonObject { ["name"] = s.Name, ["last_step"] = s.LastStep };
        }

        record["generator"] = new JsonArray((generator ?? Generator.Default).GetState().Select(w => (JsonNode)w).ToArray());

        var bytes = SafeTensors.Serialize(tensors, new Dictionary<string, string>
        {
            ["format"] = FormatName,
            [FormatName] = record.ToJsonString(),
        });

        var sidecarJson = (JsonObject)record.DeepClone();
        sidecarJson["data_file"] = Path.GetFileName(path);
        sidecarJson["data_bytes"] = bytes.LongLength;
        sidecarJson["data_sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var sidecarBytes = Encoding.UTF8.GetBytes(sidecarJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        writeFile(path, bytes);
        writeFile(sidecar, sidecarBytes);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save"/>: the model's state (strictly: every key, every
    /// shape), and, when given, the optimizer's state, the schedule's step, and the generator's state. Every
    /// part is checked before any is changed, so a failed load leaves everything as it was.
    /// </summary>
    /// <param name="path">The checkpoint's safetensors file.</param>
    /// <param name="model">The model to load into.</param>
    /// <param name="optimizer">The optimizer to restore, or null to skip the optimizer state.</param>
    /// <param name="scheduler">The schedule to restore, or null to skip it.</param>
    /// <param name="generator">The generator to restore; null (the default) restores <see cref="Generator.Default"/>.</param>
    /// <returns>The saved epoch, step, best score and options.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint; the message names the file and the problem.</exception>
    /// <exception cref="KeyNotFoundException">Model keys are missing from the checkpoint or unexpected in it; the message lists them.</exception>
    /// <exception cref="ArgumentException">A shape differs (the message names the key and both shapes), or the
    /// optimizer or schedule does not fit the saved state or the checkpoint has none for it.</exception>
    public static CheckpointMetadata Load(string path, Module model, Optimizer? optimizer = null, LrScheduler? scheduler = null, Generator? generator = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var file = SafeTensors.Load(path);
        var record = ReadRecord(file, path);
        var all = file.ToDictionary();

        // Model: keys and shapes.
        var modelKeys = ReadStrings(record, "model_keys", path);
        var modelKeySet = new HashSet<string>(modelKeys, StringComparer.Ordinal);
        foreach (var key in modelKeys)
        {
            if (!all.ContainsKey(key))
            {
                throw new InvalidDataException($"{path}: the record lists model tensor '{key}' but the file does not hold it.");
            }
        }

        var strays = all.Keys.Where(k => !modelKeySet.Contains(k) && !k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (strays.Count > 0)
        {
            throw new InvalidDataException($"{path}: tensors [{string.Join(", ", strays)}] belong to neither the model nor the optimizer.");
        }

        var own = model.StateDict();
        var ownKeys = new HashSet<string>(own.Select(kv => kv.Key), StringComparer.Ordinal);
        var missing = own.Where(kv => !modelKeySet.Contains(kv.Key)).Select(kv => kv.Key).ToList();
        var unexpected = modelKeys.Where(k => !ownKeys.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new KeyNotFoundException($"{path}: the checkpoint does not fit {model.GetType().Name}: missing keys [{string.Join(", ", missing)}]; unexpected keys [{string.Join(", ", unexpected)}].");
        }

        foreach (var (key, t) in own)
        {
            var saved = all[key];
            if (saved.Shape != t.Shape)
            {
                throw new ArgumentException($"{path}: '{key}' has shape {saved.Shape} in the checkpoint but {t.Shape} in {model.GetType().Name}.", nameof(model));
            }
        }

        var modelState = modelKeys.ToDictionary(k => k, k => all[k], StringComparer.Ordinal);

        // Optimizer, schedule and generator: parse and check, still without changing anything.
        OptimizerStateDict? optimizerState = null;
        if (optimizer is not null)
        {
            if (record["optimizer"] is not JsonObject optJson)
            {
                throw new ArgumentException($"{path}: the checkpoint has no optimizer state to load into the {optimizer.Name} optimizer.", nameof(optimizer));
            }

            var optTensors = all.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            optimizerState = OptimizerStateDict.FromJson(optJson, optTensors, path);
            try
            {
                optimizer.ValidateStateDict(optimizerState);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{path}: {e.Message}", nameof(optimizer), e);
            }
        }

        LrSchedulerState? schedulerState = null;
        if (scheduler is not null)
        {
            if (record["scheduler"] is not JsonObject sj
                || sj["name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? name) || name is null
                || sj["last_step"] is not JsonValue stepValue || !stepValue.TryGetValue(out int lastStep))
            {
                throw new ArgumentException($"{path}: the checkpoint has no schedule state to load into the {scheduler.Name} schedule.", nameof(scheduler));
            }

            schedulerState = new LrSchedulerState(name, lastStep);
            try
            {
                scheduler.ValidateStateDict(schedulerState);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{path}: {e.Message}", nameof(scheduler), e);
            }
        }

        ulong[] generatorState = ReadGeneratorState(record, path);
        var result = new CheckpointMetadata
        {
            Epoch = ReadNumber<int>(record, "epoch", path),
            Step = ReadNumber<long>(record, "step", path),
            BestScore = ReadScore(record, path),
            Options = record["options"]?.DeepClone(),
        };

        // Everything fits: apply.
        model.LoadStateDict(modelState, strict: true);
        if (optimizerState is not null)
        {
            optimizer!.LoadStateDict(optimizerState);
        }

        if (schedulerState is not null)
        {
            scheduler!.LoadStateDict(schedulerState);
        }

        (generator ?? Generator.Default).SetState(generatorState);
        return result;
    }

    /// <summary>Reads a checkpoint's epoch, step, best score and options without loading anything.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint.</exception>
    public static CheckpointMetadata ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var record = ReadRecord(SafeTensors.Load(path), path);
        return new CheckpointMetadata
        {
            Epoch = ReadNumber<int>(record, "epoch", path),
            Step = ReadNumber<long>(record, "step", path),
            BestScore = ReadScore(record, path),
            Options = record["options"]?.DeepClone(),
        };
    }

    private static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string sidecar = SidecarPath(path);
        if (string.Equals(Path.GetFullPath(sidecar), Path.GetFullPath(path), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Checkpoint path '{path}' ends in .json, the sidecar's extension; use e.g. .safetensors.", nameof(path));
        }

        foreach (var p in new[] { path, sidecar })
        {
            if (Directory.Exists(p))
            {
                throw new ArgumentException($"Checkpoint target '{p}' is a folder.", nameof(path));
            }
        }

        return sidecar;
    }

    private static JsonObject ReadRecord(SafeTensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue(FormatName, out var json))
        {
            throw new InvalidDataException($"{path}: no '{FormatName}' record in the safetensors metadata; this is not a ParamGen checkpoint.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint record is malformed JSON: {e.Message}", e);
        }

        if (node is not JsonObject record)
        {
            throw new InvalidDataException($"{path}: the checkpoint record is not a JSON object.");
        }

        int version = ReadNumber<int>(record, "format_version", path);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path}: checkpoint format_version {version} is not supported (this build reads {FormatVersion}).");
        }

        return record;
    }

    // JSON has no NaN or infinities; a non-finite score (e.g. a "best so far" that starts at -inf) is written as text.
    private static JsonNode? WriteScore(double? score) => score switch
    {
        null => null,
        double d when double.IsFinite(d) => d,
        double d => d.ToString(CultureInfo.InvariantCulture),
    };

    private static double? ReadScore(JsonObject record, string path)
    {
        if (record["best_score"] is null)
        {
            return null;
        }

        if (record["best_score"] is JsonValue v && v.TryGetValue(out string? text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && !double.IsFinite(parsed))
        {
            return parsed;
        }

        return ReadNumber<double>(record, "best_score", path);
    }

    private static T ReadNumber<T>(JsonObject record, string key, string path)
    {
        if (record[key] is JsonValue v && v.TryGetValue(out T? value) && value is not null)
        {
            return value;
        }

        throw new InvalidDataException($"{path}: the checkpoint record's '{key}' is missing or not a {typeof(T).Name}.");
    }

    private static List<string> ReadStrings(JsonObject record, string key, string path)
    {
        if (record[key] is JsonArray arr)
        {
            var list = new List<string>(arr.Count);
            foreach (var item in arr)
            {
                if (item is JsonValue v && v.TryGetValue(out string? s) && s is not null)
                {
                    list.Add(s);
                }
                else
                {
                    throw new InvalidDataException($"{path}: the checkpoint record's '{key}' holds a non-string entry.");
                }
            }

            return list;
        }

        throw new InvalidDataException($"{path}: the checkpoint record's '{key}' is missing or not an array.");
    }

    private static ulong[] ReadGeneratorState(JsonObject record, string path)
    {
        if (record["generator"] is JsonArray arr && arr.Count == 7)
        {
            var words = new ulong[7];
            bool ok = true;
            for (int i = 0; i < 7; i++)
            {
                ok &= arr[i] is JsonValue v && v.TryGetValue(out words[i]);
            }

            if (ok && (words[0] | words[1] | words[2] | words[3]) != 0)
            {
                return words;
            }
        }

        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}: the checkpoint record's 'generator' is missing or not a generator state (7 unsigned words with a non-zero core)."));
    }
}
