using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>
/// HAMUR's adapter cell at a slot of width h: <c>t = sigmoid(x W_down + b1)</c>, the domain norm on t (statistics per
/// domain, then the domain's gamma and beta), and <c>y = x + t W_up + b2</c>, where <c>W_down = U1 Z V1</c> (h x m) and
/// <c>W_up = U2 Z V2</c> (m x h) share the core Z (k x k) that <see cref="HamurGenerator"/>'s hypernetwork writes for
/// each sample. Built and attached by <see cref="HamurGenerator"/>.
/// </summary>
/// <remarks>
/// <para><b>Weights.</b> Generated (the layout): <c>core [k, k]</c> only. Own parameters (state keys under the slot):
/// <c>u1 [h, k]</c>, <c>v1 [k, m]</c>, <c>b1 [m]</c>, <c>u2 [m, k]</c>, <c>v2 [k, h]</c>, <c>b2 [h]</c>, <c>gamma [m]</c>,
/// <c>beta [m]</c>, each with a leading domain dimension <c>[D, ...]</c> when the factors are
/// <see cref="HamurFactors.PerDomain"/>; and the domain norm's buffers <c>norm.running_mean</c>, <c>norm.running_var</c>
/// <c>[D, m]</c> in both variants.</para>
/// <para><b>Computation.</b> W is never formed: the factors are applied in sequence, <c>((x U1) Z) V1</c>, five products
/// of width at most max(h, m) x k per position. Per-domain factors are read in place from the <c>[D, ...]</c> parameter
/// viewed as <c>[D, numel]</c>, row = the sample's domain (<see cref="Tensors.Functional.PackedMatMul"/> /
/// <see cref="Tensors.Functional.PackedAddBias"/>), so a sample only ever touches its own domain's factors and the other
/// domains' gradients stay zero; shared factors are ordinary products.</para>
/// <para><b>Initialisation</b> (chosen so a new cell is close to the identity and the first steps are stable):
/// U1 ~ U(±1/√h), V1 ~ U(±1/√k), U2 ~ U(±1/√m) (PyTorch's <c>nn.Linear</c> bounds for their fan-ins), so the down
/// path keeps unit-scale activations whatever the core's scale and the sigmoid starts in its linear range; V2 ~
/// N(0, 0.01²), which makes the up path's contribution about 1% of x at start (as the small up-projection of Houlsby
/// adapters) while every factor, the core included, gets a gradient from the first step; biases 0, gamma 1, beta 0.
/// Every domain draws its own factors.</para>
/// </remarks>
public sealed class HamurAdapter : Adapter
{
    private readonly WeightSpec[] _specs;
    private readonly Parameter _u1, _v1, _b1, _u2, _v2, _b2, _gamma, _beta;
    private readonly DomainNorm _norm;

    /// <summary>Creates the cell.</summary>
    /// <param name="width">The slot width h.</param>
    /// <param name="bottleneck">The bottleneck width m.</param>
    /// <param name="coreRank">The core size k.</param>
    /// <param name="domains">Number of domains D.</param>
    /// <param name="factors">Whether the factors are per domain or shared.</param>
    /// <param name="normMomentum">The domain norm's momentum.</param>
    /// <param name="normEps">The domain norm's epsilon.</param>
    /// <param name="generator">The initialisation's randomness.</param>
    internal HamurAdapter(int width, int bottleneck, int coreRank, int domains, HamurFactors factors, float normMomentum, float normEps, Generator generator)
        : base(width, AdapterWeightSource.Generated)
    {
        int h = width, m = bottleneck, k = coreRank;
        Bottleneck = m;
        CoreRank = k;
        Domains = domains;
        Factors = factors;
        _specs = [new("core", [k, k])];
        _u1 = Factor("u1", [h, k]);
        _v1 = Factor("v1", [k, m]);
        _b1 = Factor("b1", [m]);
        _u2 = Factor("u2", [m, k]);
        _v2 = Factor("v2", [k, h]);
        _b2 = Factor("b2", [h]);
        _gamma = Factor("gamma", [m]);
        _beta = Factor("beta", [m]);
        _norm = RegisterModule("norm", new DomainNorm(domains, m, normMomentum, normEps));
        Init.Uniform(_u1, -1f / MathF.Sqrt(h), 1f / MathF.Sqrt(h), generator);
        Init.Uniform(_v1, -1f / MathF.Sqrt(k), 1f / MathF.Sqrt(k), generator);
        Init.Uniform(_u2, -1f / MathF.Sqrt(m), 1f / MathF.Sqrt(m), generator);
        Init.Normal(_v2, 0f, 0.01f, generator);
        Init.Ones(_gamma);
    }

