using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>One egress listener of a Sidecar: an optional port and the <c>namespace/host</c> imports.</summary>
public sealed record SidecarEgressListener(int? Port, string? Protocol, IReadOnlyList<string> Hosts)
{
    /// <summary>The imports by namespace ('.' resolved to the Sidecar's namespace; '*' any namespace), as convertIstioListenerToWrapper splits them.</summary>
    internal Dictionary<string, List<string>> HostsByNamespace(string configNamespace)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var host in Hosts)
        {
            var slash = host.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                // Istio logs "Illegal host in sidecar resource" and skips a host without a namespace.
                continue;
            }

            var ns = host[..slash] == "." ? configNamespace : host[..slash];
            if (!result.TryGetValue(ns, out var list))
            {
                result[ns] = list = [];
            }

            list.Add(host[(slash + 1)..]);
        }

        return result;
    }
}

/// <summary>A networking.istio.io Sidecar, read from the generic resource it is (the module has no typed model of it).</summary>
public sealed record SidecarResource(LabResource Resource, IReadOnlyDictionary<string, string>? Selector, IReadOnlyList<SidecarEgressListener> Egress, string? OutboundPolicy)
{
    public string Namespace => MeshModel.NamespaceOf(Resource);

    public string DisplayName => $"Sidecar {Namespace}/{Resource.Name}";

    /// <summary>Reads a Sidecar's spec (workloadSelector.labels, egress[].port and hosts, outboundTrafficPolicy.mode).</summary>
    public static SidecarResource Read(GenericResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var spec = resource.Spec as IDictionary<string, object?>;
        IReadOnlyDictionary<string, string>? selector = null;
        if (RawMap.Get(RawMap.Get(spec, "workloadSelector") as IDictionary<string, object?>, "labels") is IDictionary<string, object?> labels)
        {
            selector = labels.ToDictionary(kv => kv.Key, kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal);
        }
        else if (RawMap.Get(spec, "workloadSelector") is IDictionary<string, object?>)
        {
            // A selector without labels still counts as a selector (it selects every workload of the namespace).
            selector = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var egress = new List<SidecarEgressListener>();
        foreach (var item in spec is null ? Array.Empty<object?>() : RawMap.Items(spec, "egress"))
        {
            if (item is not IDictionary<string, object?> listener)
            {
                continue;
            }

            var port = RawMap.Get(listener, "port") as IDictionary<string, object?>;
            var number = RawMap.Whole(RawMap.Get(port, "number"));
            var hosts = RawMap.Items(listener, "hosts").OfType<object?>().Select(h => Convert.ToString(h, CultureInfo.InvariantCulture)).OfType<string>().ToList();
            egress.Add(new SidecarEgressListener(number is > 0 ? (int)number.Value : null, RawMap.Get(port, "protocol") as string, hosts));
        }

        var policy = RawMap.Get(RawMap.Get(spec, "outboundTrafficPolicy") as IDictionary<string, object?>, "mode") as string;
        return new SidecarResource(resource, selector, egress, policy is null ? null : policy.ToUpperInvariant());
    }
}

/// <summary>
/// What a workload's sidecar knows (pilot/pkg/model/sidecar.go SidecarScope): the Sidecar resource that applies to it
/// (push_context.go getSidecarScope: one of its namespace whose workloadSelector matches, oldest first; else its
/// namespace's Sidecar without a selector; else the root namespace's; else the default scope, which imports
/// <c>*/*</c>), its egress listeners, and its outbound traffic policy (the Sidecar's, else the mesh's).
/// </summary>
public sealed class SidecarScope
{
    private static readonly IReadOnlyList<SidecarEgressListener> DefaultEgress = [new SidecarEgressListener(null, null, ["*/*"])];

    // Each egress listener's imports by namespace, resolved once for the proxy's namespace.
    private readonly Dictionary<string, List<string>>[] imports;

    private SidecarScope(MeshModel model, string configNamespace, SidecarResource? sidecar)
    {
        ConfigNamespace = configNamespace;
        Sidecar = sidecar;
        Egress = sidecar?.Egress is { Count: > 0 } egress ? egress : DefaultEgress;
        OutboundPolicy = sidecar?.OutboundPolicy ?? model.OutboundPolicy;
        imports = Egress.Select(e => e.HostsByNamespace(configNamespace)).ToArray();
    }

    /// <summary>The namespace of the proxy (the Sidecar's configuration namespace).</summary>
    public string ConfigNamespace { get; }

    /// <summary>The Sidecar resource in effect, or null for the default scope.</summary>
    public SidecarResource? Sidecar { get; }

    public IReadOnlyList<SidecarEgressListener> Egress { get; }

    /// <summary>ALLOW_ANY or REGISTRY_ONLY: the Sidecar's outboundTrafficPolicy, else the mesh config's.</summary>
    public string OutboundPolicy { get; }

