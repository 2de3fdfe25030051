using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// One egress listener of a Sidecar: an optional port, the <c>namespace/host</c> imports, and where it listens:
/// <c>bind</c> (an IP address or unix:// socket) and <c>captureMode</c> (DEFAULT, IPTABLES, NONE).
/// </summary>
public sealed record SidecarEgressListener(int? Port, string? Protocol, IReadOnlyList<string> Hosts, string? Bind = null, string? CaptureMode = null)
{
    /// <summary>
    /// listener.go buildSidecarOutboundListeners: a listener with captureMode NONE or a unix:// bind binds a real
    /// port (bindToPort), at its bind address or 127.0.0.1, instead of taking connections iptables redirects.
    /// </summary>
    public bool BindsToPort => CaptureMode == "NONE" || (Bind?.StartsWith("unix://", StringComparison.Ordinal) ?? false);

    /// <summary>The address the listener takes connections for when it is not the services' own (bind, else 127.0.0.1 when it binds the port); null: the services' addresses.</summary>
    public string? ListenAddress => !string.IsNullOrEmpty(Bind) ? Bind : BindsToPort ? "127.0.0.1" : null;

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

/// <summary>
/// One ingress listener of a Sidecar (pilot/pkg/networking/core/v1alpha3/listener_inbound.go buildInboundChainConfigs):
/// the port the workload receives on (the target port: the API has no targetPort), its protocol
/// (<c>protocol.Parse</c> of port.protocol: an unknown or missing one is sniffed, AUTO), where the inbound cluster
/// sends it (<c>defaultEndpoint</c>: 127.0.0.1:PORT, 0.0.0.0:PORT for the pod's IP, unix:///socket; none: the
/// original destination), <c>captureMode</c> and <c>bind</c>.
/// </summary>
public sealed record SidecarIngressListener(int Port, string Protocol, string? PortName, string? DefaultEndpoint, string? CaptureMode, string? Bind)
{
    /// <summary>getBindToPort: NONE binds a real listener on the port; DEFAULT and IPTABLES take redirected connections.</summary>
    public bool BindsToPort => CaptureMode == "NONE";

    /// <summary>Where the inbound cluster inbound|PORT|| sends a request, in words.</summary>
    public string EndpointDescription => DefaultEndpoint switch
    {
        null or "" => $"the original destination (the pod's IP, port {Port}): no defaultEndpoint",
        var e when e.StartsWith("unix://", StringComparison.Ordinal) => $"the unix domain socket {e["unix://".Length..]}",
        var e when e.StartsWith("0.0.0.0:", StringComparison.Ordinal) => $"the pod's IP, port {e[8..]} (defaultEndpoint {e})",
        var e when e.StartsWith("127.0.0.1:", StringComparison.Ordinal) => $"localhost, port {e[10..]} (defaultEndpoint {e}: the application must listen on 127.0.0.1)",
        var e when e.StartsWith("[::]:", StringComparison.Ordinal) || e.StartsWith("[::1]:", StringComparison.Ordinal) => $"{e} (defaultEndpoint)",
        var e => $"{e} (defaultEndpoint)",
    };

    // protocol.Parse: the known names, in any case; anything else is Unsupported, which the listener sniffs.
    internal static string ParseProtocol(string? protocol)
    {
        var upper = protocol?.ToUpperInvariant();
        return upper is "HTTP" or "HTTP2" or "HTTPS" or "GRPC" or "GRPC-WEB" or "TCP" or "TLS" or "MONGO" or "MYSQL" or "REDIS" or "UDP" or "THRIFT" ? upper : "AUTO";
    }
}

/// <summary>A networking.istio.io Sidecar, read from the generic resource it is (the module has no typed model of it).</summary>
public sealed record SidecarResource(LabResource Resource, IReadOnlyDictionary<string, string>? Selector, IReadOnlyList<SidecarEgressListener> Egress, string? OutboundPolicy)
{
    /// <summary>The ingress listeners (empty: the inbound listeners come from the workload's Services).</summary>
    public IReadOnlyList<SidecarIngressListener> Ingress { get; init; } = [];

    public string Namespace => MeshModel.NamespaceOf(Resource);

    public string DisplayName => $"Sidecar {Namespace}/{Resource.Name}";

