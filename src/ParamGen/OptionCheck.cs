using System.Globalization;

namespace ParamGen;

/// <summary>
/// The one wording of a bad option value across the library's options records:
/// <c>Owner.Property = value is invalid: it rule.</c>, thrown as an <see cref="ArgumentOutOfRangeException"/> whose
/// <see cref="ArgumentException.ParamName"/> is the property and whose <see cref="ArgumentOutOfRangeException.ActualValue"/>
/// is the value, so callers (the CLI) can tell which option was wrong.
/// </summary>
internal static class OptionCheck
{
    /// <summary>Throws <see cref="Invalid"/> unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string owner, string property, object? value, string rule)
    {
        if (!ok)
        {
            throw Invalid(owner, property, value, rule);
        }
    }

    /// <summary>Throws unless <paramref name="p"/> is a dropout probability, in [0, 1).</summary>
    public static void RequireDropout(string owner, string property, float p) =>
        Require(p is >= 0f and < 1f, owner, property, p, "must be a dropout probability in [0, 1)");

    /// <summary>The exception for <paramref name="owner"/>.<paramref name="property"/> = <paramref name="value"/>,
    /// which breaks <paramref name="rule"/> (a predicate such as "must be at least 1").</summary>
    public static ArgumentOutOfRangeException Invalid(string owner, string property, object? value, string rule) =>
        new(property, value, $"{owner}.{property} = {Format(value)} is invalid: it {rule}.");

    private static string Format(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