    /// <summary>The scope of a workload in <paramref name="ns"/> with <paramref name="labels"/>.</summary>
    public static SidecarScope For(MeshModel model, string ns, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        var inNamespace = model.Sidecars.Where(s => s.Namespace == ns).ToList();

        // initSidecarScopes: oldest first, those with a selector before those without.
        var chosen = inNamespace.FirstOrDefault(s => s.Selector is not null && s.Selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            ?? inNamespace.FirstOrDefault(s => s.Selector is null)
            ?? model.Sidecars.FirstOrDefault(s => s.Namespace == model.RootNamespace && s.Selector is null);
        return new SidecarScope(model, ns, chosen);
    }

    /// <summary>GetEgressListenerForRDS: the first egress listener on the port or without a port (the catch-all).</summary>
    public SidecarEgressListener? ListenerFor(int port) => ListenerIndex(port) is var i and >= 0 ? Egress[i] : null;

    private int ListenerIndex(int port)
    {
        for (var i = 0; i < Egress.Count; i++)
        {
            if (Egress[i].Port is null || Egress[i].Port == port)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether the sidecar has a listener for the service's port: the port's egress listener imports the service
    /// (selectServices: an import of its namespace or of '*' whose host holds the service's host) and the service is
    /// exported to the proxy's namespace.
    /// </summary>
    public bool Sees(ServiceInfo service, int port)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Ports.All(p => p.Port != port) || !MeshModel.IsServiceVisible(service, ConfigNamespace))
        {
            return false;
        }

        var index = ListenerIndex(port);
        return index >= 0 && Imports(imports[index], service.Namespace, service.Host, bidirectional: false);
    }

    /// <summary>Whether a service is visible to the proxy at all (for clusters: exportTo only).</summary>
    public bool Visible(ServiceInfo service) => MeshModel.IsServiceVisible(service, ConfigNamespace);

    /// <summary>
    /// SelectVirtualServices for the port's egress listener: a VirtualService exported to the proxy's namespace whose
    /// namespace is imported (or '*') with a host that matches an imported host (vsHostMatches, both ways).
    /// </summary>
    public bool SeesVirtualService(VirtualService vs, int port)
    {
        ArgumentNullException.ThrowIfNull(vs);
        var index = ListenerIndex(port);
        if (index < 0 || !MeshModel.IsExported(vs.Spec.ExportTo, MeshModel.NamespaceOf(vs), ConfigNamespace))
        {
            return false;
        }

        var ns = MeshModel.NamespaceOf(vs);
        return (vs.Spec.Hosts ?? []).Any(h => Imports(imports[index], ns, MeshModel.Fqdn(h, ns), bidirectional: true));
    }

    /// <summary>The scope in words, for the explanation.</summary>
    public string Describe(int port)
    {
        var listener = ListenerFor(port);
        var source = Sidecar is null ? "no Sidecar resource applies (every host of the mesh is imported)" : $"{Sidecar.DisplayName} applies";
        if (Sidecar is null)
        {
            return source;
        }

        return listener is null
            ? $"{source}; it has no egress listener for port {port}"
            : $"{source}; its egress listener{(listener.Port is { } p ? $" on port {p}" : string.Empty)} imports {string.Join(", ", listener.Hosts)}";
    }

    private static bool Imports(Dictionary<string, List<string>> imports, string ns, string host, bool bidirectional)
    {
        bool Match(List<string> hosts) => hosts.Any(h => bidirectional ? HostMatchesEitherWay(host, h) : HostSubsetOf(host, h));
        return (imports.TryGetValue(ns, out var own) && Match(own)) || (imports.TryGetValue("*", out var any) && Match(any));
    }

    // host.Name.SubsetOf: '*' holds every host; '*.x' holds its subdomains and narrower wildcards.
    internal static bool HostSubsetOf(string host, string of)
    {
        if (of == "*")
        {
            return true;
        }

        if (host == "*")
        {
            return false;
        }

        if (of.StartsWith("*.", StringComparison.Ordinal))
        {
            return host.EndsWith(of[1..], StringComparison.OrdinalIgnoreCase);
        }

        return !host.StartsWith('*') && string.Equals(host, of, StringComparison.OrdinalIgnoreCase);
    }

    // host.Name.Matches: either holds the other.
    private static bool HostMatchesEitherWay(string a, string b) => HostSubsetOf(a, b) || HostSubsetOf(b, a);

    internal static IEnumerable<SidecarResource> ReadAll(IEnumerable<LabResource> resources) =>
        MeshModel.OldestFirst(resources.OfType<GenericResource>().Where(r => r.Kind == "Sidecar" && r.Group == "networking.istio.io"))
            .Select(SidecarResource.Read);
}
