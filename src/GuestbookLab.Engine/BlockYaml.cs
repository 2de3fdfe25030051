using System;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>
/// The fast path of <see cref="YamlCodec"/>: a reader and a writer of our own for the block-style subset Kubernetes
/// manifests use (block mappings and sequences, plain, single- and double-quoted one-line scalars and keys, literal and
/// folded block scalars, flow collections closed on their line such as <c>[GET, POST]</c> and <c>{}</c>, a value on
/// the line after its key, comments, <c>---</c> between documents), in printable ASCII. Anything
/// outside the subset, anything that might be an error and anything over a limit is not read here: the reader returns
/// null and YamlCodec reads the text with YamlDotNet, which gives the same trees for the subset (YamlEquivalenceTests)
/// and its own errors for the rest. The writer writes what YamlDotNet's emitter writes for the same tree, and declines
/// (YamlDotNet writes the document) for a string outside printable ASCII or a form it does not know.
/// </summary>
internal static class BlockYaml
{
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-");

    // -------------------------------------------------------------------------------------------------- reading

    /// <summary>
    /// The documents of <paramref name="text"/> and the 1-based line each one's root mapping starts on (its first key's,
    /// as YamlDotNet marks it), or null when the text is outside the subset (or over a limit).
    /// </summary>
    public static (List<Dictionary<string, object?>> Trees, List<int> Lines)? TryParse(string text, ManifestLimits limits)
    {
        // Printable ASCII and line feeds only: tabs, CR, BOMs, other line breaks and unicode go to YamlDotNet.
        var span = text.AsSpan();
        var bad = span.IndexOfAnyExceptInRange(' ', '~');
        while (bad >= 0)
        {
            if (span[bad] != '\n')
            {
                return null;
            }

            var next = span[(bad + 1)..].IndexOfAnyExceptInRange(' ', '~');
            bad = next < 0 ? -1 : bad + 1 + next;
        }

        return new Reader(text, limits).ReadStream();
    }

    private sealed class Fallback : Exception
    {
        public static readonly Fallback Instance = new();
    }

    private sealed class Reader(string text, ManifestLimits limits)
    {
        private const int Marker = -1;
        private int pos;
        private long nodes;
        private int line = 1;
        private int lineCountedTo;

        public (List<Dictionary<string, object?>> Trees, List<int> Lines)? ReadStream()
        {
            var documents = new List<Dictionary<string, object?>>();
            var lines = new List<int>();
            try
            {
                while (true)
                {
                    var indent = NextContent();
                    if (pos >= text.Length)
                    {
                        return (documents, lines);
                    }

                    if (indent == Marker)
                    {
                        // "---" alone on its line: the next document.
                        if (!IsSeparator(pos))
                        {
                            return null;
                        }

                        pos = LineEnd(pos) + 1;
                        continue;
                    }

                    if (indent != 0 || !IsKeyAt(pos, LineEnd(pos)))
                    {
                        return null;
                    }

                    lines.Add(LineOf(pos));
                    documents.Add(ReadMapping(0, 0, -1));
                    NextContent();
                    if (pos < text.Length && !IsSeparator(pos))
                    {
                        return null;
                    }
                }
            }
            catch (Fallback)
            {
                return null;
            }
        }

        private static Fallback Fail() => Fallback.Instance;

        // The 1-based line of a position at or after the last one asked about.
        private int LineOf(int at)
        {
            line += text.AsSpan(lineCountedTo, at - lineCountedTo).Count('\n');
            lineCountedTo = at;
            return line;
        }

        private int LineEnd(int from)
        {
            var end = text.IndexOf('\n', from);
            return end < 0 ? text.Length : end;
        }

        // "---" with nothing but spaces after it.
        private bool IsSeparator(int lineStart)
        {
            var end = LineEnd(lineStart);
            return end - lineStart >= 3 && text.AsSpan(lineStart, 3) is "---" && text.AsSpan(lineStart + 3, end - lineStart - 3).IndexOfAnyExcept(' ') < 0;
        }

