using ParamGen.Data;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Data;

/// <summary>Random datasets for the split tests: every user's items are distinct, so "the test item" and "the test interaction" coincide.</summary>
internal static class RandomInteractions
{
    /// <summary>
    /// <paramref name="users"/> users with 1 .. <paramref name="maxLength"/> interactions over 400 items, integer
    /// timestamps starting anywhere in [0, 5000) and rising by 1 .. 40 per step (many ties across users).
    /// </summary>
    public static InteractionDataset Build(int users = 2000, int maxLength = 25, ulong seed = 11)
    {
        var g = new Generator(seed);
        var b = new InteractionDatasetBuilder("random", hasTimestamps: true, capacity: users * maxLength / 2);
        var seen = new HashSet<int>();
        for (int u = 0; u < users; u++)
        {
            int n = 1 + g.NextInt(maxLength);
            double t = g.NextInt(5000);
            seen.Clear();
            for (int k = 0; k < n; k++)
            {
                int item;
                do
                {
                    item = g.NextInt(400);
                }
                while (!seen.Add(item));

                b.Add($"user{u}", $"item{item}", timestamp: t);
                t += 1 + g.NextInt(40);
            }
        }

        return b.Build();
    }
}
