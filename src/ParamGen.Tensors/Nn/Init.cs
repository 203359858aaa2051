using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Nn;

/// <summary>
/// Parameter initialisers, as <c>torch.nn.init</c>. Each one overwrites the elements of its tensor in place,
/// records no graph (so it may be applied to parameters that require a gradient) and returns the same tensor.
/// Randomness comes from the given <see cref="Generator"/>, or <see cref="Generator.Default"/> when null.
/// </summary>
public static class Init
{
    /// <summary>Fills <paramref name="tensor"/> with samples of U(<paramref name="low"/>, <paramref name="high"/>), as <c>uniform_</c>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="low">The lower bound (default 0).</param>
    /// <param name="high">The upper bound (default 1); samples lie in [low, high).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="low"/> is greater than <paramref name="high"/> or either is not finite.</exception>
    public static Tensor Uniform(Tensor tensor, float low = 0f, float high = 1f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high)
        {
            throw new ArgumentException($"Init.Uniform needs finite bounds with low <= high; got low={low}, high={high}.", nameof(low));
        }

        (generator ?? Generator.Default).FillUniform(tensor.Span, low, high);
        return tensor;
    }

    /// <summary>Fills <paramref name="tensor"/> with samples of N(<paramref name="mean"/>, <paramref name="std"/>²), as <c>normal_</c>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="mean">The mean (default 0).</param>
    /// <param name="std">The standard deviation (default 1).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="std"/> is negative or a value is not finite.</exception>
    public static Tensor Normal(Tensor tensor, float mean = 0f, float std = 1f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std < 0)
        {
            throw new ArgumentException($"Init.Normal needs a finite mean and std >= 0; got mean={mean}, std={std}.", nameof(std));
        }

        (generator ?? Generator.Default).FillNormal(tensor.Span, mean, std);
        return tensor;
    }

    /// <summary>
    /// Fills <paramref name="tensor"/> with samples of N(<paramref name="mean"/>, <paramref name="std"/>²) truncated to
    /// [<paramref name="a"/>, <paramref name="b"/>], as <c>trunc_normal_</c>: the bounds are absolute values (not
    /// multiples of std), and samples are drawn by inverting the normal CDF over the bounds' probability range.
    /// </summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="mean">The mean of the untruncated normal (default 0).</param>
    /// <param name="std">The standard deviation of the untruncated normal (default 1).</param>
    /// <param name="a">The lower cut-off (default -2).</param>
    /// <param name="b">The upper cut-off (default 2).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="std"/> is not positive, <paramref name="a"/> is not below <paramref name="b"/>, or mean/std are not finite.</exception>
    public static Tensor TruncNormal(Tensor tensor, float mean = 0f, float std = 1f, float a = -2f, float b = 2f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std <= 0)
        {
            throw new ArgumentException($"Init.TruncNormal needs a finite mean and std > 0; got mean={mean}, std={std}.", nameof(std));
        }

        if (float.IsNaN(a) || float.IsNaN(b) || !(a < b))
        {
            throw new ArgumentException($"Init.TruncNormal needs a < b; got a={a}, b={b}.", nameof(a));
        }

        var g = generator ?? Generator.Default;
        double lo = (2 * NormalCdf((a - (double)mean) / std)) - 1;
        double hi = (2 * NormalCdf((b - (double)mean) / std)) - 1;
        double scale = std * Math.Sqrt(2.0);
        var s = tensor.Span;
        for (int i = 0; i < s.Length; i++)
        {
            // Keep the argument strictly inside (-1, 1) so an infinite bound cannot produce an infinite sample.
            double u = Math.Clamp(lo + ((hi - lo) * g.NextDouble()), -1 + 1e-15, 1 - 1e-15);
            s[i] = Math.Clamp((float)((ErfInv(u) * scale) + mean), a, b);
        }

        return tensor;
    }

    /// <summary>Fills <paramref name="tensor"/> with <paramref name="value"/>, as <c>constant_</c>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="value">The value.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Span.Fill(value);
        return tensor;
    }

    /// <summary>Fills <paramref name="tensor"/> with zeros, as <c>zeros_</c>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0f);

    /// <summary>Fills <paramref name="tensor"/> with ones, as <c>ones_</c>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1f);

    /// <summary>
    /// Glorot/Xavier uniform initialisation, as <c>xavier_uniform_</c>: U(-bound, bound) with
    /// bound = gain · sqrt(6 / (fan_in + fan_out)).
    /// </summary>
    /// <param name="tensor">The tensor to overwrite; rank at least 2.</param>
    /// <param name="gain">The scaling factor (default 1).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static Tensor XavierUniform(Tensor tensor, float gain = 1f, Generator? generator = null)
    {
        double std = XavierStd(tensor, gain);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, (float)-bound, (float)bound, generator);
    }

    /// <summary>
    /// Glorot/Xavier normal initialisation, as <c>xavier_normal_</c>: N(0, std²) with
    /// std = gain · sqrt(2 / (fan_in + fan_out)).
    /// </summary>
    /// <param name="tensor">The tensor to overwrite; rank at least 2.</param>
    /// <param name="gain">The scaling factor (default 1).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static Tensor XavierNormal(Tensor tensor, float gain = 1f, Generator? generator = null)
        => Normal(tensor, 0f, (float)XavierStd(tensor, gain), generator);

    /// <summary>
    /// He/Kaiming uniform initialisation, as <c>kaiming_uniform_</c>: U(-bound, bound) with
    /// bound = sqrt(3) · gain / sqrt(fan), gain = <see cref="CalculateGain"/>(<paramref name="nonlinearity"/>, <paramref name="a"/>).
    /// A tensor with no elements is left as is.
    /// </summary>
    /// <param name="tensor">The tensor to overwrite; rank at least 2.</param>
    /// <param name="a">The negative slope of the rectifier that follows (only used with <see cref="Nonlinearity.LeakyRelu"/>; default 0).</param>
    /// <param name="mode">Which fan to use (default <see cref="FanMode.FanIn"/>).</param>
    /// <param name="nonlinearity">The nonlinearity that follows (default <see cref="Nonlinearity.LeakyRelu"/>).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static Tensor KaimingUniform(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        if (tensor.NumElements == 0)
        {
            return tensor;
        }

        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, (float)-bound, (float)bound, generator);
    }

    /// <summary>
    /// He/Kaiming normal initialisation, as <c>kaiming_normal_</c>: N(0, std²) with std = gain / sqrt(fan),
    /// gain = <see cref="CalculateGain"/>(<paramref name="nonlinearity"/>, <paramref name="a"/>). A tensor with no
    /// elements is left as is.
    /// </summary>
    /// <param name="tensor">The tensor to overwrite; rank at least 2.</param>
    /// <param name="a">The negative slope of the rectifier that follows (only used with <see cref="Nonlinearity.LeakyRelu"/>; default 0).</param>
    /// <param name="mode">Which fan to use (default <see cref="FanMode.FanIn"/>).</param>
    /// <param name="nonlinearity">The nonlinearity that follows (default <see cref="Nonlinearity.LeakyRelu"/>).</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static Tensor KaimingNormal(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        return tensor.NumElements == 0 ? tensor : Normal(tensor, 0f, (float)std, generator);
    }

    /// <summary>
    /// The recommended gain for a nonlinearity, as <c>calculate_gain</c>: 1 for linear, convolution and sigmoid;
    /// 5/3 for tanh; sqrt(2) for ReLU; sqrt(2 / (1 + slope²)) for leaky ReLU; 3/4 for SELU.
    /// </summary>
    /// <param name="nonlinearity">The nonlinearity.</param>
    /// <param name="param">The negative slope for <see cref="Nonlinearity.LeakyRelu"/> (0.01 when null); ignored otherwise.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nonlinearity"/> is not a defined value, or the slope is not finite.</exception>
    public static float CalculateGain(Nonlinearity nonlinearity, float? param = null) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Conv or Nonlinearity.Sigmoid => 1f,
        Nonlinearity.Tanh => 5f / 3f,
        Nonlinearity.Relu => MathF.Sqrt(2f),
        Nonlinearity.LeakyRelu => LeakyReluGain(param ?? 0.01f),
        Nonlinearity.Selu => 0.75f,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), $"Unknown nonlinearity {nonlinearity}."),
    };

    /// <summary>
    /// The fans of a weight tensor as torch.nn.init computes them: with receptive field r = the product of the dims
    /// after the first two, fan_in = shape[1] · r and fan_out = shape[0] · r (a Linear weight <c>[out, in]</c> has
    /// fan_in = in; a Conv1d weight <c>[out, in/groups, k]</c> has fan_in = in/groups · k).
    /// </summary>
    /// <param name="tensor">A tensor of rank at least 2.</param>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException($"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape {tensor.Shape}).", nameof(tensor));
        }

        int receptive = tensor.Shape.Product(2, tensor.Rank);
        return (tensor.Shape[1] * receptive, tensor.Shape[0] * receptive);
    }

    /// <summary>The fan-in of <paramref name="tensor"/> (see <see cref="CalculateFanInAndFanOut"/>).</summary>
    /// <param name="tensor">A tensor of rank at least 2.</param>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static int FanIn(Tensor tensor) => CalculateFanInAndFanOut(tensor).FanIn;

    /// <summary>The fan-out of <paramref name="tensor"/> (see <see cref="CalculateFanInAndFanOut"/>).</summary>
    /// <param name="tensor">A tensor of rank at least 2.</param>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions.</exception>
    public static int FanOut(Tensor tensor) => CalculateFanInAndFanOut(tensor).FanOut;

    /// <summary>
    /// The default initialisation of Linear and Conv layers in PyTorch: weight ~ kaiming_uniform(a = sqrt(5)),
    /// which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (zero bound when fan_in is 0).
    /// </summary>
    internal static void LinearDefault(Tensor weight, Tensor? bias, Generator? generator)
    {
        KaimingUniform(weight, MathF.Sqrt(5f), generator: generator);
        if (bias is not null)
        {
            int fanIn = FanIn(weight);
            float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
            Uniform(bias, -bound, bound, generator);
        }
    }

    private static double XavierStd(Tensor tensor, float gain)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return gain * Math.Sqrt(2.0 / Math.Max(fanIn + fanOut, 1));
    }

    private static double KaimingStd(Tensor tensor, float a, FanMode mode, Nonlinearity nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        int fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Unknown fan mode {mode}."),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(Math.Max(fan, 1));
    }

    private static float LeakyReluGain(float slope)
    {
        if (!float.IsFinite(slope))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), $"The leaky ReLU slope must be finite; got {slope}.");
        }

        return (float)Math.Sqrt(2.0 / (1 + ((double)slope * slope)));
    }

    private static double NormalCdf(double x) => (1 + SpecialFunctions.Erf(x / Math.Sqrt(2.0))) / 2;

    /// <summary>The inverse error function on (-1, 1): Giles' single-precision approximation, then two Newton steps in double.</summary>
    private static double ErfInv(double y)
    {
        double w = -Math.Log((1 - y) * (1 + y));
        double p;
        if (w < 5)
        {
            w -= 2.5;
            p = 2.81022636e-08;
            p = 3.43273939e-07 + (p * w);
            p = -3.5233877e-06 + (p * w);
            p = -4.39150654e-06 + (p * w);
            p = 0.00021858087 + (p * w);
            p = -0.00125372503 + (p * w);
            p = -0.00417768164 + (p * w);
            p = 0.246640727 + (p * w);
            p = 1.50140941 + (p * w);
        }
        else
        {
            w = Math.Sqrt(w) - 3;
            p = -0.000200214257;
            p = 0.000100950558 + (p * w);
            p = 0.00134934322 + (p * w);
            p = -0.00367342844 + (p * w);
            p = 0.00573950773 + (p * w);
            p = -0.0076224613 + (p * w);
            p = 0.00943887047 + (p * w);
            p = 1.00167406 + (p * w);
            p = 2.83297682 + (p * w);
        }

        double x = p * y;
        const double TwoOverSqrtPi = 1.1283791670955126;
        for (int i = 0; i < 2; i++)
        {
            x -= (SpecialFunctions.Erf(x) - y) / (TwoOverSqrtPi * Math.Exp(-x * x));
        }

        return x;
    }
}
