namespace ParamGen.Samples.MultiDomain;

/// <summary>Mean and sample standard deviation (n - 1 in the denominator; 0 for a single seed) of a metric over seeds.</summary>
internal static class SeedStatistics
{
    public static (double Mean, double Std) Of(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, values.Count > 1 ? Math.Sqrt(squares / (values.Count - 1)) : 0);
    }

    public static string Format(IReadOnlyList<double> values, string format = "F4")
    {
        var (mean, std) = Of(values);
        return $"{mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {std.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
