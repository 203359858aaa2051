using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Evaluation;

/// <summary>
/// One evaluation run: scores batch after batch, keeps each example's rank counts (and its top-K list when list
/// metrics are on), and turns them into metrics at the end. Rows are ranked in parallel; metrics are summed in
/// example order, so the result does not depend on the thread count.
/// </summary>
internal sealed class RankingRun
{
    private readonly ISequentialRecommender _model;
    private readonly InteractionDataset _dataset;
    private readonly EvaluationOptions _options;
    private readonly SampledEvaluationNegatives? _negatives;
    private readonly int[] _ks;
    private readonly int _listLength;
    private readonly IntraListDiversity? _diversity;
    private readonly DomainCatalogue? _scope;
    private readonly int[] _higher;
    private readonly int[] _ties;
    private readonly int[] _domains;
    private readonly int[]? _lists;
    private readonly int[]? _listCounts;
    private readonly double[]? _diversities;

    public RankingRun(ISequentialRecommender model, InteractionDataset dataset, EvaluationOptions options, SampledEvaluationNegatives? negatives, int examples)
    {
        _model = model;
        _dataset = dataset;
        _options = options;
        _negatives = negatives;
        _ks = [.. options.Ks.Distinct().Order()];
        _higher = new int[examples];
        _ties = new int[examples];
        _domains = new int[examples];
        _scope = options.CandidateScope == CandidateScope.UserDomain ? DomainCatalogue.For(dataset) : null;
        if (options.ListMetrics && negatives is null)
        {
            _listLength = Math.Min(_ks[^1], dataset.NumItems);
            _lists = new int[examples * _listLength];
            _listCounts = new int[examples];
            if (dataset.ItemFeatures is { } features && features.Categories.Count > 1)
            {
                _diversity = new IntraListDiversity(features);
                _diversities = new double[examples * _ks.Length];
            }
        }
    }

