namespace ParamGen.Data;

/// <summary>Which optional columns a writer writes in a format, after checking the format can hold the dataset's columns.</summary>
internal sealed record RowLayout(DataFormat Format, bool Rating, bool Timestamp, bool Domain)
{
    /// <param name="dataset">The dataset.</param>
    /// <param name="format">The target format.</param>
    /// <param name="domainColumn">Whether domains go in a column (false when each domain gets its own file or there is no domain column).</param>
    /// <param name="drop">Whether columns the format cannot hold are left out rather than rejected.</param>
    /// <param name="path">The target, for messages.</param>
    public static RowLayout For(InteractionDataset dataset, DataFormat format, bool domainColumn, bool drop, string path)
    {
        bool rating = dataset.HasRatings, time = dataset.HasTimestamps, domain = domainColumn;
        var lost = new List<string>();
        switch (format)
        {
            case DataFormat.UserSequences or DataFormat.Pairs:
                Lose(ref rating, "ratings");
                Lose(ref time, "timestamps");
                Lose(ref domain, "domains");
                break;
            case DataFormat.MovieLensDat:
                if (!rating)
                {
                    Lose(ref time, "timestamps (a .dat file has them after the rating column)");
                }

                Lose(ref domain, "domains");
                break;
        }

        if (lost.Count > 0 && !drop)
        {
            throw new ArgumentException(
                $"Writing '{dataset.Name}' to '{path}' as {format} would lose its {string.Join(", ", lost)}. Write .csv or .inter (or use WriteDomains for domains), or pass dropUnsupportedColumns: true.");
        }

        return new RowLayout(format, rating, time, domain);

        void Lose(ref bool present, string what)
        {
            if (present)
            {
                lost.Add(what);
                present = false;
            }
        }
    }

    /// <summary>Header names: <c>userId,itemId,rating,timestamp,domain</c>, or RecBole's typed names.</summary>
    public string[] Names(bool typed)
    {
        var names = new List<string> { typed ? "user_id:token" : "userId", typed ? "item_id:token" : "itemId" };
        if (Rating)
        {
            names.Add(typed ? "rating:float" : "rating");
        }

        if (Timestamp)
        {
            names.Add(typed ? "timestamp:float" : "timestamp");
        }

        if (Domain)
        {
            names.Add(typed ? "domain:token" : "domain");
        }

        return [.. names];
    }
}
