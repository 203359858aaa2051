namespace ParamGen.Tensors.Random;

/// <summary>
/// The one seeded source of randomness in ParamGen (xoshiro256**), as <c>torch.Generator</c>.
/// Every random op takes a <see cref="Generator"/> or falls back to <see cref="Default"/>; library code
/// never uses <see cref="System.Random"/>. Its state can be saved and restored for exact resumption.
/// </summary>
/// <remarks>The sequence depends only on the seed, so it is identical on every machine and .NET
/// version. A generator is not thread-safe: random ops draw from it on the calling thread.</remarks>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private bool _hasSpareNormal;
    private double _spareNormal;

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed) => ManualSeed(seed);

    /// <summary>The process-wide default generator (seed 0 until <see cref="ManualSeed"/> is called on it).</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>The seed most recently given to this generator.</summary>
    public ulong InitialSeed { get; private set; }

    /// <summary>Re-seeds the generator; the sequence that follows depends only on <paramref name="seed"/>.</summary>
    public Generator ManualSeed(ulong seed)
    {
        InitialSeed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _hasSpareNormal = false;
        return this;
    }

    /// <summary>The full state (for checkpoints): four state words, the spare-normal flag and value.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _hasSpareNormal ? 1UL : 0UL, (ulong)BitConverter.DoubleToInt64Bits(_spareNormal), InitialSeed];

    /// <summary>Restores a state taken by <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The array is not a state of this generator.</exception>
    public void SetState(ulong[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 7 || (state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException($"A generator state has 7 words with a non-zero core; got {state.Length} words.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
        _hasSpareNormal = state[4] != 0;
        _spareNormal = BitConverter.Int64BitsToDouble((long)state[5]);
        InitialSeed = state[6];
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * bound;
            if ((ulong)m >= threshold)
            {
                return (int)(m >> 64);
            }
        }
    }

    /// <summary>A standard normal sample (Box-Muller in double precision).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }

        double u1;
        do
        {
            u1 = NextDouble();
        }
        while (u1 <= double.Epsilon);

        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spareNormal = radius * Math.Sin(angle);
        _hasSpareNormal = true;
        return radius * Math.Cos(angle);
    }

    /// <summary>Fills <paramref name="dst"/> with uniform samples in [low, high).</summary>
    public void FillUniform(Span<float> dst, float low = 0f, float high = 1f)
    {
        float scale = high - low;
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = low + (scale * NextSingle());
        }
    }

    /// <summary>Fills <paramref name="dst"/> with normal samples of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> dst, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = (float)(mean + (std * NextNormal()));
        }
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
