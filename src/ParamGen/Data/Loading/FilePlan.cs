namespace ParamGen.Data;

/// <summary>How one interaction file will be read: its format, separator, header and columns, decided before any row is loaded.</summary>
internal sealed record FilePlan(string Path, DataFormat Format, string Reason, string Separator, long HeaderLine, ColumnMap? Columns, bool StrictPairs)
{
    public bool HasTimestamps => Columns is { Timestamp: >= 0 };

    public bool HasRatings => Columns is { Rating: >= 0 };

    public bool HasDomainColumn => Columns is { Domain: >= 0 };

    /// <summary>How the separator is named in messages.</summary>
    public string SeparatorName => Separator switch
    {
        "\t" => "tabs",
        "," => "commas",
        _ => $"'{Separator}'",
    };
}
