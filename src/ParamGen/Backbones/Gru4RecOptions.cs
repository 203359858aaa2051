namespace ParamGen.Backbones;

/// <summary>
/// The architecture of a <see cref="Gru4Rec"/> backbone. The defaults follow RecBole's GRU4Rec (embedding 64,
/// hidden 128, one layer) and its initialisation.
/// </summary>
public sealed record Gru4RecOptions
{
    /// <summary>The item embedding width, which is also the state width d that scores are taken in (default 64, as RecBole).</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>The GRU state width H (default 128, as RecBole; wider than the embedding because the recurrence carries the whole history in one vector).</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>The number of stacked GRU layers (default 1, as RecBole and the GRU4Rec paper's best settings).</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Dropout probability on the input embeddings and between stacked GRU layers (default 0.2, as the reference
    /// timing model; RecBole uses 0.3, which suits sparse data).</summary>
    public float Dropout { get; init; } = 0.2f;

    /// <summary>The longest history read (default 50, as <see cref="SasRecOptions.MaxLength"/>, so both backbones see the same input).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>Score against the input item embeddings (default true, as RecBole: the GRU output is projected from H back
    /// to the embedding width for that); false gives a separate output table <c>output_embedding.weight</c>.</summary>
    public bool TieOutputEmbeddings { get; init; } = true;

    /// <summary>How the weights are initialised (default <see cref="BackboneInitialization.RecBole"/>: xavier initialisation
    /// of the embedding and GRU weight matrices, whose small embeddings suit tied output scores;
    /// <see cref="BackboneInitialization.PyTorch"/> gives each layer's PyTorch default, N(0, 1) embeddings included).</summary>
    public BackboneInitialization Initialization { get; init; } = BackboneInitialization.RecBole;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        const string owner = nameof(Gru4RecOptions);
        OptionCheck.Require(EmbeddingSize >= 1, owner, nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
        OptionCheck.Require(HiddenSize >= 1, owner, nameof(HiddenSize), HiddenSize, "must be at least 1");
        OptionCheck.Require(Layers >= 1, owner, nameof(Layers), Layers, "must be at least 1");
        OptionCheck.RequireDropout(owner, nameof(Dropout), Dropout);
        OptionCheck.Require(MaxLength >= 1, owner, nameof(MaxLength), MaxLength, "must be at least 1");
        OptionCheck.Require(Enum.IsDefined(Initialization), owner, nameof(Initialization), Initialization, "is not a known scheme");
    }
}
