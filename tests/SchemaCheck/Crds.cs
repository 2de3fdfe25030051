using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Json.Schema;

namespace SchemaCheck;

/// <summary>Istio's CustomResourceDefinitions as JSON Schemas, keyed by apiVersion and kind.</summary>
public sealed class Crds
{
    private const string IstioOperatorKey = "install.istio.io/v1alpha1/IstioOperator";

    private readonly Dictionary<string, JsonObject> openApi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonSchema> schemas = new(StringComparer.Ordinal);
    private readonly JsonSchema? meshConfig;

    public Crds(string directory)
    {
        // Istio's MeshConfig schema (OpenAPI components) checks an IstioOperator's spec.meshConfig; the
        // IstioOperator CRD itself has no schema.
        var mesh = Path.Combine(directory, "istio.mesh.v1alpha1.gen.json");
        if (File.Exists(mesh))
        {
            var components = JsonNode.Parse(File.ReadAllText(mesh))!["components"]!["schemas"]!.AsObject();
            var defs = new JsonObject();
            foreach (var (name, schema) in components)
            {
                defs[name] = ToJsonSchema(RewriteRefs(schema!.DeepClone()).AsObject());
            }

            var root = new JsonObject { ["$defs"] = defs, ["$ref"] = "#/$defs/istio.mesh.v1alpha1.MeshConfig" };
            meshConfig = JsonSchema.FromText(root.ToJsonString());
        }

        foreach (var file in Directory.GetFiles(directory, "*.yaml"))
        {
            foreach (var crd in Manifests.ReadAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                var spec = crd["spec"]!.AsObject();
                var group = spec["group"]!.GetValue<string>();
                var kind = spec["names"]!["kind"]!.GetValue<string>();
                foreach (var version in spec["versions"]!.AsArray().OfType<JsonObject>())
                {
                    var key = $"{group}/{version["name"]!.GetValue<string>()}/{kind}";
                    var schema = version["schema"]?["openAPIV3Schema"]?.AsObject();
                    if (schema is not null)
                    {
                        openApi[key] = schema;
                    }
                }
            }
        }
    }

    public IReadOnlyCollection<string> Kinds => openApi.Keys;

    public bool Knows(string apiVersion, string kind) =>
        openApi.ContainsKey($"{apiVersion}/{kind}") || ($"{apiVersion}/{kind}" == IstioOperatorKey && meshConfig is not null);

    /// <summary>The openAPIV3Schema of a kind, as written in the CRD.</summary>
    public JsonObject OpenApi(string apiVersion, string kind) => openApi[$"{apiVersion}/{kind}"];

