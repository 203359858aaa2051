using System.Text.Json;
using ParamGen.Training;

namespace ParamGen.Samples.MultiDomain;

/// <summary>What the tables need of one training (one variant, one seed); kept as JSON in the results folder.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">The epoch whose weights were tested.</param>
/// <param name="Seconds">Training and validation time summed over the epochs (a resumed run counts every session's epochs).</param>
/// <param name="GeneratorParameters">Parameters of the generator (0 for the backbone alone).</param>
/// <param name="Overall">Test metrics over all users.</param>
/// <param name="PerDomain">Test metrics per domain.</param>
internal sealed record RunRecord(string Variant, ulong Seed, int Epochs, int? BestEpoch, double Seconds, long GeneratorParameters,
    IReadOnlyDictionary<string, double> Overall, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerDomain)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The record of a finished training.</summary>
    public static RunRecord From(string variant, ulong seed, TrainingResult result, long generatorParameters)
    {
        var test = result.Test ?? throw new InvalidOperationException($"{variant} seed {seed}: the training reported no test metrics.");
        return new(variant, seed, result.Epochs.Count, result.BestEpoch, result.Epochs.Sum(e => e.Seconds + e.ValidationSeconds),
            generatorParameters, test.Overall, test.PerDomain);
    }

    /// <summary>A test metric overall (<paramref name="domain"/> "overall") or in one domain.</summary>
    public double Metric(string domain, string metric) => domain == "overall" ? Overall[metric] : PerDomain[domain][metric];

    /// <summary>Reads a record written by <see cref="Save"/>.</summary>
    public static RunRecord Load(string path) =>
        JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no run record.");

    /// <summary>Writes the record (to a temporary file first, so a killed run never leaves half a record).</summary>
    public void Save(string path)
    {
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
