namespace ParamGen.Data;

/// <summary>
/// Derives independent seeds for numbered streams (an epoch, a user) from one base seed, so a stream's random
/// numbers depend only on (seed, stream) and never on which other streams were drawn before it or on which thread.
/// </summary>
internal static class StreamSeed
{
    /// <summary>The seed of stream <paramref name="stream"/> under <paramref name="seed"/> (two SplitMix64 rounds).</summary>
    /// <param name="seed">The base seed.</param>
    /// <param name="stream">The stream number (epoch, user id, ...).</param>
    /// <returns>A well-mixed 64-bit seed.</returns>
    public static ulong Derive(ulong seed, ulong stream) => Mix(seed ^ Mix(stream + 0x9E3779B97F4A7C15UL));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
