using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Adapters;

/// <summary>
/// A low-rank adapter with a small core, as APG and HAMUR generate it: <c>W = U S V</c> and <c>y = x + x W + b</c>, where
/// U <c>[d, k]</c> and V <c>[k, d]</c> are the adapter's own (static) parameters and only the core S <c>[k, k]</c> (and the
/// bias b <c>[d]</c>) is static or generated. A generator then writes k² + d floats per sample instead of d² + d.
/// </summary>
/// <remarks>
/// <para>Computed as <c>((x U) S) V</c>, so W is never formed: two ordinary products with U and V and one batched k x k
/// product per sample. Layout weights (<see cref="Adapter.WeightSpecs"/>): <c>core [k, k]</c>, then <c>bias [d]</c> when
/// there is a bias. State keys: <c>u</c>, <c>v</c>, and, when static, <c>core</c> and <c>bias</c>.</para>
/// <para>Initialisation: U ~ U(±1/√d) and V ~ U(±1/√k) (PyTorch's <c>nn.Linear</c> bounds for their fan-ins); a static core
/// ~ N(0, 0.01²) and a zero bias, so a new adapter starts close to the identity.</para>
/// </remarks>
public sealed class LowRankAdapter : Adapter
{
    private readonly WeightSpec[] _specs;
    private readonly Parameter? _core, _bias;

    /// <summary>Creates the adapter.</summary>
    /// <param name="width">The slot width d.</param>
    /// <param name="rank">The core size k.</param>
    /// <param name="source">Where the core (and bias) come from (default <see cref="AdapterWeightSource.Static"/>).</param>
    /// <param name="bias">Whether to add a bias b (default true).</param>
    /// <param name="generator">Randomness for the initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public LowRankAdapter(int width, int rank, AdapterWeightSource source = AdapterWeightSource.Static, bool bias = true, Generator? generator = null)
        : base(width, source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Rank = rank;
        HasBias = bias;
        _specs = bias ? [new("core", [rank, rank]), new("bias", [width])] : [new("core", [rank, rank])];
        var g = generator ?? Generator.Default;
        U = RegisterParameter("u", new Parameter(Tensor.Zeros(width, rank)))!;
        V = RegisterParameter("v", new Parameter(Tensor.Zeros(rank, width)))!;
        float bu = 1f / MathF.Sqrt(width), bv = 1f / MathF.Sqrt(rank);
        Init.Uniform(U, -bu, bu, g);
        Init.Uniform(V, -bv, bv, g);
        if (source == AdapterWeightSource.Static)
        {
            _core = RegisterParameter("core", new Parameter(Tensor.Zeros(rank, rank)))!;
            Init.Normal(_core, 0f, 0.01f, g);
            _bias = bias ? RegisterParameter("bias", new Parameter(Tensor.Zeros(width))) : null;
        }
    }

    /// <summary>The core size k.</summary>
    public int Rank { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool HasBias { get; }

    /// <summary>U <c>[d, k]</c> (always static).</summary>
    public Parameter U { get; }

    /// <summary>V <c>[k, d]</c> (always static).</summary>
    public Parameter V { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<WeightSpec> WeightSpecs => _specs;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x, SlotWeights? weights)
    {
        CheckInput(x);
        var t = x.MatMul(U); // [B, L, k]
        Tensor y;
        if (Source == AdapterWeightSource.Static)
        {
            y = t.MatMul(_core!).MatMul(V); // [B, L, d]
            if (_bias is not null)
            {
                y = y.Add(_bias);
            }
        }
        else
        {
            var w = RequireWeights(x, weights);
            y = w["core"].MatMul(t).MatMul(V); // [B, L, d]
            if (HasBias)
            {
                y = w["bias"].AddTo(y);
            }
        }

        return x.Add(y);
    }
}
