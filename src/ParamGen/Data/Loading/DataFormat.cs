namespace ParamGen.Data;

/// <summary>
/// The interaction file layouts that <see cref="DatasetLoader"/> reads and <see cref="DatasetWriter"/> writes.
/// </summary>
public enum DataFormat
{
    /// <summary>
    /// Detect the layout from the file's extension and first line (the default): <c>.txt</c>/<c>.seq</c> are
    /// <see cref="UserSequences"/> or <see cref="Pairs"/> (unless the first line holds <c>::</c> or a comma),
    /// <c>.pairs</c> is <see cref="Pairs"/>, <c>.csv</c>/<c>.tsv</c> are <see cref="Delimited"/>, <c>.dat</c> is
    /// <see cref="MovieLensDat"/> and <c>.inter</c> is <see cref="RecBoleAtomic"/>. Any other extension is an error
    /// that asks for an explicit format.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One line per user, <c>user i1 i2 ...</c>, tokens separated by spaces or tabs, items oldest first (the
    /// Amazon Beauty / Toys files of the S3Rec line). No header, timestamps or ratings: file order is time order.
    /// A user on several lines gets the lines' items appended in file order.
    /// </summary>
    UserSequences,

    /// <summary>
    /// One interaction per line, <c>user item</c>, separated by spaces or tabs, in time order. When this format is set
    /// explicitly or the extension is <c>.pairs</c>, every line must have exactly two tokens. A <c>user item</c> line reads the same as a
    /// one-item <see cref="UserSequences"/> line, so auto-detection reads both layouts alike and reports
    /// <see cref="Pairs"/> when every line of the file had two tokens.
    /// </summary>
    Pairs,

    /// <summary>
    /// Delimited text read with CsvHelper (RFC 4180 quoting): MovieLens <c>ratings.csv</c>
    /// (<c>userId,movieId,rating,timestamp</c>), <c>.tsv</c> files, or any separator set in
    /// <see cref="DataLoadOptions.Delimiter"/>. A header row names the columns. A first row that names no known user
    /// or item column and holds a number is data; the columns are then <see cref="DataLoadOptions.ColumnNames"/> or
    /// <c>user,item,rating,timestamp</c>.
    /// </summary>
    Delimited,

    /// <summary>
    /// MovieLens 1M/10M <c>ratings.dat</c>: <c>user::item::rating::timestamp</c>, no header, no quoting. The
    /// separator can be changed with <see cref="DataLoadOptions.Delimiter"/>.
    /// </summary>
    MovieLensDat,

    /// <summary>
    /// RecBole atomic file <c>.inter</c>: tab-separated, with a typed header such as
    /// <c>user_id:token item_id:token rating:float timestamp:float</c>.
    /// </summary>
    RecBoleAtomic,
}
