using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Generators;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Tests.GeneratorFramework;

/// <summary>Options of <see cref="ToyGenerator"/>.</summary>
public sealed record ToyGeneratorOptions(int Bottleneck = 4);

/// <summary>
/// The smallest real generator: a generated bottleneck adapter on <c>user_state</c> whose weights are a linear map of
/// the history's mean item embedding plus a per-domain offset. Counts its calls so cache tests can see them.
/// </summary>
public sealed class ToyGenerator : Module, IParameterGenerator
{
    public const string Kind = "test_toy";

    private readonly Linear _map;
    private readonly Embedding _domains;

    public ToyGenerator(ISequentialBackbone backbone, ToyGeneratorOptions options, int groups, Generator generator)
    {
        Options = options;
        GroupCount = groups;
        backbone.Slots.Attach("user_state", new BottleneckAdapter(backbone.HiddenSize, options.Bottleneck, AdapterWeightSource.Generated));
        Layout = ParameterLayout.For(backbone.Slots);
        _map = RegisterModule("map", new Linear(backbone.HiddenSize, Layout.Size, generator: generator));
        _domains = RegisterModule("domains", new Embedding(groups, Layout.Size, generator: generator));
    }

    public static void Register() =>
        GeneratorRegistry.Register<ToyGenerator, ToyGeneratorOptions>(Kind, g => g.Options, (b, o, n, g) => new ToyGenerator(b, o, n, g));

    public ToyGeneratorOptions Options { get; }

    public int Calls { get; private set; }

    public Module Module => this;

    public ParameterLayout Layout { get; }

    public int GroupCount { get; }

    public Tensor Generate(GeneratorContext context)
    {
        Calls++;
        var items = context.Backbone.ItemEmbeddings;                                  // [C, d]
        var history = items.IndexSelect(0, context.Batch.ItemIds.Reshape(-1));          // [B*L, d]
        int b = context.Rows, l = context.Batch.MaxLength;
        var mean = history.Reshape(b, l, -1).Mean(1);                                 // [B, d]
        return _map.Forward(mean).Mul(0.1f).Add(_domains.Forward(context.Batch.DomainIdTensor)); // [B, P]
    }

    public string? CacheKey(GeneratorContext context, int row)
    {
        var ids = context.Batch.ItemIds.AsReadOnlySpan().Slice(row * context.Batch.MaxLength, context.Batch.MaxLength);
        return $"{context.Groups[row]}|{string.Join(' ', ids.ToArray())}";
    }
}
