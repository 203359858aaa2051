using ParamGen.Backbones;
using ParamGen.Generators;
using ParamGen.Tensors.Random;

namespace ParamGen.Samples.MultiDomain;

/// <summary>One of the four models the issue compares, all on the same backbone, splits and trainer options.</summary>
/// <param name="Name">Short name (also the value of <c>--variants</c>).</param>
/// <param name="Description">What it is.</param>
/// <param name="Attach">Joins a freshly built backbone with the variant's generator (null: the backbone alone).</param>
/// <remarks>HAMUR's hypernetwork reads the domain alone, or with <c>history</c> also the mean item embedding of the
/// history (the paper's instance input), which only training at the last position of every prefix keeps leak-free.</remarks>
internal sealed record Variant(string Name, string Description, Func<ISequentialBackbone, int, Generator, HamurHistory, IParameterGenerator?> Attach)
{
    /// <summary>The four variants, in the order.</summary>
    public static IReadOnlyList<Variant> All { get; } =
    [
        new("shared", "shared backbone, no adapter", (_, _, _, _) => null),
        new("static", "shared backbone + one static adapter per domain", (b, domains, g, _) => new DomainAdapterGenerator(b, null, domains, g)),
        new("hamur-shared", "HAMUR, factors shared by the domains (reference code)", Hamur(HamurFactors.Shared, HamurHiddenNorm.Auto)),
        new("hamur", "HAMUR, per-domain factors (the paper)", Hamur(HamurFactors.PerDomain, HamurHiddenNorm.Auto)),
    ];

    /// <summary>
    /// Variants trained only when named in <c>--variants</c>: the two HAMUR variants with the paper's batch norm in the
    /// hypernetwork forced (<see cref="HamurHiddenNorm.Batch"/>), and the two with it forced off
    /// (<see cref="HamurHiddenNorm.None"/>). With the domain-only input the default (<see cref="HamurHiddenNorm.Auto"/>)
    /// leaves it out, since its batch statistics would follow each batch's domain mix, so there the <c>-nonorm</c> pair
    /// equals the default pair; with the history (<c>--positions last</c>) the default keeps it, and under
    /// <c>--group-by-length</c> its batch statistics follow each batch's history length. These measure what each costs.
    /// Last, the no-norm paper variant whose history summary sends no gradient into the item embeddings.
    /// </summary>
    public static IReadOnlyList<Variant> Extra { get; } =
    [
        new("hamur-shared-bn", "HAMUR, shared factors, batch norm in the hypernetwork", Hamur(HamurFactors.Shared, HamurHiddenNorm.Batch)),
        new("hamur-bn", "HAMUR, per-domain factors, batch norm in the hypernetwork", Hamur(HamurFactors.PerDomain, HamurHiddenNorm.Batch)),
        new("hamur-shared-nonorm", "HAMUR, shared factors, no norm in the hypernetwork", Hamur(HamurFactors.Shared, HamurHiddenNorm.None)),
        new("hamur-nonorm", "HAMUR, per-domain factors, no norm in the hypernetwork", Hamur(HamurFactors.PerDomain, HamurHiddenNorm.None)),
        new("hamur-nonorm-detached", "HAMUR, per-domain factors, no norm in the hypernetwork, history read without gradient into the items",
            Hamur(HamurFactors.PerDomain, HamurHiddenNorm.None, detachHistory: true)),
    ];

    /// <summary>Every variant <c>--variants</c> can name: <see cref="All"/>, then <see cref="Extra"/>.</summary>
    public static IReadOnlyList<Variant> Known { get; } = [.. All, .. Extra];

    /// <summary>HAMUR with its defaults but these factors and this hypernetwork norm, reading the history as told (with no
    /// gradient from the hypernetwork into the item embeddings when <paramref name="detachHistory"/>).</summary>
    private static Func<ISequentialBackbone, int, Generator, HamurHistory, IParameterGenerator?> Hamur(HamurFactors factors, HamurHiddenNorm norm, bool detachHistory = false) =>
        (b, domains, g, history) => new HamurGenerator(b, new HamurOptions { Factors = factors, History = history, HiddenNorm = norm, DetachHistory = detachHistory }, domains, g);

    /// <summary>The recommender of this variant over <paramref name="backbone"/>.</summary>
    public ISequentialRecommender Build(ISequentialBackbone backbone, int domains, Generator generator, HamurHistory history) =>
        Attach(backbone, domains, generator, history) is { } paramGenerator ? new GeneratedRecommender(backbone, paramGenerator) : new SequentialRecommender(backbone);
}
