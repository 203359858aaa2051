using ParamGen.Data;

namespace ParamGen.Tests.Evaluation;

/// <summary>Tiny datasets with hand-picked ids for evaluation tests.</summary>
internal static class EvaluationData
{
    /// <summary>
    /// Items i1..i{items} added in order (so token i{k} has id k), then users with the given id sequences; optional
    /// domain name per user (all of a user's interactions in that domain).
    /// </summary>
    public static InteractionDataset Build(int items, int[][] sequences, string[]? domains = null, ItemFeatures? features = null)
    {
        var b = new InteractionDatasetBuilder("tiny", hasDomains: domains is not null);
        for (int k = 1; k <= items; k++)
        {
            b.ItemId($"i{k}");
        }

        for (int u = 0; u < sequences.Length; u++)
        {
            foreach (int item in sequences[u])
            {
                b.Add($"u{u + 1}", $"i{item}", domain: domains is null ? default : domains[u]);
            }
        }

        return b.Build(features);
    }

    /// <summary>The last-item (test) example of every user.</summary>
    public static SequenceExample[] LastItems(InteractionDataset dataset) =>
        [.. Enumerable.Range(1, dataset.NumUsers).Select(u => new SequenceExample(u, dataset.SequenceLength(u)))];
}
