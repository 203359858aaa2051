using System.Globalization;

namespace ParamGen.Data;

/// <summary>Small span helpers shared by the readers: whitespace tokens, numbers, quoting values in messages.</summary>
internal static class FieldText
{
    /// <summary>Whether a line holds only spaces and tabs (or nothing).</summary>
    public static bool IsBlank(ReadOnlySpan<char> line) => line.IndexOfAnyExcept(' ', '\t') < 0;

    /// <summary>Takes the next space- or tab-separated token from <paramref name="rest"/>; false when none is left.</summary>
    public static bool NextToken(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> token)
    {
        int start = rest.IndexOfAnyExcept(' ', '\t');
        if (start < 0)
        {
            token = default;
            rest = default;
            return false;
        }

        rest = rest[start..];
        int end = rest.IndexOfAny(' ', '\t');
        if (end < 0)
        {
            token = rest;
            rest = default;
        }
        else
        {
            token = rest[..end];
            rest = rest[(end + 1)..];
        }

        return true;
    }

    /// <summary>Splits a line on a separator into at most <paramref name="fields"/>.Length ranges; returns the field count (which may exceed the ranges).</summary>
    public static int Split(ReadOnlySpan<char> line, string separator, Span<Range> fields)
    {
        int count = 0, start = 0;
        while (true)
        {
            int next = separator.Length == 1 ? line[start..].IndexOf(separator[0]) : line[start..].IndexOf(separator.AsSpan());
            int end = next < 0 ? line.Length : start + next;
            if (count < fields.Length)
            {
                fields[count] = new Range(start, end);
            }

            count++;
            if (next < 0)
            {
                return count;
            }

            start = end + separator.Length;
        }
    }

    public static bool TryParseDouble(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryParseFloat(ReadOnlySpan<char> text, out float value) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

    /// <summary>Whether some field is a number (a first row holding a number is data, unless it names a column).</summary>
    public static bool AnyNumeric(IReadOnlyList<string> fields) => fields.Any(f => TryParseDouble(f.AsSpan(), out _));

    /// <summary>A value for an error message, cut to 60 characters.</summary>
    public static string Quote(ReadOnlySpan<char> value) => value.Length <= 60 ? $"'{value}'" : $"'{value[..57]}...'";

    /// <summary>A list of names for an error message: <c>[a, b, c]</c>.</summary>
    public static string List(IEnumerable<string> names) => $"[{string.Join(", ", names)}]";
}
