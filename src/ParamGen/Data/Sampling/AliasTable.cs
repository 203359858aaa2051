using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Walker's alias method (Vose's construction) over items 1 .. N with non-negative weights: one draw costs a
/// uniform column and one coin, whatever N. 12 bytes per item.
/// </summary>
internal sealed class AliasTable
{
    private readonly double[] _probability;
    private readonly int[] _alias;

    /// <summary>Builds the table; <paramref name="weights"/>[i] is the weight of item i + 1.</summary>
    /// <param name="weights">Non-negative finite weights, at least one positive.</param>
    public AliasTable(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        double total = 0;
        foreach (double w in weights)
        {
            total += w;
        }

        _probability = new double[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new int[n];
        var large = new int[n];
        int numSmall = 0, numLarge = 0;
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1.0)
            {
                small[numSmall++] = i;
            }
            else
            {
                large[numLarge++] = i;
            }
        }

        while (numSmall > 0 && numLarge > 0)
        {
            int s = small[--numSmall], l = large[--numLarge];
            _probability[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1.0;
            if (scaled[l] < 1.0)
            {
                small[numSmall++] = l;
            }
            else
            {
                large[numLarge++] = l;
            }
        }

        // What is left is 1 up to rounding; a zero-weight item can only be here through rounding of a
        // neighbour, so keep it unreachable.
        while (numLarge > 0)
        {
            int l = large[--numLarge];
            _probability[l] = 1.0;
            _alias[l] = l;
        }

        while (numSmall > 0)
        {
            int s = small[--numSmall];
            _probability[s] = weights[s] > 0 ? 1.0 : 0.0;
            _alias[s] = weights[s] > 0 ? s : FirstPositive(weights);
        }
    }

    /// <summary>Draws one item id in [1, N].</summary>
    /// <param name="generator">The random source.</param>
    /// <returns>An item id.</returns>
    public int Draw(Generator generator)
    {
        int column = generator.NextInt(_probability.Length);
        return (generator.NextDouble() < _probability[column] ? column : _alias[column]) + 1;
    }

    private static int FirstPositive(ReadOnlySpan<double> weights)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        return 0;
    }
}
