using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>
    /// A new zero-filled tensor of the given shape: the output of an op that accumulates into it or writes
    /// only some elements. Inside a <see cref="TensorScope"/> its storage comes from the pool (zeroed).
    /// </summary>
    internal static Tensor Empty(Shape shape) => Allocate(shape, zeroed: true);

    /// <summary>
    /// A new tensor whose elements are undefined, for an op that overwrites every element. Cheaper than
    /// <see cref="Empty"/> (no zeroing of pooled or large arrays). With <see cref="TensorPool.PoisonUninitialized"/>
    /// set (the tests set it) the elements are NaN, so an op that reads before writing is caught.
    /// </summary>
    internal static Tensor Uninitialized(Shape shape) => Allocate(shape, zeroed: false);

    /// <summary>
    /// A raw array of at least <paramref name="length"/> floats that lives as long as the current
    /// <see cref="TensorScope"/> (a plain exact-length array without one): for state an op saves for its
    /// backward rule (attention probabilities, dropout masks). Safe to capture in the rule: <c>Backward</c>
    /// refuses a graph whose scope has ended. The array may be longer than asked (read only
    /// [0, <paramref name="length"/>)); its contents are zero when <paramref name="zeroed"/>, else undefined.
    /// For scratch that dies within the op, use <see cref="TensorPool.RentScratch"/>.
    /// </summary>
    internal static float[] ScopedArray(int length, bool zeroed = false) => Allocate(new Shape(length), zeroed)._buffer;

    private static Tensor Allocate(Shape shape, bool zeroed)
    {
        int n = shape.NumElements;
        var scope = TensorScope.Current;
        if (scope is null || n < TensorPool.MinPooledLength || n > TensorPool.MaxPooledLength)
        {
            var array = zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n);
            if (!zeroed && TensorPool.PoisonUninitialized)
            {
                array.AsSpan().Fill(float.NaN);
            }

            return new Tensor(array, shape, scope, storage: null);
        }

        var storage = scope.Rent(n);
        if (zeroed)
        {
            storage.Array.AsSpan(0, n).Clear();
        }

        return new Tensor(storage.Array, shape, scope, storage);
    }

    /// <summary>A tensor of zeros, as <c>torch.zeros</c>.</summary>
    public static Tensor Zeros(params int[] shape) => Empty(new Shape(shape));

    /// <summary>A tensor of ones, as <c>torch.ones</c>.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>, as <c>torch.full</c>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Uninitialized(new Shape(shape));
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A zero tensor with the shape of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Empty(like.Shape);

    /// <summary>A ones tensor with the shape of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(1f, like.Shape.ToArray());

    /// <summary>A one-element, rank-0 tensor.</summary>
    public static Tensor Scalar(float value) => new([value], 0, new Shape());

    /// <summary>A tensor with a copy of <paramref name="data"/> and the given shape.</summary>
    /// <exception cref="ArgumentException">The element count of the shape differs from the data length.</exception>
    public static Tensor FromSpan(ReadOnlySpan<float> data, params int[] shape)
    {
        var s = new Shape(shape);
        if (s.NumElements != data.Length)
        {
            throw new ArgumentException($"Data of length {data.Length} cannot have shape {s} ({s.NumElements} elements).", nameof(shape));
        }

        var t = Uninitialized(s);
        data.CopyTo(t.Span);
        return t;
    }

    /// <summary>A tensor holding the integers in <paramref name="data"/> as floats (ids, labels, masks).</summary>
    public static Tensor FromInts(ReadOnlySpan<int> data, params int[] shape)
    {
        var arr = new float[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            arr[i] = data[i];
        }

        return new Tensor(arr, shape);
    }

    /// <summary>The values start, start+step, ... below end, as <c>torch.arange</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="step"/> is zero or has the wrong sign.</exception>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || (end - start) * step < 0)
        {
            throw new ArgumentException($"Arange({start}, {end}, {step}) has no valid step direction.", nameof(step));
        }

        int n = (int)Math.Ceiling((end - start) / step);
        var t = Empty(new Shape(n));
        var s = t.Span;
        for (int i = 0; i < n; i++)
        {
            s[i] = start + (i * step);
        }

        return t;
    }

    /// <summary>The values 0..end-1.</summary>
    public static Tensor Arange(int end) => Arange(0, end, 1);

    /// <summary>The n x n identity matrix.</summary>
    public static Tensor Eye(int n)
    {
        var t = Zeros(n, n);
        for (int i = 0; i < n; i++)
        {
            t.Buffer[(i * n) + i] = 1f;
        }

        return t;
    }

    /// <summary>Standard normal samples, as <c>torch.randn</c>.</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="generator">The random source; <see cref="Generator.Default"/> when null.</param>
    public static Tensor Randn(int[] shape, Generator? generator = null)
    {
        var t = Uninitialized(new Shape(shape));
        (generator ?? Generator.Default).FillNormal(t.Span);
        return t;
    }

    /// <summary>Uniform samples in [0, 1), as <c>torch.rand</c>.</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null)
    {
        var t = Uninitialized(new Shape(shape));
        (generator ?? Generator.Default).FillUniform(t.Span);
        return t;
    }

    /// <summary>Uniform integers in [low, high) stored as floats, as <c>torch.randint</c>.</summary>
    public static Tensor RandInt(int low, int high, int[] shape, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(high, low);
        var g = generator ?? Generator.Default;
        var t = Empty(new Shape(shape));
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = low + g.NextInt(high - low);
        }

        return t;
    }
}
