using ParamGen.Training;

namespace ParamGen.Samples.MultiDomain;

/// <summary>
/// The <c>--results</c> folder: <c>setup.txt</c> (the run's data and settings, so a folder is never reused for another
/// comparison), one record per finished training and one checkpoint folder per training.
/// </summary>
internal static class RunStore
{
    /// <summary>Creates the folder, or checks that it was made for the same setup.</summary>
    /// <returns>False, with the reason, when the folder holds another setup's results.</returns>
    public static bool Open(string directory, string setup, out string? mismatch)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "setup.txt");
        if (File.Exists(path) && File.ReadAllText(path) is var saved && saved != setup)
        {
            mismatch = $"MultiDomain: --results {directory} holds the results of another setup:\n  saved: {saved}\n  now:   {setup}\nUse another folder.";
            return false;
        }

        File.WriteAllText(path, setup);
        mismatch = null;
        return true;
    }

    /// <summary>The record of one training.</summary>
    public static string RecordPath(string directory, string variant, ulong seed) => Path.Combine(directory, $"{variant}-seed{seed}.json");

    /// <summary>The checkpoint folder of one training.</summary>
    public static string CheckpointDirectory(string directory, string variant, ulong seed) => Path.Combine(directory, $"{variant}-seed{seed}");

    /// <summary>Whether an interrupted training left a checkpoint to go on from.</summary>
    public static bool CanResume(string checkpointDirectory) => File.Exists(Path.Combine(checkpointDirectory, TrainingCheckpoint.LastFileName));
}
