using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Training;

namespace ParamGen.Cli;

/// <summary>
/// The domains a run trained on, kept by <c>paramgen train</c> in the checkpoint folder as <c>domains.json</c>: their
/// names in id order (a generator's rows are indexed by those ids) and, for multi-domain data, the item ids of each
/// domain (the items interacted with in it), so <c>recommend --domain</c> can name a domain and rank its catalogue.
/// </summary>
/// <param name="Names">Domain names, index = domain id.</param>
/// <param name="Items">Per domain, the sorted ids (in the checkpoint's item vocabulary) of its items; null for a single domain.</param>
internal sealed record CheckpointDomains(IReadOnlyList<string> Names, IReadOnlyList<int[]>? Items)
{
    public const string FileName = "domains.json";
    private const string Format = "paramgen.domains";

    /// <summary>The domains of a dataset.</summary>
    public static CheckpointDomains Of(InteractionDataset dataset)
    {
        if (!dataset.HasDomains || dataset.NumDomains < 2)
        {
            return new CheckpointDomains(dataset.DomainNames, null);
        }

        var sets = new SortedSet<int>[dataset.NumDomains];
        for (int d = 0; d < sets.Length; d++)
        {
            sets[d] = [];
        }

        var items = dataset.ItemColumn;
        var domains = dataset.DomainColumn;
        for (int r = 0; r < items.Length; r++)
        {
            sets[domains[r]].Add(items[r]);
        }

        return new CheckpointDomains(dataset.DomainNames, [.. sets.Select(s => s.ToArray())]);
    }

    /// <summary>Writes the file into a checkpoint folder (atomically: a temporary file, then a move).</summary>
    public void Write(string directory)
    {
        var root = new JsonObject
        {
            ["format"] = Format,
            ["format_version"] = 1,
            ["names"] = new JsonArray([.. Names.Select(n => JsonValue.Create(n))]),
        };
        if (Items is not null)
        {
            root["items"] = new JsonArray([.. Items.Select(ids => new JsonArray([.. ids.Select(i => JsonValue.Create(i))]))]);
        }

        string path = Path.Combine(directory, FileName), temp = path + ".tmp";
        File.WriteAllText(temp, root.ToJsonString());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// The domains of a checkpoint folder: its <c>domains.json</c>, or, for a folder without one, the generator's
    /// domain ids as names ("0", "1", ...) or the single default domain.
    /// </summary>
    public static CheckpointDomains Read(string directory, TrainedModel trained)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            int groups = trained.Recommender is GeneratedRecommender g ? g.GroupCount : 1;
            return new CheckpointDomains(groups > 1 ? [.. Enumerable.Range(0, groups).Select(i => i.ToString(CultureInfo.InvariantCulture))] : [InteractionDataset.DefaultDomainName], null);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON: {e.Message}", e);
        }

        if (node is not JsonObject root || Text(root["format"]) != Format || root["names"] is not JsonArray names || names.Any(n => Text(n) is null))
        {
            throw new InvalidDataException($"{path}: not a ParamGen domain list (expected {{\"format\": \"{Format}\", \"names\": [\"...\"]}}).");
        }

        List<int[]>? items = null;
        if (root["items"] is JsonArray lists)
        {
            items = [];
            foreach (var list in lists)
            {
                var ids = list is JsonArray array ? array.Select(i => i is JsonValue v && v.TryGetValue(out int id) ? id : -1).ToArray() : null;
                if (ids is null || ids.Any(id => id < 1))
                {
                    throw new InvalidDataException($"{path}: the item list of domain {items.Count} is not an array of item ids.");
                }

                items.Add(ids);
            }
        }

        return new CheckpointDomains([.. names.Select(n => Text(n)!)], items);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The id of a domain name; a usage error listing the known names when it is not one.</summary>
    public int IdOf(string name)
    {
        int id = Names.ToList().IndexOf(name);
        return id >= 0 ? id : throw new CliUsageException($"--domain '{name}' is not a domain of the checkpoint; its domains are: {string.Join(", ", Names)}.");
    }
}
