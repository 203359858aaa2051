using System.Globalization;

namespace ParamGen.Data;

/// <summary>
/// The standard interaction filters: rating threshold, removal of consecutive repeats, k-core on users and
/// items, minimum sequence length. Each returns a new, compacted dataset and a <see cref="FilterReport"/> of
/// what it removed; the input is never changed.
/// </summary>
/// <remarks>
/// The steps work on a row mask over the input and the dataset is compacted once at the end
/// (<see cref="InteractionDataset.Subset(ReadOnlySpan{bool})"/>), so a run costs a few passes over the rows
/// and one copy. A step that would leave no interaction throws instead of returning an empty dataset.
/// </remarks>
public static class DatasetFilters
{
    /// <summary>Runs the filters switched on in <paramref name="options"/>, in the order stated there.</summary>
    /// <param name="dataset">The dataset to filter.</param>
    /// <param name="options">Which filters to run.</param>
    /// <returns>The filtered dataset and the report (one step per filter switched on).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A rating threshold is set but the dataset has no ratings.</exception>
    /// <exception cref="InvalidOperationException">A step removed every remaining interaction; the message names the step.</exception>
    public static FilterResult Apply(InteractionDataset dataset, FilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.MinRating is not null && !dataset.HasRatings)
        {
            throw new ArgumentException($"DatasetFilters: a rating threshold (>= {F(options.MinRating.Value)}) needs ratings, but dataset '{dataset.Name}' has no rating column; map one when loading or drop the threshold.", nameof(options));
        }

        var state = new RowState(dataset);
        var steps = new List<FilterStep>();
        if (options.MinRating is float threshold)
        {
            steps.Add(state.Run($"rating >= {F(threshold)}", s => s.KeepRatingsAtLeast(threshold)));
        }

        if (options.RemoveConsecutiveRepeats)
        {
            steps.Add(state.Run("consecutive repeats", s => s.RemoveConsecutiveRepeats()));
        }

        if (options.MinUserInteractions > 0 || options.MinItemInteractions > 0)
        {
            int ku = options.MinUserInteractions, ki = options.MinItemInteractions;
            steps.Add(state.Run(string.Create(CultureInfo.InvariantCulture, $"k-core (users >= {ku}, items >= {ki})"), s => s.KCore(ku, ki)));
        }

        if (options.MinSequenceLength > 0)
        {
            int min = options.MinSequenceLength;
            steps.Add(state.Run(string.Create(CultureInfo.InvariantCulture, $"min sequence length {min}"), s => s.MinSequenceLength(min)));
        }

