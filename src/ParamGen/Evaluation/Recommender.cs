using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Memory;

namespace ParamGen.Evaluation;

/// <summary>
/// Serving: the top-K items for any history, a new user's included (the history need not come from a dataset).
/// <code>
/// var top = Recommender.Recommend(model, [12, 7, 301], k: 10);            // item ids
/// var named = Recommender.Recommend(model, dataset.Items, ["B00A", "B00B"]); // item tokens
/// </code>
/// </summary>
/// <remarks>
/// The history is read like an evaluation input: its most recent <see cref="ISequentialBackbone.MaxLength"/> items,
/// left-padded, the model in evaluation mode (restored afterwards) without a graph. Items are ranked by
/// <see cref="ISequentialBackbone.Score"/> of the last state; ties keep the lower id first. The padding id 0 is
/// never recommended, nor is an item scoring -inf or NaN; by default neither are the items of the history.
/// </remarks>
public static class Recommender
{
    /// <summary>Rows scored per forward pass by <see cref="RecommendMany"/>.</summary>
    private const int ChunkSize = 512;

    /// <summary>The top-<paramref name="k"/> items for one history.</summary>
    /// <param name="model">The recommender.</param>
    /// <param name="history">Item ids, oldest first; at least one, each in [1, NumItems].</param>
    /// <param name="k">How many items (default 10), at least 1; fewer come back when fewer can be recommended.</param>
    /// <param name="excludeSeen">Whether the history's items are left out (default true).</param>
    /// <param name="domain">The domain the next interaction happens in (default 0), for models that use it.</param>
    /// <returns>Items best first, with their scores.</returns>
    /// <exception cref="ArgumentException">The history is empty or holds an id outside [1, NumItems]; the message names the position.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1 or <paramref name="domain"/> is negative.</exception>
    public static IReadOnlyList<Recommendation> Recommend(ISequentialRecommender model, ReadOnlySpan<int> history, int k = 10, bool excludeSeen = true, int domain = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (history.IsEmpty)
        {
            throw new ArgumentException("Recommender.Recommend: the history is empty; a sequential model needs at least one item to condition on.", nameof(history));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(domain);
        return RecommendMany(model, [history.ToArray()], k, excludeSeen, [domain])[0];
    }

    /// <summary>The top-<paramref name="k"/> items for a history of item tokens, looked up in the dataset's item vocabulary.</summary>
    /// <param name="model">The recommender.</param>
    /// <param name="items">The item vocabulary the model was trained with (e.g. <see cref="InteractionDataset.Items"/>).</param>
    /// <param name="history">Item tokens, oldest first; at least one, each known to <paramref name="items"/>.</param>
    /// <param name="k">How many items (default 10), at least 1.</param>
    /// <param name="excludeSeen">Whether the history's items are left out (default true).</param>
    /// <param name="domain">The domain of the next interaction (default 0).</param>
    /// <returns>Items best first, with their scores and tokens.</returns>
    /// <exception cref="ArgumentException">A token is unknown (the message names it and its position), the history is empty, or the vocabulary does not match the model's catalogue.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1 or <paramref name="domain"/> is negative.</exception>
    public static IReadOnlyList<Recommendation> Recommend(ISequentialRecommender model, Vocabulary items, IEnumerable<string> history, int k = 10, bool excludeSeen = true, int domain = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(history);
        if (items.Count - 1 != model.Backbone.NumItems)
        {
            throw new ArgumentException($"Recommender.Recommend: vocabulary '{items.Name}' holds {items.Count - 1} items but the model scores {model.Backbone.NumItems}.", nameof(items));
        }

        var ids = new List<int>();
        foreach (string token in history)
        {
            if (token is null || !items.TryGetId(token, out int id) || id == Vocabulary.PaddingId)
            {
                throw new ArgumentException($"Recommender.Recommend: history item {ids.Count} '{token}' is not in vocabulary '{items.Name}'.", nameof(history));
            }

            ids.Add(id);
        }

        var result = Recommend(model, ids.ToArray(), k, excludeSeen, domain);
        return [.. result.Select(r => r with { Token = items.GetToken(r.Item) })];
    }

    /// <summary>The top-<paramref name="k"/> items for each of several histories, scored in batches.</summary>
    /// <param name="model">The recommender.</param>
    /// <param name="histories">Histories of item ids, oldest first; each non-empty, ids in [1, NumItems].</param>
    /// <param name="k">How many items per history (default 10), at least 1.</param>
    /// <param name="excludeSeen">Whether each history's items are left out of its list (default true).</param>
    /// <param name="domains">The domain of each history's next interaction, or null (the default) for 0.</param>
    /// <returns>One list per history, best first.</returns>
    /// <exception cref="ArgumentException">A history is empty or holds an id out of range, or the domain list has another length; the message names the row and position.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">The backbone returned states or scores of the wrong shape.</exception>
    public static IReadOnlyList<IReadOnlyList<Recommendation>> RecommendMany(ISequentialRecommender model, IReadOnlyList<int[]> histories, int k = 10,
        bool excludeSeen = true, IReadOnlyList<int>? domains = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (domains is not null && domains.Count != histories.Count)
        {
            throw new ArgumentException($"Recommender.RecommendMany: {domains.Count} domains for {histories.Count} histories.", nameof(domains));
        }

        var backbone = model.Backbone;

        // Build (and so validate) every batch before anything runs.
        var batches = new List<SequenceBatch>();
        for (int first = 0; first < Math.Max(histories.Count, 1); first += ChunkSize)
        {
            int count = Math.Min(ChunkSize, histories.Count - first);
            var rows = new int[count][];
            var rowDomains = domains is null ? null : new int[count];
            for (int r = 0; r < count; r++)
            {
                rows[r] = histories[first + r];
                rowDomains?[r] = domains![first + r];
            }

            batches.Add(SequenceBatch.FromHistories(rows, backbone.MaxLength, rowDomains, backbone.NumItems));
        }

        var lists = new Recommendation[histories.Count][];
        int listLength = Math.Min(k, backbone.NumItems);
        using (InferenceMode.Enter(model.Module))
        {
            int done = 0;
            foreach (var batch in batches)
            {
                using (TensorScope.Begin())
                {
                    TopLists(model, batch, histories, done, listLength, excludeSeen, lists);
                }

                done += batch.Size;
            }
        }

        return lists;
    }

    private static void TopLists(ISequentialRecommender model, SequenceBatch batch, IReadOnlyList<int[]> histories, int first, int listLength,
        bool excludeSeen, Recommendation[][] lists)
    {
        var backbone = model.Backbone;
        int b = batch.Size, width = backbone.NumItems + 1;
        var states = model.EncodeLast(batch); // [B, d]
        var scores = backbone.Score(states); // [B, NumItems + 1]
        if (scores.Rank != 2 || scores.Shape[0] != b || scores.Shape[1] != width)
        {
            throw new InvalidOperationException($"Recommender: Backbone.Score returned {scores.Shape} for states {states.Shape}; expected [{b}, {width}].");
        }

        WorkSplit.Dynamic(b, 2L * width, (r0, r1) =>
        {
            var picked = new int[listLength];
            for (int r = r0; r < r1; r++)
            {
                var row = scores.Span.Slice(r * width, width);
                row[0] = float.NegativeInfinity;
                if (excludeSeen)
                {
                    foreach (int item in histories[first + r])
                    {
                        row[item] = float.NegativeInfinity;
                    }
                }

                int count = ScoreTopK.Select(row, picked);
                var list = new Recommendation[count];
                for (int j = 0; j < count; j++)
                {
                    list[j] = new Recommendation(picked[j], row[picked[j]]);
                }

                lists[first + r] = list;
            }
        });
    }
}
