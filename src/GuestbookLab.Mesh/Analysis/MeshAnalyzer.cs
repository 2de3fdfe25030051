using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum AnalysisLevel : long
{
    Info = 0,
    Warning = 1,
    Error = 2,
}

/// <summary>One finding, like a line of istioctl analyze: code, level, resource and message.</summary>
public sealed record AnalysisMessage(string Code, string Name, AnalysisLevel Level, string Resource, string Message)
{
    public override string ToString() => $"{Level} [{Code}] ({Resource}) {Message}";
}

/// <summary>
/// Static analysis in the manner of istioctl analyze (Istio 1.17 analyzers, ANALYZER_LOGIC.md), on a built
/// <see cref="MeshModel"/>. Codes are Istio's where Istio has one; GuestbookLab's own findings use GBL codes.
/// </summary>
public static class MeshAnalyzer
{
    public static IReadOnlyList<AnalysisMessage> Analyze(MeshModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var messages = new List<AnalysisMessage>();
        var index = new Index(model);
        Schema(model, messages);
        VirtualServiceDestinations(model, index, messages);
        VirtualServiceGateways(model, index, messages);
        ConflictingMeshHosts(model, messages);
        GatewayPorts(model, messages);
        DestinationRuleWorkloads(model, index, messages);
        AuthorizationPolicies(model, index, messages);
        Injection(model, messages);
        StrictMtlsClients(model, messages);
        ServiceEntryConflicts(model, messages);
        ProbeRewrite(model, messages);
        return messages
            .DistinctBy(m => (m.Code, m.Resource, m.Message))
            .OrderByDescending(m => m.Level).ThenBy(m => m.Resource, StringComparer.Ordinal).ThenBy(m => m.Code, StringComparer.Ordinal)
            .ToList();
    }

    private static string Ref(LabResource r) => r.Namespace is null ? $"{r.Kind} {r.Name}" : $"{r.Kind} {r.Namespace}/{r.Name}";

