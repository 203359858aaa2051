namespace ParamGen.Tensors.Serialization;

/// <summary>Writes files so that readers see either the old file or the complete new one, never a partial write.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, flushes it to disk,
    /// then moves it over <paramref name="path"/>. On failure the temporary file is removed and the old file is intact.
    /// </summary>
    /// <param name="path">The file to create or replace; its folder is created when missing.</param>
    /// <param name="bytes">The whole content.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string tmp = Begin(path, out string full);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            Abandon(tmp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically (see <see cref="WriteAllBytes"/>).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="text">The whole content.</param>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// Lets <paramref name="writeTemporary"/> write the content to a temporary file beside <paramref name="path"/>
    /// (for writers that open files by name), flushes it to disk and moves it over <paramref name="path"/>. On failure
    /// the temporary file is removed and the old file is intact.
    /// </summary>
    /// <param name="path">The file to create or replace; its folder is created when missing.</param>
    /// <param name="writeTemporary">Writes the whole content to the path it is given (which does not exist yet) and closes it.</param>
    public static void Write(string path, Action<string> writeTemporary)
    {
        ArgumentNullException.ThrowIfNull(writeTemporary);
        string tmp = Begin(path, out string full);
        try
        {
            writeTemporary(tmp);
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            Abandon(tmp);
            throw;
        }
    }

    private static string Begin(string path, out string full)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static void Abandon(string tmp)
    {
        try
        {
            File.Delete(tmp);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
    }
}
