using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace GuestbookLab.Engine;

/// <summary>
/// Reads multi-document YAML into generic trees and writes trees back, the way kubectl reads and writes manifests:
/// plain scalars resolve as YAML 1.1 does in sigs.k8s.io/yaml (so <c>yes</c> is a boolean and must be quoted to be a
/// string), keys are written in sorted order (apiVersion, kind, metadata, spec, status), sequences are not indented.
/// </summary>
public static partial class YamlCodec
{
    /// <summary>Parses every non-empty document; each must be a mapping.</summary>
    public static IReadOnlyList<Dictionary<string, object?>> Parse(string text, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ManifestFormatException(
                $"{Where(source, ex.Start)}: {ex.Message}", field: null, source, ex.Start.Line, ex.Start.Column, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet reports some unterminated flow collections this way, without a position.
            throw new ManifestFormatException($"{source ?? "YAML"}: the text is not valid YAML ({ex.Message})", field: null, source, innerException: ex);
        }

        var documents = new List<Dictionary<string, object?>>();
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            if (root is YamlScalarNode { Tag.IsEmpty: true } emptyScalar && string.IsNullOrEmpty(emptyScalar.Value))
            {
                continue;
            }

            if (root is not YamlMappingNode mapping)
            {
                throw new ManifestFormatException(
                    $"{Where(source, root.Start)}: a manifest document must be a mapping of fields.", field: null, source, root.Start.Line, root.Start.Column);
            }

            documents.Add(ReadMapping(mapping, source));
        }

        return documents;
    }

    /// <summary>Writes trees as one multi-document YAML string (documents separated by <c>---</c>).</summary>
    public static string Emit(IEnumerable<IDictionary<string, object?>> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var parts = new List<string>();
        foreach (var document in documents)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            var emitter = new Emitter(writer, new EmitterSettings().WithBestWidth(int.MaxValue));
            emitter.Emit(new StreamStart());
            emitter.Emit(new DocumentStart());
            WriteValue(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            emitter.Emit(new StreamEnd());
            parts.Add(writer.ToString());
        }

        return string.Join("---\n", parts);
    }

    private static string Where(string? source, Mark mark) =>
        $"{source ?? "YAML"} line {mark.Line}, column {mark.Column}";

    private static Dictionary<string, object?> ReadMapping(YamlMappingNode node, string? source)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in node.Children)
        {
            if (keyNode is not YamlScalarNode keyScalar || keyScalar.Value is null)
            {
                throw new ManifestFormatException($"{Where(source, keyNode.Start)}: mapping keys must be strings.", field: null, source, keyNode.Start.Line, keyNode.Start.Column);
            }

            var key = keyScalar.Value;
            if (!map.TryAdd(key, ReadNode(valueNode, source)))
            {
                throw new ManifestFormatException($"{Where(source, keyNode.Start)}: the key '{key}' appears twice.", key, source, keyNode.Start.Line, keyNode.Start.Column);
            }
        }

        return map;
    }

    private static object? ReadNode(YamlNode node, string? source) => node switch
    {
        YamlMappingNode mapping => ReadMapping(mapping, source),
        YamlSequenceNode sequence => sequence.Children.Select(child => ReadNode(child, source)).ToList(),
        YamlScalarNode scalar => ReadScalar(scalar),
        _ => throw new ManifestFormatException($"{Where(source, node.Start)}: unsupported YAML node.", field: null, source, node.Start.Line, node.Start.Column),
    };

    private static object? ReadScalar(YamlScalarNode scalar)
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

        return value.ToLowerInvariant() switch
        {
            ".inf" or "+.inf" => double.PositiveInfinity,
            "-.inf" => double.NegativeInfinity,
            ".nan" => double.NaN,
            _ => value,
        };
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
        // A string that would read back as something else (a number, a boolean, null, a YAML 1.1 timestamp or base-60
        // number) is double-quoted, as kubectl (go-yaml) does: creationTimestamp: "2026-12-02T07:00:00Z".
        var style = text.Contains('\n', StringComparison.Ordinal)
            ? ScalarStyle.Literal
            : Resolve(text) is string && !TimestampPattern().IsMatch(text) && !Base60Pattern().IsMatch(text) ? ScalarStyle.Any : ScalarStyle.DoubleQuoted;
        if (style == ScalarStyle.Literal && (text.StartsWith(' ') || text.Contains('\t', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)))
        {
            style = ScalarStyle.DoubleQuoted;
        }

        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }

    private static string FormatDouble(double number)
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

        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E', StringComparison.Ordinal) ? number.ToString("0.0###############e+0", CultureInfo.InvariantCulture) : text;
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
