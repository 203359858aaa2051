using ParamGen.Evaluation;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Evaluation;

public class RankKernelTests
{
    [Fact]
    public void Rank_counts_match_a_scalar_loop_for_every_length_up_to_100()
    {
        var g = new Generator(3);
        for (int n = 0; n <= 100; n++)
        {
            var row = new float[n];
            for (int i = 0; i < n; i++)
            {
                row[i] = g.NextInt(7) - 3; // many ties
            }

            if (n > 5)
            {
                row[n - 2] = float.NaN;
                row[1] = float.NegativeInfinity;
            }

            foreach (float target in new[] { -3f, 0f, 2f, 10f })
            {
                var (higher, equal) = RankCounter.Count(row, target);
                Assert.Equal(row.Count(s => s > target), higher);
                Assert.Equal(row.Count(s => s == target), equal);
            }
        }
    }

    [Fact]
    public void Top_k_matches_a_full_sort_and_skips_minus_infinity_and_nan()
    {
        var g = new Generator(5);
        for (int n = 0; n <= 100; n++)
        {
            var row = new float[n];
            for (int i = 0; i < n; i++)
            {
                int draw = g.NextInt(12);
                row[i] = draw == 0 ? float.NegativeInfinity : draw == 1 ? float.NaN : g.NextInt(9);
            }

            foreach (int k in new[] { 1, 3, 10, 40, 150 })
            {
                var expected = Enumerable.Range(0, n).Where(i => row[i] > float.NegativeInfinity)
                    .OrderByDescending(i => row[i]).ThenBy(i => i).Take(k).ToArray();
                var picked = new int[k];
                int count = ScoreTopK.Select(row, picked);
                Assert.Equal(expected, picked[..count]);
            }
        }
    }
}
