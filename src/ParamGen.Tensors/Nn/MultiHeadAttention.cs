using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Multi-head attention over batch-first sequences, as <c>torch.nn.MultiheadAttention(embed_dim, num_heads,
/// dropout, bias, batch_first=True)</c>, computed with the fused attention behind
/// <see cref="Functional.ScaledDotProductAttention"/>, which reads the heads straight out of the projections.
/// State keys (PyTorch's packed layout): <c>in_proj_weight</c> <c>[3d, d]</c> (query, key and value rows stacked),
/// <c>in_proj_bias</c> <c>[3d]</c>, <c>out_proj.weight</c> <c>[d, d]</c>, <c>out_proj.bias</c> <c>[d]</c>.
/// </summary>
/// <remarks>
/// <para>Initialised as PyTorch: in_proj_weight ~ xavier_uniform, in_proj_bias = 0, out_proj.weight ~ the Linear
/// default, out_proj.bias = 0.</para>
/// <para>Only the attention output is returned (PyTorch's <c>need_weights=False</c>). Key and value have the query's
/// width (no <c>kdim</c>/<c>vdim</c>, <c>add_bias_kv</c> or <c>add_zero_attn</c>). A query whose keys are all blocked
/// gets a zero attention vector, where PyTorch gives NaN.</para>
/// </remarks>
public sealed class MultiHeadAttention : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="embedDim">The model width d (query, key, value and output).</param>
    /// <param name="numHeads">The number of heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="dropout">Dropout probability on the attention weights in training mode (default 0).</param>
    /// <param name="bias">Whether the input and output projections have biases (default true).</param>
    /// <param name="generator">The random source for initialisation and dropout; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, <paramref name="numHeads"/> does not divide
    /// <paramref name="embedDim"/>, or <paramref name="dropout"/> is outside [0, 1].</exception>
    public MultiHeadAttention(int embedDim, int numHeads, float dropout = 0f, bool bias = true, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embedDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        if (embedDim % numHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(numHeads), $"MultiHeadAttention: embedDim {embedDim} must be divisible by numHeads {numHeads}.");
        }

        EmbedDim = embedDim;
        NumHeads = numHeads;
        DropoutP = Dropout.CheckProbability(dropout, nameof(MultiHeadAttention));
        _generator = generator;
        InProjWeight = RegisterParameter("in_proj_weight", new Parameter(Tensor.Zeros(3 * embedDim, embedDim)))!;
        InProjBias = RegisterParameter("in_proj_bias", bias ? new Parameter(Tensor.Zeros(3 * embedDim)) : null);
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, generator));
        ResetInProjection(generator);
    }

    /// <summary>The model width d.</summary>
    public int EmbedDim { get; }

    /// <summary>The number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>The width of one head, d / heads.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>The dropout probability on the attention weights (training mode only).</summary>
    public float DropoutP { get; }

    /// <summary>The packed query, key and value projection weights <c>[3d, d]</c>.</summary>
    public Parameter InProjWeight { get; }

    /// <summary>The packed projection biases <c>[3d]</c>, or null without biases.</summary>
    public Parameter? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Re-draws every parameter with PyTorch's default initialisation.</summary>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public void ResetParameters(Generator? generator = null)
    {
        OutProj.ResetParameters(generator);
        ResetInProjection(generator);
    }

    /// <summary>Self-attention of <paramref name="input"/> <c>[B, L, d]</c> with no mask.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, input, input);

    /// <summary>Attends from <paramref name="query"/> to <paramref name="key"/>/<paramref name="value"/>.</summary>
    /// <param name="query">Queries <c>[B, Lq, d]</c> (or unbatched <c>[Lq, d]</c>).</param>
    /// <param name="key">Keys <c>[B, Lk, d]</c> (or <c>[Lk, d]</c>).</param>
    /// <param name="value">Values <c>[B, Lk, d]</c> (or <c>[Lk, d]</c>).</param>
    /// <param name="keyPaddingMask">Optional <c>[B, Lk]</c> (or <c>[Lk]</c>) mask, non-zero where the key is padding
    /// (PyTorch's boolean <c>key_padding_mask</c> with True as 1).</param>
    /// <param name="attnMask">Optional additive mask (0 to keep, -inf to block): <c>[Lq, Lk]</c>, <c>[B·heads, Lq, Lk]</c>
    /// (PyTorch's 3-D layout) or <c>[B, heads, Lq, Lk]</c> with any dim of size 1 broadcast; it receives a gradient
    /// when it requires one (learned attention biases).</param>
    /// <param name="isCausal">Additionally block keys after each query's position (default false): query i sees keys
    /// 0..i + Lk - Lq, which is PyTorch's causal mask when Lq = Lk (see <see cref="Functional.ScaledDotProductAttention"/>).</param>
    /// <returns>The attention output <c>[B, Lq, d]</c> (or <c>[Lq, d]</c>).</returns>
    /// <exception cref="ArgumentException">A shape does not fit; the message names the shapes.</exception>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, Tensor? attnMask = null, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (query.Rank == 2 && key.Rank == 2 && value.Rank == 2)
        {
            // Unbatched, as PyTorch: check here so messages show the caller's shapes, then run as a batch of one.
            int d = EmbedDim;
            if (query.Shape[1] != d || key.Shape[1] != d || value.Shape[1] != d || key.Shape[0] != value.Shape[0])
            {
                throw new ArgumentException($"MultiHeadAttention(d={d}) expects unbatched query [Lq, {d}] and key, value [Lk, {d}]; got query {query.Shape}, key {key.Shape}, value {value.Shape}.");
            }

            if (keyPaddingMask is not null && keyPaddingMask.Shape != new Shape(key.Shape[0]))
            {
                throw new ArgumentException($"MultiHeadAttention: with unbatched inputs keyPaddingMask must be [Lk] = [{key.Shape[0]}]; got {keyPaddingMask.Shape}.", nameof(keyPaddingMask));
            }

            return ForwardBatched(query.Unsqueeze(0), ReferenceEquals(key, query) ? null : key.Unsqueeze(0), ReferenceEquals(value, key) ? null : value.Unsqueeze(0),
                keyPaddingMask?.Unsqueeze(0), attnMask, isCausal).Squeeze(0);
        }

        return ForwardBatched(query, ReferenceEquals(key, query) ? null : key, ReferenceEquals(value, key) ? null : value, keyPaddingMask, attnMask, isCausal);
    }

    /// <summary>The batched forward; a null key means "same tensor as the query", a null value "same as the key".</summary>
    private Tensor ForwardBatched(Tensor query, Tensor? keyOrNull, Tensor? valueOrNull, Tensor? keyPaddingMask, Tensor? attnMask, bool isCausal)
    {
        var key = keyOrNull ?? query;
        var value = valueOrNull ?? key;
        int d = EmbedDim;
        if (query.Rank != 3 || query.Shape[2] != d || key.Rank != 3 || value.Rank != 3 || key.Shape[2] != d || value.Shape[2] != d
            || key.Shape[0] != query.Shape[0] || value.Shape[0] != query.Shape[0] || key.Shape[1] != value.Shape[1])
        {
            throw new ArgumentException($"MultiHeadAttention(d={d}) expects query [B, Lq, {d}] and key, value [B, Lk, {d}]; got query {query.Shape}, key {key.Shape}, value {value.Shape}.");
        }

        int b = query.Shape[0], lq = query.Shape[1], lk = key.Shape[1], h = NumHeads;
        if (keyPaddingMask is not null && keyPaddingMask.Shape != new Shape(b, lk))
        {
            throw new ArgumentException($"MultiHeadAttention: keyPaddingMask must be [B, Lk] = [{b}, {lk}]; got {keyPaddingMask.Shape}.", nameof(keyPaddingMask));
        }

        var mask = attnMask is null ? null : NormalizeAttnMask(attnMask, b, lq, lk);
        float p = Training ? DropoutP : 0f;
        Tensor attn; // [B, Lq, d], heads merged
        if (keyOrNull is null && valueOrNull is null)
        {
            // Self-attention: one GEMM against the packed weight; the fused attention reads the query, key and value
            // heads straight out of its [B, L, 3d] result.
            var qkv = Functional.Linear(query, InProjWeight, InProjBias);  // [B, L, 3d]
            attn = Functional.MultiHeadAttentionCore(qkv, 0, qkv, d, qkv, 2 * d, d, h, mask, keyPaddingMask, isCausal, p, _generator);
        }
        else
        {
            var q = Project(query, 0);                                     // [B, Lq, d]
            var k = Project(key, 1);                                       // [B, Lk, d]
            var v = valueOrNull is null ? Project(key, 2) : Project(value, 2); // [B, Lk, d]
            attn = Functional.MultiHeadAttentionCore(q, 0, k, 0, v, 0, d, h, mask, keyPaddingMask, isCausal, p, _generator);
        }

        return OutProj.Forward(attn);                                      // [B, Lq, d]
    }

    /// <summary>Projects <paramref name="x"/> <c>[B, L, d]</c> with block <paramref name="part"/> (0 query, 1 key, 2 value) of the packed weight.</summary>
    private Tensor Project(Tensor x, int part)
    {
        int d = EmbedDim;
        var w = InProjWeight.Narrow(0, part * d, d);                       // [d, d]
        var bias = InProjBias?.Narrow(0, part * d, d);                     // [d]
        return Functional.Linear(x, w, bias);                              // [B, L, d]
    }

    private Tensor NormalizeAttnMask(Tensor mask, int b, int lq, int lk)
    {
        int h = NumHeads;
        if (mask.Rank == 2 && mask.Shape[0] == lq && mask.Shape[1] == lk)
        {
            return mask;
        }

        if (mask.Rank == 3 && mask.Shape[0] == b * h && mask.Shape[1] == lq && mask.Shape[2] == lk)
        {
            return mask.Reshape(b, h, lq, lk);
        }

        if (mask.Rank == 4 && (mask.Shape[0] == b || mask.Shape[0] == 1) && (mask.Shape[1] == h || mask.Shape[1] == 1)
            && (mask.Shape[2] == lq || mask.Shape[2] == 1) && (mask.Shape[3] == lk || mask.Shape[3] == 1))
        {
            return mask;
        }

        throw new ArgumentException($"MultiHeadAttention: attnMask must be [Lq, Lk] = [{lq}, {lk}], [B*heads, Lq, Lk] = [{b * h}, {lq}, {lk}] or broadcastable to [{b}, {h}, {lq}, {lk}]; got {mask.Shape}.", "attnMask");
    }

    private void ResetInProjection(Generator? generator)
    {
        Init.XavierUniform(InProjWeight, generator: generator);
        if (InProjBias is not null)
        {
            Init.Zeros(InProjBias);
        }

        if (OutProj.Bias is not null)
        {
            Init.Zeros(OutProj.Bias);
        }
    }
}
