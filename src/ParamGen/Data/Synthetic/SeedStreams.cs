using ParamGen.Tensors.Random;

namespace ParamGen.Data;

/// <summary>
/// Independent random streams derived from one seed, so that each part of the synthetic data (the planted
/// structure, each user's sequence, the ratings) draws from its own <see cref="Generator"/>. A user's sequence
/// then depends only on the seed, the structure and the user's index: adding users or switching ratings on leaves
/// the others unchanged.
/// </summary>
internal static class SeedStreams
{
    /// <summary>The stream of the planted structure (clusters, categories, successors, popularity).</summary>
    public const ulong Structure = 1;

    /// <summary>The streams of users' sequences (one per user index).</summary>
    public const ulong Sequence = 2;

    /// <summary>The streams of ratings (item quality, then one per user index).</summary>
    public const ulong Rating = 3;

    /// <summary>A generator for stream <paramref name="stream"/>, index <paramref name="index"/> of a seed.</summary>
    public static Generator Create(ulong seed, ulong stream, ulong index = 0) => new(Derive(seed, stream, index));

    /// <summary>Mixes a seed, a stream and an index into a new seed (SplitMix64 finalisers).</summary>
    public static ulong Derive(ulong seed, ulong stream, ulong index) =>
        Mix(Mix(Mix(seed) ^ (stream * 0x9E3779B97F4A7C15UL)) ^ (index * 0xD1B54A32D192ED03UL));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
