using ParamGen.Adapters;
using ParamGen.Backbones;
using ParamGen.Data;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tests.Evaluation;

/// <summary>
/// A fixed backbone for evaluation tests: the state after reading item i is row i of a state table (plus row g of
/// a domain table for rows of domain g, when given), and items are scored against fixed output embeddings. With
/// identity embeddings (<see cref="FromScores"/>) the scores after item i are simply row i of a score table.
/// </summary>
internal sealed class TableBackbone : Module, ISequentialBackbone
{
    private readonly Tensor _states;
    private readonly Tensor? _domainStates;

    public TableBackbone(Tensor states, Tensor embeddings, int maxLength = 50, Tensor? domainStates = null)
    {
        _states = states;
        _domainStates = domainStates;
        ItemEmbeddings = embeddings;
        MaxLength = maxLength;
        Slots = RegisterModule("adapters", new AdapterSlots());
    }

    public Module Module => this;

    public int NumItems => ItemEmbeddings.Shape[0] - 1;

    public int HiddenSize => ItemEmbeddings.Shape[1];

    public int MaxLength { get; }

    public AdapterSlots Slots { get; }

    public Tensor ItemEmbeddings { get; }

    /// <summary>Whether the module was in training mode at the last Encode.</summary>
    public bool? TrainingAtEncode { get; private set; }

    public int EncodeCalls { get; private set; }

    /// <summary>Identity embeddings: the scores after reading item i are <c>scores[i]</c> (rows 0 .. V, columns 0 .. V).</summary>
    public static TableBackbone FromScores(float[,] scores, int maxLength = 50)
    {
        int n = scores.GetLength(0);
        var table = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                table[(i * n) + j] = scores[i, j];
            }
        }

        return new TableBackbone(new Tensor(table, n, n), Tensor.Eye(n), maxLength);
    }

    public Tensor Encode(SequenceBatch batch, GeneratedWeights? weights = null)
    {
        TrainingAtEncode = Training;
        EncodeCalls++;
        var states = F.Embedding(batch.ItemIds, _states); // [B, L, d]
        if (_domainStates is not null)
        {
            var domain = F.Embedding(batch.DomainIdTensor, _domainStates).Unsqueeze(1); // [B, 1, d]
            states = states + domain;
        }

        return states;
    }

    public Tensor Score(Tensor states) => F.Linear(states, ItemEmbeddings); // [..., V + 1]

    public Tensor ScoreCandidates(Tensor states, Tensor candidates)
    {
        int b = candidates.Shape[0], c = candidates.Shape[1];
        var embedded = F.Embedding(candidates, ItemEmbeddings); // [B, C, d]
        return embedded.MatMul(states.Unsqueeze(2)).Reshape(b, c); // [B, C]
    }
}

/// <summary>Wraps a recommender and records the calls the evaluator makes.</summary>
internal sealed class CountingRecommender(ISequentialBackbone backbone) : ISequentialRecommender
{
    public ISequentialBackbone Backbone { get; } = backbone;

    public Module Module => Backbone.Module;

    public int EncodeLastCalls { get; private set; }

    public Tensor Encode(SequenceBatch batch) => Backbone.Encode(batch);

    public Tensor EncodeLast(SequenceBatch batch)
    {
        EncodeLastCalls++;
        return Backbone.Encode(batch).Select(1, -1);
    }
}
