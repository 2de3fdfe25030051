using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using GuestbookLab.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GuestbookLab.Engine;

/// <summary>
/// Reads multi-document YAML into generic trees and writes trees back, the way kubectl reads and writes manifests:
/// plain scalars resolve as YAML 1.1 does in sigs.k8s.io/yaml (so <c>yes</c> is a boolean and must be quoted to be a
/// string), keys are written in sorted order (apiVersion, kind, metadata, spec, status), sequences are not indented.
/// </summary>
public static partial class YamlCodec
{
    /// <summary>Parses every non-empty document; each must be a mapping. The text is held to <see cref="ManifestLimits.Default"/>.</summary>
    public static IReadOnlyList<Dictionary<string, object?>> Parse(string text, string? source = null) => Parse(text, source, ManifestLimits.Default);

    /// <summary>
    /// Parses every non-empty document; each must be a mapping. A text over <paramref name="limits"/> (length, nesting
    /// depth, node count, nodes copied by aliases) is refused with a <see cref="ManifestFormatException"/> whose
    /// <see cref="ManifestFormatException.Limit"/> names the limit, as soon as the limit is reached: the events are
    /// read one at a time, so nothing over the limit is ever built.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, object?>> Parse(string text, string? source, ManifestLimits limits) =>
        ParseDocuments(text, source, limits).Trees;

    /// <summary>As <see cref="Parse(string, string?, ManifestLimits)"/>, with the 1-based line each document's mapping starts on.</summary>
    public static (IReadOnlyList<Dictionary<string, object?>> Trees, IReadOnlyList<int> Lines) ParseDocuments(string text, string? source, ManifestLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(limits);
        if (text.Length > limits.MaxBytes)
        {
            throw new ManifestFormatException(
                $"{source ?? "YAML"}: the text is {text.Length.ToString(CultureInfo.InvariantCulture)} characters long, more than the {ManifestLimits.ShowBytes(limits.MaxBytes)} a manifest may have.",
                field: null, source) { Limit = nameof(ManifestLimits.MaxBytes) };
        }

        if (NotText(text) is { } bad)
        {
            var (line, column) = Position(text, bad.Index);
            throw new ManifestFormatException(
                $"{source ?? "YAML"} line {line}, column {column}: the text has {bad.What}: it is not a YAML manifest (is it a binary file?).",
                field: null, source, line, column);
        }

        // The block-style subset manifests use is read by a reader of our own; anything else (and any error) by YamlDotNet.
        if (BlockYaml.TryParse(text, limits) is { } fast)
        {
            return (fast.Trees, fast.Lines);
        }

        return ParseWithYamlDotNet(text, source, limits);
    }

