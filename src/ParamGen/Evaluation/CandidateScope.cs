namespace ParamGen.Evaluation;

/// <summary>Which items an example's target is ranked against, on multi-domain data.</summary>
/// <remarks>
/// An item belongs to every domain in which the evaluated dataset has at least one interaction with it (in data
/// merged from one file per domain, exactly one domain; in the bundled synthetic data, where items are shared, most
/// items belong to every domain). A dataset with a single domain ranks every item under either scope.
/// </remarks>
public enum CandidateScope
{
    /// <summary>The whole catalogue, whatever the example's domain (the default).</summary>
    AllItems,

    /// <summary>
    /// Only the items of the domain of the example's target interaction (the domain the user is acting in): what a
    /// multi-domain service shows on one domain's surface. Items of other domains can neither outrank the target nor
    /// appear in the top-K lists.
    /// </summary>
    UserDomain,
}
