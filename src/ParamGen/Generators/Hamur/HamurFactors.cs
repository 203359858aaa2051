namespace ParamGen.Generators;

/// <summary>Who owns HAMUR's adapter factors (U, V, biases, domain-norm gamma and beta).</summary>
public enum HamurFactors
{
    /// <summary>One set per domain, as the paper describes (default).</summary>
    PerDomain,

    /// <summary>One set shared by all domains, as the public reference code does; only the hypernetwork's core and the domain norm's statistics differ by domain.</summary>
    Shared,
}
