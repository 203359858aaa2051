using System.CommandLine;
using System.Globalization;
using ParamGen.Backbones;
using ParamGen.Generators;
using ParamGen.Tensors.Random;

namespace ParamGen.Cli;

/// <summary>The generator options of <c>paramgen train</c>: which generator feeds the backbone's adapter slots, and HAMUR's settings.</summary>
internal sealed class GeneratorArguments
{
    public const string None = "none", Hamur = "hamur", DomainAdapter = "domain_adapter";

    public Option<string> Generator { get; } = new Option<string>("--generator")
    {
        Description = "Adapter generator: none (the backbone alone; default), hamur (a domain-shared hypernetwork writes each sample's adapters, HAMUR) "
            + "or domain_adapter (one static adapter per domain). Domains come from the data's domain column or from several --data files.",
        DefaultValueFactory = _ => None,
    }.AcceptOnlyFromAmong(None, Hamur, DomainAdapter);

    public Option<int?> Bottleneck { get; } = new("--hamur-bottleneck") { Description = "Adapter bottleneck width m of hamur and domain_adapter (default 32)." };

    public Option<int?> Rank { get; } = new("--hamur-rank") { Description = "Size k of HAMUR's generated core Z, k x k (default 32)." };

    public Option<string?> Hidden { get; } = new("--hamur-hidden") { Description = "Widths of HAMUR's hypernetwork MLP (Linear + norm, see --hamur-norm, + ReLU each), comma-separated (default 64)." };

    public Option<int?> DomainDim { get; } = new("--hamur-domain-dim") { Description = "Width of HAMUR's learned domain embedding (default 16)." };

    public Option<string?> Factors { get; } = new Option<string?>("--hamur-factors")
    {
        Description = "Who owns HAMUR's U, V, biases and domain-norm gamma/beta: per-domain (the paper; default) or shared (the reference code).",
    }.AcceptOnlyFromAmong("per-domain", "shared");

    public Option<string?> History { get; } = new Option<string?>("--hamur-history")
    {
        Description = "What of the history HAMUR's hypernetwork reads besides the domain: none (default), mean (the mean item embedding, "
            + "the paper's instance input; trains with --positions last, since at every other position the history holds the targets) "
            + "or mean-detached (the same, with no gradient from the hypernetwork into the item embeddings).",
    }.AcceptOnlyFromAmong("none", "mean", "mean-detached");

    public Option<string?> Norm { get; } = new Option<string?>("--hamur-norm")
    {
        Description = "Normalisation after each hidden layer of HAMUR's hypernetwork: auto (default: batch with --hamur-history mean, "
            + "none for the domain alone, where batch statistics would follow each batch's domain mix), batch (BatchNorm1d, the paper) or none.",
    }.AcceptOnlyFromAmong("auto", "batch", "none");

    public Option<string?> Slots { get; } = new("--hamur-slots")
    {
        Description = "Adapter slots of hamur and domain_adapter, comma-separated (default: after each SASRec block, or the GRU4Rec output), e.g. block0,block1,user_state.",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Generator, Bottleneck, Rank, Hidden, DomainDim, Factors, History, Norm, Slots })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The chosen kind: none, hamur or domain_adapter.</summary>
    public string Kind(ParseResult parsed) => parsed.GetValue(Generator) ?? None;

    /// <summary>
    /// Builds the chosen generator for <paramref name="backbone"/> (attaching its adapters), or returns null for none.
    /// Options that the chosen generator does not take, and values out of range, are usage errors.
    /// </summary>
    public IParameterGenerator? Create(ParseResult parsed, ISequentialBackbone backbone, int domains, Generator rng)
    {
        string kind = Kind(parsed);
        Refuse(parsed, kind is not Hamur, "hamur", Rank, Hidden, DomainDim, Factors, History, Norm);
        Refuse(parsed, kind is None, "hamur or domain_adapter", Bottleneck, Slots);
        int? bottleneck = Positive(parsed, Bottleneck);
        var slots = SlotList(parsed, backbone);
        string? history = parsed.GetValue(History);
        return kind switch
        {
            Hamur => new HamurGenerator(backbone, new HamurOptions
            {
                Bottleneck = bottleneck ?? new HamurOptions().Bottleneck,
                CoreRank = Positive(parsed, Rank) ?? new HamurOptions().CoreRank,
                HiddenSizes = HiddenSizes(parsed) ?? new HamurOptions().HiddenSizes,
                DomainEmbeddingSize = Positive(parsed, DomainDim) ?? new HamurOptions().DomainEmbeddingSize,
                Factors = parsed.GetValue(Factors) == "shared" ? HamurFactors.Shared : HamurFactors.PerDomain,
                History = history is "mean" or "mean-detached" ? HamurHistory.Mean : HamurHistory.None,
                DetachHistory = history == "mean-detached",
                HiddenNorm = parsed.GetValue(Norm) switch { "batch" => HamurHiddenNorm.Batch, "none" => HamurHiddenNorm.None, _ => HamurHiddenNorm.Auto },
                Slots = slots,
            }, domains, rng),
            DomainAdapter => new DomainAdapterGenerator(backbone, new DomainAdapterOptions
            {
                Bottleneck = bottleneck ?? new DomainAdapterOptions().Bottleneck,
                Slots = slots,
            }, domains, rng),
            _ => null,
        };
    }

    private static void Refuse(ParseResult parsed, bool refused, string takers, params Option[] options)
    {
        foreach (var option in options)
        {
            if (refused && parsed.GetResult(option) is { Implicit: false })
            {
                throw new CliUsageException($"{option.Name} applies to --generator {takers} only.");
            }
        }
    }

    private static int? Positive(ParseResult parsed, Option<int?> option)
    {
        int? value = parsed.GetValue(option);
        return value is < 1 ? throw new CliUsageException($"{option.Name} {value}: needs at least 1.") : value;
    }

    private List<int>? HiddenSizes(ParseResult parsed)
    {
        if (parsed.GetValue(Hidden) is not { } text)
        {
            return null;
        }

        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width < 1)
            {
                throw new CliUsageException($"--hamur-hidden '{text}': '{part}' is not a positive whole number.");
            }

            sizes.Add(width);
        }

        return sizes.Count > 0 ? sizes : throw new CliUsageException("--hamur-hidden needs at least one width, e.g. --hamur-hidden 64.");
    }

    private List<string>? SlotList(ParseResult parsed, ISequentialBackbone backbone)
    {
        if (parsed.GetValue(Slots) is not { } text)
        {
            return null;
        }

        var known = backbone.Slots.Names.ToList();
        var slots = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var unknown = slots.Where(s => !known.Contains(s)).ToList();
        if (slots.Count == 0 || unknown.Count > 0)
        {
            throw new CliUsageException($"--hamur-slots '{text}': {(slots.Count == 0 ? "no slot named" : $"no slot '{unknown[0]}'")}; the backbone's slots are {string.Join(", ", known)}.");
        }

        return slots;
    }
}