    /// <summary>The bottleneck width m.</summary>
    public int Bottleneck { get; }

    /// <summary>The core size k.</summary>
    public int CoreRank { get; }

    /// <summary>Number of domains D.</summary>
    public int Domains { get; }

    /// <summary>Whether the factors are per domain (<c>[D, ...]</c>) or shared.</summary>
    public HamurFactors Factors { get; }

    /// <summary>U1: <c>[D, h, k]</c> per domain, <c>[h, k]</c> shared.</summary>
    public Parameter U1 => _u1;

    /// <summary>V1: <c>[D, k, m]</c> or <c>[k, m]</c>.</summary>
    public Parameter V1 => _v1;

    /// <summary>b1: <c>[D, m]</c> or <c>[m]</c>.</summary>
    public Parameter B1 => _b1;

    /// <summary>U2: <c>[D, m, k]</c> or <c>[m, k]</c>.</summary>
    public Parameter U2 => _u2;

    /// <summary>V2: <c>[D, k, h]</c> or <c>[k, h]</c>.</summary>
    public Parameter V2 => _v2;

    /// <summary>b2: <c>[D, h]</c> or <c>[h]</c>.</summary>
    public Parameter B2 => _b2;

    /// <summary>The domain norm's scale: <c>[D, m]</c> or <c>[m]</c>.</summary>
    public Parameter Gamma => _gamma;

    /// <summary>The domain norm's shift: <c>[D, m]</c> or <c>[m]</c>.</summary>
    public Parameter Beta => _beta;

    /// <summary>The domain norm's running means <c>[D, m]</c>.</summary>
    public Tensor RunningMean => _norm.RunningMean;

    /// <summary>The domain norm's running variances <c>[D, m]</c>.</summary>
    public Tensor RunningVar => _norm.RunningVar;

    /// <inheritdoc/>
    public override IReadOnlyList<WeightSpec> WeightSpecs => _specs;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Also when the weights carry no sample description (domains, lengths) or one
    /// for another number of domains.</exception>
    public override Tensor Forward(Tensor x, SlotWeights? weights)
    {
        CheckInput(x);
        var w = RequireWeights(x, weights);
        var samples = _norm.RequireSamples(w, Describe());
        var rows = samples.Groups;
        var core = w["core"];
        var a = core.MatMul(Project(x, _u1, rows));               // [B, L, k]
        var t = Shift(Project(a, _v1, rows), _b1, rows).Sigmoid(); // [B, L, m]
        t = Factors == HamurFactors.PerDomain
            ? _norm.Forward(t, samples, Row(_gamma, rows), Row(_beta, rows))
            : _norm.Forward(t, samples, _gamma, _beta);           // [B, L, m]
        var u = core.MatMul(Project(t, _u2, rows));               // [B, L, k]
        return x.Add(Shift(Project(u, _v2, rows), _b2, rows));    // [B, L, h]
    }

    /// <summary><c>input · factor</c> with the sample's domain's factor (per domain) or the shared one.</summary>
    private Tensor Project(Tensor input, Parameter factor, int[] rows)
    {
        if (Factors == HamurFactors.Shared)
        {
            return input.MatMul(factor);                                       // [B, L, n]
        }

        int k = factor.Shape[1], n = factor.Shape[2];
        var packed = factor.Reshape(Domains, k * n);                           // [D, k * n], a view
        return new ParameterView(packed, 0, [k, n], rows).MatMul(input);       // [B, L, n]
    }

    /// <summary><c>input + bias</c> with the sample's domain's bias or the shared one.</summary>
    private Tensor Shift(Tensor input, Parameter bias, int[] rows) =>
        Factors == HamurFactors.Shared ? input.Add(bias) : Row(bias, rows).AddTo(input);

    /// <summary>Each sample's row of a <c>[D, n]</c> per-domain vector.</summary>
    private static ParameterView Row(Parameter perDomain, int[] rows) => new(perDomain, 0, [perDomain.Shape[1]], rows);

    private Parameter Factor(string name, int[] shape) =>
        RegisterParameter(name, new Parameter(Tensor.Zeros(Factors == HamurFactors.PerDomain ? [Domains, .. shape] : shape)))!;
}
