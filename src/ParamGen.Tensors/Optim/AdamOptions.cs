using System.Text.Json.Nodes;

namespace ParamGen.Tensors.Optim;

/// <summary>Hyper-parameters of <see cref="Adam"/>, with <c>torch.optim.Adam</c>'s meaning and defaults.</summary>
public record AdamOptions : OptimizerOptions
{
    /// <summary>Decay of the first-moment average (default 0.9). Must be in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second-moment average (default 0.999). Must be in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for numerical stability (default 1e-8). Must be finite and greater than 0.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Whether to use the AMSGrad variant (the running maximum of the second moment; default false).</summary>
    public bool Amsgrad { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw Bad(nameof(Beta1), Beta1, "must be in [0, 1)");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw Bad(nameof(Beta2), Beta2, "must be in [0, 1)");
        }

        if (!(Eps > 0) || double.IsInfinity(Eps))
        {
            throw Bad(nameof(Eps), Eps, "must be finite and greater than 0");
        }
    }

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["beta1"] = Beta1;
        json["beta2"] = Beta2;
        json["eps"] = Eps;
        json["amsgrad"] = Amsgrad;
    }

    internal static T FromJson<T>(JsonObject json, string where)
        where T : AdamOptions, new() => new T()
    {
        LearningRate = ReadDouble(json, "lr", where),
        WeightDecay = ReadDouble(json, "weight_decay", where),
        Beta1 = ReadDouble(json, "beta1", where),
        Beta2 = ReadDouble(json, "beta2", where),
        Eps = ReadDouble(json, "eps", where),
        Amsgrad = ReadBool(json, "amsgrad", where),
    };
}
