using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Generators;

/// <summary>
/// HAMUR's domain norm, shared by <see cref="HamurAdapter"/> and <see cref="DomainAdapter"/>: batch normalisation of
/// the bottleneck activations with statistics per domain (<see cref="F.GroupBatchNorm"/>), then the domain's scale
/// gamma and shift beta.
/// </summary>
/// <remarks>
/// <para>In training, each domain is normalised with the mean and variance of its own real positions in the batch
/// (padding never counts), and its running statistics move towards them; in evaluation every domain uses its running
/// statistics, so a sample's output does not depend on the rest of the batch (what the serving cache needs).</para>
/// <para>State keys (buffers): <c>running_mean</c> <c>[D, m]</c> (zeros at start) and <c>running_var</c> <c>[D, m]</c> (ones).</para>
/// </remarks>
internal sealed class DomainNorm : Module
{
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;

    /// <summary>Creates the norm.</summary>
    /// <param name="domains">Number of domains D.</param>
    /// <param name="width">Channels m.</param>
    /// <param name="momentum">Weight of a batch in the running statistics, in [0, 1].</param>
    /// <param name="eps">Added to the variance, non-negative.</param>
    public DomainNorm(int domains, int width, float momentum, float eps)
    {
        Domains = domains;
        Width = width;
        Momentum = momentum;
        Eps = eps;
        _runningMean = RegisterBuffer("running_mean", Tensor.Zeros(domains, width))!;
        _runningVar = RegisterBuffer("running_var", Tensor.Ones(domains, width))!;
    }

    /// <summary>Number of domains D.</summary>
    public int Domains { get; }

    /// <summary>Channels m.</summary>
    public int Width { get; }

    /// <summary>Weight of a batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Running means <c>[D, m]</c>.</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>Running variances <c>[D, m]</c>.</summary>
    public Tensor RunningVar => _runningVar;

    /// <summary>True: in training mode each domain is normalised with its own statistics in the batch.</summary>
    public override bool UsesBatchStatistics => true;

    /// <summary>
    /// The sample description an adapter's generated weights carry, checked against this norm's domains.
    /// </summary>
    /// <param name="weights">The slot's weights.</param>
    /// <param name="adapter">The adapter, for messages.</param>
    /// <returns>The samples (domains and real lengths).</returns>
    /// <exception cref="ArgumentException">The weights carry no sample description, or one for another number of domains.</exception>
    public SampleInfo RequireSamples(SlotWeights weights, string adapter)
    {
        var samples = weights.Samples ?? throw new ArgumentException(
            $"{adapter} in slot '{weights.Slot}' needs the domain of each sample for its domain norm, but the generated weights carry none: bind them with ParameterLayout.Bind(packed, rowIndex, samples) (GeneratedRecommender does).", nameof(weights));
        if (samples.GroupCount != Domains)
        {
            throw new ArgumentException($"{adapter} in slot '{weights.Slot}' was built for {Domains} domain(s), but the samples are described for {samples.GroupCount}.", nameof(weights));
        }

        return samples;
    }

    /// <summary>Normalises per domain, then applies per-sample gamma and beta read from views (<c>[m]</c> each).</summary>
    /// <param name="t">Activations <c>[B, L, m]</c> or <c>[B, m]</c>.</param>
    /// <param name="samples">Domain and real length of each sample.</param>
    /// <param name="gamma">Each sample's scale.</param>
    /// <param name="beta">Each sample's shift.</param>
    /// <returns>The normalised activations, same shape.</returns>
    public Tensor Forward(Tensor t, SampleInfo samples, ParameterView gamma, ParameterView beta)
    {
        var scale = gamma.Materialize();                     // [B, m]
        if (t.Rank == 3)
        {
            scale = scale.Unsqueeze(1);                      // [B, 1, m]
        }

        return beta.AddTo(Normalize(t, samples).Mul(scale));  // [B, L, m]
    }

    /// <summary>Normalises per domain, then applies one gamma and beta (<c>[m]</c> each) shared by every domain.</summary>
    /// <param name="t">Activations <c>[B, L, m]</c> or <c>[B, m]</c>.</param>
    /// <param name="samples">Domain and real length of each sample.</param>
    /// <param name="gamma">The scale <c>[m]</c>.</param>
    /// <param name="beta">The shift <c>[m]</c>.</param>
    /// <returns>The normalised activations, same shape.</returns>
    public Tensor Forward(Tensor t, SampleInfo samples, Tensor gamma, Tensor beta) =>
        Normalize(t, samples).Mul(gamma).Add(beta);          // [B, L, m]

    /// <summary>Group batch norm over the real positions: in <c>[B, L', m]</c>, position j of sample b is real iff
    /// <c>j >= L' - Lengths[b]</c> (also right when a backbone passes only the last position, L' = 1).</summary>
    private Tensor Normalize(Tensor t, SampleInfo samples)
    {
        bool[]? include = null;
        if (t.Rank == 3 && samples.Lengths is { } lengths)
        {
            int b = t.Shape[0], l = t.Shape[1];
            include = new bool[b * l];
            for (int s = 0; s < b; s++)
            {
                int first = Math.Max(l - lengths[s], 0);
                include.AsSpan((s * l) + first, l - first).Fill(true);
            }
        }

        return F.GroupBatchNorm(t, samples.Groups, Domains, _runningMean, _runningVar, include, Training, Momentum, Eps); // [B, L, m]
    }
}