        // Moves pos to the start of the next line with content (not blank, not a comment) and returns its indentation,
        // or Marker for a line starting with "---", "..." or "%" (which ends every collection); at the end pos is the
        // text's length (and Marker is returned).
        private int NextContent()
        {
            while (pos < text.Length)
            {
                var end = LineEnd(pos);
                var line = text.AsSpan(pos, end - pos);
                var indent = line.IndexOfAnyExcept(' ');
                if (indent < 0 || line[indent] == '#')
                {
                    pos = end + 1;
                    continue;
                }

                if (indent == 0 && (line.StartsWith("---") || line.StartsWith("...") || line[0] == '%'))
                {
                    return Marker;
                }

                return indent;
            }

            pos = text.Length;
            return Marker;
        }

        private void Count()
        {
            if (++nodes > limits.MaxNodes)
            {
                throw Fail();
            }
        }

        private void Enter(int depth)
        {
            Count();
            if (depth + 1 > limits.MaxDepth)
            {
                throw Fail();
            }
        }

        // A key followed by ':' and a space or the line's end: the colon's position, or -1. The subset's keys: a plain
        // scalar without flow indicators, quotes, comments or a space before the colon, or a one-line quoted scalar.
        private int KeyEnd(int at, int lineEnd)
        {
            if (at >= lineEnd)
            {
                return -1;
            }

            var c = text[at];
            if (c is '"' or '\'')
            {
                var (_, after) = c == '"' ? DoubleQuoted(at, lineEnd) : SingleQuoted(at, lineEnd);
                return after < lineEnd && text[after] == ':' && (after + 1 == lineEnd || text[after + 1] == ' ') ? after : -1;
            }

            // The common keys ([A-Za-z0-9_][A-Za-z0-9._/-]*) without the loop below.
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                var length = text.AsSpan(at, lineEnd - at).IndexOfAnyExcept(KeyChars);
                if (length > 0 && text[at + length] == ':' && (at + length + 1 == lineEnd || text[at + length + 1] == ' '))
                {
                    return at + length;
                }
            }

            var second = at + 1 < lineEnd ? text[at + 1] : ' ';
            if (c is ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' || (c is '-' or '?' or ':' && second == ' '))
            {
                return -1;
            }

            for (var i = at; i < lineEnd; i++)
            {
                switch (text[i])
                {
                    case ':' when i > at && (i + 1 == lineEnd || text[i + 1] == ' '):
                        return text[i - 1] == ' ' ? -1 : i;
                    case '#' when i > at && text[i - 1] == ' ':
                        return -1;
                    case ',' or '[' or ']' or '{' or '}' or '"' or '\'' or '`':
                        return -1;
                    case '*' or '&' or '!':
                        // YamlDotNet reads "- a *x:" as a string, not a key (and "a *x: 1" as a string too).
                        return -1;
                }
            }

            return -1;
        }

        private bool IsKeyAt(int at, int lineEnd) => KeyEnd(at, lineEnd) >= 0;

        // A block mapping whose keys are at column indent; compactAt >= 0: its first key is at that position of the
        // current line (after "- ").
        private Dictionary<string, object?> ReadMapping(int indent, int depth, int compactAt)
        {
            Enter(depth);
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                int at;
                if (compactAt >= 0)
                {
                    at = compactAt;
                    compactAt = -1;
                }
                else
                {
                    var lineIndent = NextContent();
                    if (lineIndent == Marker || lineIndent < indent)
                    {
                        return map;
                    }

                    if (lineIndent > indent)
                    {
                        throw Fail();
                    }

                    at = pos + indent;
                }

                var lineEnd = LineEnd(at);
                var colon = KeyEnd(at, lineEnd);
                if (colon < 0)
                {
                    throw Fail();
                }

                var key = text[at] is '"' or '\'' ? (string)(text[at] == '"' ? DoubleQuoted(at, lineEnd) : SingleQuoted(at, lineEnd)).Value! : text.Substring(at, colon - at);
                Count();
                var value = ReadValue(SkipSpaces(colon + 1, lineEnd), lineEnd, indent, depth + 1, inMapping: true);
                if (!map.TryAdd(key, value))
                {
                    throw Fail();
                }
            }
        }

