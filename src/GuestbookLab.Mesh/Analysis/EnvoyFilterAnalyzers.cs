using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's envoyfilter.EnvoyPatchAnalyzer: patch operations that are ignored, invalid, or relative without a priority.
public static partial class MeshAnalyzer
{
    private const string RelativeWithoutPriority =
        "This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.";

    private const string RelativeWithProxyVersion =
        "This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.";

    /// <summary>
    /// Per config patch, in order (a patch without a <c>patch</c> ends the filter's): IST0153 ADD and IST0154 REMOVE on
    /// ROUTE_CONFIGURATION or HTTP_ROUTE (ignored there), IST0152 REPLACE on anything but HTTP_FILTER and NETWORK_FILTER;
    /// a relative operation (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in a filter without a priority is IST0151,
    /// or IST0155 when an earlier patch (of any EnvoyFilter before it) with a proxyVersion names the same filter.
    /// As istioctl, a filter with the same finding on several patches is reported once.
    /// </summary>
    private static void EnvoyFilterPatches(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        // The filter names of the patches seen so far that match a proxyVersion (Istio carries them across EnvoyFilters).
        var versioned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var filter in inputs.Model.Resources.OfType<GenericResource>().Where(r => r.Kind == "EnvoyFilter" && r.Group == "networking.istio.io"))
        {
            var priority = Tree.Str(Tree.Path(filter.Spec, "priority")) is { } p && long.TryParse(p, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
            var patches = Tree.Seq(Tree.Path(filter.Spec, "configPatches")).ToList();
            for (var i = 0; i < patches.Count; i++)
            {
                var patch = Tree.Path(patches[i], "patch");
                if (patch is null)
                {
                    break;
                }

                var instance = PatchedFilterName(patches[i]);
                var applyTo = Tree.Str(Tree.Path(patches[i], "applyTo"));
                var routes = applyTo is "ROUTE_CONFIGURATION" or "HTTP_ROUTE";
                AnalysisMessage Error(string code, string name, string text) => new(code, name, AnalysisLevel.Error, Ref(filter), text);
                var relative = false;
                switch (Tree.Str(Tree.Path(patch, "operation")))
                {
                    case "ADD" when routes:
                        messages.Add(Error("IST0153", "EnvoyFilterUsesAddOperationIncorrectly", "The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE."));
                        break;
                    case "REMOVE" when routes:
                        messages.Add(Error("IST0154", "EnvoyFilterUsesRemoveOperationIncorrectly", "The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE."));
                        break;
                    case "REPLACE" when applyTo is not ("NETWORK_FILTER" or "HTTP_FILTER"):
                        messages.Add(Error("IST0152", "EnvoyFilterUsesReplaceOperationIncorrectly", "The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER."));
                        break;
                    case "REMOVE" or "REPLACE" or "INSERT_BEFORE" or "INSERT_AFTER":
                        relative = true;
                        break;
                }

                if (relative && priority == 0)
                {
                    messages.Add(versioned.Contains(instance)
                        ? new("IST0155", "EnvoyFilterUsesRelativeOperationWithProxyVersion", AnalysisLevel.Warning, Ref(filter), RelativeWithProxyVersion)
                        : new("IST0151", "EnvoyFilterUsesRelativeOperation", AnalysisLevel.Warning, Ref(filter), RelativeWithoutPriority));
                }

                if (!string.IsNullOrEmpty(Tree.Str(Tree.Path(patches[i], "match", "proxy", "proxyVersion"))))
                {
                    versioned.Add(instance);
                }
            }
        }
    }

    /// <summary>
    /// The name Istio compares patches by: the patch value's <c>name</c> (kept apart, as Istio keeps it in the value's
    /// text form), else, when the value has fields, the listener filter chain's filter name it matches; else empty.
    /// </summary>
    private static string PatchedFilterName(object? configPatch)
    {
        if (Tree.Path(configPatch, "patch", "value") is not IDictionary<string, object?> { Count: > 0 } value)
        {
            return string.Empty;
        }

        if (value.TryGetValue("name", out var name))
        {
            return "value:" + (name is null ? "null" : Tree.Str(name) ?? name.GetType().Name);
        }

        return Tree.Str(Tree.Path(configPatch, "match", "listener", "filterChain", "filter", "name")) ?? string.Empty;
    }
}
