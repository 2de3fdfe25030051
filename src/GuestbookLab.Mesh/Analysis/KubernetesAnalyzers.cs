using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's analyzers of Kubernetes objects and Sidecars: applicationUID, service.PortNameAnalyzer,
// telemetry.ProviderAnalyzer, sidecar.SelectorAnalyzer and sidecar.DefaultSelectorAnalyzer.
public static partial class MeshAnalyzer
{
    private static readonly HashSet<int> WellKnownTcpPorts = [25, 53, 3306, 27017];

    private static readonly HashSet<string> KnownProtocols = new(
        ["tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql"], StringComparer.Ordinal);

    private static bool IsControlPlane(LabResource r) =>
        r.Metadata.Labels is { } labels && (labels.ContainsKey("istio") || labels.GetValueOrDefault("release") == "istio");

    /// <summary>The pod spec of a Pod or a Deployment's template, as a tree.</summary>
    private static object? PodSpecTree(LabResource r) =>
        r is GenericResource { Kind: "Pod" } pod ? pod.Spec : r is Deployment { Spec.Template.Spec: { } spec } ? ApiObjectMapper.ToTree(spec) : null;

    /// <summary>IST0144: a Pod or Deployment that runs as UID 1337, the sidecar's (pod or container securityContext).</summary>
    private static void ApplicationUids(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        static bool Is1337(object? context) => Tree.Str(Tree.Path(context, "runAsUser")) == "1337";
        foreach (var resource in inputs.Model.Resources.Where(r => r is Deployment or GenericResource { Kind: "Pod" } && !IsControlPlane(r)))
        {
            var spec = PodSpecTree(resource);
            var hits = (Is1337(Tree.Path(spec, "securityContext")) ? 1 : 0) + Tree.Seq(Tree.Path(spec, "containers"))
                .Count(c => Tree.Str(Tree.Path(c, "name")) is not ("istio-proxy" or "istio-operator") && Is1337(Tree.Path(c, "securityContext")));
            for (var i = 0; i < hits; i++)
            {
                messages.Add(new("IST0144", "InvalidApplicationUID", AnalysisLevel.Warning, Ref(resource), "User ID (UID) 1337 is reserved for the sidecar proxy."));
            }
        }
    }