        private int SkipSpaces(int at, int lineEnd)
        {
            while (at < lineEnd && text[at] == ' ')
            {
                at++;
            }

            return at;
        }

        // A block sequence whose dashes are at column indent (pos: the start of its first line).
        private List<object?> ReadSequence(int indent, int depth)
        {
            Enter(depth);
            var list = new List<object?>();
            while (true)
            {
                var lineIndent = NextContent();
                if (lineIndent == Marker || lineIndent < indent)
                {
                    return list;
                }

                if (lineIndent > indent)
                {
                    throw Fail();
                }

                var dash = pos + indent;
                var lineEnd = LineEnd(dash);
                if (text[dash] != '-' || (dash + 1 < lineEnd && text[dash + 1] != ' '))
                {
                    // Not an item: the mapping this sequence is the value of goes on (or fails there).
                    return list;
                }

                var at = SkipSpaces(dash + 1, lineEnd);
                list.Add(at < lineEnd && IsKeyAt(at, lineEnd)
                    ? ReadMapping(at - pos, depth + 1, at)
                    : ReadValue(at, lineEnd, indent, depth + 1, inMapping: false));
            }
        }

        // The value after "key: " or "- " (at: its first character on the line); parent: the column of the key or dash.
        private object? ReadValue(int at, int lineEnd, int parent, int depth, bool inMapping)
        {
            if (at == lineEnd || text[at] == '#')
            {
                // Nothing on the line: a nested collection, or null.
                pos = lineEnd + 1;
                var indent = NextContent();
                if (indent != Marker && indent >= parent)
                {
                    var start = pos + indent;
                    var isItem = text[start] == '-' && (start + 1 == text.Length || text[start + 1] is ' ' or '\n');
                    if (isItem && (indent > parent || inMapping))
                    {
                        return ReadSequence(indent, depth);
                    }

                    if (indent > parent)
                    {
                        var end = LineEnd(start);
                        if (IsKeyAt(start, end))
                        {
                            return ReadMapping(indent, depth, -1);
                        }

                        // A scalar or flow collection on the next line ("spec:\n  {}"); not a block scalar.
                        return isItem || text[start] is '|' or '>' ? throw Fail() : ReadValue(start, end, parent, depth, inMapping);
                    }
                }

                Count();
                return null;
            }

            object? value;
            var c = text[at];
            int after;
            switch (c)
            {
                case '\'':
                    (value, after) = SingleQuoted(at, lineEnd);
                    Count();
                    break;
                case '"':
                    (value, after) = DoubleQuoted(at, lineEnd);
                    Count();
                    break;
                case '|' or '>':
                    Count();
                    return BlockScalar(at, lineEnd, parent);
                case '{' or '[':
                    (value, after) = Flow(at, lineEnd, depth);
                    break;
                default:
                    (value, after) = Plain(at, lineEnd);
                    Count();
                    break;
            }

            // Nothing but spaces and a comment after the value, and no line more indented after it (a continued plain
            // scalar or an error: YamlDotNet's to read).
            var rest = SkipSpaces(after, lineEnd);
            if (rest < lineEnd && (rest == after || text[rest] != '#'))
            {
                throw Fail();
            }

            pos = lineEnd + 1;
            var next = NextContent();
            if (next != Marker && next > parent)
            {
                throw Fail();
            }

            return value;
        }

