using ParamGen.Tensors.Random;

namespace ParamGen.Samples.QuickStart;

/// <summary>
/// Item sequences with a planted rule: items live in clusters, and the next item is usually the
/// current item's successor inside its cluster. A model that learns the rule predicts the held-out
/// last item far above chance, which the sample measures as HR@10.
/// </summary>
internal sealed class SyntheticSequences
{
    public SyntheticSequences(int users, int items, int clusterSize, double ruleProbability, int minLength, int maxLength, ulong seed)
    {
        var g = new Generator(seed);
        Items = items;
        Sequences = new int[users][];
        for (int u = 0; u < users; u++)
        {
            int len = minLength + g.NextInt(maxLength - minLength + 1);
            var seq = new int[len];
            seq[0] = 1 + g.NextInt(items);
            for (int t = 1; t < len; t++)
            {
                int prev = seq[t - 1] - 1;
                seq[t] = g.NextDouble() < ruleProbability
                    ? 1 + ((prev / clusterSize * clusterSize) + ((prev % clusterSize) + 1) % clusterSize)
                    : 1 + g.NextInt(items);
            }

            Sequences[u] = seq;
        }
    }

    /// <summary>Number of items; ids are 1..Items and 0 is padding.</summary>
    public int Items { get; }

    /// <summary>One time-ordered item sequence per user.</summary>
    public int[][] Sequences { get; }
}
