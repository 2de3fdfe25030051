using System.Collections.Generic;
using System.Linq;

namespace GuestbookLab.Model;

/// <summary>What a node of the mesh graph stands for.</summary>
public enum MeshGraphNodeKind
{
    /// <summary>An ingress gateway's pods (istio-ingressgateway) with the Gateway servers bound to them.</summary>
    IngressGateway,

    /// <summary>A Kubernetes Service.</summary>
    Service,

    /// <summary>A DestinationRule subset of a service (v1, v2): the pods its labels select.</summary>
    Subset,

    /// <summary>A Deployment, StatefulSet or DaemonSet: its pods.</summary>
    Workload,

    /// <summary>A pod of no workload of the configuration (e.g. a client in a namespace without sidecars).</summary>
    Pod,

    /// <summary>A host outside the mesh registered by a ServiceEntry.</summary>
    External,

    /// <summary>Every other host outside the mesh (what the outbound traffic policy decides).</summary>
    Internet,

    /// <summary>The sidecars' outbound traffic (the source of the egress edges).</summary>
    Egress,
}

/// <summary>What an edge of the mesh graph stands for.</summary>
public enum MeshGraphEdgeKind
{
    /// <summary>A VirtualService route (or a service's default balancing) to a service, subset or workload.</summary>
    Route,

    /// <summary>A mirrored copy of a route's requests (fire and forget).</summary>
    Mirror,

    /// <summary>The pods a service or subset sends to.</summary>
    Endpoint,

    /// <summary>A request from the sidecars to a host outside the mesh, allowed or blocked.</summary>
    Egress,

    /// <summary>A caller's request to a service and the server's decision (mTLS, JWT, AuthorizationPolicy).</summary>
    Authorization,
}

/// <summary>One node of a <see cref="MeshGraph"/>.</summary>
public sealed class MeshGraphNode
{
    /// <summary>A stable identifier (kind:namespace/name), unique in the graph.</summary>
    public required string Id { get; init; }

    public required MeshGraphNodeKind Kind { get; init; }

    /// <summary>The name shown.</summary>
    public required string Label { get; init; }

    /// <summary>The namespace (the group it is drawn in); null for hosts outside the mesh.</summary>
    public string? Namespace { get; init; }

    /// <summary>Pods: a workload's replicas, a subset's or service's endpoints.</summary>
    public int? Pods { get; init; }

    /// <summary>Whether the pods have a sidecar (workloads and pods).</summary>
    public bool? Sidecar { get; init; }

    /// <summary>The PeerAuthentication mode the pods' sidecars accept (STRICT, PERMISSIVE, DISABLE).</summary>
    public string? MtlsMode { get; init; }

    /// <summary>True when STRICT: only mTLS gets in (drawn with a lock).</summary>
    public bool Strict => MtlsMode == "STRICT";

    /// <summary>More to say (the Gateway servers, a ServiceEntry's ports, a subset's labels).</summary>
    public string? Detail { get; init; }

    public override string ToString() => $"{Kind} {Label}";
}

/// <summary>One edge of a <see cref="MeshGraph"/>.</summary>
public sealed class MeshGraphEdge
{
    public required string From { get; init; }

    public required string To { get; init; }

    public required MeshGraphEdgeKind Kind { get; init; }

    /// <summary>The route's weight in percent, when the route has more than one destination or a weight below 100.</summary>
    public int? Weight { get; init; }

    /// <summary>The route's match in words (user-agent ~ Chrome, uri /api*).</summary>
    public string? Condition { get; init; }

    /// <summary>The route's fault injection in words (abort 503, delay 5s).</summary>
    public string? Fault { get; init; }

    /// <summary>The route's retries in words (3 x 2s).</summary>
    public string? Retries { get; init; }

    /// <summary>A mirror's share in percent.</summary>
    public double? MirrorPercent { get; init; }

    /// <summary>For authorization and egress edges: whether the request gets through.</summary>
    public bool? Allowed { get; init; }

    /// <summary>What decided (an AuthorizationPolicy, a PeerAuthentication, a ServiceEntry, the outbound policy).</summary>
    public string? Policy { get; init; }

    /// <summary>The simulated request's outcome in words (200 from default/ui, 403 RBAC: access denied, ...).</summary>
    public string? Outcome { get; init; }

    /// <summary>The simulated request's source, as Test-MeshRequest -From takes it.</summary>
    public string? RequestFrom { get; init; }

    /// <summary>The simulated request, as Test-MeshRequest -Uri takes it.</summary>
    public string? RequestUri { get; init; }

    /// <summary>Denied edges only.</summary>
    public bool Denied => Allowed == false;

    public override string ToString() => $"{From} -> {To} ({Kind}{(Allowed is null ? string.Empty : Allowed.Value ? ", allowed" : ", denied")})";
}

/// <summary>The mesh as a picture: who can reach whom, by which route, with which weights and policies (ConvertTo-MeshGraph).</summary>
public sealed class MeshGraph
{
    /// <summary>The lab step this graph shows, when known.</summary>
    public string? Step { get; init; }

    public string? Title { get; init; }

    public required IReadOnlyList<MeshGraphNode> Nodes { get; init; }

    public required IReadOnlyList<MeshGraphEdge> Edges { get; init; }

    /// <summary>The namespaces the nodes are grouped in.</summary>
    public required IReadOnlyList<string> Groups { get; init; }

    /// <summary>ALLOW_ANY or REGISTRY_ONLY.</summary>
    public string OutboundPolicy { get; init; } = "ALLOW_ANY";

    public MeshGraphNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The edges between two nodes, found by label (or id).</summary>
    public IEnumerable<MeshGraphEdge> EdgesBetween(string from, string to) =>
        Edges.Where(e => Matches(e.From, from) && Matches(e.To, to));

    public override string ToString() => $"{Nodes.Count} node(s), {Edges.Count} edge(s) in {Groups.Count} namespace(s)";

    private bool Matches(string id, string key) => id == key || Node(id)?.Label == key;
}
