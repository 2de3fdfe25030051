using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SchemaCheck;

/// <summary>Multi-document YAML to JSON nodes (YAML 1.2 core schema), written apart from GuestbookLab's codec.</summary>
public static partial class Manifests
{
    public static List<JsonNode?> ReadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Where(d => !(d.RootNode is YamlScalarNode s && string.IsNullOrEmpty(s.Value)))
            .Select(d => ToJson(d.RootNode))
            .ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unsupported node at {node.Start}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var v = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(v);
        }

        if (v is "" or "~" or "null")
        {
            return null;
        }

        if (v is "true" or "false")
        {
            return JsonValue.Create(v == "true");
        }

        if (Int().IsMatch(v))
        {
            return JsonValue.Create(long.Parse(v, CultureInfo.InvariantCulture));
        }

        if (Float().IsMatch(v))
        {
            return JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(v);
    }

    /// <summary>Semantic equality: same keys and values, numbers compared by value (100 equals 100.0).</summary>
    public static List<string> Differences(JsonNode? expected, JsonNode? actual, string path = "")
    {
        var diffs = new List<string>();
        switch (expected, actual)
        {
            case (null, null):
                break;
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(kv => kv.Key).Union(a.Select(kv => kv.Key)))
                {
                    var p = path.Length == 0 ? key : $"{path}.{key}";
                    if (!e.ContainsKey(key))
                    {
                        diffs.Add($"{p}: not expected, found {a[key]?.ToJsonString()}");
                    }
                    else if (!a.ContainsKey(key))
                    {
                        diffs.Add($"{p}: expected {e[key]?.ToJsonString()}, missing");
                    }
                    else
                    {
                        diffs.AddRange(Differences(e[key], a[key], p));
                    }
                }

                break;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    diffs.Add($"{path}: expected {e.Count} items, found {a.Count}");
                }
                else
                {
                    for (var i = 0; i < e.Count; i++)
                    {
                        diffs.AddRange(Differences(e[i], a[i], $"{path}[{i}]"));
                    }
                }

                break;
            case (JsonValue e, JsonValue a):
                if (!SameValue(e, a))
                {
                    diffs.Add($"{path}: expected {e.ToJsonString()}, found {a.ToJsonString()}");
                }

                break;
            default:
                diffs.Add($"{path}: expected {expected?.ToJsonString() ?? "null"}, found {actual?.ToJsonString() ?? "null"}");
                break;
        }

        return diffs;
    }

    private static bool SameValue(JsonValue e, JsonValue a)
    {
        if (e.TryGetValue<double>(out var de) && a.TryGetValue<double>(out var da))
        {
            return de.Equals(da);
        }

        if (IsNumber(e) && IsNumber(a))
        {
            return ToDouble(e).Equals(ToDouble(a));
        }

        return JsonNode.DeepEquals(e, a);
    }

    private static bool IsNumber(JsonValue v) => v.GetValueKind() == System.Text.Json.JsonValueKind.Number;

    private static double ToDouble(JsonValue v) => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Int();

    [GeneratedRegex(@"^[-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
