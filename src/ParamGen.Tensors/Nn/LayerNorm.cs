namespace ParamGen.Tensors.Nn;

/// <summary>
/// Layer normalisation over the trailing <see cref="NormalizedShape"/> dims, as <c>torch.nn.LayerNorm</c>.
/// State keys: <c>weight</c> and <c>bias</c>, each of the normalised shape (ones and zeros at initialisation).
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly int[] _normalizedShape;

    /// <summary>Creates the layer for one normalised dimension of size <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The size of the last dimension.</param>
    /// <param name="eps">Added to the variance for stability (default 1e-5).</param>
    /// <param name="elementwiseAffine">Whether to learn a per-element scale and shift (default true).</param>
    /// <param name="bias">Whether the affine part has a shift (default true; ignored without <paramref name="elementwiseAffine"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative or <paramref name="eps"/> is negative.</exception>
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
        : this([normalizedShape], eps, elementwiseAffine, bias)
    {
    }

    /// <summary>Creates the layer for the trailing dims <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The sizes of the trailing dimensions normalised together.</param>
    /// <param name="eps">Added to the variance for stability (default 1e-5).</param>
    /// <param name="elementwiseAffine">Whether to learn a per-element scale and shift (default true).</param>
    /// <param name="bias">Whether the affine part has a shift (default true; ignored without <paramref name="elementwiseAffine"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The shape is empty or has a negative size, or <paramref name="eps"/> is negative.</exception>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || Array.Exists(normalizedShape, s => s < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normalizedShape), $"LayerNorm needs a non-empty normalised shape of non-negative sizes; got [{string.Join(", ", normalizedShape)}].");
        }

        if (!(eps >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"LayerNorm eps must be non-negative; got {eps}.");
        }

        _normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        Weight = RegisterParameter("weight", elementwiseAffine ? new Parameter(Tensor.Ones(normalizedShape)) : null);
        Bias = RegisterParameter("bias", elementwiseAffine && bias ? new Parameter(Tensor.Zeros(normalizedShape)) : null);
    }

    /// <summary>The trailing dims that are normalised together.</summary>
    public IReadOnlyList<int> NormalizedShape => _normalizedShape;

    /// <summary>The stabilising constant added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The scale (ones at initialisation), or null without an affine part.</summary>
    public Parameter? Weight { get; }

    /// <summary>The shift (zeros at initialisation), or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Normalises <paramref name="input"/> <c>[*, normalizedShape]</c> over its trailing dims.</summary>
    /// <exception cref="ArgumentException">The input's trailing dims are not <see cref="NormalizedShape"/>.</exception>
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, _normalizedShape, Weight, Bias, Eps);
}