    /// <summary>IST0118: a Service port whose name or appProtocol gives Istio no protocol; IST0150 for ExternalName Services (and a port named tcp there).</summary>
    private static void PortNames(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var service in inputs.Model.Resources.OfType<Service>().Where(s => !SystemNamespaces.Contains(MeshModel.NamespaceOf(s)) && !IsControlPlane(s)))
        {
            var external = service.Spec.Type == "ExternalName";
            foreach (var port in service.Spec.Ports ?? [])
            {
                if (SupportedProtocol(port) && !(port.Name == "tcp" && external))
                {
                    continue;
                }

                messages.Add(external
                    ? new("IST0150", "ExternalNameServiceTypeInvalidPortName", AnalysisLevel.Warning, Ref(service),
                        "Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly")
                    : new("IST0118", "PortNameIsNotUnderNamingConvention", AnalysisLevel.Info, Ref(service),
                        $"Port name {port.Name} (port: {port.Port}, targetPort: {Convert.ToString(port.TargetPort, CultureInfo.InvariantCulture)}) doesn't follow the naming convention of Istio port."));
            }
        }
    }

    /// <summary>Istio's protocol for a Service port (UDP, appProtocol, the name's prefix, well-known TCP ports) is not Unsupported.</summary>
    private static bool SupportedProtocol(ServicePortSpec port)
    {
        if (string.Equals(port.Protocol, "UDP", StringComparison.Ordinal))
        {
            return true;
        }

        var name = port.AppProtocol ?? port.Name ?? string.Empty;
        if (name.StartsWith("grpc-web", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return KnownProtocols.Contains((dash >= 0 ? name[..dash] : name).ToLowerInvariant()) || WellKnownTcpPorts.Contains(port.Port ?? 0);
    }

    /// <summary>IST0157: a Telemetry access-logging entry with no providers while the mesh config names no default access-log provider.</summary>
    private static void TelemetryProviders(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        if (Tree.Seq(Tree.Path(inputs.MeshConfig, "defaultProviders", "accessLogging")).Any())
        {
            return;
        }

        foreach (var telemetry in inputs.Model.Resources.OfType<GenericResource>().Where(r => r.Kind == "Telemetry" && r.Group == "telemetry.istio.io"))
        {
            foreach (var _ in Tree.Seq(Tree.Path(telemetry.Spec, "accessLogging")).Where(l => !Tree.Bool(Tree.Path(l, "disabled")) && !Tree.Seq(Tree.Path(l, "providers")).Any()))
            {
                messages.Add(new("IST0157", "InvalidTelemetryProvider", AnalysisLevel.Warning, Ref(telemetry),
                    $"The Telemetry {telemetry.Name} in namespace \"{telemetry.Namespace}\" with empty providers will be ignored."));
            }
        }
    }

    private static IEnumerable<GenericResource> Sidecars(AnalysisInputs inputs) =>
        inputs.Model.Resources.OfType<GenericResource>().Where(r => r.Kind == "Sidecar" && r.Group == "networking.istio.io");

    private static Dictionary<string, string>? SidecarSelector(GenericResource sidecar) =>
        Tree.Path(sidecar.Spec, "workloadSelector", "labels") is IDictionary<string, object?> labels
            ? labels.ToDictionary(kv => kv.Key, kv => Tree.Str(kv.Value) ?? string.Empty, StringComparer.Ordinal)
            : null;

    /// <summary>IST0101 a Sidecar selector no pod of its namespace has; IST0110 pods several Sidecars select.</summary>
    private static void SidecarSelectors(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var podsToSidecars = new Dictionary<AnalyzedPod, List<GenericResource>>();
        foreach (var sidecar in Sidecars(inputs))
        {
            if (SidecarSelector(sidecar) is not { Count: > 0 } selector)
            {
                continue;
            }

            var ns = MeshModel.NamespaceOf(sidecar);
            var pods = inputs.Pods.Where(p => p.Namespace == ns && p.Selects(selector)).ToList();
            if (pods.Count == 0)
            {
                messages.Add(NotFound(sidecar, "selector", Labels(selector)));
            }

            foreach (var pod in pods)
            {
                if (!podsToSidecars.TryGetValue(pod, out var list))
                {
                    podsToSidecars[pod] = list = [];
                }

                list.Add(sidecar);
            }
        }

        foreach (var (pod, sidecars) in podsToSidecars.Where(kv => kv.Value.Count > 1))
        {
            var names = $"[{string.Join(" ", sidecars.Select(FullName))}]";
            foreach (var sidecar in sidecars)
            {
                messages.Add(new("IST0110", "ConflictingSidecarWorkloadSelectors", AnalysisLevel.Error, Ref(sidecar),
                    $"The Sidecars {names} in namespace \"{pod.Namespace}\" select the same workload pod \"{pod.Resource.Name}\", which can lead to undefined behavior."));
            }
        }
    }

    /// <summary>IST0111: several Sidecars without a workload selector in one namespace.</summary>
    private static void SidecarDefaults(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var group in Sidecars(inputs).Where(s => Tree.Path(s.Spec, "workloadSelector") is null).GroupBy(MeshModel.NamespaceOf).Where(g => g.Count() > 1))
        {
            var names = $"[{string.Join(" ", group.Select(FullName))}]";
            foreach (var sidecar in group)
            {
                messages.Add(new("IST0111", "MultipleSidecarsWithoutWorkloadSelectors", AnalysisLevel.Error, Ref(sidecar),
                    $"The Sidecars {names} in namespace \"{group.Key}\" have no workload selector, which can lead to undefined behavior."));
            }
        }
    }
}
