namespace ParamGen.Training;

/// <summary>Counts that identify the data a run trained on, checked when it is resumed.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Users">Its users.</param>
/// <param name="Items">Its items.</param>
/// <param name="Interactions">Its interactions.</param>
/// <param name="TrainExamples">The split's training examples.</param>
internal sealed record DatasetSummary(string Name, int Users, int Items, int Interactions, int TrainExamples);
