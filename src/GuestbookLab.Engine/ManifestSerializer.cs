using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>Manifests as text: YAML documents to typed resources and back.</summary>
public static class ManifestSerializer
{
    /// <summary>Reads every document of a multi-document YAML text into typed resources.</summary>
    public static IReadOnlyList<LabResource> Deserialize(string text, string? source = null) => Deserialize(text, source, ManifestLimits.Default);

    /// <summary>
    /// Reads every document of a multi-document YAML text into typed resources, the text held to <paramref name="limits"/>;
    /// with a <paramref name="source"/>, each resource's <see cref="LabResource.Source"/> names it and the document's line.
    /// </summary>
    public static IReadOnlyList<LabResource> Deserialize(string text, string? source, ManifestLimits limits)
    {
        var (documents, lines) = YamlCodec.ParseDocuments(text, source, limits);
        var fingerprint = source is null ? 0 : ManifestLocator.Fingerprint(text);
        var resources = new List<LabResource>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            try
            {
                var resource = ResourceKinds.FromTree(documents[i]);
                if (source is not null)
                {
                    resource.Source = new ManifestSource(source, lines[i]) { Text = fingerprint };
                }

                resources.Add(resource);
            }
            catch (ManifestFormatException ex)
            {
                var where = source is null ? $"document {i + 1}" : $"{source}, document {i + 1}";
                throw new ManifestFormatException($"{where}: {ex.Message}", ex.Field, source, innerException: ex);
            }
        }

        return resources;
    }

    /// <summary>
    /// Writes resources as one multi-document YAML string in kubectl's field order. Secret values are written as
    /// <c>&lt;redacted&gt;</c> unless <paramref name="includeSecrets"/>.
    /// </summary>
    public static string Serialize(IEnumerable<LabResource> resources, bool includeSecrets = false) =>
        YamlCodec.Emit(resources.Select(r => (IDictionary<string, object?>)SecretValue.TreeOf(r, includeSecrets)));

    /// <summary>
    /// As <see cref="Serialize(IEnumerable{LabResource}, bool)"/>, for people reading objects back from a server:
    /// <c>metadata.managedFields</c> is left out unless <paramref name="showManagedFields"/>, as kubectl get -o yaml does.
    /// </summary>
    public static string Serialize(IEnumerable<LabResource> resources, bool includeSecrets, bool showManagedFields) =>
        YamlCodec.Emit(resources.Select(r => (IDictionary<string, object?>)ForDisplay(SecretValue.TreeOf(r, includeSecrets), showManagedFields)));

    /// <summary>The tree without <c>metadata.managedFields</c> unless <paramref name="showManagedFields"/>.</summary>
    private static Dictionary<string, object?> ForDisplay(Dictionary<string, object?> tree, bool showManagedFields)
    {
        if (!showManagedFields && tree.TryGetValue("metadata", out var metadata) && metadata is IDictionary<string, object?> meta && meta.ContainsKey("managedFields"))
        {
            var copy = new Dictionary<string, object?>(meta, System.StringComparer.Ordinal);
            copy.Remove("managedFields");
            tree["metadata"] = copy;
        }

        return tree;
    }

    private static readonly string[] TopOrder = ["apiVersion", "kind", "metadata", "spec", "status"];

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Writes resources in Kubernetes' JSON form, as kubectl get -o json does: the manifest's camelCase fields
    /// (apiVersion, kind, metadata, spec first), indented by four spaces; one object as itself, several as a List.
    /// Secret values are written as <c>&lt;redacted&gt;</c> unless <paramref name="includeSecrets"/>.
    /// </summary>
    public static string SerializeJson(IEnumerable<LabResource> resources, bool includeSecrets = false, bool showManagedFields = true)
    {
        System.ArgumentNullException.ThrowIfNull(resources);
        var trees = resources.Select(r => Ordered(ForDisplay(SecretValue.TreeOf(r, includeSecrets), showManagedFields))).ToList();
        object root = trees.Count == 1
            ? trees[0]
            : new Dictionary<string, object?>
            {
                ["apiVersion"] = "v1",
                ["items"] = trees,
                ["kind"] = "List",
                ["metadata"] = new Dictionary<string, object?> { ["resourceVersion"] = string.Empty },
            };
        var text = System.Text.Json.JsonSerializer.Serialize(root, JsonOptions);

        // kubectl indents by four spaces; the serializer by two (JSON strings hold no raw line breaks).
        return string.Join("\n", text.Split('\n').Select(line => new string(' ', 2 * (line.Length - line.TrimStart(' ').Length)) + line.TrimStart(' ')));
    }

    private static Dictionary<string, object?> Ordered(Dictionary<string, object?> tree)
    {
        var ordered = new Dictionary<string, object?>(System.StringComparer.Ordinal);
        foreach (var key in TopOrder.Where(tree.ContainsKey).Concat(tree.Keys.Where(k => !TopOrder.Contains(k)).Order(System.StringComparer.Ordinal)))
        {
            ordered[key] = tree[key];
        }

        return ordered;
    }
}