    /// <summary>The text read by YamlDotNet (the reference the fast reader is held to), after Parse's checks.</summary>
    internal static (IReadOnlyList<Dictionary<string, object?>> Trees, IReadOnlyList<int> Lines) ParseWithYamlDotNet(string text, string? source, ManifestLimits limits)
    {
        try
        {
            var reader = new TreeReader(new Parser(new StringReader(text)), source, limits);
            return (reader.ReadStream(), reader.Lines);
        }
        catch (YamlException ex)
        {
            throw new ManifestFormatException(
                $"{Where(source, ex.Start)}: {ex.Message}", field: null, source, ex.Start.Line, ex.Start.Column, ex);
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet refuses some tags this way ("Global tags must be valid URIs"), without a position.
            throw new ManifestFormatException($"{source ?? "YAML"}: the text is not valid YAML ({ex.Message})", field: null, source, innerException: ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet reports some unterminated flow collections this way, without a position.
            throw new ManifestFormatException($"{source ?? "YAML"}: the text is not valid YAML ({ex.Message})", field: null, source, innerException: ex);
        }
    }

    // The first character YAML text cannot have and the module could not write back: NUL, or half of a UTF-16
    // surrogate pair (text decoded from bytes never has one; a string built in PowerShell can).
    private static (int Index, string What)? NotText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return (i, "a NUL character");
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return (i, FormattableString.Invariant($"an unpaired UTF-16 surrogate (U+{(int)c:X4})"));
            }
        }

        return null;
    }

    // 1-based line and column of a character.
    private static (long Line, long Column) Position(string text, int index)
    {
        long line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }

    /// <summary>Writes trees as one multi-document YAML string (documents separated by <c>---</c>).</summary>
    public static string Emit(IEnumerable<IDictionary<string, object?>> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var output = new StringBuilder();
        foreach (var document in documents)
        {
            if (output.Length > 0)
            {
                output.Append("---\n");
            }

            // What the writer of our own knows it writes as YamlDotNet does; the rest YamlDotNet writes.
            if (document is not null && BlockYaml.TryEmit(document, output))
            {
                continue;
            }

            output.Append(EmitWithYamlDotNet(document!));
        }

        return output.ToString();
    }

    /// <summary>One document as YamlDotNet's emitter writes it (the reference the fast writer is held to).</summary>
    internal static string EmitWithYamlDotNet(IDictionary<string, object?> document)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings().WithBestWidth(int.MaxValue));
        try
        {
            emitter.Emit(new StreamStart());
            emitter.Emit(new DocumentStart());
            WriteValue(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            emitter.Emit(new StreamEnd());
        }
        catch (YamlException ex)
        {
            // A string the YAML emitter cannot write (half a surrogate pair set from PowerShell).
            throw new ManifestFormatException($"The object cannot be written as YAML: {ex.Message}", field: null, source: null, innerException: ex);
        }

        return writer.ToString();
    }

    private static string Where(string? source, Mark mark) =>
        $"{source ?? "YAML"} line {mark.Line}, column {mark.Column}";

    private static object? ReadScalar(Scalar scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return value;
        }

        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str")
        {
            return value;
        }

        return Resolve(value);
    }

    /// <summary>
    /// Builds trees from the parser's events, one event at a time, counting as it goes: nesting depth, nodes, and the
    /// nodes each alias copies (an alias is a copy of its anchor's tree, so a later change to one object cannot change
    /// another; the count is checked before the copy is made).
    /// </summary>
    private sealed class TreeReader(IParser parser, string? source, ManifestLimits limits)
    {
        private readonly Dictionary<string, (object? Value, long Nodes)> anchors = new(StringComparer.Ordinal);
        private long nodes;
        private long aliasNodes;

        /// <summary>The line each document read starts on.</summary>
        public List<int> Lines { get; } = [];

        public List<Dictionary<string, object?>> ReadStream()
        {
            var documents = new List<Dictionary<string, object?>>();
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                anchors.Clear();
                var root = parser.Current ?? throw new InvalidOperationException("the document ends early");
                if (root is Scalar { Tag.IsEmpty: true } emptyScalar && string.IsNullOrEmpty(emptyScalar.Value))
                {
                    parser.MoveNext();
                }
                else if (root is not MappingStart)
                {
                    throw Fail(root.Start, "a manifest document must be a mapping of fields.");
                }
                else
                {
                    Lines.Add((int)Math.Min(root.Start.Line, int.MaxValue));
                    documents.Add((Dictionary<string, object?>)Read(0).Value!);
                }

                parser.Consume<DocumentEnd>();
            }

            return documents;
        }

        private ManifestFormatException Fail(Mark mark, string message, string? field = null, string? limit = null) =>
            new($"{Where(source, mark)}: {message}", field, source, mark.Line, mark.Column) { Limit = limit };

        private void Count(Mark mark, long added)
        {
            nodes += added;
            if (nodes > limits.MaxNodes)
            {
                throw Fail(mark, $"the text has more than {limits.MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} YAML nodes, the most a manifest may have.", limit: nameof(ManifestLimits.MaxNodes));
            }
        }

        // The value of the node at the parser's current event, and how many nodes it stands for.
        private (object? Value, long Nodes) Read(int depth)
        {
            var current = parser.Current ?? throw new InvalidOperationException("the document ends early");
            switch (current)
            {
                case AnchorAlias alias:
                {
                    parser.MoveNext();
                    if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                    {
                        throw Fail(alias.Start, $"the alias *{alias.Value.Value} names no anchor (&{alias.Value.Value}) before it.");
                    }

                    aliasNodes += anchored.Nodes;
                    if (aliasNodes > limits.MaxAliasNodes)
                    {
                        throw Fail(alias.Start, $"the aliases (*name) copy more than {limits.MaxAliasNodes.ToString("N0", CultureInfo.InvariantCulture)} YAML nodes, the most a manifest may expand to (an alias expansion bomb?).", limit: nameof(ManifestLimits.MaxAliasNodes));
                    }

                    Count(alias.Start, anchored.Nodes);
                    return (Copy(anchored.Value), anchored.Nodes);
                }

                case Scalar scalar:
                {
                    parser.MoveNext();
                    Count(scalar.Start, 1);
                    var result = (ReadScalar(scalar), 1L);
                    Remember(scalar, result);
                    return result;
                }

                case SequenceStart sequenceStart:
                {
                    Enter(sequenceStart, depth);
                    parser.MoveNext();
                    var list = new List<object?>();
                    long count = 1;
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        var (item, itemNodes) = Read(depth + 1);
                        list.Add(item);
                        count += itemNodes;
                    }

                    var result = ((object?)list, count);
                    Remember(sequenceStart, result);
                    return result;
                }

                case MappingStart mappingStart:
                {
                    Enter(mappingStart, depth);
                    parser.MoveNext();
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    long count = 1;
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        if (parser.Current is not Scalar keyScalar)
                        {
                            throw Fail(parser.Current?.Start ?? mappingStart.Start, "mapping keys must be strings.");
                        }

                        var key = keyScalar.Value ?? string.Empty;
                        parser.MoveNext();
                        Count(keyScalar.Start, 1);
                        Remember(keyScalar, (ReadScalar(keyScalar), 1L));
                        var (item, itemNodes) = Read(depth + 1);
                        if (!map.TryAdd(key, item))
                        {
                            throw Fail(keyScalar.Start, $"the key '{key}' appears twice.", key);
                        }

                        count += 1 + itemNodes;
                    }

                    var result = ((object?)map, count);
                    Remember(mappingStart, result);
                    return result;
                }

                default:
                    throw Fail(current.Start, "unsupported YAML node.");
            }
        }

        private void Enter(ParsingEvent start, int depth)
        {
            Count(start.Start, 1);
            if (depth + 1 > limits.MaxDepth)
            {
                throw Fail(start.Start, $"the document nests mappings and sequences more than {limits.MaxDepth.ToString(CultureInfo.InvariantCulture)} levels deep, the most a manifest may.", limit: nameof(ManifestLimits.MaxDepth));
            }
        }

        private void Remember(NodeEvent node, (object? Value, long Nodes) value)
        {
            if (!node.Anchor.IsEmpty)
            {
                anchors[node.Anchor.Value] = value;
            }
        }

        private static object? Copy(object? value) => value switch
        {
            Dictionary<string, object?> map => map.ToDictionary(e => e.Key, e => Copy(e.Value), StringComparer.Ordinal),
            List<object?> list => list.Select(Copy).ToList(),
            _ => value,
        };
    }

    /// <summary>Resolves a plain scalar to null, bool, long, double or string.</summary>
    internal static object? Resolve(string value)
    {
        if (value.Length == 0 || value is "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y")
        {
            return true;
        }

        if (value is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N")
        {
            return false;
        }

        // Every number has a digit, and .inf and .nan start with a dot (after a sign): any other text is a string,
        // without the patterns below (most of a manifest's scalars are names and such).
        if (!MayBeNumber(value))
        {
            return value;
        }

        if (IntPattern().IsMatch(value))
        {
            var text = value.Replace("_", string.Empty, StringComparison.Ordinal);
            var negative = text.StartsWith('-');
            var digits = text.TrimStart('+', '-');
            long? parsed = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? TryParse(digits[2..], 16)
                : digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase)
                    ? TryParse(digits[2..], 8)
                    : digits.Length > 1 && digits[0] == '0' && digits.All(c => c is >= '0' and <= '7')
                        ? TryParse(digits[1..], 8)
                        : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : null;
            if (parsed is { } number)
            {
                return negative ? -number : number;
            }
        }

        if (FloatPattern().IsMatch(value))
        {
            return double.Parse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        // .inf and .nan (any case, after a sign) start with a dot: nothing else needs the lower-cased copy.
        if (value[0] != '.' && !(value.Length > 1 && value[0] is '+' or '-' && value[1] == '.'))
        {
            return value;
        }

        return value.ToLowerInvariant() switch
        {
            ".inf" or "+.inf" => double.PositiveInfinity,
            "-.inf" => double.NegativeInfinity,
            ".nan" => double.NaN,
            _ => value,
        };
    }

    private static bool MayBeNumber(string value)
    {
        var first = value[0] is '+' or '-' && value.Length > 1 ? value[1] : value[0];
        return first == '.' || value.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
    }

    private static long? TryParse(string digits, int radix)
    {
        try
        {
            return digits.Length == 0 ? null : Convert.ToInt64(digits, radix);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static void WriteValue(IEmitter emitter, object? value)
    {
        switch (value)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case string text:
                WriteString(emitter, text);
                break;
            case bool flag:
                WritePlain(emitter, flag ? "true" : "false");
                break;
            case long or int:
                WritePlain(emitter, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double number:
                WritePlain(emitter, FormatDouble(number));
                break;
            case IDictionary<string, object?> map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var key in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
                {
                    WriteString(emitter, key);
                    WriteValue(emitter, map[key]);
                }

                emitter.Emit(new MappingEnd());
                break;
            case IList list:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, list.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list)
                {
                    WriteValue(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new ManifestFormatException($"A value of type {value.GetType().Name} cannot be written as YAML.", field: null);
        }
    }

    private static void WritePlain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    private static void WriteString(IEmitter emitter, string text)
    {
        var style = StyleOf(text) switch { TextStyle.Literal => ScalarStyle.Literal, TextStyle.DoubleQuoted => ScalarStyle.DoubleQuoted, _ => ScalarStyle.Any };
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }

    /// <summary>
    /// The style a string is written in: Any (plain where the emitter may, else single-quoted), DoubleQuoted or
    /// Literal. Our own enum, not YamlDotNet's ScalarStyle, so that the fast writer (BlockYaml) does not load YamlDotNet.
    /// </summary>
    internal enum TextStyle
    {
        Any,
        DoubleQuoted,
        Literal,
    }

    /// <summary>The style a string is written in (see <see cref="TextStyle"/>).</summary>
    internal static TextStyle StyleOf(string text)
    {
        // A string that would read back as something else (a number, a boolean, null, a YAML 1.1 timestamp or base-60
        // number) is double-quoted, as kubectl (go-yaml) does: creationTimestamp: "2026-12-02T07:00:00Z".
        var style = text.Contains('\n', StringComparison.Ordinal)
            ? TextStyle.Literal
            : Resolve(text) is string && !(MayBeNumber(text) && (TimestampPattern().IsMatch(text) || Base60Pattern().IsMatch(text))) ? TextStyle.Any : TextStyle.DoubleQuoted;
        if (style == TextStyle.Literal && (text.StartsWith(' ') || text.Contains('\t', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)))
        {
            style = TextStyle.DoubleQuoted;
        }

        // YAML 1.1's other line breaks (NEL, LINE and PARAGRAPH SEPARATOR), control characters and a BOM would not read
        // back as written in a plain or block scalar: double quotes escape them (found by ManifestFuzzTests).
        if (style != TextStyle.DoubleQuoted && NeedsEscape(text))
        {
            style = TextStyle.DoubleQuoted;
        }

        return style;
    }

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (c is '\u0085' or '\u2028' or '\u2029' or '\ufeff' || (char.IsControl(c) && c is not '\n'))
            {
                return true;
            }
        }

        return false;
    }

    internal static string FormatDouble(double number)
    {
        if (double.IsPositiveInfinity(number))
        {
            return ".inf";
        }

        if (double.IsNegativeInfinity(number))
        {
            return "-.inf";
        }

        if (double.IsNaN(number))
        {
            return ".nan";
        }

        // "R" is the shortest text that reads back as the same double (up to 17 digits); its exponent form is written
        // as YAML's (1.0e+20): a fixed 16-digit format lost the last digit of some doubles (found by ManifestFuzzTests).
        if (number == 0 && double.IsNegative(number))
        {
            // "-0" would read back as the integer 0 (found by ManifestFuzzTests: -1e-400 is -0.0).
            return "-0.0";
        }

        var text = number.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return text;
        }

        var mantissa = text[..e];
        return (mantissa.Contains('.', StringComparison.Ordinal) ? mantissa : mantissa + ".0") + "e" + text[(e + 1)..];
    }

    [GeneratedRegex(@"^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    // YAML 1.1's timestamp (https://yaml.org/type/timestamp.html), which go-yaml resolves and therefore quotes.
    [GeneratedRegex(@"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$")]
    private static partial Regex TimestampPattern();

    // YAML 1.1's base-60 numbers (190:20:30), which go-yaml quotes.
    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")]
    private static partial Regex Base60Pattern();
}
