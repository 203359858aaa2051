using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// A lookup table of <c>numEmbeddings</c> vectors, as <c>torch.nn.Embedding</c>. State key: <c>weight</c>
/// <c>[numEmbeddings, embeddingDim]</c>.
/// </summary>
/// <remarks>Initialised as PyTorch: weight ~ N(0, 1), with the padding row (if any) set to zero. The padding row
/// receives no gradient, so it stays as it is during training.</remarks>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">The number of rows.</param>
    /// <param name="embeddingDim">The size of each row.</param>
    /// <param name="paddingIdx">The padding row, whose entries are zero at initialisation and never receive a gradient
    /// (default none); a negative value counts from the end, as in PyTorch.</param>
    /// <param name="generator">The random source for initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or <paramref name="paddingIdx"/> is outside [-numEmbeddings, numEmbeddings).</exception>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? generator = null)
        : this(Tensor.Zeros(CheckSize(numEmbeddings, nameof(numEmbeddings)), CheckSize(embeddingDim, nameof(embeddingDim))), paddingIdx)
    {
        ResetParameters(generator);
    }

    private Embedding(Tensor weight, int? paddingIdx)
    {
        int num = weight.Shape[0];
        if (paddingIdx is int p && (p < -num || p >= num))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: padding index {p} must lie in [-{num}, {num}) for {num} embeddings.");
        }

        NumEmbeddings = num;
        EmbeddingDim = weight.Shape[1];
        PaddingIdx = paddingIdx is int q && q < 0 ? q + num : paddingIdx;
        Weight = RegisterParameter("weight", new Parameter(weight))!;
    }

    /// <summary>The number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding row (non-negative), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The table <c>[numEmbeddings, embeddingDim]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>
    /// Creates a table holding a copy of <paramref name="embeddings"/>, as <c>Embedding.from_pretrained</c>.
    /// </summary>
    /// <param name="embeddings">The rows <c>[numEmbeddings, embeddingDim]</c> (copied; not zeroed at the padding row).</param>
    /// <param name="freeze">Whether the table is frozen (no gradient; default true, as PyTorch).</param>
    /// <param name="paddingIdx">The padding row (default none).</param>
    /// <exception cref="ArgumentException"><paramref name="embeddings"/> is not rank 2.</exception>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIdx = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Rank != 2)
        {
            throw new ArgumentException($"Embedding.FromPretrained needs a [numEmbeddings, embeddingDim] tensor; got shape {embeddings.Shape}.", nameof(embeddings));
        }

        var e = new Embedding(embeddings.Clone(), paddingIdx);
        e.Weight.RequiresGrad = !freeze;
        return e;
    }

    /// <summary>Re-draws the table from N(0, 1) and zeroes the padding row.</summary>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public void ResetParameters(Generator? generator = null)
    {
        Init.Normal(Weight, generator: generator);
        if (PaddingIdx is int p)
        {
            Weight.Span.Slice(p * EmbeddingDim, EmbeddingDim).Clear();
        }
    }

    /// <summary>Looks up the rows for integer <paramref name="input"/> of any shape, giving <c>[*input.shape, embeddingDim]</c>.</summary>
    /// <exception cref="ArgumentException">An index is not an integer in [0, numEmbeddings); the message names it.</exception>
    public override Tensor Forward(Tensor input) => Functional.Embedding(input, Weight, PaddingIdx);

    private static int CheckSize(int size, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size, name);
        return size;
    }
}
