using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Analysis;

// Istio 1.17's virtualservice.* analyzers, with Istio's semantics: hosts are looked up by namespace scope (exportTo and
// the networking.istio.io/exportTo annotation), short names complete to the resource's namespace and nothing else.
public static partial class MeshAnalyzer
{
    private const string ClusterDomain = "svc.cluster.local";

    private static readonly Regex FqdnPattern = new(@"^(.+)\.(.+)\.svc\.cluster\.local$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>A short name (no dot, no wildcard) completed to name.namespace.svc.cluster.local; anything else as written.</summary>
    private static string ToFqdn(string ns, string host) =>
        !host.StartsWith('*') && !host.Contains('.', StringComparison.Ordinal) ? $"{host}.{ns}.{ClusterDomain}" : host;

    /// <summary>A host as the (namespace, name) of the Service it names: from an FQDN of the cluster domain, else the host in <paramref name="ns"/>.</summary>
    private static (string Namespace, string Name) ServiceName(string ns, string host)
    {
        var match = FqdnPattern.Match(host);
        return match.Success ? (match.Groups[2].Value, match.Groups[1].Value) : (ns, host);
    }

    /// <summary>Istio's host.Name.Matches: equal, or either side a wildcard covering the other.</summary>
    internal static bool HostsMatch(string a, string b)
    {
        var aw = a.StartsWith('*');
        var bw = b.StartsWith('*');
        if (aw && bw)
        {
            return a.Length < b.Length ? b[1..].EndsWith(a[1..], StringComparison.Ordinal) : a[1..].EndsWith(b[1..], StringComparison.Ordinal);
        }

        return aw ? b.EndsWith(a[1..], StringComparison.Ordinal) : bw ? a.EndsWith(b[1..], StringComparison.Ordinal) : a == b;
    }

    private static bool ExportedToAll(IReadOnlyCollection<string>? exportTo) => exportTo is not { Count: > 0 } || exportTo.Contains("*");

    /// <summary>Every Service and ServiceEntry host by "scope/fqdn" (scope * or a namespace), with its ports.</summary>
    private static Dictionary<string, IReadOnlyList<int>> ScopedHosts(AnalysisInputs inputs)
    {
        var hosts = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        foreach (var se in inputs.Model.ServiceEntries)
        {
            var ns = MeshModel.NamespaceOf(se);
            var scope = ExportedToAll(se.Spec.ExportTo) ? "*" : ns;
            var ports = (se.Spec.Ports ?? []).Select(p => p.Number ?? 0).ToList();
            foreach (var host in se.Spec.Hosts ?? [])
            {
                hosts[$"{scope}/{ToFqdn(ns, host)}"] = ports;
            }
        }

        foreach (var service in inputs.Services)
        {
            var ports = service.Ports.Select(p => p.Port).ToList();
            var exportTo = service.Annotations.GetValueOrDefault("networking.istio.io/exportTo");
            var scopes = string.IsNullOrEmpty(exportTo) ? ["*"] : exportTo.Split(',').Select(e => e == "." ? service.Namespace : e);
            foreach (var scope in scopes)
            {
                hosts[$"{scope}/{ToFqdn(service.Namespace, service.Name)}"] = ports;
            }
        }

        return hosts;
    }

    /// <summary>The ports of the service a VirtualService in <paramref name="ns"/> exported to <paramref name="exportTo"/> reaches as <paramref name="host"/>, or null.</summary>
    private static IReadOnlyList<int>? DestinationHost(string ns, IReadOnlyList<string>? exportTo, string host, Dictionary<string, IReadOnlyList<int>> hosts,
        List<(string Scope, string Suffix, IReadOnlyList<int> Ports)> wildcards)
    {
        var fqdn = ToFqdn(ns, host);
        if (hosts.TryGetValue($"*/{fqdn}", out var ports))
        {
            return ports;
        }

        foreach (var scope in exportTo is { Count: > 0 } ? exportTo.Select(e => e == "." ? ns : e) : [ns])
        {
            if (hosts.TryGetValue($"{scope}/{fqdn}", out ports))
            {
                return ports;
            }
        }

        foreach (var (scope, suffix, value) in wildcards)
        {
            if ((scope == "*" || scope == ns) && host.TrimStart('*').EndsWith(suffix, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The wildcard hosts of <see cref="ScopedHosts"/>, in its order, as (scope, host without the *, ports).</summary>
    private static List<(string Scope, string Suffix, IReadOnlyList<int> Ports)> WildcardHosts(Dictionary<string, IReadOnlyList<int>> hosts)
    {
        var result = new List<(string, string, IReadOnlyList<int>)>();
        foreach (var (key, value) in hosts)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (key.Length > slash + 1 && key[slash + 1] == '*')
            {
                result.Add((key[..slash], key[(slash + 2)..], value));
            }
        }

        return result;
    }

    /// <summary>Every route destination, with its field (spec.http[0].route[1].destination), tcp then tls then http routes.</summary>
    private static IEnumerable<DestinationAt> RouteDestinations(VirtualService vs) =>
        Routes("tcp", (vs.Spec.Tcp ?? []).Select(t => t.Route?.Select(r => r.Destination)))
            .Concat(Routes("tls", (vs.Spec.Tls ?? []).Select(t => t.Route?.Select(r => r.Destination))))
            .Concat(Routes("http", (vs.Spec.Http ?? []).Select(t => t.Route?.Select(r => r.Destination))));

    private static IEnumerable<DestinationAt> Routes(string kind, IEnumerable<IEnumerable<Destination?>?> routes) =>
        routes.SelectMany((route, i) => (route ?? []).Select((d, j) => new DestinationAt(d ?? new Destination(), kind, i, j)));

    /// <summary>A destination and where it is: route <c>Index</c> of rule <c>Rule</c>, or the rule's mirror (Index -1); its field path is made only for a finding.</summary>
    private readonly record struct DestinationAt(Destination Destination, string Kind, int Rule, int Index)
    {
        public string Field(string leaf) => Index < 0 ? $"spec.{Kind}[{Rule}].mirror.{leaf}" : $"spec.{Kind}[{Rule}].route[{Index}].destination.{leaf}";
    }

    /// <summary>Every mirror, with its field (spec.http[0].mirror).</summary>
    private static IEnumerable<DestinationAt> Mirrors(VirtualService vs) =>
        (vs.Spec.Http ?? []).Select((h, i) => (h.Mirror, i)).Where(m => m.Mirror is not null).Select(m => new DestinationAt(m.Mirror!, "http", m.i, -1));

    /// <summary>IST0101 host, mirror host, host:port; IST0112 a port needed; IST0140 subset-less ingress routes next to subset routes.</summary>
    private static void VirtualServiceDestinationHosts(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var hosts = ScopedHosts(inputs);
        var wildcards = WildcardHosts(hosts);
        var model = inputs.Model;
        foreach (var vs in model.VirtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            foreach (var (at, what) in RouteDestinations(vs).Select(d => (d, "host")).Concat(Mirrors(vs).Select(m => (m, "mirror host"))))
            {
                var destination = at.Destination;
                var ports = DestinationHost(ns, vs.Spec.ExportTo, destination.Host ?? string.Empty, hosts, wildcards);
                if (ports is null)
                {
                    messages.Add(NotFound(vs, what, destination.Host) with { Field = at.Field("host") });
                }
                else if (destination.Port?.Number is not { } port)
                {
                    if (ports.Count > 1)
                    {
                        messages.Add(new("IST0112", "VirtualServiceDestinationPortSelectorRequired", AnalysisLevel.Error, Ref(vs),
                            $"This VirtualService routes to a service \"{destination.Host}\" that exposes multiple ports [{string.Join(" ", ports)}]. Specifying a port in the destination is required to disambiguate.") { Field = at.Field("host") });
                    }
                }
                else if (!ports.Contains(port))
                {
                    messages.Add(NotFound(vs, "host:port", $"{destination.Host}:{port}") with { Field = at.Field("port") });
                }
            }
        }

        // IST0140: a VirtualService bound to gateways routes without a subset to a host that another VirtualService
        // (for that host) routes by subset: the subset routing does not apply to the gateway's requests.
        var withSubsets = model.VirtualServices
            .Select(vs => (Vs: vs, Hosts: (vs.Spec.Http ?? []).SelectMany(h => h.Route ?? []).Select(r => r.Destination)
                .Where(d => !string.IsNullOrEmpty(d?.Subset) && (vs.Spec.Hosts ?? []).Contains(d!.Host ?? string.Empty)).Select(d => d!.Host).ToList()))
            .Where(x => x.Hosts.Count > 0).ToList();
        foreach (var vs in model.VirtualServices.Where(v => v.Spec.Gateways is { Count: > 0 }))
        {
            foreach (var destination in (vs.Spec.Http ?? []).SelectMany(h => h.Route ?? []).Select(r => r.Destination).Where(d => string.IsNullOrEmpty(d?.Subset)))
            {
                foreach (var (other, subsetHosts) in withSubsets)
                {
                    foreach (var _ in subsetHosts.Where(h => h == destination?.Host))
                    {
                        messages.Add(new("IST0140", "IngressRouteRulesNotAffected", AnalysisLevel.Warning, Ref(vs),
                            $"Subset in virtual service {MeshModel.NamespaceOf(other)}/{other.Name} has no effect on ingress gateway {MeshModel.NamespaceOf(vs)}/{vs.Name} requests"));
                    }
                }
            }
        }
    }

    /// <summary>IST0101 host+subset / mirror+subset: a subset no DestinationRule for that host defines.</summary>
    private static void VirtualServiceDestinationRules(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var subsets = inputs.Model.DestinationRules
            .SelectMany(dr => (dr.Spec.Subsets ?? []).Select(s => (ServiceName(MeshModel.NamespaceOf(dr), dr.Spec.Host ?? string.Empty), s.Name ?? string.Empty)))
            .ToHashSet();
        foreach (var vs in inputs.Model.VirtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            foreach (var (at, what) in RouteDestinations(vs).Select(d => (d, "host+subset in destinationrule")).Concat(Mirrors(vs).Select(m => (m, "mirror+subset in destinationrule"))))
            {
                var destination = at.Destination;
                if (!string.IsNullOrEmpty(destination.Subset) && !subsets.Contains((ServiceName(ns, destination.Host ?? string.Empty), destination.Subset)))
                {
                    messages.Add(NotFound(vs, what, $"{destination.Host}+{destination.Subset}") with { Field = at.Field("subset") });
                }
            }
        }
    }

    /// <summary>IST0101 gateway, IST0132 no VirtualService host among the gateway's (namespace/host hosts bind only that namespace).</summary>
    private static void VirtualServiceGateways(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var gateways = inputs.Model.Gateways.GroupBy(g => $"{MeshModel.NamespaceOf(g)}/{g.Name}", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var vs in inputs.Model.VirtualServices)
        {
            var ns = MeshModel.NamespaceOf(vs);
            var references = vs.Spec.Gateways ?? [];
            for (var i = 0; i < references.Count; i++)
            {
                var reference = references[i];
                if (reference == "mesh")
                {
                    continue;
                }

                var key = reference.Contains('/', StringComparison.Ordinal) ? reference : $"{ns}/{reference}";
                gateways.TryGetValue(key, out var gateway);
                if (gateway is null)
                {
                    messages.Add(NotFound(vs, "gateway", reference) with { Field = $"spec.gateways[{i}]" });
                }

                // As Istio does, a missing gateway also has none of the hosts.
                var hosts = vs.Spec.Hosts ?? [];
                var gatewayHosts = GatewayHostsFor(gateway, ns);
                if (!gatewayHosts.Any(g => hosts.Any(h => HostsMatch(g, h))))
                {
                    messages.Add(new("IST0132", "VirtualServiceHostNotFoundInGateway", AnalysisLevel.Warning, Ref(vs),
                        $"one or more host [{string.Join(" ", hosts)}] defined in VirtualService {ns}/{vs.Name} not found in Gateway {key}.") { Field = $"spec.gateways[{i}]" });
                }
            }
        }
    }

    /// <summary>A gateway's server hosts that bind VirtualServices of namespace <paramref name="vsNamespace"/>, without their namespace part.</summary>
    private static List<string> GatewayHostsFor(Gateway? gateway, string vsNamespace)
    {
        var result = new List<string>();
        if (gateway is null)
        {
            return result;
        }

        var gatewayNs = MeshModel.NamespaceOf(gateway);
        foreach (var server in gateway.Spec.Servers ?? [])
        {
            var hosts = new List<string>();
            foreach (var host in server.Hosts ?? [])
            {
                var parts = host.Split('/');
                if (parts.Length < 2)
                {
                    hosts.Add(host);
                }
                else if (parts[0] == ".")
                {
                    hosts.Add($"{gatewayNs}/{parts[1]}");
                }
                else if (parts[0] == "*")
                {
                    if (parts[1] == "*")
                    {
                        hosts = ["*"];
                        break;
                    }

                    hosts.Add(parts[1]);
                }
                else
                {
                    hosts.Add(host);
                }
            }

            foreach (var host in hosts)
            {
                var parts = host.Split('/');
                if (parts.Length < 2)
                {
                    result.Add(host);
                }
                else if (parts[0] == vsNamespace || parts[0] == "*")
                {
                    result.Add(parts[1]);
                }
            }
        }

        return result;
    }

    /// <summary>IST0109: VirtualServices for the mesh gateway that define the same host in the same scope (exportTo).</summary>
    private static void ConflictingMeshHosts(AnalysisInputs inputs, List<AnalysisMessage> messages)
    {
        var byHost = new Dictionary<string, List<VirtualService>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var vs in inputs.Model.VirtualServices.Where(v => v.Spec.Gateways is not { Count: > 0 } || v.Spec.Gateways.Contains("mesh")))
        {
            var ns = MeshModel.NamespaceOf(vs);
            var scopes = ExportedToAll(vs.Spec.ExportTo) ? ["*"] : vs.Spec.ExportTo!.Select(e => e == "." ? ns : e).Distinct(StringComparer.Ordinal);
            foreach (var scope in scopes)
            {
                foreach (var host in vs.Spec.Hosts ?? [])
                {
                    var key = $"{scope}/{ToFqdn(ns, host)}";
                    if (!byHost.TryGetValue(key, out var list))
                    {
                        byHost[key] = list = [];
                        order.Add(key);
                    }

                    list.Add(vs);
                }
            }
        }

        var reported = new HashSet<VirtualService>();
        foreach (var key in order)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var list = byHost[key].ToList();
            if (key[..slash] != "*")
            {
                var host = key[(slash + 1)..];
                list.AddRange(byHost.Where(kv => kv.Key.StartsWith("*/", StringComparison.Ordinal) && HostsMatch(host, kv.Key[2..])).SelectMany(kv => kv.Value));
            }

            if (list.Count < 2)
            {
                continue;
            }

            var names = string.Join(",", list.Select(v => $"{MeshModel.NamespaceOf(v)}/{v.Name}"));
            foreach (var vs in list.Where(reported.Add))
            {
                messages.Add(new("IST0109", "ConflictingMeshGatewayVirtualServiceHosts", AnalysisLevel.Error, Ref(vs),
                    $"The VirtualServices {names} associated with mesh gateway define the same host {key} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource."));
            }
        }
    }
}
