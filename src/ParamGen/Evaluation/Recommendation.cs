namespace ParamGen.Evaluation;

/// <summary>One recommended item with its score.</summary>
/// <param name="Item">The item id (1-based; never the padding id 0).</param>
/// <param name="Score">The model's score (a logit: higher is better).</param>
/// <param name="Token">The item's token when recommended through a vocabulary, else null.</param>
public readonly record struct Recommendation(int Item, float Score, string? Token = null);