        // A flow collection closed on its line: '[' items ']' or '{' key ': ' value pairs '}', separated by ", ", whose
        // scalars are quoted or plain without ':', '#' or indicators (the rest: YamlDotNet's).
        private (object? Value, int After) Flow(int at, int lineEnd, int depth)
        {
            Enter(depth);
            var isMap = text[at] == '{';
            var close = isMap ? '}' : ']';
            var map = isMap ? new Dictionary<string, object?>(StringComparer.Ordinal) : null;
            var list = isMap ? null : new List<object?>();
            var i = SkipSpaces(at + 1, lineEnd);
            if (i < lineEnd && text[i] == close)
            {
                return (isMap ? map : list, i + 1);
            }

            while (true)
            {
                if (isMap)
                {
                    if (i >= lineEnd || text[i] is '{' or '[')
                    {
                        throw Fail();
                    }

                    var (key, keyEnd) = FlowScalar(i, lineEnd, isKey: true);
                    Count();
                    if (keyEnd + 1 >= lineEnd || text[keyEnd] != ':' || text[keyEnd + 1] != ' ')
                    {
                        throw Fail();
                    }

                    var (value, valueEnd) = FlowItem(SkipSpaces(keyEnd + 1, lineEnd), lineEnd, depth + 1);
                    if (!map!.TryAdd((string)key!, value))
                    {
                        throw Fail();
                    }

                    i = valueEnd;
                }
                else
                {
                    var (item, itemEnd) = FlowItem(i, lineEnd, depth + 1);
                    list!.Add(item);
                    i = itemEnd;
                }

                i = SkipSpaces(i, lineEnd);
                if (i >= lineEnd)
                {
                    throw Fail();
                }

                if (text[i] == close)
                {
                    return (isMap ? map : list, i + 1);
                }

                // ", " and the next entry (no trailing comma).
                if (text[i] != ',' || i + 1 >= lineEnd || text[i + 1] != ' ')
                {
                    throw Fail();
                }

                i = SkipSpaces(i + 1, lineEnd);
                if (i >= lineEnd || text[i] is ',' or ']' or '}')
                {
                    throw Fail();
                }
            }
        }

        private (object? Value, int After) FlowItem(int at, int lineEnd, int depth)
        {
            if (at >= lineEnd)
            {
                throw Fail();
            }

            if (text[at] is '{' or '[')
            {
                return Flow(at, lineEnd, depth);
            }

            var scalar = FlowScalar(at, lineEnd, isKey: false);
            Count();
            return scalar;
        }

        // A quoted or plain scalar in a flow collection; a plain one ends before ',', ']' or '}' (or ':' for a key).
        private (object? Value, int After) FlowScalar(int at, int lineEnd, bool isKey)
        {
            var c = text[at];
            if (c == '\'')
            {
                return SingleQuoted(at, lineEnd);
            }

            if (c == '"')
            {
                return DoubleQuoted(at, lineEnd);
            }

            var second = at + 1 < lineEnd ? text[at + 1] : ' ';
            if (c is '?' or ':' or ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' or ' ' || (c == '-' && second is ' ' or ',' or ']' or '}'))
            {
                throw Fail();
            }

            var end = at;
            while (end < lineEnd && text[end] is not (',' or ']' or '}' or ':'))
            {
                if (text[end] is '[' or '{' or '#' or '"' or '\'' or '`' || (isKey && text[end] is '*' or '&' or '!'))
                {
                    throw Fail();
                }

                end++;
            }

            if (end >= lineEnd || (text[end] == ':' && !isKey))
            {
                throw Fail();
            }

            var valueEnd = end;
            while (text[valueEnd - 1] == ' ')
            {
                valueEnd--;
            }