        var report = new FilterReport(dataset.Name, dataset.NumInteractions, dataset.NumUsers, dataset.NumItems, steps);
        return new FilterResult(dataset.Subset(state.Keep), report);
    }

    /// <summary>Keeps the interactions rated at least <paramref name="minRating"/>.</summary>
    /// <param name="dataset">A dataset with ratings.</param>
    /// <param name="minRating">The lowest rating kept (inclusive).</param>
    /// <returns>The filtered dataset and a one-step report.</returns>
    /// <exception cref="ArgumentException">The dataset has no ratings.</exception>
    /// <exception cref="InvalidOperationException">No interaction is rated that high.</exception>
    public static FilterResult RatingThreshold(InteractionDataset dataset, float minRating) =>
        Apply(dataset, new FilterOptions { MinRating = minRating });

    /// <summary>Drops each interaction whose item equals the same user's previous interaction, keeping the first of each run.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <returns>The filtered dataset and a one-step report.</returns>
    public static FilterResult RemoveConsecutiveRepeats(InteractionDataset dataset) =>
        Apply(dataset, new FilterOptions { RemoveConsecutiveRepeats = true });

    /// <summary>
    /// The k-core: repeatedly drops the interactions of users with fewer than <paramref name="minUserInteractions"/>
    /// and of items with fewer than <paramref name="minItemInteractions"/> interactions, recounting after each round,
    /// until both bounds hold (RecBole's <c>user_inter_num_interval</c> / <c>item_inter_num_interval</c> lower bounds).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="minUserInteractions">Lower bound per user (0 or 1: none).</param>
    /// <param name="minItemInteractions">Lower bound per item (0 or 1: none).</param>
    /// <returns>The filtered dataset and a one-step report whose <see cref="FilterStep.Rounds"/> counts the rounds.</returns>
    /// <exception cref="InvalidOperationException">The k-core is empty.</exception>
    public static FilterResult KCore(InteractionDataset dataset, int minUserInteractions, int minItemInteractions) =>
        Apply(dataset, new FilterOptions { MinUserInteractions = minUserInteractions, MinItemInteractions = minItemInteractions });

    /// <summary>Drops users with fewer than <paramref name="minLength"/> interactions (one pass; items left without interactions go too).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="minLength">The shortest sequence kept.</param>
    /// <returns>The filtered dataset and a one-step report.</returns>
    /// <exception cref="InvalidOperationException">No user is that long.</exception>
    public static FilterResult MinSequenceLength(InteractionDataset dataset, int minLength) =>
        Apply(dataset, new FilterOptions { MinSequenceLength = minLength });

    private static string F(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The row mask being filtered, with the per-user and per-item counts of kept rows.</summary>
    private sealed class RowState
    {
        private readonly InteractionDataset _data;
        private readonly int[] _userCounts;
        private readonly int[] _itemCounts;
        private int _interactions;
        private int _users;
        private int _items;

        public RowState(InteractionDataset data)
        {
            _data = data;
            Keep = new bool[data.NumInteractions];
            Keep.AsSpan().Fill(true);
            _userCounts = new int[data.Users.Count];
            _itemCounts = new int[data.Items.Count];
            Recount();
        }

        public bool[] Keep { get; }

        /// <summary>Runs one step (which returns its rounds) and reports the difference it made.</summary>
        public FilterStep Run(string name, Func<RowState, int> step)
        {
            int interactions = _interactions, users = _users, items = _items;
            int rounds = step(this);
            Recount();
            if (_interactions == 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"DatasetFilters on '{_data.Name}': step '{name}' removed all {interactions:N0} remaining interactions ({users:N0} users, {items:N0} items); nothing would be left. Loosen this filter."));
            }

            return new FilterStep(name, rounds, interactions - _interactions, users - _users, items - _items, _interactions, _users, _items);
        }

        public int KeepRatingsAtLeast(float threshold)
        {
            var ratings = _data.RatingColumn;
            for (int r = 0; r < Keep.Length; r++)
            {
                Keep[r] &= ratings[r] >= threshold;
            }

            return 1;
        }

        public int RemoveConsecutiveRepeats()
        {
            var offsets = _data.UserOffsets;
            var items = _data.ItemColumn;
            for (int u = 1; u <= _data.NumUsers; u++)
            {
                int previous = 0;
                for (int r = offsets[u]; r < offsets[u + 1]; r++)
                {
                    if (!Keep[r])
                    {
                        continue;
                    }

                    if (items[r] == previous)
                    {
                        Keep[r] = false;
                    }

                    previous = items[r];
                }
            }

            return 1;
        }

        public int KCore(int minUser, int minItem)
        {
            var offsets = _data.UserOffsets;
            var items = _data.ItemColumn;
            int rounds = 0;
            while (true)
            {
                Recount();
                bool removed = false;
                for (int u = 1; u <= _data.NumUsers; u++)
                {
                    bool userBanned = _userCounts[u] < minUser;
                    for (int r = offsets[u]; r < offsets[u + 1]; r++)
                    {
                        if (Keep[r] && (userBanned || _itemCounts[items[r]] < minItem))
                        {
                            Keep[r] = false;
                            removed = true;
                        }
                    }
                }

                if (!removed)
                {
                    return rounds;
                }

                rounds++;
            }
        }

        public int MinSequenceLength(int min)
        {
            var offsets = _data.UserOffsets;
            for (int u = 1; u <= _data.NumUsers; u++)
            {
                if (_userCounts[u] < min)
                {
                    Keep.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Clear();
                }
            }

            return 1;
        }

        /// <summary>Recomputes the counts of kept rows per user and item, and how many users and items have any.</summary>
        private void Recount()
        {
            var offsets = _data.UserOffsets;
            var items = _data.ItemColumn;
            Array.Clear(_userCounts);
            Array.Clear(_itemCounts);
            _interactions = 0;
            for (int u = 1; u <= _data.NumUsers; u++)
            {
                for (int r = offsets[u]; r < offsets[u + 1]; r++)
                {
                    if (Keep[r])
                    {
                        _userCounts[u]++;
                        _itemCounts[items[r]]++;
                    }
                }

                _interactions += _userCounts[u];
            }

            _users = CountPositive(_userCounts);
            _items = CountPositive(_itemCounts);
        }

        private static int CountPositive(int[] counts)
        {
            int n = 0;
            foreach (int c in counts)
            {
                n += c > 0 ? 1 : 0;
            }

            return n;
        }
    }
}
