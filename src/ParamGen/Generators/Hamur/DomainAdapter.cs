using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Generators;

/// <summary>
/// The adapter cell of HAMUR with whole static weights per domain and no hypernetwork (the "one adapter per domain"
/// baseline): <c>t = sigmoid(x W_down + b1)</c>, the domain norm on t (statistics per domain, then gamma, beta), and
/// <c>y = x + t W_up + b2</c>. Built and attached by <see cref="DomainAdapterGenerator"/>, whose learned table holds
/// one row of these weights per domain.
/// </summary>
/// <remarks>
/// <para>Weights, in layout order (the generator's table, one row per domain, chosen by the sample's domain):
/// <c>down [h, m]</c>, <c>down_bias [m]</c>, <c>up [m, h]</c>, <c>up_bias [h]</c>, <c>gamma [m]</c>, <c>beta [m]</c>.
/// Own state: the domain norm's buffers <c>norm.running_mean</c>, <c>norm.running_var</c> <c>[D, m]</c>.</para>
/// <para>Initial row (<see cref="Initialize"/>): down ~ U(±1/√h) (PyTorch's <c>nn.Linear</c> bound), up ~ N(0, 0.01²),
/// biases 0, gamma 1, beta 0, so a new cell is close to the identity, as <see cref="BottleneckAdapter"/>.</para>
/// </remarks>
public sealed class DomainAdapter : Adapter
{
    private readonly WeightSpec[] _specs;
    private readonly DomainNorm _norm;

    /// <summary>Creates the cell.</summary>
    /// <param name="width">The slot width h.</param>
    /// <param name="bottleneck">The bottleneck width m.</param>
    /// <param name="domains">Number of domains D.</param>
    /// <param name="normMomentum">The domain norm's momentum.</param>
    /// <param name="normEps">The domain norm's epsilon.</param>
    internal DomainAdapter(int width, int bottleneck, int domains, float normMomentum, float normEps)
        : base(width, AdapterWeightSource.Generated)
    {
        Bottleneck = bottleneck;
        Domains = domains;
        _specs =
        [
            new("down", [width, bottleneck]), new("down_bias", [bottleneck]), new("up", [bottleneck, width]), new("up_bias", [width]),
            new("gamma", [bottleneck]), new("beta", [bottleneck]),
        ];
        _norm = RegisterModule("norm", new DomainNorm(domains, bottleneck, normMomentum, normEps));
    }

    /// <summary>The bottleneck width m.</summary>
    public int Bottleneck { get; }

    /// <summary>Number of domains D.</summary>
    public int Domains { get; }

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
        var t = w["down"].MatMul(x, w["down_bias"]).Sigmoid();     // [B, L, m]
        t = _norm.Forward(t, samples, w["gamma"], w["beta"]);      // [B, L, m]
        return x.Add(w["up"].MatMul(t, w["up_bias"]));             // [B, L, h]
    }

    /// <summary>Writes a fresh set of weights (see remarks) in layout order.</summary>
    /// <param name="row">Exactly <see cref="Adapter.WeightCount"/> floats.</param>
    /// <param name="generator">The randomness.</param>
    internal void Initialize(Span<float> row, Generator generator)
    {
        int h = Width, m = Bottleneck;
        float bound = 1f / MathF.Sqrt(h);
        var down = row[..(h * m)];
        var downBias = row.Slice(h * m, m);
        var up = row.Slice((h * m) + m, m * h);
        var upBias = row.Slice((2 * h * m) + m, h);
        var gamma = row.Slice((2 * h * m) + m + h, m);
        var beta = row.Slice((2 * h * m) + (2 * m) + h, m);
        generator.FillUniform(down, -bound, bound);
        downBias.Clear();
        generator.FillNormal(up, 0f, 0.01f);
        upBias.Clear();
        gamma.Fill(1f);
        beta.Clear();
    }
}