    /// <summary>Errors of one object against its CRD; empty when valid. Unknown fields are errors, as with kubectl --validate=strict.</summary>
    public List<string> Validate(JsonObject document)
    {
        var apiVersion = document["apiVersion"]?.GetValue<string>() ?? string.Empty;
        var kind = document["kind"]?.GetValue<string>() ?? string.Empty;
        var key = $"{apiVersion}/{kind}";
        if (key == IstioOperatorKey)
        {
            var mesh = document["spec"]?["meshConfig"];
            return mesh is null ? [] : Errors(meshConfig!.Evaluate(System.Text.Json.JsonDocument.Parse(mesh.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List }), "/spec/meshConfig");
        }

        if (!schemas.TryGetValue(key, out var schema))
        {
            var converted = ToJsonSchema(openApi[key].DeepClone().AsObject(), isRoot: true);
            schema = JsonSchema.FromText(converted.ToJsonString());
            schemas[key] = schema;
        }

        var result = schema.Evaluate(System.Text.Json.JsonDocument.Parse(document.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return Errors(result, string.Empty);
    }

    private static List<string> Errors(EvaluationResults result, string prefix) =>
        result.IsValid
            ? []
            : (result.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{prefix}{d.InstanceLocation}: {e.Key}: {e.Value}"))
                .Distinct()
                .ToList();

    private static JsonNode RewriteRefs(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (key == "$ref" && child is JsonValue reference)
                    {
                        obj[key] = reference.GetValue<string>().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                    }
                    else if (child is not null)
                    {
                        RewriteRefs(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        RewriteRefs(child);
                    }
                }

                break;
        }

        return node;
    }

    /// <summary>
    /// Kubernetes structural schema (or Istio's OpenAPI) to JSON Schema: unknown fields are rejected (fields that
    /// oneOf/anyOf branches declare count as known), nullable and int-or-string are mapped.
    /// </summary>
    private static JsonObject ToJsonSchema(JsonObject node, bool isRoot = false, bool isBranch = false)
    {
        node.Remove("description");
        if (node["nullable"] is JsonValue nullable && nullable.GetValue<bool>() && node["type"] is JsonValue type)
        {
            node["type"] = new JsonArray(type.GetValue<string>(), "null");
        }

        node.Remove("nullable");
        if (node["x-kubernetes-int-or-string"] is not null)
        {
            node.Remove("x-kubernetes-int-or-string");
            node.Remove("format");
            node["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
        }

        if (node["format"] is JsonValue format && format.GetValue<string>() is "int32" or "int64" or "uint32" or "uint64" or "double" or "float")
        {
            node.Remove("format");
        }

        var preserve = node["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValue<bool>();
        foreach (var key in node.Select(kv => kv.Key).Where(k => k.StartsWith("x-kubernetes", StringComparison.Ordinal)).ToList())
        {
            node.Remove(key);
        }

        var branches = new[] { "oneOf", "anyOf", "allOf" }
            .SelectMany(c => (node[c] as JsonArray)?.OfType<JsonObject>() ?? [])
            .ToList();
        foreach (var branch in branches)
        {
            ToJsonSchema(branch, isBranch: true);
        }

        var branchProperties = branches.Select(b => b["properties"]).OfType<JsonObject>().SelectMany(o => o).ToList();
        if (node["properties"] is JsonObject || branchProperties.Count > 0)
        {
            var properties = node["properties"] as JsonObject ?? new JsonObject();
            node["properties"] = properties;
            foreach (var (_, child) in properties.ToList())
            {
                ToJsonSchema(child!.AsObject());
            }

            foreach (var (name, child) in branchProperties)
            {
                properties[name] ??= child!.DeepClone();
            }

            if (isRoot)
            {
                properties["apiVersion"] = new JsonObject { ["type"] = "string" };
                properties["kind"] = new JsonObject { ["type"] = "string" };
                properties["metadata"] = new JsonObject { ["type"] = "object" };
            }

            if (!preserve && !isBranch && node["additionalProperties"] is null)
            {
                node["additionalProperties"] = false;
            }
        }

        if (node["items"] is JsonObject items)
        {
            ToJsonSchema(items);
        }

        if (node["additionalProperties"] is JsonObject additional)
        {
            ToJsonSchema(additional);
        }

        if (node["not"] is JsonObject not)
        {
            ToJsonSchema(not, isBranch: true);
        }

        return node;
    }

    /// <summary>
    /// A document that sets every field the schema defines (one item per list, one key per map), plus, when asked,
    /// an unknown field in every object: the input of the no-data-lost round-trip tests.
    /// </summary>
    public JsonObject FullDocument(string apiVersion, string kind, bool withUnknownFields)
    {
        var spec = Fill(OpenApi(apiVersion, kind)["properties"]!["spec"]!.AsObject(), "spec", withUnknownFields);
        var doc = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = "full",
                ["namespace"] = "default",
                ["labels"] = new JsonObject { ["app"] = "full" },
                ["annotations"] = new JsonObject { ["note"] = "every field" },
            },
            ["spec"] = spec,
        };
        if (withUnknownFields)
        {
            doc["status"] = new JsonObject { ["observedGeneration"] = 3 };
        }

        return doc;
    }

    private static JsonNode Fill(JsonObject schema, string name, bool unknown)
    {
        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[values.Count - 1]!.DeepClone();
        }

        if (schema["x-kubernetes-int-or-string"] is not null)
        {
            return JsonValue.Create(8080);
        }

        var type = schema["type"]?.GetValue<string>();
        switch (type)
        {
            case "object":
                var obj = new JsonObject();
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (key, child) in properties)
                    {
                        obj[key] = Fill(child!.AsObject(), key, unknown);
                    }

                    if (unknown)
                    {
                        obj["zzFutureField"] = new JsonObject { ["nested"] = new JsonArray(1, "two", true) };
                    }
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    obj["some-key"] = Fill(additional, name, unknown);
                }
                else
                {
                    obj["anything"] = new JsonObject { ["goes"] = new JsonArray("here", 2.5) };
                }

                return obj;
            case "array":
                return new JsonArray(Fill(schema["items"]!.AsObject(), name, unknown));
            case "integer":
                return JsonValue.Create(7);
            case "number":
                return JsonValue.Create(12.5);
            case "boolean":
                return JsonValue.Create(true);
            default:
                return JsonValue.Create(name.Contains("timeout", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Time", StringComparison.Ordinal) || name is "interval" or "fixedDelay" or "maxAge"
                    ? "15s"
                    : $"{name}-value");
        }
    }
}
