namespace ParamGen.Evaluation;

/// <summary>How candidates are ranked at evaluation.</summary>
public enum EvaluationProtocol
{
    /// <summary>The target is ranked against every item of the catalogue (the default; what recent papers report).</summary>
    Full,

    /// <summary>The target is ranked against a fixed set of sampled negatives per user (100 by default), for comparison with older papers.</summary>
    Sampled,
}