    /// <summary>Ranks the targets of one batch, whose rows are the examples <paramref name="first"/> onwards.</summary>
    public void Score(SequenceBatch batch, int first)
    {
        var backbone = _model.Backbone;
        int b = batch.Size;
        var states = _model.EncodeLast(batch); // [B, d]
        CheckShape("EncodeLast", states, b, backbone.HiddenSize);
        if (_negatives is null)
        {
            var scores = backbone.Score(states); // [B, NumItems + 1]
            CheckShape("Backbone.Score", scores, b, backbone.NumItems + 1);
            long cost = (backbone.NumItems + 1L) * (_lists is null ? 1 : 2);
            WorkSplit.Dynamic(b, cost, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    RankFull(scores, batch, r, first + r);
                }
            });
        }
        else
        {
            int c = _negatives.Count + 1;
            var candidates = Candidates(batch, _negatives); // [B, 1 + negatives]: the target first
            var scores = backbone.ScoreCandidates(states, candidates); // [B, 1 + negatives]
            CheckShape("Backbone.ScoreCandidates", scores, b, c);
            WorkSplit.Dynamic(b, c, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    var row = scores.Span.Slice(r * c, c);
                    _scope?.Restrict(row[1..], candidates.AsReadOnlySpan().Slice((r * c) + 1, c - 1), batch.DomainIds[r]);
                    Rank(row[1..], row[0], first + r);
                }
            });
        }

        for (int r = 0; r < b; r++)
        {
            _domains[first + r] = batch.DomainIds[r];
        }
    }

    /// <summary>The metrics over every example scored, overall and per domain.</summary>
    public EvaluationResult Result(double seconds)
    {
        var metrics = RankingMetric.Standard(_ks);
        var overall = new Group(this, metrics.Count);
        var perDomain = _dataset.HasDomains && _dataset.NumDomains > 1 ? new Group?[_dataset.NumDomains] : null;
        var values = new double[metrics.Count];
        for (int e = 0; e < _higher.Length; e++)
        {
            for (int m = 0; m < metrics.Count; m++)
            {
                values[m] = metrics[m].Value(_higher[e], _ties[e], _options.Ties);
            }

            overall.Add(e, values);
            if (perDomain is not null)
            {
                int d = _domains[e];
                (perDomain[d] ??= new Group(this, metrics.Count, _scope?.Size(d))).Add(e, values);
            }
        }

        var domains = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        if (perDomain is not null)
        {
            for (int d = 0; d < perDomain.Length; d++)
            {
                if (perDomain[d] is { } group)
                {
                    domains[_dataset.DomainNames[d]] = group.Metrics(metrics);
                }
            }
        }

        return new EvaluationResult
        {
            Overall = overall.Metrics(metrics),
            PerDomain = domains,
            Protocol = _options.Protocol,
            MaskHistory = _options.MaskHistory,
            CandidateScope = _options.CandidateScope,
            Ties = _options.Ties,
            Examples = _higher.Length,
            Seconds = seconds,
        };
    }

    private static void CheckShape(string what, Tensor t, int rows, int cols)
    {
        if (t.Rank != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
        {
            throw new InvalidOperationException($"Evaluator: {what} returned {t.Shape}; expected [{rows}, {cols}] for a batch of {rows} rows.");
        }
    }

    private static Tensor Candidates(SequenceBatch batch, SampledEvaluationNegatives negatives)
    {
        int b = batch.Size, c = negatives.Count + 1;
        var ids = new float[b * c];
        var targets = batch.LastTargets.AsReadOnlySpan();
        for (int r = 0; r < b; r++)
        {
            ids[r * c] = targets[r];
            var row = negatives.For(batch.Examples[r].User);
            for (int j = 0; j < row.Length; j++)
            {
                ids[(r * c) + 1 + j] = row[j];
            }
        }

        return new Tensor(ids, b, c);
    }

    /// <summary>Ranks row r of full-catalogue scores (written in place: padding and masked items become -inf).</summary>
    private void RankFull(Tensor scores, SequenceBatch batch, int r, int example)
    {
        int width = _model.Backbone.NumItems + 1;
        var row = scores.Span.Slice(r * width, width);
        int target = (int)batch.LastTargets.AsReadOnlySpan()[r];
        row[0] = float.NegativeInfinity;
        _scope?.Restrict(row, batch.DomainIds[r]);
        if (_options.MaskHistory)
        {
            foreach (int item in batch.Examples[r].Input(_dataset))
            {
                if (item != target)
                {
                    row[item] = float.NegativeInfinity;
                }
            }
        }

        Rank(row[1..], row[target], example);
        if (_lists is not null)
        {
            var list = _lists.AsSpan(example * _listLength, _listLength);
            int count = ScoreTopK.Select(row[1..], list);
            for (int j = 0; j < count; j++)
            {
                list[j]++; // positions in row[1..] are item ids - 1
            }

            _listCounts![example] = count;
            _diversity?.Prefixes(list[..count], _ks, _diversities.AsSpan(example * _ks.Length, _ks.Length));
        }
    }

    /// <summary>Counts the candidates above and level with the target; the target itself is among <paramref name="candidates"/> (full) or not (sampled).</summary>
    private void Rank(ReadOnlySpan<float> candidates, float targetScore, int example)
    {
        if (float.IsNaN(targetScore))
        {
            // A NaN score ranks last: behind every other candidate.
            _higher[example] = candidates.Length - (_negatives is null ? 1 : 0);
            _ties[example] = 0;
            return;
        }

        var (higher, equal) = RankCounter.Count(candidates, targetScore);
        _higher[example] = higher;
        _ties[example] = _negatives is null ? equal - 1 : equal;
    }

    /// <summary>
    /// Sums over the examples of one group (all of them, or one domain's). <paramref name="catalogue"/> is the number of
    /// items the group's lists could draw from when it is not the whole catalogue (a domain under
    /// <see cref="CandidateScope.UserDomain"/>): the denominator of its coverage.
    /// </summary>
    private sealed class Group(RankingRun run, int metricCount, int? catalogue = null)
    {
        private readonly double[] _sums = new double[metricCount];
        private readonly double[] _diversitySums = new double[run._ks.Length];
        private readonly CatalogueCoverage? _coverage = run._lists is null ? null : new CatalogueCoverage(run._dataset.NumItems);
        private int _count;

        public void Add(int example, ReadOnlySpan<double> values)
        {
            _count++;
            for (int m = 0; m < values.Length; m++)
            {
                _sums[m] += values[m];
            }

            if (_coverage is not null)
            {
                _coverage.Add(run._lists.AsSpan(example * run._listLength, run._listCounts![example]));
            }

            if (run._diversities is not null)
            {
                for (int k = 0; k < _diversitySums.Length; k++)
                {
                    _diversitySums[k] += run._diversities[(example * _diversitySums.Length) + k];
                }
            }
        }

        public IReadOnlyDictionary<string, double> Metrics(IReadOnlyList<RankingMetric> metrics)
        {
            var result = new Dictionary<string, double>();
            for (int m = 0; m < metrics.Count; m++)
            {
                result[metrics[m].Key] = _sums[m] / _count;
            }

            if (_coverage is not null)
            {
                foreach (int k in run._ks)
                {
                    result[$"Coverage@{k}"] = catalogue is int size ? _coverage.Value(k) * _coverage.NumItems / size : _coverage.Value(k);
                }
            }

            if (run._diversities is not null)
            {
                for (int k = 0; k < run._ks.Length; k++)
                {
                    result[$"Diversity@{run._ks[k]}"] = _diversitySums[k] / _count;
                }
            }

            return result;
        }
    }
}
