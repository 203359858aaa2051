using System.Diagnostics.CodeAnalysis;

namespace ParamGen.Data;

/// <summary>
/// A two-way map between string tokens (user, item or category ids as they appear in files) and dense
/// integer ids. Id 0 is reserved for padding (token <see cref="PaddingToken"/>); real tokens get 1, 2, ... in the
/// order they were first seen.
/// </summary>
/// <remarks>
/// Lookups by <see cref="ReadOnlySpan{T}"/> of chars do not allocate, so parsers can map tokens straight from
/// the line buffer; only a token seen for the first time is copied into a string.
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>The id of the padding token: 0.</summary>
    public const int PaddingId = 0;

    /// <summary>The token stored at id 0: <c>[PAD]</c>.</summary>
    public const string PaddingToken = "[PAD]";

    private readonly List<string> _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    /// <summary>Creates a vocabulary that holds only the padding token.</summary>
    /// <param name="name">What the tokens are (e.g. <c>item</c>), used in error messages.</param>
    public Vocabulary(string name)
    {
        Name = name;
        _tokens = [PaddingToken];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal) { [PaddingToken] = PaddingId };
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Creates a vocabulary from tokens in id order, starting at id 1 (the padding token is added first).</summary>
    /// <param name="name">What the tokens are, used in error messages.</param>
    /// <param name="tokens">Tokens for ids 1, 2, ...; each must be distinct and not the padding token.</param>
    /// <exception cref="ArgumentException">A token repeats or is the padding token.</exception>
    public Vocabulary(string name, IEnumerable<string> tokens)
        : this(name)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        foreach (var token in tokens)
        {
            if (_ids.ContainsKey(token))
            {
                throw new ArgumentException($"Vocabulary '{name}': token '{token}' appears twice (or is the reserved padding token).", nameof(tokens));
            }

            Add(token);
        }
    }

    /// <summary>What the tokens are (e.g. <c>user</c>, <c>item</c>, <c>category</c>).</summary>
    public string Name { get; }

    /// <summary>Number of ids including padding; real tokens have ids 1 .. <c>Count - 1</c>.</summary>
    public int Count => _tokens.Count;

    /// <summary>All tokens in id order; index 0 is <see cref="PaddingToken"/>.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The token of an id.</summary>
    /// <param name="id">An id in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary; the message names the range.</exception>
    public string GetToken(int id)
    {
        if ((uint)id >= (uint)_tokens.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Vocabulary '{Name}': id {id} is outside [0, {_tokens.Count}).");
        }

        return _tokens[id];
    }

    /// <summary>The id of a token.</summary>
    /// <param name="token">A token of this vocabulary.</param>
    /// <exception cref="KeyNotFoundException">The token is unknown; the message names it.</exception>
    public int GetId(ReadOnlySpan<char> token)
    {
        if (_spanIds.TryGetValue(token, out int id))
        {
            return id;
        }

        throw new KeyNotFoundException($"Vocabulary '{Name}': unknown token '{token}'.");
    }

    /// <summary>Looks a token up without throwing.</summary>
    /// <param name="token">The token.</param>
    /// <param name="id">Its id when found, else 0.</param>
    /// <returns>Whether the token is known.</returns>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _spanIds.TryGetValue(token, out id);

    /// <summary>The id of a token, adding it with the next free id when it is new.</summary>
    /// <param name="token">The token; must not be empty.</param>
    /// <returns>Its id (at least 1 unless the token is <see cref="PaddingToken"/>).</returns>
    /// <exception cref="ArgumentException">The token is empty.</exception>
    public int GetOrAdd(ReadOnlySpan<char> token)
    {
        if (_spanIds.TryGetValue(token, out int id))
        {
            return id;
        }

        if (token.IsEmpty)
        {
            throw new ArgumentException($"Vocabulary '{Name}': a token must not be empty.", nameof(token));
        }

        return Add(token.ToString());
    }

    /// <summary>Whether a token is known.</summary>
    /// <param name="token">The token.</param>
    /// <returns>True when it has an id.</returns>
    public bool Contains([NotNullWhen(true)] string? token) => token is not null && _ids.ContainsKey(token);

    /// <summary>A new vocabulary holding, in order, the tokens of the given old ids (id <c>ids[k]</c> becomes <c>k + 1</c>).</summary>
    /// <param name="ids">Old ids to keep, each in [1, <see cref="Count"/>), without repeats.</param>
    /// <returns>The compacted vocabulary.</returns>
    public Vocabulary Select(ReadOnlySpan<int> ids)
    {
        var result = new Vocabulary(Name);
        foreach (int id in ids)
        {
            result.Add(GetToken(id));
        }

        return result;
    }

    private int Add(string token)
    {
        int id = _tokens.Count;
        _tokens.Add(token);
        _ids.Add(token, id);
        return id;
    }
}
