using System;
using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's multicluster.MeshNetworksAnalyzer, on the mesh networks input (AnalysisOptions.MeshNetworks).
public static partial class MeshAnalyzer
{
    /// <summary>
    /// IST0126: a mesh network endpoint <c>fromRegistry</c> that is none of Istio's registries (Mock, Kubernetes,
    /// External, case-sensitive as Istio compares them) nor a cluster of a remote secret (a Secret labelled
    /// istio/multiCluster: "true", one cluster per key). The origin is Istio's fixed MeshNetworks istio-system/meshnetworks.
    /// </summary>
    private static void MeshNetworks(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        if (inputs.MeshNetworks is not { } meshNetworks)
        {
            return;
        }

        var registries = new HashSet<string>(["Mock", "Kubernetes", "External"], StringComparer.Ordinal);
        foreach (var secret in inputs.Secrets.Where(s => s.Metadata.Labels?.GetValueOrDefault("istio/multiCluster") == "true"))
        {
            registries.UnionWith(secret.Keys);
        }

        if (Tree.Path(meshNetworks, "networks") is not IDictionary<string, object?> networks)
        {
            return;
        }

        foreach (var (network, spec) in networks)
        {
            foreach (var registry in Tree.Seq(Tree.Path(spec, "endpoints")).Select(e => Tree.Str(Tree.Path(e, "fromRegistry"))).OfType<string>())
            {
                if (!registries.Contains(registry))
                {
                    messages.Add(new("IST0126", "UnknownMeshNetworksServiceRegistry", AnalysisLevel.Error, "MeshNetworks istio-system/meshnetworks",
                        $"Unknown service registry {registry} in network {network}"));
                }
            }
        }
    }
}
