using ParamGen.Adapters;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;

namespace ParamGen.Generators;

/// <summary>
/// A module that writes the weights of a backbone's generated adapters: its <see cref="Layout"/> is the parameter
/// space (the flattened weights of every generated slot), and <see cref="Generate"/> writes one row of it per sample
/// (or one row per group, chosen per sample by <see cref="RowIndex"/>). Gradients flow from the loss back into the
/// generator through the generated weights.
/// </summary>
/// <remarks>
/// A generator is built for one backbone: its constructor attaches the adapters it feeds to the backbone's slots
/// and takes <see cref="ParameterLayout.For"/> of them. <see cref="GeneratedRecommender"/> joins the two for
/// training, evaluation and serving.
/// </remarks>
public interface IParameterGenerator
{
    /// <summary>The generator's own parameters and buffers (the adapters it attached belong to the backbone's module).</summary>
    Module Module { get; }

    /// <summary>The parameter space the generator writes.</summary>
    ParameterLayout Layout { get; }

    /// <summary>Number of groups (domains, tasks) the generator was built for; ids in a batch must lie in [0, GroupCount).</summary>
    int GroupCount { get; }

    /// <summary>Writes the adapter weights for a batch.</summary>
    /// <param name="context">The batch and what the generator conditions on.</param>
    /// <returns><c>[B, P]</c> (one row per sample) or, when <see cref="RowIndex"/> gives rows, <c>[G, P]</c>.</returns>
    Tensor Generate(GeneratorContext context);

    /// <summary>
    /// For a generator that writes one row per group, the row each sample uses (<c>[B]</c>); null (the default) when
    /// <see cref="Generate"/> writes one row per sample.
    /// </summary>
    /// <param name="context">The batch.</param>
    /// <returns>The row of each sample, or null.</returns>
    int[]? RowIndex(GeneratorContext context) => null;

    /// <summary>
    /// A key that determines a sample's generated row in evaluation mode (everything the row depends on), so a server
    /// can reuse the row; null (the default) when rows must not be cached.
    /// </summary>
    /// <param name="context">The batch.</param>
    /// <param name="row">The sample (batch row).</param>
    /// <returns>The key, or null.</returns>
    string? CacheKey(GeneratorContext context, int row) => null;

    /// <summary>
    /// Whether <see cref="Generate"/> reads the history beyond the domain (default false). One generated row serves
    /// every position of a sample, so a history-conditioned row would show each position the later items, its own
    /// targets; the <see cref="Training.Trainer"/> therefore trains such a generator only with
    /// <see cref="Training.TrainingPositions.Last"/> and refuses <see cref="Training.TrainingPositions.All"/>.
    /// </summary>
    bool ConditionsOnHistory => false;
}
