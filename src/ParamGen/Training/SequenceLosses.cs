using ParamGen.Tensors;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Training;

/// <summary>
/// The next-item training objectives of sequential recommenders, on the states a backbone's <c>Encode</c> returns
/// and the item embeddings it scores against (score of item i at a state s: <c>s · E[i]</c>). Every position whose
/// target is 0 (padding) is ignored, and the loss is the mean over the other positions (NaN when there is none,
/// as PyTorch).
/// </summary>
public static class SequenceLosses
{
    /// <summary>
    /// Full-softmax cross-entropy over the whole catalogue: mean over positions of
    /// <c>-s·E[y] + log Σ_i exp(s·E[i])</c>, the sum running over every row of <paramref name="itemEmbeddings"/>
    /// (padding row 0 included, as RecBole). Computed in chunks by <c>Functional.LinearCrossEntropy</c>: the
    /// <c>[positions, items]</c> logits never exist whole.
    /// </summary>
    /// <param name="states">States <c>[*, d]</c> (e.g. <c>[B, L, d]</c>).</param>
    /// <param name="itemEmbeddings">Item embeddings <c>[C, d]</c>.</param>
    /// <param name="targets">Target ids <c>[*]</c> (floats holding integers; 0 = ignored).</param>
    /// <returns>The loss, a scalar.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit or a target is outside [0, C); the message names them.</exception>
    public static Tensor CrossEntropy(Tensor states, Tensor itemEmbeddings, Tensor targets) =>
        F.LinearCrossEntropy(states, itemEmbeddings, targets, ignoreIndex: 0);

    /// <summary>
    /// Binary cross-entropy against sampled negatives, as the original SASRec (one negative per position): mean over
    /// positions of <c>-log σ(s·E[y]) - Σ_j log(1 - σ(s·E[n_j]))</c>.
    /// </summary>
    /// <param name="states">States <c>[*, d]</c>.</param>
    /// <param name="itemEmbeddings">Item embeddings <c>[C, d]</c>.</param>
    /// <param name="targets">Target ids <c>[*]</c> (0 = ignored).</param>
    /// <param name="negatives">Negative ids <c>[*, k]</c> (their values at ignored positions are not read).</param>
    /// <returns>The loss, a scalar.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit or an id is outside [0, C); the message names them.</exception>
    public static Tensor SampledBce(Tensor states, Tensor itemEmbeddings, Tensor targets, Tensor negatives)
    {
        var (logits, rows) = CandidateLogits(nameof(SampledBce), states, itemEmbeddings, targets, negatives); // [M, 1 + k]
        var labels = Tensor.Zeros(logits.Shape.ToArray());                                                   // [M, 1 + k]
        var l = labels.Span;
        for (int r = 0, stride = logits.Shape[1]; r < rows; r++)
        {
            l[r * stride] = 1f;
        }

        return F.BinaryCrossEntropyWithLogits(logits, labels, reduction: Reduction.Sum).Mul(1f / rows);
    }

    /// <summary>
    /// Sampled softmax: cross-entropy over the target and its k negatives, mean over positions of
    /// <c>-s·E[y] + log(exp(s·E[y]) + Σ_j exp(s·E[n_j]))</c>. With uniformly drawn negatives the usual log-Q correction
    /// is the same constant for every candidate and cancels, so none is applied.
    /// </summary>
    /// <param name="states">States <c>[*, d]</c>.</param>
    /// <param name="itemEmbeddings">Item embeddings <c>[C, d]</c>.</param>
    /// <param name="targets">Target ids <c>[*]</c> (0 = ignored).</param>
    /// <param name="negatives">Negative ids <c>[*, k]</c>.</param>
    /// <returns>The loss, a scalar.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit or an id is outside [0, C); the message names them.</exception>
    public static Tensor SampledSoftmax(Tensor states, Tensor itemEmbeddings, Tensor targets, Tensor negatives)
    {
        var (logits, rows) = CandidateLogits(nameof(SampledSoftmax), states, itemEmbeddings, targets, negatives); // [M, 1 + k]
        return F.CrossEntropy(logits, Tensor.Zeros(rows));                                                       // the target is class 0
    }

    /// <summary>
    /// The scores <c>[M, 1 + k]</c> of each non-ignored position's target (column 0) and negatives, M being the
    /// number of such positions; only those positions' states are read.
    /// </summary>
    private static (Tensor Logits, int Rows) CandidateLogits(string op, Tensor states, Tensor itemEmbeddings, Tensor targets, Tensor negatives)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(negatives);
        if (states.Rank < 2 || itemEmbeddings.Rank != 2 || states.Shape[-1] != itemEmbeddings.Shape[1])
        {
            throw new ArgumentException($"{op}: states {states.Shape} do not fit item embeddings {itemEmbeddings.Shape} (expected states [*, d] and embeddings [C, d]).", nameof(states));
        }

        var rowShape = new Shape(states.Shape.AsSpan()[..^1]);
        if (targets.Shape != rowShape)
        {
            throw new ArgumentException($"{op}: states {states.Shape} need targets of shape {rowShape}; got {targets.Shape}.", nameof(targets));
        }

        if (negatives.Rank != states.Rank || new Shape(negatives.Shape.AsSpan()[..^1]) != rowShape || negatives.Shape[-1] < 1)
        {
            throw new ArgumentException($"{op}: states {states.Shape} need negatives of shape {rowShape} + [k] with k at least 1; got {negatives.Shape}.", nameof(negatives));
        }

        int d = states.Shape[-1], k = negatives.Shape[-1], n = rowShape.NumElements, classes = itemEmbeddings.Shape[0];
        var t = targets.AsReadOnlySpan();
        int rows = 0;
        for (int i = 0; i < n; i++)
        {
            rows += t[i] != 0f ? 1 : 0;
        }

        // Row index of each kept position and its candidates [target, negatives...].
        var index = Tensor.Zeros(rows);                     // [M]
        var candidates = Tensor.Zeros(rows, 1 + k);         // [M, 1 + k]
        var ix = index.Span;
        var c = candidates.Span;
        var neg = negatives.AsReadOnlySpan();
        for (int i = 0, r = 0; i < n; i++)
        {
            if (t[i] == 0f)
            {
                continue;
            }

            ix[r] = i;
            var row = c.Slice(r * (1 + k), 1 + k);
            row[0] = t[i];
            neg.Slice(i * k, k).CopyTo(row[1..]);
            foreach (float id in row)
            {
                if (!(id >= 0f && id < classes) || id != MathF.Floor(id))
                {
                    throw new ArgumentException($"{op}: position {i} has candidate id {id}, outside the {classes} rows of the item embeddings (targets and negatives must be whole numbers in [0, {classes})).", nameof(negatives));
                }
            }

            r++;
        }

        var kept = (rows == n ? states.Reshape(n, d) : states.Reshape(n, d).IndexSelect(0, index)).Unsqueeze(2); // [M, d, 1]
        var embedded = F.Embedding(candidates, itemEmbeddings);                                                 // [M, 1 + k, d]
        var logits = embedded.MatMul(kept).Reshape(rows, 1 + k);                                                 // [M, 1 + k]
        return (logits, rows);
    }
}
