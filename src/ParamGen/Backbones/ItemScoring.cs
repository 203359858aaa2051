using ParamGen.Tensors;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Backbones;

/// <summary>Scores states against an item table, shared by the built-in backbones.</summary>
internal static class ItemScoring
{
    /// <summary>Scores against every row of <paramref name="items"/>: <c>[..., d] x [N + 1, d]ᵀ -> [..., N + 1]</c>, one GEMM with no transpose copy.</summary>
    public static Tensor All(string backbone, Tensor states, Tensor items)
    {
        BackboneInputs.CheckStates(backbone, states, items.Shape[1]);
        return F.Linear(states, items); // [..., N + 1]
    }

    /// <summary>Scores <c>[B, d]</c> states against each row's own candidates <c>[B, C]</c>, giving <c>[B, C]</c>.</summary>
    public static Tensor Candidates(string backbone, Tensor states, Tensor candidates, Tensor items)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        int d = items.Shape[1];
        if (states is null || states.Rank != 2 || states.Shape[1] != d || candidates.Rank != 2 || candidates.Shape[0] != states.Shape[0])
        {
            throw new ArgumentException($"{backbone}: ScoreCandidates needs states [B, {d}] and candidates [B, C]; got states {states?.Shape.ToString() ?? "null"} and candidates {candidates.Shape}.", nameof(candidates));
        }

        int b = states.Shape[0], c = candidates.Shape[1];
        var rows = F.Embedding(candidates, items);                   // [B, C, d] (checks ids are in range)
        return rows.Bmm(states.Unsqueeze(2)).Reshape(b, c);          // [B, C, 1] -> [B, C]
    }
}
