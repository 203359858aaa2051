using ParamGen.Tensors.Nn;

namespace ParamGen.Adapters;

/// <summary>
/// Freezes and unfreezes parameters by name, as Paragon's adapter tuning needs (the backbone frozen, the adapters
/// trained). A frozen parameter has <see cref="Tensors.Tensor.RequiresGrad"/> false and no gradient, so backward
/// passes skip it and optimizers leave it untouched (they skip parameters without a gradient).
/// </summary>
/// <remarks>
/// <para>Patterns are globs over dotted state keys (<c>blocks.0.attn.q.weight</c>): <c>*</c> matches any characters
/// within one part, <c>?</c> one character within a part, and a whole part <c>**</c> any number of parts (zero
/// included). A pattern that matches the first parts of a key names a module and covers everything under it: <c>blocks.0</c>
/// is the whole first block, <c>**.adapters</c> every adapter slot at any depth (<see cref="AdaptersGroup"/>).</para>
/// <para>Every pattern must match at least one parameter, and all are checked before anything changes.</para>
/// </remarks>
public static class Freezing
{
    /// <summary>The adapters of every backbone in the module tree (<c>**.adapters</c>): <c>model.FreezeAllBut(Freezing.AdaptersGroup)</c> trains only the static adapters.</summary>
    public const string AdaptersGroup = "**.adapters";

    /// <summary>Freezes the parameters that any pattern matches.</summary>
    /// <param name="module">The module tree.</param>
    /// <param name="patterns">One or more glob patterns over dotted parameter keys.</param>
    /// <returns>How many parameters changed from trainable to frozen.</returns>
    /// <exception cref="ArgumentException">No pattern, a malformed one, or one that matches no parameter; nothing changes.</exception>
    public static int Freeze(this Module module, params string[] patterns) => Set(module, patterns, matched => matched ? false : null);

    /// <summary>Unfreezes the parameters that any pattern matches.</summary>
    /// <param name="module">The module tree.</param>
    /// <param name="patterns">One or more glob patterns over dotted parameter keys.</param>
    /// <returns>How many parameters changed from frozen to trainable.</returns>
    /// <exception cref="ArgumentException">No pattern, a malformed one, or one that matches no parameter; nothing changes.</exception>
    public static int Unfreeze(this Module module, params string[] patterns) => Set(module, patterns, matched => matched ? true : null);

    /// <summary>Makes the parameters that some pattern matches trainable and freezes all others.</summary>
    /// <param name="module">The module tree.</param>
    /// <param name="patterns">One or more glob patterns over dotted parameter keys.</param>
    /// <returns>How many parameters changed either way.</returns>
    /// <exception cref="ArgumentException">No pattern, a malformed one, or one that matches no parameter; nothing changes.</exception>
    public static int FreezeAllBut(this Module module, params string[] patterns) => Set(module, patterns, matched => matched);

    /// <summary>The parameters that are not frozen, with their dotted keys (what to give an optimizer).</summary>
    /// <param name="module">The module tree.</param>
    /// <returns>The trainable parameters in registration order.</returns>
    public static IEnumerable<(string Name, Parameter Parameter)> TrainableParameters(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedParameters().Where(p => p.Parameter.RequiresGrad);
    }

    /// <summary>Whether a glob pattern matches a dotted key or the first parts of it.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="key">A dotted key.</param>
    /// <returns>True when the pattern covers the key.</returns>
    /// <exception cref="ArgumentException">The pattern is malformed.</exception>
    public static bool Matches(string pattern, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return MatchParts(Parse(pattern), 0, key.Split('.'), 0);
    }

    private static int Set(Module module, string[] patterns, Func<bool, bool?> target)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Length == 0)
        {
            throw new ArgumentException("Give at least one parameter pattern (e.g. \"blocks.0\", \"**.adapters\", \"**\").", nameof(patterns));
        }

        var parsed = patterns.Select(Parse).ToArray();
        var parameters = module.NamedParameters().Select(p => (p.Name, p.Parameter, Parts: p.Name.Split('.'))).ToList();
        var matched = new bool[parameters.Count];
        for (int pi = 0; pi < parsed.Length; pi++)
        {
            bool any = false;
            for (int i = 0; i < parameters.Count; i++)
            {
                if (MatchParts(parsed[pi], 0, parameters[i].Parts, 0))
                {
                    matched[i] = any = true;
                }
            }

            if (!any)
            {
                var roots = parameters.Select(p => p.Parts[0]).Distinct().Take(12);
                throw new ArgumentException($"Parameter pattern '{patterns[pi]}' matches no parameter of {module.GetType().Name} ({parameters.Count} parameters under: {string.Join(", ", roots)}).", nameof(patterns));
            }
        }

        int changed = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Parameter;
            if (target(matched[i]) is bool trainable && p.RequiresGrad != trainable)
            {
                p.RequiresGrad = trainable;
                p.Grad = null;
                changed++;
            }
        }

        return changed;
    }

    private static string[] Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var parts = pattern.Split('.');
        foreach (var part in parts)
        {
            if (part.Length == 0 || (part.Contains("**", StringComparison.Ordinal) && part != "**"))
            {
                throw new ArgumentException($"Malformed parameter pattern '{pattern}': parts are separated by single dots, and '**' must be a whole part.", nameof(pattern));
            }
        }

        return parts;
    }

    private static bool MatchParts(string[] pattern, int pi, string[] key, int ki)
    {
        if (pi == pattern.Length)
        {
            return true; // the pattern covers this key or the module above it
        }

        if (pattern[pi] == "**")
        {
            for (int skip = ki; skip <= key.Length; skip++)
            {
                if (MatchParts(pattern, pi + 1, key, skip))
                {
                    return true;
                }
            }

            return false;
        }

        return ki < key.Length && MatchPart(pattern[pi], 0, key[ki], 0) && MatchParts(pattern, pi + 1, key, ki + 1);
    }

    private static bool MatchPart(string pattern, int p, string text, int t)
    {
        while (p < pattern.Length)
        {
            char c = pattern[p];
            if (c == '*')
            {
                for (int rest = t; rest <= text.Length; rest++)
                {
                    if (MatchPart(pattern, p + 1, text, rest))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (t == text.Length || (c != '?' && c != text[t]))
            {
                return false;
            }

            p++;
            t++;
        }

        return t == text.Length;
    }
}
