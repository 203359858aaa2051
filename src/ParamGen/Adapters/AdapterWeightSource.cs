namespace ParamGen.Adapters;

/// <summary>Where an adapter's weights come from.</summary>
public enum AdapterWeightSource
{
    /// <summary>The adapter owns its weights as ordinary parameters (trained like any layer).</summary>
    Static,

    /// <summary>
    /// The weights are written by a generator for each batch and passed in through <see cref="GeneratedWeights"/>;
    /// the adapter owns no parameters for them and gradients flow into whatever produced them.
    /// </summary>
    Generated,
}
