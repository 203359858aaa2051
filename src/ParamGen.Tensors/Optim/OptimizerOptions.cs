using System.Text.Json.Nodes;

namespace ParamGen.Tensors.Optim;

/// <summary>
/// Hyper-parameters shared by every optimizer: the learning rate and the weight decay. Each optimizer has
/// its own sealed record (<see cref="SgdOptions"/>, <see cref="AdamOptions"/>, <see cref="AdamWOptions"/>);
/// give a <see cref="ParamGroup"/> a copy made with <c>with { LearningRate = ... }</c> to tune one group.
/// </summary>
/// <remarks>Values are checked when an optimizer receives the record (<see cref="Validate"/>), so an
/// invalid value fails before any parameter is touched.</remarks>
public abstract record OptimizerOptions
{
    /// <summary>The learning rate (default 1e-3). Must be finite and greater than 0. A group's live rate,
    /// which schedules change, is <see cref="ParamGroup.LearningRate"/>; this value is its base rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The weight decay (default 0; <see cref="AdamWOptions"/> defaults to 0.01). Must be finite and non-negative.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Checks every value and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    /// <exception cref="ArgumentException">Values are inconsistent with each other.</exception>
    public virtual void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw Bad(nameof(LearningRate), LearningRate, "must be finite and greater than 0");
        }

        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            throw Bad(nameof(WeightDecay), WeightDecay, "must be finite and non-negative");
        }
    }

    /// <summary>Writes the values under PyTorch's names (<c>lr</c>, <c>weight_decay</c>, ...).</summary>
    internal virtual void WriteJson(JsonObject json)
    {
        json["lr"] = LearningRate;
        json["weight_decay"] = WeightDecay;
    }

    /// <summary>Builds the exception for a value outside its range, naming the property and value.</summary>
    private protected ArgumentOutOfRangeException Bad(string property, object value, string rule) =>
        new(property, value, $"{GetType().Name}.{property} = {value} is invalid: it {rule}.");

    /// <summary>Reads a number written by <see cref="WriteJson"/>.</summary>
    internal static double ReadDouble(JsonObject json, string key, string where)
    {
        if (json[key] is JsonValue v && v.TryGetValue(out double d))
        {
            return d;
        }

        throw new InvalidDataException($"{where}: option '{key}' is missing or not a number.");
    }

    /// <summary>Reads a boolean written by <see cref="WriteJson"/>.</summary>
    internal static bool ReadBool(JsonObject json, string key, string where)
    {
        if (json[key] is JsonValue v && v.TryGetValue(out bool b))
        {
            return b;
        }

        throw new InvalidDataException($"{where}: option '{key}' is missing or not true/false.");
    }
}
