using ParamGen.Tensors;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Optim;

/// <summary>Tests that change the process-wide Engine.NumThreads run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineThreadsCollection
{
    public const string Name = "Optim.EngineNumThreads";
}

/// <summary>Same seed (and same thread count) gives bitwise-identical training; so does a different thread count.</summary>
[Collection(EngineThreadsCollection.Name)]
public class DeterminismTests
{
    private static Dictionary<string, float[]> TrainFromSeed(ulong seed, int steps, int hidden = TrainingLoop.Hidden, int batch = TrainingLoop.Batch)
    {
        var g = new Generator(seed);
        var (x, y) = TrainingLoop.Data(g);
        var (model, opt, schedule) = TrainingLoop.Create(g);
        TrainingLoop.Train(model, opt, schedule, x, y, g, steps, batch);
        return model.Snapshot();
    }

    private static void AssertBitwiseEqual(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
    {
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (k, v) in a)
        {
            Assert.Equal(v, b[k]);
        }
    }

    [Fact]
    public void SameSeedGivesBitwiseIdenticalWeights()
    {
        var a = TrainFromSeed(42, 8);
        var b = TrainFromSeed(42, 8);
        AssertBitwiseEqual(a, b);
        var c = TrainFromSeed(43, 8);
        Assert.NotEqual(a["fc1.weight"], c["fc1.weight"]);
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseIdenticalWeights()
    {
        int saved = Engine.NumThreads;
        try
        {
            // Batch 96 x hidden 40 keeps the GEMMs large enough to be split across threads.
            Engine.NumThreads = 1;
            var one = TrainFromSeed(7, 6, batch: 96);
            Engine.NumThreads = 2;
            var two = TrainFromSeed(7, 6, batch: 96);
            AssertBitwiseEqual(one, two);
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
