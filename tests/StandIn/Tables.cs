using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace StandIn;

/// <summary>
/// Server-side printing of custom resources, as kube-apiserver answers 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io'
/// (kubectl get): a meta.k8s.io/v1 Table whose columns are Name and the CRD version's additionalPrinterColumns (Age
/// when it has none), each cell its column's JSONPath on the object (null when nothing matches), date columns as ages.
/// </summary>
internal static partial class Tables
{
    public static bool Wanted(HttpRequest request) => request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    /// <summary>The printer columns of a CRD-defined type's version, or null for a built-in type.</summary>
    public static JsonArray? Columns(Store store, ResourceType type)
    {
        var crds = store.Types.First(t => t.Kind == "CustomResourceDefinition");
        var crd = store.Get(crds, null, $"{type.Plural}.{type.Group}");
        if (crd is null)
        {
            return null;
        }

        var version = (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => v["name"]?.GetValue<string>() == type.Version);
        var columns = version?["additionalPrinterColumns"] as JsonArray ?? crd["spec"]?["additionalPrinterColumns"] as JsonArray;
        return columns is { Count: > 0 } ? (JsonArray)columns.DeepClone()
            : new JsonArray(new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" });
    }

    public static JsonObject Table(IEnumerable<JsonObject> objects, JsonArray columns, string resourceVersion, string includeObject)
    {
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["priority"] = 0,
            ["description"] = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        });
        foreach (var column in columns.OfType<JsonObject>())
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column["name"]?.GetValue<string>(), ["type"] = column["type"]?.GetValue<string>() ?? "string",
                ["format"] = column["format"]?.GetValue<string>() ?? string.Empty, ["description"] = column["description"]?.GetValue<string>() ?? string.Empty,
                ["priority"] = column["priority"]?.GetValue<int>() ?? 0,
            });
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray(JsonValue.Create(obj["metadata"]?["name"]?.GetValue<string>()));
            foreach (var column in columns.OfType<JsonObject>())
            {
                cells.Add(Cell(obj, column["jsonPath"]?.GetValue<string>() ?? string.Empty, column["type"]?.GetValue<string>() ?? "string"));
            }

            var row = new JsonObject { ["cells"] = cells };
            if (includeObject != "None")
            {
                row["object"] = includeObject == "Object" ? obj.DeepClone() : new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = obj["metadata"]?.DeepClone(),
                };
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = definitions, ["rows"] = rows,
        };
    }

    private static JsonNode? Cell(JsonObject obj, string path, string type)
    {
        var found = Find(obj, path);
        if (found.Count == 0)
        {
            return null;
        }

        if (type == "date" && found[0] is JsonValue stamp && DateTimeOffset.TryParse(stamp.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return Age(DateTimeOffset.UtcNow - time);
        }

        if (found.Count == 1 && found[0] is JsonValue single)
        {
            return single.DeepClone();
        }

        return string.Join(",", found.Select(n => n is JsonValue v && v.TryGetValue<string>(out var text) ? text : n?.ToJsonString()));
    }

    // As k8s.io/apimachinery's duration.HumanDuration, to the unit kubectl shows first.
    private static string Age(TimeSpan age) =>
        age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
        : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m"
        : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
        : $"{(int)age.TotalDays}d";

    // The JSONPath that printer columns use: .a.b, [N], [*] and [?(@.x.y=="v")] filters.
    private static List<JsonNode?> Find(JsonNode root, string path)
    {
        var current = new List<JsonNode?> { root };
        foreach (Match step in Step().Matches(path.Trim().TrimStart('{').TrimEnd('}')))
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                if (step.Groups["field"].Success)
                {
                    if (node is JsonObject o && o[step.Groups["field"].Value] is { } child)
                    {
                        next.Add(child);
                    }
                }
                else if (node is JsonArray items)
                {
                    if (step.Groups["index"].Success)
                    {
                        var i = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                        if (i >= 0 && i < items.Count)
                        {
                            next.Add(items[i]);
                        }
                    }
                    else if (step.Groups["star"].Success)
                    {
                        next.AddRange(items);
                    }
                    else
                    {
                        var key = step.Groups["key"].Value;
                        var value = step.Groups["value"].Value;
                        next.AddRange(items.Where(item => item is not null && Find(item, key) is [JsonValue v] && v.ToString() == value));
                    }
                }
            }

            current = next;
        }

        return current;
    }

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_\-]+)|\[(?<index>[0-9]+)\]|\[(?<star>\*)\]|\[\?\(@(?<key>(?:\.[A-Za-z0-9_\-]+)+)\s*==\s*["'](?<value>[^"']*)["']\)\]""")]
    private static partial Regex Step();
}
