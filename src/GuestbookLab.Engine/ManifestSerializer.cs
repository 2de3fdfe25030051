using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>Manifests as text: YAML documents to typed resources and back.</summary>
public static class ManifestSerializer
{
    /// <summary>Reads every document of a multi-document YAML text into typed resources.</summary>
    public static IReadOnlyList<LabResource> Deserialize(string text, string? source = null)
    {
        var documents = YamlCodec.Parse(text, source);
        var resources = new List<LabResource>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            try
            {
                resources.Add(ResourceKinds.FromTree(documents[i]));
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
}