            var value = text.Substring(at, valueEnd - at);
            return (isKey ? value : YamlCodec.Resolve(value), isKey ? end : valueEnd);
        }

        private (object? Value, int After) Plain(int at, int lineEnd)
        {
            var c = text[at];
            var second = at + 1 < lineEnd ? text[at + 1] : ' ';
            if (c is '&' or '*' or '!' or '%' or '@' or '`' or ',' or ']' or '}' or '#' || (c is '-' or '?' or ':' && second == ' '))
            {
                throw Fail();
            }

            var end = at;
            while (end < lineEnd && !(text[end] == ' ' && end + 1 < lineEnd && text[end + 1] == '#'))
            {
                end++;
            }

            var valueEnd = end;
            while (valueEnd > at && text[valueEnd - 1] == ' ')
            {
                valueEnd--;
            }

            var value = text.AsSpan(at, valueEnd - at);
            if (value.IndexOf(": ") >= 0 || value[^1] == ':' || value.IndexOfAny("[]{}") >= 0)
            {
                throw Fail();
            }

            return (YamlCodec.Resolve(value.ToString()), valueEnd);
        }

        private (object? Value, int After) SingleQuoted(int at, int lineEnd)
        {
            StringBuilder? builder = null;
            var start = at + 1;
            var i = start;
            while (true)
            {
                var quote = text.AsSpan(i, lineEnd - i).IndexOf('\'');
                if (quote < 0)
                {
                    throw Fail();
                }

                quote += i;
                if (quote + 1 < lineEnd && text[quote + 1] == '\'')
                {
                    builder ??= new StringBuilder();
                    builder.Append(text, start, quote + 1 - start);
                    start = i = quote + 2;
                    continue;
                }

                if (builder is null)
                {
                    return (text.Substring(at + 1, quote - at - 1), quote + 1);
                }

                builder.Append(text, start, quote - start);
                return (builder.ToString(), quote + 1);
            }
        }

        private (object? Value, int After) DoubleQuoted(int at, int lineEnd)
        {
            var i = at + 1;
            var plainEnd = text.AsSpan(i, lineEnd - i).IndexOfAny('"', '\\');
            if (plainEnd < 0)
            {
                throw Fail();
            }

            if (text[i + plainEnd] == '"')
            {
                return (text.Substring(i, plainEnd), i + plainEnd + 1);
            }

            var builder = new StringBuilder();
            while (true)
            {
                if (i >= lineEnd)
                {
                    throw Fail();
                }

                var c = text[i];
                if (c == '"')
                {
                    return (builder.ToString(), i + 1);
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    i++;
                    continue;
                }

                if (i + 1 >= lineEnd)
                {
                    throw Fail();
                }

                var e = text[i + 1];
                i += 2;
                switch (e)
                {
                    case '\\' or '"' or '/' or ' ':
                        builder.Append(e);
                        break;
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case '0': builder.Append('\0'); break;
                    case 'a': builder.Append('\a'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'e': builder.Append('\u001b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'v': builder.Append('\v'); break;
                    case 'x' or 'u':
                    {
                        var digits = e == 'x' ? 2 : 4;
                        if (i + digits > lineEnd || !int.TryParse(text.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || (code >= 0xD800 && code <= 0xDFFF))
                        {
                            throw Fail();
                        }

                        builder.Append((char)code);
                        i += digits;
                        break;
                    }

                    default:
                        throw Fail();
                }
            }
        }

        // "|" or ">" with an optional chomping indicator ("-" strip, "+" keep is YamlDotNet's), then lines more
        // indented than the parent (their indentation: the first line's).
        private string BlockScalar(int at, int lineEnd, int parent)
        {
            var literal = text[at] == '|';
            var i = at + 1;
            var strip = false;
            if (i < lineEnd && text[i] == '-')
            {
                strip = true;
                i++;
            }

            var rest = SkipSpaces(i, lineEnd);
            if (rest < lineEnd && (rest == i || text[rest] != '#'))
            {
                throw Fail();
            }

            var lineStart = lineEnd + 1;
            var lines = new List<(int Start, int End)>();
            var indent = -1;
            var blanks = 0;
            var maxLeadingBlank = 0;
            var result = new StringBuilder();
            while (lineStart < text.Length)
            {
                var end = LineEnd(lineStart);
                var line = text.AsSpan(lineStart, end - lineStart);
                var spaces = line.IndexOfAnyExcept(' ');
                if (spaces < 0)
                {
                    if (indent < 0)
                    {
                        // A literal block whose first line is two or more spaces is an error for YamlDotNet ("found
                        // extra spaces in first line", its reading of the YAML test suite's W9L4), however deep the content.
                        if (literal && lineStart == lineEnd + 1 && line.Length > 1)
                        {
                            throw Fail();
                        }

                        maxLeadingBlank = Math.Max(maxLeadingBlank, line.Length);
                    }
                    else if (line.Length > indent)
                    {
                        throw Fail();
                    }

                    blanks++;
                    lineStart = end + 1;
                    continue;
                }

                if (indent < 0)
                {
                    // A leading blank line as long as the first line is an error for YamlDotNet ("found extra spaces in first line").
                    if (spaces <= parent || maxLeadingBlank >= spaces)
                    {
                        throw Fail();
                    }

                    indent = spaces;
                }
                else if (spaces < indent)
                {
                    break;
                }

                if (end == text.Length)
                {
                    // The last line without a line break: YamlDotNet's.
                    throw Fail();
                }

                if (lines.Count > 0)
                {
                    if (literal)
                    {
                        result.Append('\n', blanks + 1);
                    }
                    else if (spaces > indent || text[lines[^1].Start] == ' ')
                    {
                        throw Fail();
                    }
                    else
                    {
                        result.Append(blanks == 0 ? " " : new string('\n', blanks));
                    }
                }
                else if (blanks > 0)
                {
                    result.Append('\n', blanks);
                }

                if (!literal && spaces > indent)
                {
                    throw Fail();
                }

                lines.Add((lineStart + indent, end));
                result.Append(text, lineStart + indent, end - lineStart - indent);
                blanks = 0;
                lineStart = end + 1;
            }

            if (lines.Count == 0)
            {
                throw Fail();
            }

            if (!strip)
            {
                result.Append('\n');
            }

            // The next line with content is less indented than the block; it must not be more indented than the parent.
            pos = Math.Min(lineStart, text.Length);
            var next = NextContent();
            if (next != Marker && next > parent)
            {
                throw Fail();
            }

            return result.ToString();
        }
    }

    // -------------------------------------------------------------------------------------------------- writing

    /// <summary>
    /// Appends the document as YamlDotNet's emitter writes it (YamlCodec's settings), or returns false with
    /// <paramref name="output"/> unchanged when the document has something the writer leaves to YamlDotNet.
    /// </summary>
    public static bool TryEmit(IDictionary<string, object?> document, StringBuilder output)
    {
        var mark = output.Length;
        try
        {
            if (document.Count == 0)
            {
                output.Append("{}\n");
            }
            else
            {
                WriteMapping(output, document, 0, inline: false);
            }

            return true;
        }
        catch (Fallback)
        {
            output.Length = mark;
            return false;
        }
    }

    private static void Indent(StringBuilder output, int indent) => output.Append(' ', indent);

    private static void WriteMapping(StringBuilder output, IDictionary<string, object?> map, int indent, bool inline)
    {
        var keys = new string[map.Count];
        map.Keys.CopyTo(keys, 0);
        Array.Sort(keys, StringComparer.Ordinal);
        for (var k = 0; k < keys.Length; k++)
        {
            if (k > 0 || !inline)
            {
                Indent(output, indent);
            }

            var key = keys[k];
            if (key.Length > 100)
            {
                // YamlDotNet writes a long key as a complex key ("? ...").
                throw Fallback.Instance;
            }

            var style = YamlCodec.StyleOf(key);
            if (style == YamlCodec.TextStyle.Literal)
            {
                throw Fallback.Instance;
            }

            WriteFlowScalar(output, key, style);
            output.Append(':');
            WriteValue(output, map[key], indent, inMapping: true);
        }
    }

    // After "key:" or "-": the value, ending with its line break.
    private static void WriteValue(StringBuilder output, object? value, int indent, bool inMapping)
    {
        switch (value)
        {
            case IDictionary<string, object?> map:
                if (map.Count == 0)
                {
                    output.Append(" {}\n");
                }
                else if (inMapping)
                {
                    output.Append('\n');
                    WriteMapping(output, map, indent + 2, inline: false);
                }
                else
                {
                    output.Append(' ');
                    WriteMapping(output, map, indent + 2, inline: true);
                }

                break;
            case IList list:
                if (list.Count == 0)
                {
                    output.Append(" []\n");
                }
                else if (inMapping)
                {
                    // Sequences in mappings are not indented.
                    output.Append('\n');
                    WriteSequence(output, list, indent, inline: false);
                }
                else
                {
                    output.Append(' ');
                    WriteSequence(output, list, indent + 2, inline: true);
                }

                break;
            case string text:
            {
                var style = YamlCodec.StyleOf(text);
                output.Append(' ');
                if (style == YamlCodec.TextStyle.Literal)
                {
                    WriteLiteral(output, text, indent + 2);
                }
                else
                {
                    WriteFlowScalar(output, text, style);
                    output.Append('\n');
                }

                break;
            }

            case null:
                output.Append(" null\n");
                break;
            case bool flag:
                output.Append(flag ? " true\n" : " false\n");
                break;
            case long or int:
                output.Append(' ').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
                break;
            case double number:
                output.Append(' ');
                WriteFlowScalar(output, YamlCodec.FormatDouble(number), YamlCodec.TextStyle.Any);
                output.Append('\n');
                break;
            default:
                throw Fallback.Instance;
        }
    }

    private static void WriteSequence(StringBuilder output, IList list, int indent, bool inline)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0 || !inline)
            {
                Indent(output, indent);
            }

            output.Append('-');
            WriteValue(output, list[i], indent, inMapping: false);
        }
    }

    // A one-line scalar: plain when YamlDotNet's emitter would write it plain, else single- or double-quoted; anything
    // outside printable ASCII is left to YamlDotNet.
    private static void WriteFlowScalar(StringBuilder output, string text, YamlCodec.TextStyle style)
    {
        if (text.Length == 0 || text.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
        {
            throw Fallback.Instance;
        }

        if (style == YamlCodec.TextStyle.DoubleQuoted || (!PlainAllowed(text) && text.Contains('\'', StringComparison.Ordinal)))
        {
            // YamlDotNet double-quotes a string with a single quote in it that cannot be plain.
            output.Append('"');
            foreach (var c in text)
            {
                if (c is '"' or '\\')
                {
                    output.Append('\\');
                }

                output.Append(c);
            }

            output.Append('"');
            return;
        }

        if (PlainAllowed(text))
        {
            output.Append(text);
            return;
        }

        output.Append('\'').Append(text).Append('\'');
    }

    // libyaml's (and YamlDotNet's) analysis of a one-line printable-ASCII scalar in block context.
    private static bool PlainAllowed(string text)
    {
        if (text[0] == ' ' || text[^1] == ' ')
        {
            return false;
        }

        if (text.Length >= 3 && (text.StartsWith("---", StringComparison.Ordinal) || text.StartsWith("...", StringComparison.Ordinal)))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var followedBySpace = i + 1 == text.Length || text[i + 1] == ' ';
            if (i == 0)
            {
                if (c is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`')
                {
                    return false;
                }

                if (c is '?' or ':' or '-' && followedBySpace)
                {
                    return false;
                }
            }
            else if ((c == ':' && followedBySpace) || (c == '#' && text[i - 1] == ' '))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteLiteral(StringBuilder output, string text, int indent)
    {
        // The subset YamlDotNet writes as below: printable ASCII lines, no line ending with a space, not starting with
        // a line break, not ending with two (keep chomping).
        if (text.AsSpan().ContainsAnyExcept(Printable))
        {
            throw Fallback.Instance;
        }

        if (text[0] == '\n' || text[^1] == ' ' || text.Contains(" \n", StringComparison.Ordinal) || text.EndsWith("\n\n", StringComparison.Ordinal))
        {
            throw Fallback.Instance;
        }

        output.Append(text[^1] == '\n' ? "|\n" : "|-\n");
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            if (end > start)
            {
                Indent(output, indent);
                output.Append(text, start, end - start);
            }

            output.Append('\n');
            start = end + 1;
        }
    }

    private static readonly SearchValues<char> Printable = SearchValues.Create(PrintableChars());

    private static string PrintableChars()
    {
        var chars = new char[96];
        chars[0] = '\n';
        for (var c = ' '; c <= '~'; c++)
        {
            chars[c - ' ' + 1] = c;
        }

        return new string(chars);
    }
}
