using System.Buffers.Binary;
using System.Text;
using ParamGen.Tensors;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;

namespace ParamGen.Tensors.Tests.Nn;

/// <summary>The Module contract: ordered dotted state keys, strict all-or-nothing loading, modes, gradients and files.</summary>
public class ModuleInfrastructureTests
{
    /// <summary>A small composite in the shape of a recommender backbone.</summary>
    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(ulong seed = 0)
        {
            var g = new Generator(seed);
            Emb = RegisterModule("emb", new Embedding(11, 6, paddingIdx: 0, generator: g));
            Blocks = RegisterModule("blocks", new ModuleList<Linear>(new Linear(6, 6, generator: g), new Linear(6, 6, bias: false, generator: g)));
            Norm = RegisterModule("norm", new BatchNorm1d(6));
            Drop = RegisterModule("drop", new Dropout(0.5f, g));
            Head = RegisterModule("head", new Sequential(new Linear(6, 4, generator: g), new Relu(), new Linear(4, 3, generator: g)));
        }

        public Embedding Emb { get; }

        public ModuleList<Linear> Blocks { get; }

        public BatchNorm1d Norm { get; }

        public Dropout Drop { get; }

        public Sequential Head { get; }

        public override Tensor Forward(Tensor input)
        {
            var x = input;
            foreach (var b in Blocks)
            {
                x = b.Forward(x).Tanh();
            }

            return Head.Forward(Drop.Forward(Norm.Forward(x)));
        }
    }

    private static readonly string[] NetKeys =
    [
        "emb.weight", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
        "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked",
        "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias",
    ];

    private static Dictionary<string, Tensor> CopyOfState(Module m)
        => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);

    private static void AssertStateEqual(IReadOnlyDictionary<string, Tensor> expected, Module m)
    {
        foreach (var (key, t) in m.StateDict())
        {
            TensorAssert.Equal(expected[key], t);
        }
    }

    [Fact]
    public void StateDictKeysAreDottedPathsInRegistrationOrder()
    {
        Assert.Equal(NetKeys, new Net().StateDict().Select(kv => kv.Key));
    }

    [Fact]
    public void ParametersComeInRegistrationOrderWithoutBuffers()
    {
        var net = new Net();
        var expected = NetKeys.Where(k => !k.Contains("running", StringComparison.Ordinal) && !k.Contains("num_batches", StringComparison.Ordinal));
        Assert.Equal(expected, net.NamedParameters().Select(p => p.Name));
        Assert.Equal(net.NamedParameters().Select(p => p.Parameter), net.Parameters());
        Assert.Equal(["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal((11 * 6) + 36 + 6 + 36 + 6 + 6 + 24 + 4 + 12 + 3, net.ParameterCount());
    }

    [Fact]
    public void ModulesMatchPyTorchStateKeys()
    {
        Assert.Equal(
            ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
             "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            new TransformerBlock(8, 2, 16).StateDict().Select(kv => kv.Key));
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"],
            new Gru(3, 4, numLayers: 2).StateDict().Select(kv => kv.Key));
        Assert.Equal(["weight_ih_l0", "weight_hh_l0"], new Gru(3, 4, bias: false).StateDict().Select(kv => kv.Key));
        Assert.Equal(["in_proj_weight", "out_proj.weight"], new MultiHeadAttention(4, 2, bias: false).StateDict().Select(kv => kv.Key));
        Assert.Equal(["weight", "bias"], new Conv1d(2, 3, 3, causal: true).StateDict().Select(kv => kv.Key));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], new BatchNorm1d(3, affine: false).StateDict().Select(kv => kv.Key));
        Assert.Empty(new BatchNorm1d(3, affine: false, trackRunningStats: false).StateDict());
        Assert.Equal(["weight"], new LayerNorm(3, bias: false).StateDict().Select(kv => kv.Key));
        Assert.Empty(new LayerNorm(3, elementwiseAffine: false).StateDict());
        var gru = new Gru(3, 4, numLayers: 2);
        Assert.Equal(new Shape(12, 3), gru.WeightIh[0].Shape);
        Assert.Equal(new Shape(12, 4), gru.WeightIh[1].Shape);
    }

    [Fact]
    public void LoadStateDictCopiesEveryValue()
    {
        var source = new Net(1);
        var target = new Net(2);
        source.Norm.RunningMean!.Span.Fill(0.5f);
        var result = target.LoadStateDict(CopyOfState(source));
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        AssertStateEqual(CopyOfState(source), target);
    }

    [Fact]
    public void StrictLoadWithMissingKeyThrowsNamingItAndChangesNothing()
    {
        var target = new Net(2);
        var before = CopyOfState(target);
        var state = CopyOfState(new Net(1));
        state.Remove("head.2.bias");
        var ex = Assert.Throws<KeyNotFoundException>(() => target.LoadStateDict(state));
        Assert.Contains("head.2.bias", ex.Message, StringComparison.Ordinal);
        AssertStateEqual(before, target);
    }

    [Fact]
    public void StrictLoadWithUnexpectedKeyThrowsNamingItAndChangesNothing()
    {
        var target = new Net(2);
        var before = CopyOfState(target);
        var state = CopyOfState(new Net(1));
        state["blocks.2.weight"] = Tensor.Zeros(6, 6);
        var ex = Assert.Throws<KeyNotFoundException>(() => target.LoadStateDict(state));
        Assert.Contains("blocks.2.weight", ex.Message, StringComparison.Ordinal);
        AssertStateEqual(before, target);
    }

    [Fact]
    public void LoadWithWrongShapeThrowsNamingKeyAndShapesAndChangesNothing()
    {
        // The bad key is the last one, so a loader that copied as it went would already have changed the others.
        var target = new Net(2);
        var before = CopyOfState(target);
        var state = CopyOfState(new Net(1));
        state["head.2.bias"] = Tensor.Zeros(4);
        foreach (bool strict in new[] { true, false })
        {
            var ex = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state, strict));
            Assert.Contains("head.2.bias", ex.Message, StringComparison.Ordinal);
            Assert.Contains("[4]", ex.Message, StringComparison.Ordinal);
            Assert.Contains("[3]", ex.Message, StringComparison.Ordinal);
            AssertStateEqual(before, target);
        }
    }

    [Fact]
    public void NonStrictLoadReportsMissingAndUnexpectedKeysAndLoadsTheRest()
    {
        var target = new Net(2);
        var before = CopyOfState(target);
        var source = CopyOfState(new Net(1));
        var state = new Dictionary<string, Tensor>(source, StringComparer.Ordinal);
        state.Remove("emb.weight");
        state.Remove("norm.running_var");
        state["extra.weight"] = Tensor.Zeros(2);
        var result = target.LoadStateDict(state, strict: false);
        Assert.Equal(["emb.weight", "norm.running_var"], result.MissingKeys);
        Assert.Equal(["extra.weight"], result.UnexpectedKeys);
        TensorAssert.Equal(before["emb.weight"], target.Emb.Weight);
        TensorAssert.Equal(before["norm.running_var"], target.Norm.RunningVar!);
        TensorAssert.Equal(source["head.0.weight"], target.Head[0].StateDict()[0].Value);
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        var net = new Net();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.Training, m.Name));
        Assert.Same(net, net.Eval());
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.Training, m.Name));
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.Training, m.Name));
        Assert.Equal(["", "emb", "blocks", "blocks.0", "blocks.1", "norm", "drop", "head", "head.0", "head.1", "head.2"], net.NamedModules().Select(m => m.Name));
    }

    [Fact]
    public void DropoutIsActiveOnlyInTraining()
    {
        var drop = new Dropout(0.5f, new Generator(3));
        var x = Tensor.Ones(2000);
        var trained = drop.Forward(x).ToArray();
        int zeros = trained.Count(v => v == 0f);
        Assert.InRange(zeros, 850, 1150);
        Assert.All(trained, v => Assert.True(v == 0f || v == 2f));
        drop.Eval();
        TensorAssert.Equal(x, drop.Forward(x));
    }

    [Fact]
    public void BatchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInEval()
    {
        var bn = new BatchNorm1d(2, momentum: 0.5f);
        var x = new Tensor([1f, 10f, 3f, 20f, 5f, 30f], 3, 2); // channel 0: 1, 3, 5; channel 1: 10, 20, 30
        var y = bn.Forward(x);
        Assert.Equal(-Math.Sqrt(1.5), y[0, 0], 3);                 // (1 - 3) / sqrt(var_biased = 8/3)
        Assert.Equal([1.5f, 10f], bn.RunningMean!.ToArray());       // 0.5 * 0 + 0.5 * mean
        Assert.Equal([2.5f, 50.5f], bn.RunningVar!.ToArray());      // 0.5 * 1 + 0.5 * unbiased var (4, 100)
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
        bn.Eval();
        var z = bn.Forward(x);
        Assert.Equal((1 - 1.5) / Math.Sqrt(2.5 + 1e-5), z[0, 0], 4);
        Assert.Equal([1.5f, 10f], bn.RunningMean.ToArray());
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void BatchNormWithoutMomentumKeepsACumulativeAverage()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        bn.Forward(new Tensor([1f, 3f], 2, 1));
        bn.Forward(new Tensor([5f, 7f], 2, 1));
        Assert.Equal(4f, bn.RunningMean!.Item(), 5);                // mean of the batch means 2 and 6
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void ZeroGradClearsEveryParameterGradient()
    {
        var seq = new Sequential(new Linear(3, 4, generator: new Generator(1)), new Tanh(), new Linear(4, 2, generator: new Generator(2)));
        seq.Forward(Tensor.Randn([5, 3], new Generator(3))).Sum().Backward();
        Assert.All(seq.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Contains(seq.Parameters().SelectMany(p => p.Grad!.ToArray()), v => v != 0f);
        seq.ZeroGrad();
        Assert.All(seq.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void SharedModulesAndTiedParametersAppearOnceInParameters()
    {
        var shared = new Linear(3, 3);
        var list = new ModuleList<Linear>(shared, shared);
        Assert.Equal(["0.weight", "0.bias"], list.NamedParameters().Select(p => p.Name));
        Assert.Equal(2, list.Parameters().Count());
        // The state dict keeps every path, as PyTorch's does.
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], list.StateDict().Select(kv => kv.Key));
        Assert.Same(list[0], list[-1]);
    }

    [Fact]
    public void SequentialAppliesStagesInOrderAndIsIndexable()
    {
        var a = new Linear(2, 3, generator: new Generator(1));
        var b = new Linear(3, 1, generator: new Generator(2));
        var seq = new Sequential(a, new Sigmoid()).Append(b);
        Assert.Equal(3, seq.Count);
        Assert.Same(b, seq[-1]);
        var x = Tensor.Randn([4, 2], new Generator(3));
        TensorAssert.Equal(b.Forward(a.Forward(x).Sigmoid()), seq.Forward(x));
        Assert.Same(x, new Sequential().Forward(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => seq[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => seq[-4]);
    }

    [Fact]
    public void ActivationModulesApplyTheirFunction()
    {
        var x = Tensor.Randn([3, 5], new Generator(4));
        TensorAssert.Equal(x.Relu(), new Relu().Forward(x));
        TensorAssert.Equal(x.Gelu(), new Gelu().Forward(x));
        TensorAssert.Equal(x.Gelu(tanhApproximation: true), new Gelu(tanhApproximation: true).Forward(x));
        TensorAssert.Equal(x.Tanh(), new Tanh().Forward(x));
        TensorAssert.Equal(x.Sigmoid(), new Sigmoid().Forward(x));
        TensorAssert.Equal(x.Silu(), new Silu().Forward(x));
        Assert.Empty(new Gelu().StateDict());
    }

    [Fact]
    public void SaveAndLoadRoundTripThroughSafetensors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"paramgen-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            var source = new Net(1);
            source.Norm.RunningVar!.Span.Fill(3f);
            source.Norm.NumBatchesTracked!.Span[0] = 7f;
            source.Save(path);
            var target = new Net(2);
            var result = target.Load(path);
            Assert.Empty(result.MissingKeys);
            AssertStateEqual(CopyOfState(source), target);
            Assert.Equal(7f, target.Norm.NumBatchesTracked!.Item());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadAcceptsTorchDtypesSuchAsInt64BatchCounter()
    {
        // What safetensors.torch.save_file(nn.BatchNorm1d(2).state_dict()) writes: F32 tensors and an I64 scalar.
        string path = Path.Combine(Path.GetTempPath(), $"paramgen-torch-bn-{Guid.NewGuid():N}.safetensors");
        try
        {
            var data = new List<byte>();
            var header = new StringBuilder("{");
            void Add(string name, string dtype, int[] shape, byte[] bytes)
            {
                header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}},");
                data.AddRange(bytes);
            }

            byte[] F32(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
            Add("weight", "F32", [2], F32(2f, 3f));
            Add("bias", "F32", [2], F32(-1f, 1f));
            Add("running_mean", "F32", [2], F32(0.5f, 0.25f));
            Add("running_var", "F32", [2], F32(4f, 9f));
            var counter = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(counter, 12);
            Add("num_batches_tracked", "I64", [], counter);
            header.Length--;
            header.Append('}');
            var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
            var file = new byte[8 + headerBytes.Length + data.Count];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
            headerBytes.CopyTo(file, 8);
            data.CopyTo(file, 8 + headerBytes.Length);
            File.WriteAllBytes(path, file);

            var bn = new BatchNorm1d(2);
            bn.Load(path);
            Assert.Equal(12f, bn.NumBatchesTracked!.Item());
            Assert.Equal([4f, 9f], bn.RunningVar!.ToArray());
            Assert.Equal([2f, 3f], bn.Weight!.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModuleListKeysChildrenByIndex()
    {
        var list = new ModuleList(new Relu(), new Linear(2, 2));
        list.Add(new LayerNorm(2));
        Assert.Equal(["0", "1", "2"], list.NamedChildren().Select(c => c.Name));
        Assert.Equal(["1.weight", "1.bias", "2.weight", "2.bias"], list.StateDict().Select(kv => kv.Key));
        Assert.IsType<LayerNorm>(list[2]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => list[5]);
        Assert.Contains("5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheBatchNormSaysItUsesBatchStatistics_AndTheFlagIsPerModule()
    {
        var net = new Net();
        var flagged = net.NamedModules().Where(m => m.Module.UsesBatchStatistics).Select(m => m.Name).ToList();
        Assert.Equal(["norm"], flagged);
    }
}