    /// <summary>Reads a Sidecar's spec (workloadSelector.labels, egress[].port and hosts, outboundTrafficPolicy.mode).</summary>
    public static SidecarResource Read(GenericResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var spec = resource.Spec as IDictionary<string, object?>;
        IReadOnlyDictionary<string, string>? selector = null;
        if (Tree.Get(Tree.Get(spec, "workloadSelector") as IDictionary<string, object?>, "labels") is IDictionary<string, object?> labels)
        {
            selector = labels.ToDictionary(kv => kv.Key, kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal);
        }
        else if (Tree.Get(spec, "workloadSelector") is IDictionary<string, object?>)
        {
            // A selector without labels still counts as a selector (it selects every workload of the namespace).
            selector = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var egress = new List<SidecarEgressListener>();
        foreach (var item in spec is null ? Array.Empty<object?>() : Tree.Items(spec, "egress"))
        {
            if (item is not IDictionary<string, object?> listener)
            {
                continue;
            }

            var port = Tree.Get(listener, "port") as IDictionary<string, object?>;
            var number = Tree.Whole(Tree.Get(port, "number"));
            var hosts = Tree.Items(listener, "hosts").OfType<object?>().Select(h => Convert.ToString(h, CultureInfo.InvariantCulture)).OfType<string>().ToList();
            egress.Add(new SidecarEgressListener(number is > 0 ? (int)number.Value : null, Tree.Get(port, "protocol") as string, hosts, Text(listener, "bind"), Text(listener, "captureMode")?.ToUpperInvariant()));
        }

        var ingress = new List<SidecarIngressListener>();
        foreach (var item in spec is null ? Array.Empty<object?>() : Tree.Items(spec, "ingress"))
        {
            // Validation requires a port; a listener without one builds nothing.
            if (item is not IDictionary<string, object?> listener || Tree.Get(listener, "port") is not IDictionary<string, object?> port
                || Tree.Whole(Tree.Get(port, "number")) is not { } number || number is < 1 or > 65535)
            {
                continue;
            }

            ingress.Add(new SidecarIngressListener((int)number, SidecarIngressListener.ParseProtocol(Text(port, "protocol")), Text(port, "name"), Text(listener, "defaultEndpoint"), Text(listener, "captureMode")?.ToUpperInvariant(), Text(listener, "bind")));
        }

        var policy = Tree.Get(Tree.Get(spec, "outboundTrafficPolicy") as IDictionary<string, object?>, "mode") as string;
        return new SidecarResource(resource, selector, egress, policy is null ? null : policy.ToUpperInvariant()) { Ingress = ingress };
    }

    private static string? Text(IDictionary<string, object?> map, string key) => Tree.Get(map, key) is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
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

    private readonly MeshModel model;

    private SidecarScope(MeshModel model, string configNamespace, SidecarResource? sidecar)
    {
        this.model = model;
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

    /// <summary>The Sidecar's ingress listeners: when there are any, the inbound listener has filter chains for these ports only.</summary>
    public IReadOnlyList<SidecarIngressListener> Ingress => Sidecar?.Ingress ?? [];

    /// <summary>
    /// buildInboundChainConfigs: the ingress listener for a port the workload receives on (the first one: a later one
    /// on the same port conflicts and is dropped), or null.
    /// </summary>
    public SidecarIngressListener? IngressFor(int targetPort)
    {
        foreach (var listener in Ingress)
        {
            if (listener.Port == targetPort)
            {
                return listener;
            }
        }

        return null;
    }

    /// <summary>The scope of a workload in <paramref name="ns"/> with <paramref name="labels"/>.</summary>
    public static SidecarScope For(MeshModel model, string ns, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        var inNamespace = model.Sidecars.Where(s => s.Namespace == ns).ToList();

        // initSidecarScopes: oldest first, those with a selector before those without.
        var chosen = inNamespace.FirstOrDefault(s => s.Selector is not null && LabelMatch.Selects(s.Selector, labels))
            ?? inNamespace.FirstOrDefault(s => s.Selector is null)
            ?? model.Sidecars.FirstOrDefault(s => s.Namespace == model.RootNamespace && s.Selector is null);
        return new SidecarScope(model, ns, chosen);
    }

    /// <summary>The egress listener without a port (the catch-all, built from its imports for every port no other listener has), or null.</summary>
    public SidecarEgressListener? CatchAll => Egress.FirstOrDefault(e => e.Port is null);

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
        return seen.Get((service, port), this, static (k, scope) => scope.ComputeSees(k.Service, k.Port));
    }

    // The scope and the model do not change: each service and port is looked at once (bounded).
    private readonly BoundedCache<(ServiceInfo Service, int Port), bool> seen = new();

    private bool ComputeSees(ServiceInfo service, int port)
    {
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
        if (index < 0 || !MeshModel.IsExported(model.ExportToOf(vs), MeshModel.NamespaceOf(vs), ConfigNamespace))
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
