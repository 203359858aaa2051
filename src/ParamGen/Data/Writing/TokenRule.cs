namespace ParamGen.Data;

/// <summary>Which characters a token may hold in a format, so that it reads back as the same token.</summary>
internal sealed class TokenRule
{
    private readonly string _forbidden;
    private readonly string _description;
    private readonly bool _noColonEdges;

    private TokenRule(string forbidden, string description, bool noColonEdges)
    {
        _forbidden = forbidden;
        _description = description;
        _noColonEdges = noColonEdges;
    }

    public static TokenRule For(DataFormat format) => format switch
    {
        DataFormat.UserSequences or DataFormat.Pairs => new TokenRule(" \t\r\n", "spaces, tabs or line breaks", false),
        DataFormat.MovieLensDat => new TokenRule("\r\n", "'::', a leading or trailing ':' or line breaks", true),
        DataFormat.RecBoleAtomic => new TokenRule("\t\r\n", "tabs or line breaks", false),
        _ => new TokenRule("\r\n", "line breaks", false),
    };

    /// <summary>Throws <see cref="ArgumentException"/> when the token (after its prefix) cannot be written.</summary>
    public void Check(string token, string what, string path, string? prefix)
    {
        var text = prefix is null ? token.AsSpan() : token.AsSpan(prefix.Length);
        bool bad = text.IsEmpty || text.IndexOfAny(_forbidden) >= 0
            || (_noColonEdges && (text.Contains("::", StringComparison.Ordinal) || text[0] == ':' || text[^1] == ':'));
        if (bad)
        {
            throw new ArgumentException($"Cannot write {what} token '{text}' to '{path}': tokens in this format cannot be empty or hold {_description}.");
        }
    }
}
