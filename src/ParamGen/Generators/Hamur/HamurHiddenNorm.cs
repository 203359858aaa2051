namespace ParamGen.Generators;

/// <summary>The normalisation between each hidden Linear and ReLU of HAMUR's hypernetwork.</summary>
public enum HamurHiddenNorm
{
    /// <summary>BatchNorm1d (default, as the paper): batch statistics in training, running statistics in evaluation.</summary>
    Batch,

    /// <summary>
    /// None: Linear and ReLU only, so training and evaluation generate the same core for the same input. Meant for the
    /// domain-only input (<see cref="HamurHistory.None"/>): there every row of a batch norm holds one of the domains'
    /// embeddings, its batch statistics follow each batch's domain mix, and the cores it trains with differ from the
    /// ones evaluation uses (samples/MultiDomain/tools/hamur_core_gap.py measures by how much).
    /// </summary>
    None,
}
