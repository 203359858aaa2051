using ParamGen.Data;

namespace ParamGen.Cli;

/// <summary>Puts a freshly loaded dataset into a checkpoint's item ids, so a saved model can score it.</summary>
internal static class CheckpointData
{
    /// <summary>
    /// The dataset with item ids taken from <paramref name="items"/> (the checkpoint's vocabulary); interactions
    /// with items the model never saw are dropped and counted.
    /// </summary>
    public static (InteractionDataset Dataset, int DroppedInteractions) Align(InteractionDataset dataset, Vocabulary items)
    {
        if (SameTokens(dataset.Items, items))
        {
            return (dataset, 0);
        }

        var known = new int[dataset.Items.Count]; // old id -> checkpoint id, 0 = unknown
        for (int i = 1; i < dataset.Items.Count; i++)
        {
            known[i] = items.TryGetId(dataset.Items.GetToken(i), out int id) ? id : 0;
        }

        var itemColumn = dataset.ItemColumn;
        var keep = new bool[itemColumn.Length];
        int dropped = 0;
        for (int r = 0; r < keep.Length; r++)
        {
            keep[r] = known[itemColumn[r]] != 0;
            dropped += keep[r] ? 0 : 1;
        }

        if (dropped == keep.Length)
        {
            throw new InvalidOperationException($"None of the {dataset.NumItems:N0} items of '{dataset.Name}' is known to the checkpoint; pass the data the model was trained on.");
        }

        var kept = dataset.Subset(keep);
        var ids = new int[kept.NumInteractions];
        var keptItems = kept.ItemColumn;
        for (int r = 0; r < ids.Length; r++)
        {
            ids[r] = items.GetId(kept.Items.GetToken(keptItems[r]));
        }

        var aligned = new InteractionDataset(kept.Name, kept.Users, items, kept.UserOffsets.ToArray(), ids,
            kept.HasTimestamps ? kept.TimestampColumn.ToArray() : null,
            kept.HasRatings ? kept.RatingColumn.ToArray() : null,
            kept.HasDomains ? kept.DomainColumn.ToArray() : null,
            kept.DomainNames, AlignFeatures(kept, items));
        return (aligned, dropped);
    }

    private static bool SameTokens(Vocabulary a, Vocabulary b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 1; i < a.Count; i++)
        {
            if (!string.Equals(a.GetToken(i), b.GetToken(i), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static ItemFeatures? AlignFeatures(InteractionDataset kept, Vocabulary items)
    {
        if (kept.ItemFeatures is not { } features)
        {
            return null;
        }

        var offsets = new int[items.Count + 1];
        var categories = new List<int>();
        var titles = features.HasTitles ? new string?[items.Count] : null;
        for (int id = 0; id < items.Count; id++)
        {
            if (id > 0 && kept.Items.TryGetId(items.GetToken(id), out int old))
            {
                categories.AddRange(features.CategoriesOf(old).ToArray());
                if (titles is not null)
                {
                    titles[id] = features.TitleOf(old);
                }
            }

            offsets[id + 1] = categories.Count;
        }

        return new ItemFeatures(features.Categories, offsets, [.. categories], titles);
    }
}
