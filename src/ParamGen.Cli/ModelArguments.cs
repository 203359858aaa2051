using System.CommandLine;
using ParamGen.Backbones;
using ParamGen.Tensors.Random;

namespace ParamGen.Cli;

/// <summary>The backbone options of <c>paramgen train</c>.</summary>
internal sealed class ModelArguments
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "Backbone: sasrec or gru4rec.",
        DefaultValueFactory = _ => "sasrec",
    };

    public Option<int> Dim { get; } = new("--dim") { Description = "Embedding / state width d (default 64).", DefaultValueFactory = _ => 64 };

    public Option<int?> Layers { get; } = new("--layers") { Description = "SASRec blocks (default 2) or GRU layers (default 1)." };

    public Option<int> Heads { get; } = new("--heads") { Description = "SASRec attention heads (default 2).", DefaultValueFactory = _ => 2 };

    public Option<int?> Ffn { get; } = new("--ffn") { Description = "SASRec feed-forward width (default 4d)." };

    public Option<int> Hidden { get; } = new("--hidden") { Description = "GRU4Rec hidden size (default 128).", DefaultValueFactory = _ => 128 };

    public Option<float> Dropout { get; } = new("--dropout") { Description = "Dropout (default 0.2).", DefaultValueFactory = _ => 0.2f };

    public Option<int> MaxLength { get; } = new("--max-len") { Description = "Most recent items read per user (default 50).", DefaultValueFactory = _ => 50 };

    public Option<bool> PostNorm { get; } = new("--post-norm") { Description = "SASRec: post-norm blocks (default pre-norm with a final LayerNorm)." };

    /// <summary>The flag that sets each <see cref="SasRecOptions"/> value, for usage errors.</summary>
    private static readonly Dictionary<string, string> SasRecFlags = new()
    {
        [nameof(SasRecOptions.HiddenSize)] = "--dim",
        [nameof(SasRecOptions.Blocks)] = "--layers",
        [nameof(SasRecOptions.Heads)] = "--heads",
        [nameof(SasRecOptions.FeedForwardSize)] = "--ffn",
        [nameof(SasRecOptions.Dropout)] = "--dropout",
        [nameof(SasRecOptions.MaxLength)] = "--max-len",
    };

    /// <summary>The flag that sets each <see cref="Gru4RecOptions"/> value, for usage errors.</summary>
    private static readonly Dictionary<string, string> Gru4RecFlags = new()
    {
        [nameof(Gru4RecOptions.EmbeddingSize)] = "--dim",
        [nameof(Gru4RecOptions.HiddenSize)] = "--hidden",
        [nameof(Gru4RecOptions.Layers)] = "--layers",
        [nameof(Gru4RecOptions.Dropout)] = "--dropout",
        [nameof(Gru4RecOptions.MaxLength)] = "--max-len",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Dim, Layers, Heads, Ffn, Hidden, Dropout, MaxLength, PostNorm })
        {
            command.Options.Add(option);
        }
    }

    public ISequentialBackbone Create(ParseResult parsed, int numItems, Generator generator)
    {
        string model = parsed.GetValue(Model) ?? "sasrec";
        return model switch
        {
            "sasrec" => CliUsageException.ForFlags(SasRecFlags, () => new SasRec(numItems, new SasRecOptions
            {
                HiddenSize = parsed.GetValue(Dim),
                Blocks = parsed.GetValue(Layers) ?? 2,
                Heads = parsed.GetValue(Heads),
                FeedForwardSize = parsed.GetValue(Ffn),
                Dropout = parsed.GetValue(Dropout),
                MaxLength = parsed.GetValue(MaxLength),
                PreNorm = !parsed.GetValue(PostNorm),
            }, generator)),
            "gru4rec" => CliUsageException.ForFlags(Gru4RecFlags, () => new Gru4Rec(numItems, new Gru4RecOptions
            {
                EmbeddingSize = parsed.GetValue(Dim),
                HiddenSize = parsed.GetValue(Hidden),
                Layers = parsed.GetValue(Layers) ?? 1,
                Dropout = parsed.GetValue(Dropout),
                MaxLength = parsed.GetValue(MaxLength),
            }, generator)),
            _ => throw new CliUsageException($"--model '{model}' is not a backbone; use sasrec or gru4rec."),
        };
    }
}
