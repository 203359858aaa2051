namespace ParamGen.Generators;

/// <summary>The normalisation between each hidden Linear and ReLU of HAMUR's hypernetwork.</summary>
public enum HamurHiddenNorm
{
    /// <summary>
    /// By the input (default): <see cref="Batch"/> when the instance representation holds a history summary
    /// (<see cref="HamurHistory.Mean"/>, the paper's instance input, whose rows differ from sample to sample);
    /// <see cref="None"/> when it is the domain embedding alone (<see cref="HamurHistory.None"/>). See
    /// <see cref="HamurOptions.ResolveHiddenNorm"/>.
    /// </summary>
    Auto,

    /// <summary>BatchNorm1d (as the paper): batch statistics in training, running statistics in evaluation.</summary>
    Batch,

    /// <summary>
    /// None: Linear and ReLU only, so training and evaluation generate the same core for the same input. What
    /// <see cref="Auto"/> picks for the domain-only input (<see cref="HamurHistory.None"/>): there every row of a batch
    /// norm holds one of the domains' embeddings, its batch statistics follow each batch's domain mix, and the cores
    /// it trains with differ from the ones evaluation uses (samples/MultiDomain/tools/hamur_core_gap.py measures by how
    /// much: 4% to 27% of the core's norm on Amazon Beauty + Toys).
    /// </summary>
    None,
}
