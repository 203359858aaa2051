using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// 1-D convolution over <c>[B, Cin, L]</c>, as <c>torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride,
/// padding, dilation, groups, bias)</c>, with an optional causal mode (left padding only, as in WaveNet/NextItNet).
/// State keys: <c>weight</c> <c>[Cout, Cin/groups, K]</c> and <c>bias</c> <c>[Cout]</c>.
/// </summary>
/// <remarks>Initialised as PyTorch: weight ~ kaiming_uniform(a = sqrt(5)) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
/// with fan_in = Cin/groups · K.</remarks>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">The input channels Cin.</param>
    /// <param name="outChannels">The output channels Cout.</param>
    /// <param name="kernelSize">The kernel width K.</param>
    /// <param name="stride">The step between output positions (default 1).</param>
    /// <param name="padding">Zeros added on both sides (default 0); must be 0 when <paramref name="causal"/>.</param>
    /// <param name="dilation">The spacing between kernel taps (default 1).</param>
    /// <param name="groups">The number of channel groups (default 1); must divide both channel counts.</param>
    /// <param name="bias">Whether to learn an additive bias (default true).</param>
    /// <param name="causal">Left-pad by (K-1)·dilation zeros instead, so output t sees inputs up to t only and, with
    /// stride 1, the output length equals the input length (default false).</param>
    /// <param name="generator">The random source for initialisation; <see cref="Generator.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or <paramref name="groups"/> does not divide the channel counts.</exception>
    /// <exception cref="ArgumentException"><paramref name="causal"/> is combined with a non-zero <paramref name="padding"/>.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, bool causal = false, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), $"Conv1d: groups {groups} must divide inChannels {inChannels} and outChannels {outChannels}.");
        }

        if (causal && padding != 0)
        {
            throw new ArgumentException($"Conv1d: a causal convolution pads on the left by itself; padding must be 0, got {padding}.", nameof(padding));
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Causal = causal;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outChannels, inChannels / groups, kernelSize)))!;
        Bias = RegisterParameter("bias", bias ? new Parameter(Tensor.Zeros(outChannels)) : null);
        ResetParameters(generator);
    }

    /// <summary>The input channels.</summary>
    public int InChannels { get; }

    /// <summary>The output channels.</summary>
    public int OutChannels { get; }

    /// <summary>The kernel width.</summary>
    public int KernelSize { get; }

    /// <summary>The step between output positions.</summary>
    public int Stride { get; }

    /// <summary>The zeros added on both sides (0 when causal).</summary>
    public int Padding { get; }

    /// <summary>The spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>The number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>Whether the convolution is causal (left-padded by (K-1)·dilation).</summary>
    public bool Causal { get; }

    /// <summary>The kernel <c>[Cout, Cin/groups, K]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>[Cout]</c>, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Re-draws the parameters with PyTorch's default initialisation.</summary>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public void ResetParameters(Generator? generator = null) => Init.LinearDefault(Weight, Bias, generator);

    /// <summary>Convolves <paramref name="input"/> <c>[B, Cin, L]</c> (or unbatched <c>[Cin, L]</c>), giving <c>[B, Cout, Lout]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not rank 2 or 3 with <see cref="InChannels"/> channels, or is shorter than the kernel's span.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((input.Rank != 2 && input.Rank != 3) || input.Shape[-2] != InChannels)
        {
            throw new ArgumentException($"Conv1d({InChannels} -> {OutChannels}) expects input [B, {InChannels}, L] or [{InChannels}, L]; got {input.Shape}.", nameof(input));
        }

        if (input.Rank == 2)
        {
            return Forward(input.Unsqueeze(0)).Squeeze(0);
        }

        if (!Causal)
        {
            return Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
        }

        var padded = Functional.Pad1d(input, (KernelSize - 1) * Dilation, 0);    // [B, Cin, L + (K-1)·dilation]
        return Functional.Conv1d(padded, Weight, Bias, Stride, 0, Dilation, Groups); // [B, Cout, Lout]
    }
}
