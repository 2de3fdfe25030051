using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's gateway, authz, injection and serviceentry analyzers. Where Istio reads Pods, workloads' pod templates
// (Deployments, StatefulSets, DaemonSets) count too, as a lab's manifests have no Pods.
public static partial class MeshAnalyzer
{
    /// <summary>Namespaces Istio's injector and analyzers leave alone.</summary>
    private static readonly HashSet<string> SystemNamespaces = new(["kube-system", "kube-public", "kube-node-lease", "local-path-storage"], StringComparer.Ordinal);

    /// <summary>IST0101 selector (no pod has the gateway's labels), IST0104 a server port no TCP port of the gateway pods' Services has.</summary>
    private static void GatewayPorts(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        foreach (var gateway in inputs.Model.Gateways)
        {
            var selector = gateway.Spec.Selector ?? new Dictionary<string, string>();
            var pods = inputs.Pods.Where(p => p.Selects(selector)).ToList();
            if (pods.Count == 0)
            {
                messages.Add(NotFound(gateway, "selector", Labels(selector)) with { Field = "spec.selector" });
                continue;
            }

            var ports = inputs.Services
                .Where(s => pods.Any(p => p.Namespace == s.Namespace && s.Selector is { Count: > 0 } && p.Selects(s.Selector)))
                .SelectMany(s => s.Ports.Where(p => p.Protocol == "TCP").Select(p => p.Port)).ToHashSet();
            var servers = gateway.Spec.Servers ?? [];
            for (var i = 0; i < servers.Count; i++)
            {
                if (servers[i].Port?.Number is { } number && !ports.Contains(number))
                {
                    messages.Add(new("IST0104", "GatewayPortNotOnWorkload", AnalysisLevel.Warning, Ref(gateway),
                        $"The gateway refers to a port that is not exposed on the workload (pod selector {Labels(selector)}; port {number})") { Field = $"spec.servers[{i}].port.number" });
                }
            }
        }
    }

    /// <summary>Istio's in-mesh test: an istio-proxy container, else the sidecar.istio.io/inject label or annotation, else the namespace's istio-injection label.</summary>
    private static bool InMesh(AnalyzedPod pod, AnalysisInputs inputs)
    {
        if (!string.IsNullOrEmpty(pod.ProxyImage))
        {
            return true;
        }

        if (pod.Labels.TryGetValue("sidecar.istio.io/inject", out var label))
        {
            return label == "true";
        }

        if (pod.Annotations.TryGetValue("sidecar.istio.io/inject", out var annotation))
        {
            return annotation == "true";
        }

        return inputs.Model.NamespaceInjected(pod.Namespace);
    }

    /// <summary>IST0127 a selector no in-mesh pod matches (mesh-wide in the root namespace), IST0101 a source namespace that does not exist.</summary>
    private static void AuthorizationPolicies(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var inMesh = new LabelIndex<AnalyzedPod>(inputs.Pods.Where(p => InMesh(p, inputs)), p => p.Namespace, p => p.Labels);
        var root = inputs.RootNamespace;
        foreach (var policy in inputs.Model.AuthorizationPolicies)
        {
            var ns = MeshModel.NamespaceOf(policy);
            var selector = policy.Spec.Selector?.MatchLabels;
            if (ns == root)
            {
                if (policy.Spec.Selector is not null && !inMesh.Candidates(null, selector).Any(p => p.Selects(selector)))
                {
                    messages.Add(NoMatchingWorkloads(policy, Labels(selector)) with { Field = "spec.selector" });
                }
            }
            else if (policy.Spec.Selector is null ? inMesh.Candidates(ns).Count == 0 : !inMesh.Candidates(ns, selector).Any(p => p.Selects(selector)))
            {
                messages.Add(NoMatchingWorkloads(policy, Labels(selector)) with { Field = policy.Spec.Selector is null ? null : "spec.selector" });
            }

            var rules = policy.Spec.Rules ?? [];
            for (var r = 0; r < rules.Count; r++)
            {
                var from = rules[r].From ?? [];
                for (var f = 0; f < from.Count; f++)
                {
                    if (from[f].Source is not { } source)
                    {
                        continue;
                    }

                    foreach (var (list, names) in new[] { ("namespaces", source.Namespaces), ("notNamespaces", source.NotNamespaces) })
                    {
                        for (var n = 0; n < (names?.Count ?? 0); n++)
                        {
                            var name = names![n];
                            if (!inputs.Model.Namespaces.ContainsKey(name) && !inputs.Model.Namespaces.Keys.Any(k => NamespaceMatches(k, name)))
                            {
                                messages.Add(NotFound(policy, "namespace", name) with { Field = $"spec.rules[{r}].from[{f}].source.{list}[{n}]" });
                            }
                        }
                    }
                }
            }
        }
    }

