using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.Generators;

/// <summary>Tiny backbones, mixed-domain batches and a planted multi-domain dataset for the HAMUR tests.</summary>
internal static class HamurTestKit
{
    public const int Items = 12;
    public const int Domains = 2;

    /// <summary>The two generator kinds under test: HAMUR (paper variant) and one static adapter per domain.</summary>
    public static TheoryData<string> Kinds => ["hamur", "domain_adapter"];

    /// <summary>SASRec with d = 8, two blocks, window 5, no dropout, PyTorch initialisation (unit-scale embeddings).</summary>
    public static SasRec TinySasRec(ulong seed = 1, int blocks = 2) => new(Items, new SasRecOptions
    {
        HiddenSize = 8, Blocks = blocks, Heads = 2, MaxLength = 5, Dropout = 0f, Initialization = BackboneInitialization.PyTorch,
    }, new Generator(seed));

    /// <summary>Tiny HAMUR options; the history summary is on (the path with the most to test) unless asked otherwise.</summary>
    public static HamurOptions TinyHamur(HamurFactors factors = HamurFactors.PerDomain, HamurHistory history = HamurHistory.Mean) => new()
    {
        Bottleneck = 4, CoreRank = 3, HiddenSizes = [6], DomainEmbeddingSize = 3, Factors = factors, History = history,
    };

    /// <summary>A composite of a tiny SASRec and a generator of the given kind ("hamur", "hamur_shared", "domain_adapter").</summary>
    public static GeneratedRecommender Tiny(string kind, ulong seed = 1, int domains = Domains) => Create(kind, TinySasRec(seed), domains, seed + 100);

    /// <summary>A composite of a backbone and a tiny generator of the given kind.</summary>
    public static GeneratedRecommender Create(string kind, ISequentialBackbone backbone, int domains, ulong seed)
    {
        IParameterGenerator generator = kind switch
        {
            "hamur" => new HamurGenerator(backbone, TinyHamur(), domains, new Generator(seed)),
            "hamur_shared" => new HamurGenerator(backbone, TinyHamur(HamurFactors.Shared), domains, new Generator(seed)),
            "domain_adapter" => new DomainAdapterGenerator(backbone, new DomainAdapterOptions { Bottleneck = 4 }, domains, new Generator(seed)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
        };
        return new GeneratedRecommender(backbone, generator);
    }

    /// <summary>Six histories of lengths 5, 3, 1, 4, 2, 5 (so padding is present) in alternating domains 0, 1.</summary>
    public static SequenceBatch MixedBatch(ulong seed = 3) => Batch(seed, [0, 1, 0, 1, 0, 1]);

    /// <summary>Random histories over the tiny catalogue, lengths cycling 5, 3, 1, 4, 2, one per given domain.</summary>
    public static SequenceBatch Batch(ulong seed, int[] domains)
    {
        var g = new Generator(seed);
        int[] lengths = [5, 3, 1, 4, 2];
        var histories = domains.Select((_, i) => Enumerable.Range(0, lengths[i % lengths.Length]).Select(_ => 1 + g.NextInt(Items)).ToArray()).ToArray();
        return SequenceBatch.FromHistories(histories, maxLength: 5, domainIds: domains, numItems: Items);
    }

    /// <summary>Rows of a <c>[B, L, d]</c> or <c>[B, d]</c> tensor, as arrays.</summary>
    public static float[] Row(Tensor t, int row)
    {
        int per = t.NumElements / t.Shape[0];
        return t.AsReadOnlySpan().Slice(row * per, per).ToArray();
    }

    /// <summary>Adds <paramref name="delta"/> to every element of a tensor's span (outside autograd).</summary>
    public static void Perturb(Span<float> span, float delta)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] += delta * (1 + (i % 3));
        }
    }

    /// <summary>Domain d's slice of a per-domain parameter <c>[D, ...]</c>.</summary>
    public static Span<float> DomainSlice(Tensor p, int d)
    {
        int per = p.NumElements / p.Shape[0];
        return p.Span.Slice(d * per, per);
    }

    /// <summary>
    /// A planted multi-domain dataset: each domain moves through the catalogue by its own step (next item = item + step
    /// of the domain, cyclically) with probability <paramref name="follow"/>, else to a random item. Users belong to one
    /// domain each (round robin); lengths 6..10; split leave-one-out.
    /// </summary>
    public static DatasetSplit PlantedDomains(int users = 300, int items = 40, double follow = 0.85, ulong seed = 5)
    {
        int[] steps = [1, 7, -5];
        var g = new Generator(seed);
        var b = new InteractionDatasetBuilder("planted-domains", hasDomains: true);
        for (int k = 1; k <= items; k++)
        {
            b.ItemId($"i{k}");
        }

        for (int d = 0; d < steps.Length; d++)
        {
            b.DomainId($"d{d}");                                       // domain ids 0, 1, 2 in this order
        }

        for (int u = 1; u <= users; u++)
        {
            int domain = u % steps.Length;
            int length = 6 + g.NextInt(5);
            int item = 1 + g.NextInt(items);
            for (int t = 0; t < length; t++)
            {
                b.Add($"u{u}", $"i{item}", timestamp: t, domain: $"d{domain}");
                item = g.NextDouble() < follow ? ((item - 1 + steps[domain] + items) % items) + 1 : 1 + g.NextInt(items);
            }
        }

        return new LeaveOneOutSplit().Split(b.Build());
    }
}
