using ParamGen.Data;
using ParamGen.Tensors.Random;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

public class NegativeDrawsTests
{
    [Fact]
    public void Negatives_NeverHitTheUsersItems_AndAreZeroAtPadding()
    {
        var split = TrainingTestData.Planted(users: 60, items: 12);
        var dataset = split.Dataset;
        var draws = new NegativeDraws(new UniformNegativeSampler(dataset), perPosition: 3);
        var g = new Generator(3);
        int checkedCount = 0;
        foreach (var batch in new SequenceBatcher(dataset, split.Train, new SequenceBatchOptions { BatchSize = 16, MaxLength = 8 }))
        {
            var negatives = draws.Draw(batch, g);
            Assert.Equal([batch.Size, 8, 3], negatives.Shape.ToArray());
            var n = negatives.AsReadOnlySpan();
            var targets = batch.Targets.AsReadOnlySpan();
            for (int b = 0; b < batch.Size; b++)
            {
                var history = dataset.GetSequence(batch.UserIds[b]).ToArray();
                for (int t = 0; t < 8; t++)
                {
                    for (int j = 0; j < 3; j++)
                    {
                        int id = (int)n[(((b * 8) + t) * 3) + j];
                        if (targets[(b * 8) + t] == 0)
                        {
                            Assert.Equal(0, id);
                            continue;
                        }

                        Assert.InRange(id, 1, dataset.NumItems);
                        Assert.DoesNotContain(id, history);
                        Assert.NotEqual((int)targets[(b * 8) + t], id);
                        checkedCount++;
                    }
                }
            }
        }

        Assert.True(checkedCount > 500, $"only {checkedCount} negatives were checked");
    }

    [Fact]
    public void LastPositionNegatives_AreOneRowPerSample_NeverTheUsersItems()
    {
        var split = TrainingTestData.Planted(users: 60, items: 12);
        var dataset = split.Dataset;
        var draws = new NegativeDraws(new UniformNegativeSampler(dataset), perPosition: 3);
        var batch = new SequenceBatcher(dataset, split.Train, new SequenceBatchOptions { BatchSize = 60, MaxLength = 8 }).First();
        var negatives = draws.DrawLast(batch, new Generator(3));
        Assert.Equal([batch.Size, 3], negatives.Shape.ToArray());
        for (int b = 0; b < batch.Size; b++)
        {
            var history = dataset.GetSequence(batch.UserIds[b]).ToArray();
            for (int j = 0; j < 3; j++)
            {
                int id = (int)negatives[b, j];
                Assert.InRange(id, 1, dataset.NumItems);
                Assert.DoesNotContain(id, history);
            }
        }

        Assert.Equal(draws.DrawLast(batch, new Generator(4)).ToArray(), draws.DrawLast(batch, new Generator(4)).ToArray());
    }

    [Fact]
    public void Draws_DependOnlyOnTheGeneratorState()
    {
        var split = TrainingTestData.Planted(users: 30, items: 20);
        var batch = new SequenceBatcher(split.Dataset, split.Train, new SequenceBatchOptions { BatchSize = 30, MaxLength = 8 }).First();
        var draws = new NegativeDraws(new UniformNegativeSampler(split.Dataset), perPosition: 2);
        var a = draws.Draw(batch, new Generator(9)).ToArray();
        var b = draws.Draw(batch, new Generator(9)).ToArray();
        var c = draws.Draw(batch, new Generator(10)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