    private static AnalysisMessage NoMatchingWorkloads(LabResource resource, string labels) =>
        new("IST0127", "NoMatchingWorkloadsFound", AnalysisLevel.Warning, Ref(resource), $"No matching workloads for this resource with the following labels: {labels}");

    private static bool NamespaceMatches(string ns, string pattern) =>
        pattern == "*"
        || (pattern.StartsWith('*') && ns.EndsWith(pattern[1..], StringComparison.Ordinal))
        || (pattern.EndsWith('*') && ns.StartsWith(pattern[..^1], StringComparison.Ordinal))
        || string.Equals(ns, pattern, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// IST0102 a namespace not enabled for injection (IST0148 when the injector enables namespaces by default),
    /// IST0123 both injection labels, IST0103 a pod in an injected namespace without the proxy.
    /// </summary>
    private static void Injection(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var byDefault = false;
        var injected = new HashSet<string>(StringComparer.Ordinal);
        var declared = inputs.NamespaceObjects.ToDictionary(n => n.Name, n => (LabResource)n, StringComparer.Ordinal);

        // A namespace only the workloads name (no Namespace object), as kubectl create namespace makes it: no labels.
        var namespaces = declared.Values.Concat(inputs.Pods.Select(p => p.Namespace).Distinct(StringComparer.Ordinal)
            .Where(n => !declared.ContainsKey(n)).Select(n => (LabResource)new KubernetesNamespace { Name = n }));
        foreach (var ns in namespaces)
        {
            if (ns.Name == inputs.Model.RootNamespace || ns.Name == "istio-system" || SystemNamespaces.Contains(ns.Name))
            {
                continue;
            }

            var labels = ns.Metadata.Labels ?? new Dictionary<string, string>();
            var legacy = labels.GetValueOrDefault("istio-injection");
            var hasRevision = labels.TryGetValue("istio.io/rev", out var revision);
            var configMapName = string.IsNullOrEmpty(revision) || revision == "default" ? "istio-sidecar-injector" : $"istio-sidecar-injector-{revision}";
            if (inputs.ConfigMaps.FirstOrDefault(c => c.Name == configMapName) is { } configMap)
            {
                byDefault = EnableNamespacesByDefault(configMap);
            }

            if (string.IsNullOrEmpty(legacy) && !hasRevision)
            {
                messages.Add(byDefault
                    ? new("IST0148", "NamespaceInjectionEnabledByDefault", AnalysisLevel.Info, Ref(ns), "is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.")
                    : new("IST0102", "NamespaceNotInjected", AnalysisLevel.Info, Ref(ns),
                        $"The namespace is not enabled for Istio injection. Run 'kubectl label namespace {ns.Name} istio-injection=enabled' to enable it, or 'kubectl label namespace {ns.Name} istio-injection=disabled' to explicitly mark it as not needing injection."));
                continue;
            }

            if (hasRevision)
            {
                if (!string.IsNullOrEmpty(legacy))
                {
                    messages.Add(new("IST0123", "NamespaceMultipleInjectionLabels", AnalysisLevel.Warning, Ref(ns),
                        $"The namespace has both new and legacy injection labels. Run 'kubectl label namespace {ns.Name} istio.io/rev-' or 'kubectl label namespace {ns.Name} istio-injection-'"));
                    continue;
                }
            }
            else if (legacy != "enabled")
            {
                continue;
            }

            injected.Add(ns.Name);
        }

        // Only Pods: a workload's template never carries the proxy, the injector adds it to the pods.
        foreach (var pod in inputs.Pods.Where(p => p.IsPod && injected.Contains(p.Namespace) && !p.HostNetwork))
        {
            var inject = pod.Labels.GetValueOrDefault("sidecar.istio.io/inject") ?? pod.Annotations.GetValueOrDefault("sidecar.istio.io/inject");
            if (!string.Equals(inject, "false", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(pod.ProxyImage))
            {
                messages.Add(new("IST0103", "PodMissingProxy", AnalysisLevel.Warning, Ref(pod.Resource),
                    $"The pod {pod.Namespace}/{pod.Resource.Name} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload."));
            }
        }
    }

    /// <summary>The injector ConfigMap's values (JSON): sidecarInjectorWebhook.enableNamespacesByDefault.</summary>
    private static bool EnableNamespacesByDefault(GenericResource configMap)
    {
        if (Tree.Str(Tree.Path(configMap.AdditionalFields.TryGetValue("data", out var data) ? data : null, "values")) is not { } values)
        {
            return false;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(values);
            return json.RootElement.TryGetProperty("sidecarInjectorWebhook", out var webhook)
                && webhook.TryGetProperty("enableNamespacesByDefault", out var enabled) && enabled.ValueKind == System.Text.Json.JsonValueKind.True;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>IST0105: a pod's istio-proxy image differs from the image its namespace's injector (istio-sidecar-injector[-revision] values) injects.</summary>
    private static void ProxyImages(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var configMap in inputs.ConfigMaps.Where(c => c.Name.StartsWith("istio-sidecar-injector", StringComparison.Ordinal)))
        {
            images[configMap.Name] = InjectorProxyImage(configMap);
        }

        if (images.Count == 0)
        {
            return;
        }

        var revisions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ns in inputs.NamespaceObjects)
        {
            var labels = ns.Metadata.Labels ?? new Dictionary<string, string>();
            if (labels.TryGetValue("istio.io/rev", out var revision))
            {
                revisions[ns.Name] = revision;
            }
            else if (labels.GetValueOrDefault("istio-injection") == "enabled")
            {
                revisions[ns.Name] = "default";
            }
        }

        foreach (var pod in inputs.Pods.Where(p => revisions.ContainsKey(p.Namespace) && string.IsNullOrEmpty(p.Annotations.GetValueOrDefault("sidecar.istio.io/proxyImage"))))
        {
            var revision = revisions[pod.Namespace];
            var name = string.IsNullOrEmpty(revision) || revision == "default" ? "istio-sidecar-injector" : $"istio-sidecar-injector-{revision}";
            if (!images.TryGetValue(name, out var expected))
            {
                continue;
            }

            foreach (var container in pod.Containers.Where(c => c.Name == "istio-proxy" && c.Image != expected))
            {
                messages.Add(new("IST0105", "IstioProxyImageMismatch", AnalysisLevel.Warning, Ref(pod.Resource),
                    $"The image of the Istio proxy running on the pod does not match the image defined in the injection configuration (pod image: {container.Image}; injection configuration image: {expected}). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pod."));
            }
        }
    }

    /// <summary>The proxy image an injector ConfigMap's values give: global.proxy.image when it has a registry, else hub/image:tag.</summary>
    private static string InjectorProxyImage(GenericResource configMap)
    {
        var values = Tree.Str(Tree.Path(configMap.AdditionalFields.TryGetValue("data", out var data) ? data : null, "values"));
        if (values is null)
        {
            return string.Empty;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(values);
            string Get(params string[] path)
            {
                var node = json.RootElement;
                foreach (var key in path)
                {
                    if (node.ValueKind != System.Text.Json.JsonValueKind.Object || !node.TryGetProperty(key, out node))
                    {
                        return string.Empty;
                    }
                }

                return node.ValueKind == System.Text.Json.JsonValueKind.String ? node.GetString()! : node.ToString();
            }

            var image = Get("global", "proxy", "image");
            return image.Contains('/', StringComparison.Ordinal) ? image : $"{Get("global", "hub")}/{image}:{Get("global", "tag")}";
        }
        catch (System.Text.Json.JsonException)
        {
            return string.Empty;
        }
    }

    /// <summary>IST0134: a ServiceEntry without addresses, once per TCP (or unset) port, unless the mesh auto-allocates addresses (DNS capture and auto-allocate).</summary>
    private static void ServiceEntryAddresses(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var metadata = Tree.Path(inputs.MeshConfig, "defaultConfig", "proxyMetadata");
        var autoAllocated = Tree.Str(Tree.Path(metadata, "ISTIO_META_DNS_CAPTURE")) == "true" && Tree.Str(Tree.Path(metadata, "ISTIO_META_DNS_AUTO_ALLOCATE")) == "true";
        foreach (var se in inputs.Model.ServiceEntries.Where(s => s.Spec.Addresses is null && !autoAllocated))
        {
            var ports = se.Spec.Ports ?? [];
            for (var i = 0; i < ports.Count; i++)
            {
                if (string.IsNullOrEmpty(ports[i].Protocol) || ports[i].Protocol == "TCP")
                {
                    messages.Add(new("IST0134", "ServiceEntryAddressesRequired", AnalysisLevel.Warning, Ref(se), "ServiceEntry addresses are required for this protocol.") { Field = $"spec.ports[{i}]" });
                }
            }
        }
    }
}
