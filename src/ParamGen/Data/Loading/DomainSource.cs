namespace ParamGen.Data;

/// <summary>One file of a multi-domain dataset: the domain's name, its interaction file and optionally its item side file.</summary>
/// <param name="Name">The domain name (also the namespace of its user and item tokens unless shared), e.g. <c>Beauty</c>.</param>
/// <param name="Path">The interaction file, in any format <see cref="DatasetLoader"/> reads.</param>
/// <param name="ItemFilePath">An item side file for this domain's items (matched by the file's own item tokens), or null.</param>
public sealed record DomainSource(string Name, string Path, string? ItemFilePath = null)
{
    /// <summary>A source named after its file: the file name without extension (<c>Beauty.txt</c> → <c>Beauty</c>).</summary>
    /// <param name="path">The interaction file.</param>
    /// <param name="itemFilePath">An item side file, or null.</param>
    /// <returns>The source.</returns>
    public static DomainSource FromPath(string path, string? itemFilePath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new DomainSource(System.IO.Path.GetFileNameWithoutExtension(path), path, itemFilePath);
    }
}
