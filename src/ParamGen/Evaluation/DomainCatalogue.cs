using System.Numerics.Tensors;
using ParamGen.Data;

namespace ParamGen.Evaluation;

/// <summary>
/// The items of each domain, for <see cref="CandidateScope.UserDomain"/>: per domain one row of ceilings over the item
/// ids, +inf for the domain's items and -inf for the others (and the padding id), so restricting a row of scores is
/// one vectorised minimum and allocates nothing. Built once per evaluation run: 4 bytes per item and domain.
/// </summary>
internal sealed class DomainCatalogue
{
    private readonly float[][] _ceilings;
    private readonly int[] _sizes;

    private DomainCatalogue(float[][] ceilings, int[] sizes)
    {
        _ceilings = ceilings;
        _sizes = sizes;
    }

    /// <summary>The catalogue of every domain of <paramref name="dataset"/>, or null when it has fewer than two domains (every item is a candidate).</summary>
    public static DomainCatalogue? For(InteractionDataset dataset)
    {
        if (!dataset.HasDomains || dataset.NumDomains < 2)
        {
            return null;
        }

        int width = dataset.NumItems + 1;
        var ceilings = new float[dataset.NumDomains][];
        var sizes = new int[dataset.NumDomains];
        for (int d = 0; d < ceilings.Length; d++)
        {
            ceilings[d] = new float[width];
            Array.Fill(ceilings[d], float.NegativeInfinity);
        }

        var items = dataset.ItemColumn;
        var domains = dataset.DomainColumn;
        for (int r = 0; r < items.Length; r++)
        {
            ref float ceiling = ref ceilings[domains[r]][items[r]];
            if (ceiling < 0)
            {
                ceiling = float.PositiveInfinity;
                sizes[domains[r]]++;
            }
        }

        return new DomainCatalogue(ceilings, sizes);
    }

    /// <summary>Number of items of a domain.</summary>
    public int Size(int domain) => _sizes[domain];

    /// <summary>Sets the scores of items outside <paramref name="domain"/> to -inf in a full row <c>[NumItems + 1]</c> (a NaN score stays NaN).</summary>
    public void Restrict(Span<float> row, int domain) => TensorPrimitives.Min(row, _ceilings[domain], row);

    /// <summary>Sets to -inf the scores of the candidates (float ids, aligned with <paramref name="scores"/>) outside <paramref name="domain"/>.</summary>
    public void Restrict(Span<float> scores, ReadOnlySpan<float> ids, int domain)
    {
        var ceilings = _ceilings[domain];
        for (int j = 0; j < scores.Length; j++)
        {
            if (ceilings[(int)ids[j]] < 0)
            {
                scores[j] = float.NegativeInfinity;
            }
        }
    }
}
