using System;
using System.Collections.Generic;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

/// <summary>Where each analyzed resource was read from, by the name findings give it (<c>Kind namespace/name</c>).</summary>
internal static class AnalysisSources
{
    /// <summary>
    /// The source of each resource that has one (the model's resources: a later object has replaced an earlier one of
    /// its kind and name). A name two resources share (kinds of the same name in two API groups, such as Istio's and the
    /// Gateway API's Gateway) gives no source: a finding's name does not say which it is about.
    /// </summary>
    public static Dictionary<string, ManifestSource> Of(IEnumerable<LabResource> resources)
    {
        var sources = new Dictionary<string, ManifestSource>(StringComparer.Ordinal);
        if (!System.Linq.Enumerable.Any(resources, r => r.Source is not null))
        {
            // Built in the pipeline, none read from a file: no finding has a place.
            return sources;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            if (!seen.Add(resource.DisplayName))
            {
                shared.Add(resource.DisplayName);
            }

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

        foreach (var name in shared)
        {
            sources.Remove(name);
            sources.Remove(name.Replace(" ", " default/", StringComparison.Ordinal));
        }

        return sources;
    }
}
