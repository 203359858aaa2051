namespace ParamGen.Data;

/// <summary>A way of dividing a dataset's interactions into training, validation and test examples.</summary>
public interface IDatasetSplitter
{
    /// <summary>Splits a dataset. Throws before returning anything when the data does not fit the split.</summary>
    /// <param name="dataset">The dataset (usually filtered first).</param>
    /// <returns>The examples of each part and a report of the counts.</returns>
    DatasetSplit Split(InteractionDataset dataset);
}
