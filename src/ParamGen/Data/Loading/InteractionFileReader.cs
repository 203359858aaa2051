namespace ParamGen.Data;

/// <summary>Reads the rows of one planned interaction file into a <see cref="RowSink"/>.</summary>
internal static class InteractionFileReader
{
    /// <summary>Reads the file; returns its report entry. Throws <see cref="DataFormatException"/> on the first bad line.</summary>
    public static FileLoadReport Read(FilePlan plan, RowSink sink, string domain)
    {
        return plan.Columns is null ? ReadTokenLines(plan, sink, domain) : ReadRows(plan, plan.Columns, sink, domain);
    }

    /// <summary>User sequences and pairs: <c>user i1 i2 ...</c>; a two-token line is one pair.</summary>
    private static FileLoadReport ReadTokenLines(FilePlan plan, RowSink sink, string domain)
    {
        using var lines = new LineReader(plan.Path);
        long blank = 0, rows = 0;
        bool allPairs = true;
        while (lines.TryReadLine(out var line))
        {
            var rest = line;
            if (!FieldText.NextToken(ref rest, out var userToken))
            {
                blank++;
                continue;
            }

            long at = lines.LineNumber;
            int user = sink.User(userToken, at);
            int n = 0;
            while (FieldText.NextToken(ref rest, out var itemToken))
            {
                sink.Add(user, sink.Item(itemToken, at));
                n++;
            }

            if (n != 1)
            {
                if (n == 0)
                {
                    throw new DataFormatException(plan.Path, at, $"malformed line: user {FieldText.Quote(userToken)} has no item; a line is 'user item' or 'user i1 i2 ...' separated by spaces or tabs.");
                }

                if (plan.StrictPairs)
                {
                    throw new DataFormatException(plan.Path, at,
                        $"malformed line: expected 2 tokens 'user item' but found {n + 1} (format {plan.Format}: {plan.Reason}); for one line per user set DataLoadOptions.Format = DataFormat.UserSequences.");
                }

                allPairs = false;
            }

            rows += n;
        }

        if (rows == 0)
        {
            throw new DataFormatException(plan.Path, 0, "the file is empty (no line with data).");
        }

        var format = plan.Format;
        string reason = plan.Reason;
        if (!plan.StrictPairs && plan.Format is DataFormat.UserSequences or DataFormat.Pairs)
        {
            format = allPairs ? DataFormat.Pairs : DataFormat.UserSequences;
            reason += allPairs ? ", every line has two tokens" : ", lines with more than two tokens";
        }

        return new FileLoadReport(plan.Path, domain, format, reason, lines.LineNumber, rows, false, blank, []);
    }

    /// <summary>Delimited rows (CSV through CsvHelper, <c>.dat</c> and <c>.inter</c> through the span splitter).</summary>
    private static FileLoadReport ReadRows(FilePlan plan, ColumnMap columns, RowSink sink, string domain)
    {
        using var rows = RowSource.Open(plan.Path, plan.Format, plan.Separator);
        bool skippedHeader = false;
        long startRows = sink.Rows;
        while (rows.MoveNext())
        {
            long at = rows.LineNumber;
            if (at == plan.HeaderLine)
            {
                skippedHeader = true;
                continue;
            }

            if (rows.FieldCount != columns.FieldCount)
            {
                throw rows.WrongFieldCount(columns, plan.SeparatorName);
            }

            int user = sink.User(rows.Field(columns.User), at);
            int item = sink.Item(rows.Field(columns.Item), at);
            double time = 0;
            if (columns.Timestamp >= 0)
            {
                var text = rows.Field(columns.Timestamp);
                if (!FieldText.TryParseDouble(text, out time))
                {
                    throw new DataFormatException(plan.Path, at, $"timestamp {FieldText.Quote(text)} (column '{columns.Names[columns.Timestamp]}') is not a finite number.");
                }
            }

            float rating = 0;
            if (columns.Rating >= 0)
            {
                var text = rows.Field(columns.Rating);
                if (!FieldText.TryParseFloat(text, out rating))
                {
                    throw new DataFormatException(plan.Path, at, $"rating {FieldText.Quote(text)} (column '{columns.Names[columns.Rating]}') is not a finite number.");
                }
            }

            int domainId = columns.Domain >= 0 && sink.FixedDomain < 0 ? sink.Domain(rows.Field(columns.Domain), at) : 0;
            sink.Add(user, item, time, rating, domainId);
        }

        long read = sink.Rows - startRows;
        if (read == 0)
        {
            throw new DataFormatException(plan.Path, 0, skippedHeader ? $"the file has a header {FieldText.List(columns.Names)} but no data rows." : "the file is empty (no line with data).");
        }

        return new FileLoadReport(plan.Path, domain, plan.Format, plan.Reason, rows.LinesRead, read, skippedHeader, rows.BlankLines, columns.Names);
    }
}
