using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace StandIn;

/// <summary>Server-side apply: field ownership per manager (leaf paths; lists are atomic), conflicts, force, merge.</summary>
public static class Apply
{
    public sealed record Conflict(string Manager, string Field);

    /// <summary>Leaf paths an applied object sets (apiVersion, kind, name and namespace excluded).</summary>
    public static HashSet<string> Paths(JsonObject applied)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string path)
        {
            if (node is JsonObject obj && obj.Count > 0)
            {
                foreach (var (key, child) in obj)
                {
                    Walk(child, path.Length == 0 ? Escape(key) : $"{path}.{Escape(key)}");
                }
            }
            else
            {
                paths.Add(path);
            }
        }

        foreach (var (key, child) in applied)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (key == "metadata" && child is JsonObject metadata)
            {
                foreach (var (mkey, mchild) in metadata)
                {
                    if (mkey is "labels" or "annotations")
                    {
                        Walk(mchild, $"metadata.{mkey}");
                    }
                }

                continue;
            }

            Walk(child, key);
        }

        return paths;
    }

    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in Split(path))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static Dictionary<string, HashSet<string>> Owners(JsonObject? existing)
    {
        var owners = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in (existing?["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var manager = entry["manager"]?.GetValue<string>() ?? string.Empty;
            var set = owners.TryGetValue(manager, out var s) ? s : owners[manager] = new HashSet<string>(StringComparer.Ordinal);
            void Walk(JsonNode? node, string path)
            {
                if (node is JsonObject obj && obj.Count > 0)
                {
                    foreach (var (key, child) in obj)
                    {
                        Walk(child, path.Length == 0 ? Escape(key[2..]) : $"{path}.{Escape(key[2..])}");
                    }
                }
                else if (path.Length > 0)
                {
                    set.Add(path);
                }
            }

            Walk(entry["fieldsV1"], string.Empty);
        }

        return owners;
    }

    /// <summary>Conflicts: fields another manager owns whose value the applied object changes.</summary>
    public static List<Conflict> Conflicts(JsonObject? existing, JsonObject applied, string manager)
    {
        var conflicts = new List<Conflict>();
        foreach (var (other, fields) in Owners(existing).Where(o => o.Key != manager))
        {
            foreach (var path in Paths(applied).Where(fields.Contains))
            {
                if (!JsonNode.DeepEquals(At(existing, path), At(applied, path)))
                {
                    conflicts.Add(new Conflict(other, path));
                }
            }
        }

        return conflicts;
    }

    /// <summary>The object after the apply, with managed fields updated (forced conflicts move ownership).</summary>
    public static JsonObject Merge(JsonObject? existing, JsonObject applied, string manager, string apiVersion, IEnumerable<Conflict> forced)
    {
        var owners = Owners(existing);
        var result = (JsonObject?)existing?.DeepClone() ?? new JsonObject();
        var mine = owners.TryGetValue(manager, out var previous) ? previous : [];
        var appliedPaths = Paths(applied);

        // Fields this manager set before and no longer sets are removed, unless someone else owns them.
        foreach (var path in mine.Where(p => !appliedPaths.Contains(p) && !owners.Any(o => o.Key != manager && o.Value.Contains(p))))
        {
            Remove(result, path);
        }

        MergeInto(result, applied);
        foreach (var conflict in forced)
        {
            owners[conflict.Manager].Remove(conflict.Field);
        }

        owners[manager] = appliedPaths;
        var managed = new JsonArray();
        foreach (var (name, fields) in owners.Where(o => o.Value.Count > 0).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            managed.Add(new JsonObject
            {
                ["manager"] = name,
                ["operation"] = "Apply",
                ["apiVersion"] = apiVersion,
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldsV1(fields),
            });
        }

        ((JsonObject)(result["metadata"] ??= new JsonObject()))["managedFields"] = managed;
        return result;
    }

    public static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergeInto(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>JSON merge patch (RFC 7386): null removes.</summary>
    public static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergePatch(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static void Remove(JsonObject root, string path)
    {
        var parts = Split(path);
        JsonNode? node = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            node = node?[parts[i]];
        }

        (node as JsonObject)?.Remove(parts[^1]);
    }

    // Keys with dots (app.kubernetes.io/name) are escaped in a path, so that the path splits into its keys again.
    private static string Escape(string key) => key.Replace(".", "\\.", StringComparison.Ordinal);

    private static string[] Split(string path) =>
        System.Text.RegularExpressions.Regex.Split(path, @"(?<!\\)\.").Select(p => p.Replace("\\.", ".", StringComparison.Ordinal)).ToArray();

    private static JsonObject FieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var part in Split(path))
            {
                node = (JsonObject)(node[$"f:{part}"] ??= new JsonObject());
            }
        }

        return root;
    }
}
