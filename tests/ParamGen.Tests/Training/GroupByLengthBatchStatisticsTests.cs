using Microsoft.Extensions.Logging;
using ParamGen.Backbones;
using ParamGen.Generators;
using ParamGen.Tensors.Random;
using ParamGen.Tests.Generators;
using ParamGen.Training;

namespace ParamGen.Tests.Training;

/// <summary>The trainer warns when <see cref="TrainerOptions.GroupByLength"/> meets layers with batch statistics.</summary>
public class GroupByLengthBatchStatisticsTests
{
    private static readonly TrainerOptions OneEpoch = new()
    {
        Epochs = 1, BatchSize = 64, LearningRate = 1e-3, Patience = null, EvaluationInterval = 0, EvaluateTest = false, Seed = 1,
        Positions = TrainingPositions.Last, GroupByLength = true,
    };

    private static SasRec Sas(int items) => new(items, new SasRecOptions { HiddenSize = 16, Blocks = 1, Heads = 1, MaxLength = 12, Dropout = 0.1f }, new Generator(2));

    [Theory]
    [InlineData(HamurHiddenNorm.Batch, true, "generator.hidden_norms.0")]
    [InlineData(HamurHiddenNorm.None, true, null)]
    [InlineData(HamurHiddenNorm.Batch, false, null)]
    public void HamurWithBatchNorm_UnderGroupedBatches_IsWarnedAbout_NamingTheLayers(HamurHiddenNorm norm, bool grouped, string? named)
    {
        var split = HamurTestKit.PlantedDomains(users: 60);
        var backbone = Sas(split.Dataset.NumItems);
        var hamur = new HamurGenerator(backbone, HamurTestKit.TinyHamur() with { HiddenNorm = norm }, split.Dataset.NumDomains, new Generator(3));
        var logger = new CollectingLogger();
        new Trainer(new GeneratedRecommender(backbone, hamur), OneEpoch with { GroupByLength = grouped }, logger).Fit(split);

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        if (!grouped)
        {
            Assert.Empty(warnings);
            return;
        }

        // The adapters' domain norms always use batch statistics; the hypernetwork's batch norm only when it is on.
        var warning = Assert.Single(warnings);
        Assert.Contains("GroupByLength", warning, StringComparison.Ordinal);
        Assert.Contains("backbone.adapters.block0.norm", warning, StringComparison.Ordinal);
        if (named is null)
        {
            Assert.DoesNotContain("hidden_norms", warning, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(named, warning, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ABackboneWithoutBatchStatistics_UnderGroupedBatches_IsNotWarnedAbout()
    {
        var split = HamurTestKit.PlantedDomains(users: 60);
        var backbone = Sas(split.Dataset.NumItems);
        var logger = new CollectingLogger();
        new Trainer(new SequentialRecommender(backbone), OneEpoch, logger).Fit(split);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information); // the logger was used at all
    }

    private sealed class CollectingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
