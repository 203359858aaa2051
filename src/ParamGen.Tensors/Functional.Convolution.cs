namespace ParamGen.Tensors;

// Owner: sequence ops.
public static partial class Functional
{
    /// <summary>
    /// 1-D convolution (cross-correlation) of <c>[B, Cin, L]</c> with <c>weight [Cout, Cin/groups, K]</c>, as <c>F.conv1d</c>;
    /// <paramref name="padding"/> zeros on both sides.
    /// </summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => throw new NotImplementedException();

    /// <summary>
    /// Causal 1-D convolution: left-pads by (K-1)·dilation so output position t sees inputs ≤ t only, and the
    /// output length equals the input length (stride 1), as in WaveNet/NextItNet.
    /// </summary>
    public static Tensor CausalConv1d(Tensor input, Tensor weight, Tensor? bias = null, int dilation = 1)
        => throw new NotImplementedException();

    /// <summary>Zero-pads the last dimension by <paramref name="left"/> and <paramref name="right"/> elements, as <c>F.pad(x, (left, right))</c>.</summary>
    public static Tensor Pad1d(Tensor input, int left, int right) => throw new NotImplementedException();

    /// <summary>Max pooling over the last dim of <c>[B, C, L]</c>, as <c>F.max_pool1d</c> (stride defaults to the kernel size).</summary>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0) => throw new NotImplementedException();

    /// <summary>Average pooling over the last dim of <c>[B, C, L]</c>, as <c>F.avg_pool1d</c> (zero padding counted).</summary>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0) => throw new NotImplementedException();
}