    /// <summary>IST0106/IST0133 (schema), IST0122 (regex), IST0130/IST0131 (unreachable rules), IST0134 (SE addresses).</summary>
    private static void Schema(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var resource in model.Resources)
        {
            foreach (var issue in ResourceValidator.Validate(resource).Issues)
            {
                var text = $"{issue.Field}: {issue.Message}";
                messages.Add(issue switch
                {
                    { ErrorId: ErrorIds.InvalidRegex } => new("IST0122", "InvalidRegexp", AnalysisLevel.Warning, Ref(resource), $"Field \"{issue.Field}\" regular expression invalid: \"{issue.Value}\" ({issue.Message})"),
                    { ErrorId: ErrorIds.UnreachableRoute } when issue.Message.Contains("ineffective", StringComparison.Ordinal) => new("IST0131", "VirtualServiceIneffectiveMatch", AnalysisLevel.Info, Ref(resource), text),
                    { ErrorId: ErrorIds.UnreachableRoute } => new("IST0130", "VirtualServiceUnreachableRule", AnalysisLevel.Warning, Ref(resource), text),
                    { Field: "spec.addresses", Severity: IssueSeverity.Warning } => new("IST0134", "ServiceEntryAddressesRequired", AnalysisLevel.Warning, Ref(resource), "ServiceEntry addresses are required for this protocol."),
                    { ErrorId: ErrorIds.RuleAllowsMore, Rule: "AuthorizationPolicy rules" } => new("GBL0008", "RuleAllowsAnySource", AnalysisLevel.Warning, Ref(resource), text),
                    { Severity: IssueSeverity.Error } => new("IST0106", "SchemaValidationError", AnalysisLevel.Error, Ref(resource), $"Schema validation error: {text}"),
                    _ => new("IST0133", "SchemaWarning", AnalysisLevel.Warning, Ref(resource), $"Schema validation warning: {text}"),
                });
            }
        }
    }

    /// <summary>IST0101 host / mirror host / host:port / host+subset, IST0112 port required.</summary>
    private static void VirtualServiceDestinations(MeshModel model, Index index, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            var destinations = new List<(Destination Destination, string What)>();
            foreach (var route in vs.Spec.Http ?? [])
            {
                destinations.AddRange((route.Route ?? []).Where(r => r.Destination is not null).Select(r => (r.Destination!, "host")));
                if (route.Mirror is not null)
                {
                    destinations.Add((route.Mirror, "mirror host"));
                }
            }

            destinations.AddRange((vs.Spec.Tcp ?? []).SelectMany(t => t.Route ?? []).Where(r => r.Destination is not null).Select(r => (r.Destination!, "host")));
            destinations.AddRange((vs.Spec.Tls ?? []).SelectMany(t => t.Route ?? []).Where(r => r.Destination is not null).Select(r => (r.Destination!, "host")));
            foreach (var (destination, what) in destinations)
            {
                var host = MeshModel.Fqdn(destination.Host ?? string.Empty, ns);
                var service = model.FindService(host, ns, null);
                if (service is null)
                {
                    messages.Add(NotFound(vs, what, destination.Host));
                    continue;
                }

                if (destination.Port?.Number is { } port && service.Ports.All(p => p.Port != port))
                {
                    messages.Add(NotFound(vs, $"{what}:port", $"{destination.Host}:{port}"));
                }
                else if (destination.Port is null && service.Entry is null && service.Ports.Count > 1)
                {
                    messages.Add(new("IST0112", "VirtualServiceDestinationPortSelectorRequired", AnalysisLevel.Error, Ref(vs),
                        $"This VirtualService routes to a service \"{destination.Host}\" that exposes multiple ports [{string.Join(" ", service.Ports.Select(p => p.Port))}]. Specifying a port in the destination is required to disambiguate."));
                }

                if (destination.Subset is not null && !index.HasSubset(service.Host, destination.Subset))
                {
                    messages.Add(NotFound(vs, what == "host" ? "host+subset in destinationrule" : "mirror+subset in destinationrule", $"{destination.Host}+{destination.Subset}"));
                }
            }
        }
    }

    /// <summary>IST0101 gateway, IST0132 VS hosts not in the gateway.</summary>
    private static void VirtualServiceGateways(MeshModel model, Index index, List<AnalysisMessage> messages)
    {
        foreach (var vs in model.VirtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            foreach (var reference in vs.Spec.Gateways ?? [])
            {
                if (reference == "mesh")
                {
                    continue;
                }

                var key = reference.Contains('/', StringComparison.Ordinal) ? reference : $"{ns}/{reference}";
                if (!index.Gateways.TryGetValue(key, out var gateway))
                {
                    messages.Add(NotFound(vs, "gateway", reference));
                    continue;
                }

                var serverHosts = (gateway.Spec.Servers ?? []).SelectMany(s => s.Hosts ?? []).Select(h => h.Contains('/', StringComparison.Ordinal) ? h[(h.IndexOf('/', StringComparison.Ordinal) + 1)..] : h).ToList();
                var hosts = vs.Spec.Hosts ?? [];
                if (!hosts.Any(h => serverHosts.Any(s => RequestSimulator.HostMatches(s, h) || RequestSimulator.HostMatches(h, s))))
                {
                    messages.Add(new("IST0132", "VirtualServiceHostNotFoundInGateway", AnalysisLevel.Warning, Ref(vs),
                        $"one or more host [{string.Join(" ", hosts)}] defined in VirtualService {ns}/{vs.Name} not found in Gateway {key}."));
                }
            }
        }
    }

    /// <summary>IST0109: several VirtualServices for the sidecars (mesh) define the same host.</summary>
    private static void ConflictingMeshHosts(MeshModel model, List<AnalysisMessage> messages)
    {
        var byHost = model.VirtualServices
            .Where(vs => vs.Spec.Gateways is not { Count: > 0 } || vs.Spec.Gateways.Contains("mesh"))
            .SelectMany(vs => (vs.Spec.Hosts ?? []).Select(h => (Host: MeshModel.Fqdn(h, MeshModel.NamespaceOf(vs)), Vs: vs)))
            .GroupBy(x => x.Host, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Select(x => x.Vs).Distinct().Count() > 1);
        foreach (var group in byHost)
        {
            var names = string.Join(",", group.Select(x => $"{MeshModel.NamespaceOf(x.Vs)}/{x.Vs.Name}").Distinct());
            foreach (var vs in group.Select(x => x.Vs).Distinct())
            {
                messages.Add(new("IST0109", "ConflictingMeshGatewayVirtualServiceHosts", AnalysisLevel.Error, Ref(vs),
                    $"The VirtualServices {names} associated with mesh gateway define the same host {group.Key} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource."));
            }
        }
    }

    /// <summary>IST0101 selector (no gateway pod), IST0104 a server port the gateway's Service does not expose.</summary>
    private static void GatewayPorts(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var gateway in model.Gateways)
        {
            var pods = model.Workloads.Where(w => w.Selects(gateway.Spec.Selector)).ToList();
            if (pods.Count == 0)
            {
                messages.Add(NotFound(gateway, "selector", string.Join(",", (gateway.Spec.Selector ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))));
                continue;
            }

            var ports = model.Services.Where(s => s.Entry is null && pods.Any(p => p.Namespace == s.Namespace && p.Selects(s.Selector))).SelectMany(s => s.Ports.Select(p => p.Port)).ToHashSet();
            foreach (var server in gateway.Spec.Servers ?? [])
            {
                if (server.Port?.Number is { } number && !ports.Contains(number))
                {
                    messages.Add(new("IST0104", "GatewayPortNotOnWorkload", AnalysisLevel.Warning, Ref(gateway),
                        $"The gateway refers to a port that is not exposed on the workload (pod selector {string.Join(",", (gateway.Spec.Selector ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))}; port {number})"));
                }
            }
        }
    }

    /// <summary>GBL0001: a DestinationRule whose host is no service; GBL0002: a subset that selects no pods (503 UH at run time).</summary>
    private static void DestinationRuleWorkloads(MeshModel model, Index index, List<AnalysisMessage> messages)
    {
        foreach (var dr in model.DestinationRules)
        {
            var host = dr.Spec.Host;
            if (host is null || host.StartsWith('*'))
            {
                continue;
            }

            var service = model.FindService(MeshModel.Fqdn(host, MeshModel.NamespaceOf(dr)), MeshModel.NamespaceOf(dr), null);
            if (service is null)
            {
                messages.Add(new("GBL0001", "DestinationRuleHostNotFound", AnalysisLevel.Warning, Ref(dr), $"No service or ServiceEntry has the host \"{host}\": the rule applies to nothing."));
                continue;
            }

            if (service.Entry is not null)
            {
                continue;
            }

            foreach (var subset in dr.Spec.Subsets ?? [])
            {
                if (!model.Endpoints(service, subset.Labels).Any())
                {
                    messages.Add(new("GBL0002", "SubsetSelectsNoWorkloads", AnalysisLevel.Warning, Ref(dr),
                        $"The subset \"{subset.Name}\" ({string.Join(",", (subset.Labels ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))}) selects no pod of {service.Host}: routes to it get 503 no healthy upstream."));
                }
            }
        }
    }

    /// <summary>IST0127 no matching in-mesh workloads, IST0101 namespace, GBL0003 a principal no workload has.</summary>
    private static void AuthorizationPolicies(MeshModel model, Index index, List<AnalysisMessage> messages)
    {
        foreach (var policy in model.AuthorizationPolicies)
        {
            var ns = MeshModel.NamespaceOf(policy);
            var selector = policy.Spec.Selector?.MatchLabels;
            var inMesh = model.Workloads.Where(w => w.HasSidecar && !w.IsGateway || (w.IsGateway && ns == model.RootNamespace));
            var scope = ns == model.RootNamespace ? inMesh : inMesh.Where(w => w.Namespace == ns);
            if (!(ns == model.RootNamespace && selector is null) && !scope.Any(w => w.Selects(selector)))
            {
                messages.Add(new("IST0127", "NoMatchingWorkloadsFound", AnalysisLevel.Warning, Ref(policy),
                    $"No matching workloads for this resource with the following labels: {string.Join(",", (selector ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))}"));
            }

            foreach (var source in (policy.Spec.Rules ?? []).SelectMany(r => r.From ?? []).Select(f => f.Source).OfType<Source>())
            {
                foreach (var name in (source.Namespaces ?? []).Concat(source.NotNamespaces ?? []))
                {
                    if (!model.Namespaces.Keys.Any(n => Authorization.StringMatches(name, n, ignoreCase: true)))
                    {
                        messages.Add(NotFound(policy, "namespace", name));
                    }
                }

                foreach (var principal in (source.Principals ?? []).Where(p => !p.Contains('*', StringComparison.Ordinal)))
                {
                    if (!index.Principals.Contains(principal))
                    {
                        messages.Add(new("GBL0003", "PrincipalMatchesNoWorkload", AnalysisLevel.Warning, Ref(policy),
                            $"No workload runs as \"{principal}\" (trust domain {model.TrustDomain}): this source never matches."));
                    }
                }
            }
        }
    }

    /// <summary>IST0102: a namespace with workloads but no injection label.</summary>
    private static void Injection(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var ns in model.Workloads.Select(w => w.Namespace).Distinct().Where(n => n != model.RootNamespace && !n.StartsWith("kube-", StringComparison.Ordinal)))
        {
            var labels = model.Namespaces.GetValueOrDefault(ns) ?? new Dictionary<string, string>();
            if (!labels.ContainsKey("istio-injection") && !labels.ContainsKey("istio.io/rev"))
            {
                messages.Add(new("IST0102", "NamespaceNotInjected", AnalysisLevel.Info, $"Namespace {ns}",
                    $"The namespace is not enabled for Istio injection. Run 'kubectl label namespace {ns} istio-injection=enabled' to enable it, or 'kubectl label namespace {ns} istio-injection=disabled' to explicitly mark it as not needing injection."));
            }
        }
    }

    /// <summary>GBL0004: STRICT mTLS while some workloads have no sidecar (their plaintext calls are reset).</summary>
    private static void StrictMtlsClients(MeshModel model, List<AnalysisMessage> messages)
    {
        foreach (var pa in model.PeerAuthentications.Where(p => p.Spec.Mtls?.Mode == "STRICT" && p.Spec.Selector?.MatchLabels is not { Count: > 0 }))
        {
            var outside = model.Workloads.Where(w => !w.HasSidecar).Select(w => $"{w.Namespace}/{w.Name}").ToList();
            if (outside.Count > 0)
            {
                messages.Add(new("GBL0004", "StrictMtlsWithClientsOutsideMesh", AnalysisLevel.Warning, Ref(pa),
                    $"STRICT mTLS refuses plaintext, and these workloads have no sidecar: {string.Join(", ", outside)}. Their calls into {(MeshModel.NamespaceOf(pa) == model.RootNamespace ? "the mesh" : $"namespace {MeshModel.NamespaceOf(pa)}")} will be reset."));
            }
        }
    }

    /// <summary>GBL0005: ServiceEntries with the same host and port; GBL0006: a wildcard entry that covers another's host.</summary>
    private static void ServiceEntryConflicts(MeshModel model, List<AnalysisMessage> messages)
    {
        var entries = model.ServiceEntries
            .SelectMany(se => (se.Spec.Hosts ?? []).SelectMany(h => (se.Spec.Ports ?? []).Select(p => (Entry: se, Host: h, Port: p.Number ?? 0))))
            .ToList();
        foreach (var group in entries.GroupBy(e => (Host: e.Host.ToLowerInvariant(), e.Port)).Where(g => g.Select(e => e.Entry).Distinct().Count() > 1))
        {
            var names = string.Join(", ", group.Select(e => Ref(e.Entry)).Distinct());
            foreach (var entry in group.Select(e => e.Entry).Distinct())
            {
                messages.Add(new("GBL0005", "ConflictingServiceEntries", AnalysisLevel.Warning, Ref(entry), $"{names} all define {group.Key.Host}:{group.Key.Port}; the oldest wins."));
            }
        }

        foreach (var wildcard in entries.Where(e => e.Host.StartsWith("*.", StringComparison.Ordinal)))
        {
            foreach (var covered in entries.Where(e => e.Entry != wildcard.Entry && e.Port == wildcard.Port && !e.Host.StartsWith('*') && RequestSimulator.HostMatches(wildcard.Host, e.Host)))
            {
                messages.Add(new("GBL0006", "ShadowedServiceEntryHost", AnalysisLevel.Info, Ref(covered.Entry),
                    $"{covered.Host}:{covered.Port} is also covered by {wildcard.Host} of {Ref(wildcard.Entry)}; the exact host is matched first."));
            }
        }
    }

    /// <summary>GBL0007: a workload whose HTTP readiness probe is not rewritten while its port is STRICT: it never becomes ready.</summary>
    private static void ProbeRewrite(MeshModel model, List<AnalysisMessage> messages)
    {
        var simulator = new RequestSimulator(model);
        foreach (var workload in model.Workloads.Where(w => w.HasSidecar && !w.RewriteProbes && w.ReadinessProbePort is not null))
        {
            var probe = simulator.Simulate(simulator.ResolveSource("kubelet"), new RequestSpec { Scheme = "http", Host = workload.Name, Port = workload.ReadinessProbePort!.Value }, new Random(0));
            if (probe.Outcome == RequestOutcome.ConnectionReset)
            {
                messages.Add(new("GBL0007", "ProbeFailsUnderStrictMtls", AnalysisLevel.Warning, workload.DisplayName,
                    $"Probe rewriting is off (sidecar.istio.io/rewriteAppHTTPProbers: \"false\") and port {workload.ReadinessProbePort} is STRICT: the kubelet's plaintext readiness probe is reset, so the pods never become ready."));
            }
        }
    }

    private static AnalysisMessage NotFound(LabResource resource, string what, string? value) =>
        new("IST0101", "ReferencedResourceNotFound", AnalysisLevel.Error, Ref(resource), $"Referenced {what} not found: \"{value}\"");

    /// <summary>Lookups built once per analysis.</summary>
    private sealed class Index
    {
        private readonly HashSet<(string Host, string Subset)> subsets = [];

        public Index(MeshModel model)
        {
            foreach (var dr in model.DestinationRules)
            {
                var host = MeshModel.Fqdn(dr.Spec.Host ?? string.Empty, MeshModel.NamespaceOf(dr)).ToLowerInvariant();
                foreach (var subset in dr.Spec.Subsets ?? [])
                {
                    subsets.Add((host, subset.Name ?? string.Empty));
                }
            }

            Gateways = model.Gateways.GroupBy(g => $"{MeshModel.NamespaceOf(g)}/{g.Name}").ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            Principals = model.Workloads.Select(w => $"{model.TrustDomain}/ns/{w.Namespace}/sa/{w.ServiceAccount}").ToHashSet(StringComparer.Ordinal);
        }

        public Dictionary<string, Gateway> Gateways { get; }

        public HashSet<string> Principals { get; }

        public bool HasSubset(string host, string subset) => subsets.Contains((host.ToLowerInvariant(), subset));
    }
}
