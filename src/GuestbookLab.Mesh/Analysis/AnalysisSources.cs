using System;
using System.Collections.Generic;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>Where each analyzed resource was read from, by the name findings give it (<c>Kind namespace/name</c>).</summary>
internal static class AnalysisSources
{
    /// <summary>
    /// The source of each resource that has one; when a name occurs twice (a later object replacing an earlier one, as
    /// the model keeps the later), the later's.
    /// </summary>
    public static Dictionary<string, ManifestSource> Of(IEnumerable<LabResource> resources)
    {
        var sources = new Dictionary<string, ManifestSource>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            // A namespaced object given without a namespace is named in the default namespace by some analyzers.
            string[] names = resource.Namespace is null ? [resource.DisplayName, $"{resource.Kind} default/{resource.Name}"] : [resource.DisplayName];
            foreach (var name in names)
            {
                if (resource.Source is { } source)
                {
                    sources[name] = source;
                }
                else
                {
                    sources.Remove(name);
                }
            }
        }

        return sources;
    }
}
