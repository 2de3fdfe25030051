using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// Walks one request through the mesh the way Istio 1.17 decides its fate (SIMULATION-DESIGN: client sidecar or
/// ingress gateway, route, cluster, endpoints, TLS, then the server's PeerAuthentication, JWT and RBAC filters).
/// Pure: the model is built once, randomness comes from the caller's seedable source.
/// </summary>
public sealed partial class RequestSimulator
{
    private const string UpstreamReset = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private readonly MeshModel model;

    private readonly DecisionPlans plans = new();

    private readonly Func<RequestSource, RequestSpec, Random, RequestResult> compute;

    public RequestSimulator(MeshModel model)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        compute = Compute;
        makeScope = s => SidecarScope.For(this.model, s.Namespace, s.Labels);
    }

    public MeshModel Model => model;

    // The HTTP routes of each VirtualService with delegates merged into their roots, computed once.
    private Dictionary<VirtualService, List<ScopedRoute>> MergedRoutes => mergedRoutes ??= VirtualServiceDelegates.Merge(model);

    private Dictionary<VirtualService, List<ScopedRoute>>? mergedRoutes;

    // The Sidecar scope of each source, computed once (a source's namespace and labels do not change).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RequestSource, SidecarScope> scopes = new();

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RequestSource, SidecarScope>.CreateValueCallback makeScope;

    // The first service of the registry the scope imports on the port.
    private ServiceInfo? FirstSeen(SidecarScope scope, int port)
    {
        foreach (var service in model.Services)
        {
            if (scope.Sees(service, port))
            {
                return service;
            }
        }

        return null;
    }

    /// <summary>A VirtualService's HTTP routes as the proxy gets them: a delegate's routes merged in place of the route that names it.</summary>
    private List<(HttpRoute Route, string Namespace)> HttpRoutes(VirtualService vs, RequestResult? result)
    {
        // Built once per VirtualService; the route matcher only reads it.
        var routes = httpRouteLists.GetOrAdd(vs, static (v, self) => self.ComputeHttpRoutes(v), this);
        if (result is { Explaining: true })
        {
            ExplainDelegates(vs, routes.Count, result);
        }

        return routes;
    }

    private static void ExplainDelegates(VirtualService vs, int merged, RequestResult result)
    {
        if ((vs.Spec.Http ?? []).Any(r => r.Delegate is not null))
        {
            var names = (vs.Spec.Http ?? []).Where(r => r.Delegate is not null).Select(r => $"{(string.IsNullOrEmpty(r.Delegate!.Namespace) ? MeshModel.NamespaceOf(vs) : r.Delegate.Namespace)}/{r.Delegate.Name}").Distinct();
            result.Step("delegate", $"VirtualService {MeshModel.NamespaceOf(vs)}/{vs.Name} delegates to {string.Join(", ", names)}: their routes are merged in place ({merged} route(s); a missing or unexported delegate, or a delegate route whose match is not narrower than the root's, is left out)", vs);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<VirtualService, List<(HttpRoute Route, string Namespace)>> httpRouteLists = new();

    private List<(HttpRoute Route, string Namespace)> ComputeHttpRoutes(VirtualService vs)
    {
        var routes = MergedRoutes.TryGetValue(vs, out var merged) ? merged : [.. (vs.Spec.Http ?? []).Select(r => new ScopedRoute(r, MeshModel.NamespaceOf(vs)))];
        return routes.Select(r => (r.Route, r.Namespace)).ToList();
    }

    /// <summary>Resolves -From: ingress, kubelet, a workload name, or namespace/name of a workload or an ad-hoc pod.</summary>
    public RequestSource ResolveSource(string from, bool? sidecar = null, string? serviceAccount = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        var text = from.Trim();
        if (text.Equals("ingress", StringComparison.OrdinalIgnoreCase))
        {
            var gateway = model.Workloads.First(w => w.IsGateway);
            return new RequestSource { Kind = "ingress", Namespace = gateway.Namespace, Name = gateway.Name, ServiceAccount = gateway.ServiceAccount, HasSidecar = true, Labels = gateway.Labels, Workload = gateway };
        }

        if (text.Equals("kubelet", StringComparison.OrdinalIgnoreCase))
        {
            return new RequestSource { Kind = "kubelet", Namespace = string.Empty, Name = "kubelet", HasSidecar = false };
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? null : text[..slash];
        var name = slash < 0 ? text : text[(slash + 1)..];
        var workload = model.Workloads
            .Where(w => !w.IsGateway && (ns is null || w.Namespace == ns))
            .OrderBy(w => w.Namespace == "default" ? 0 : 1)
            .FirstOrDefault(w => w.Name == name || w.Labels.GetValueOrDefault("app") == name);
        if (workload is not null)
        {
            return new RequestSource
            {
                Kind = "pod", Namespace = workload.Namespace, Name = workload.Name, Labels = workload.Labels, Workload = workload,
                ServiceAccount = serviceAccount ?? workload.ServiceAccount, HasSidecar = sidecar ?? workload.HasSidecar,
            };
        }

        if (ns is null)
        {
            throw new ArgumentException(
                $"'{text}' is not a workload of the configuration ({string.Join(", ", model.Workloads.Where(w => !w.IsGateway).Select(w => w.Name))}): name one, use ingress or kubelet, or namespace/name for a pod of your own");
        }

        var podNs = ns;
        return new RequestSource
        {
            Kind = "pod", Namespace = podNs, Name = name, ServiceAccount = serviceAccount ?? "default",
            HasSidecar = sidecar ?? model.NamespaceInjected(podNs), Labels = new Dictionary<string, string> { ["run"] = name },
        };
    }

    /// <summary>
    /// What the mesh does with <paramref name="request"/> from <paramref name="source"/>, drawing from
    /// <paramref name="random"/> where Istio samples (fault percentages, weighted destinations, endpoints). Repeating
    /// a request object takes its decisions from the plan its earlier simulations recorded (DecisionPlans): the same
    /// draws, the same result object, which callers must not change.
    /// </summary>
    public RequestResult Simulate(RequestSource source, RequestSpec request, Random random)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(random);
        return plans.Decide(source, request, random, compute);
    }

    // A decision, taken without its explanation: the steps are written when they are read (Explain).
    private RequestResult Compute(RequestSource source, RequestSpec request, Random random)
    {
        var result = RequestResult.Simulated(source, request);
        result.Explaining = false;
        var log = DrawLog.Start(random);
        double[]? unpacked;
        long packed;
        try
        {
            Run(source, request, log, result);
        }
        finally
        {
            unpacked = log.Finish(out packed);
        }

        result.ExplainLater(this, packed, unpacked);
        return result;
    }

    /// <summary>The steps of a decision taken unexplained: the same walk again, its draws replayed, every step written.</summary>
    internal List<SimulationStep> Explain(RequestSource source, RequestSpec request, double[] drawn)
    {
        var result = RequestResult.Simulated(source, request);
        Run(source, request, new DrawReplay(drawn), result);
        return result.WrittenSteps;
    }

    private void Run(RequestSource source, RequestSpec request, Random random, RequestResult result)
    {
        switch (source.Kind)
        {
            case "ingress":
                Ingress(source, request, random, result);
                break;
            case "kubelet":
                Probe(request, result);
                break;
            default:
                if (!request.AssumeResolved && !model.Resolves(request.Host, source.Namespace))
                {
                    result.Outcome = RequestOutcome.HostNotResolved;
                    result.Step("dns", $"no Service, ServiceEntry or public name resolves {request.Host} from namespace {source.Namespace}: the lookup fails before anything is sent (curl: Could not resolve host, exit code 6)");
                    break;
                }

                if (source.HasSidecar)
                {
                    Outbound(source, request, random, result);
                }
                else
                {
                    Direct(source, request, result);
                }

                break;
        }
    }

    // ------------------------------------------------------------------------------------------ client without a sidecar

    private void Direct(RequestSource source, RequestSpec request, RequestResult result)
    {
        result.Step("client", $"{source.Namespace}/{source.Name} has no sidecar: kube-proxy picks an endpoint; no VirtualService, DestinationRule or subset applies, and the request is plaintext", source.Workload);
        var service = model.FindService(request.Host, source.Namespace, request.Port);
        if (service is null || service.Entry is not null)
        {
            Deliver(result, null, $"{request.Host} is outside the cluster: the request leaves directly");
            return;
        }

        var endpoint = model.Endpoints(service, null).FirstOrDefault();
        if (endpoint is null)
        {
            Refuse(result, $"{service.DisplayName} has no endpoints");
            return;
        }

        var port = PortOf(service, request.Port)!;
        result.DestinationService = service.Host;
        Server(source, request, endpoint, endpoint.ResolvePort(port.TargetPort, port.Port) ?? port.Port, "plaintext", sourceProxied: false, result);
    }

    // ------------------------------------------------------------------------------------------ client sidecar

    private void Outbound(RequestSource source, RequestSpec request, Random random, RequestResult result)
    {
        var scope = scopes.GetValue(source, makeScope);
        result.Step("client", $"{source} sends through its sidecar (outbound policy {scope.OutboundPolicy}{(scope.Sidecar is null ? string.Empty : $" of {scope.Sidecar.DisplayName}")})", source.Workload);
        if (scope.Sidecar is not null && result.Explaining)
        {
            result.Step("sidecar scope", scope.Describe(request.Port), scope.Sidecar.DisplayName);
        }

        ServiceInfo? boundTcp = null;
        if (scope.ListenerFor(request.Port) is { ListenAddress: { } address } bound)
        {
            // captureMode NONE or a bind (listener.go buildSidecarOutboundListeners): the listener is address:port
            // (127.0.0.1 by default under NONE), which the application must send to; the services' own addresses
            // get no listener from it.
            var which = bound.Port is { } p ? $"the egress listener of {scope.Sidecar!.DisplayName} on port {p}" : $"the catch-all egress listener of {scope.Sidecar!.DisplayName}";
            var how = bound.BindsToPort ? $"captureMode {bound.CaptureMode ?? "NONE"}: it binds {address}:{request.Port} itself" : $"bind {address}: it takes connections to {address}:{request.Port} only";
            if (AddressedTo(request.Host, address))
            {
                result.Step("listener", $"the request is sent to {request.Host}:{request.Port}, where {which} listens ({how}): it takes the request", scope.Sidecar.Resource);
                boundTcp = request.Scheme == "tcp" ? FirstSeen(scope, request.Port) : null;
            }
            else if (bound.Port is not null && scope.CatchAll is { ListenAddress: null })
            {
                result.Step("listener", $"{which} listens elsewhere ({how}); the catch-all egress listener builds the listener for {request.Host}:{request.Port}", scope.Sidecar.Resource);
            }
            else
            {
                result.Step("listener", $"{which} listens elsewhere ({how}), and no other egress listener builds one for {request.Host}:{request.Port}: the connection reaches only the virtual outbound listener", scope.Sidecar.Resource);
                NoOutboundListener(scope, request, result);
                return;
            }
        }

        if (request.Scheme == "https")
        {
            OutboundTls(scope, source, request, result);
            return;
        }

        if (request.Scheme == "tcp")
        {
            OutboundTcp(scope, source, request, random, result, boundTcp);
            return;
        }

        // HTTP: the virtual host is chosen by the Host header among the services and VirtualServices on this port.
        var host = StripPort(request.Authority);
        var vs = MeshVirtualService(scope, host, source.Namespace, request.Port);
        var service = ScopedService(scope, host, source.Namespace, request.Port, result);
        if (vs is not null && service is null && !HttpListenerOn(scope, request.Port))
        {
            // Listeners come from the services the sidecar imports: with no HTTP one on the port, no route table exists.
            result.Step("virtual host", $"VirtualService {MeshModel.NamespaceOf(vs)}/{vs.Name} names {host}, but the sidecar has no HTTP listener on port {request.Port} (no imported service has the port): the route table does not exist", vs);
            vs = null;
        }

        if (vs is not null && service is null && request.Port != 80 && !HasServiceOnPort(scope, vs, request.Port))
        {
            // httproute.go: on ports other than 80 only VirtualServices with a host some service has on the port are used.
            result.Step("virtual host", $"VirtualService {MeshModel.NamespaceOf(vs)}/{vs.Name} names {host}, which no service has: Istio applies it on port 80 only, not {request.Port}", vs);
            vs = null;
        }

        if (service is not null && PortOf(service, request.Port) is { } servicePort && IsOpaqueProtocol(servicePort.Protocol))
        {
            // The port's listener is a TCP proxy: the bytes go to the service, http[] routes do not apply.
            result.Step("listener", $"port {request.Port} of {service.DisplayName} is {servicePort.Protocol}: the sidecar proxies the HTTP request as TCP", service);
            OutboundTcp(scope, source, request, random, result);
            return;
        }

        if (vs is null && service is null)
        {
            if (scope.OutboundPolicy == "REGISTRY_ONLY" && !HttpListenerOn(scope, request.Port))
            {
                result.Outcome = RequestOutcome.ConnectionClosed;
                result.Cluster = "BlackHoleCluster";
                result.Step("listener", $"no service has an HTTP (or sniffed) port {request.Port}, so there is no HTTP listener and no block_all route: the catch-all listener's BlackHoleCluster closes the connection (curl: Empty reply from server, exit 52)");
                return;
            }

            if (scope.OutboundPolicy == "REGISTRY_ONLY")
            {
                Respond(result, 502, null, null, "route", $"no service or ServiceEntry has the host {host} on port {request.Port}: REGISTRY_ONLY sends it to the block_all route (direct response 502)");
                result.Cluster = "BlackHoleCluster";
                return;
            }

            result.Cluster = "PassthroughCluster";
            Deliver(result, null, $"no service or ServiceEntry has the host {host}: ALLOW_ANY passes it through to the original destination");
            return;
        }

        List<(HttpRoute, string)> routes;
        if (vs is not null)
        {
            result.VirtualService = NamespacedName(vs);
            result.Step("virtual host", $"the Host {host} matches VirtualService {result.VirtualService}", vs);
            routes = HttpRoutes(vs, result);
        }
        else
        {
            result.Step("virtual host", $"the Host {host} is {service!.DisplayName}, with no VirtualService: the default route", service!);
            routes = DefaultRoute(service!);
        }

        RouteHttp(routes, source.Namespace, "mesh", source, request, random, result, isGateway: false);
    }

    private void OutboundTls(SidecarScope scope, RequestSource source, RequestSpec request, RequestResult result)
    {
        // Envoy does not terminate TLS: the filter chain is chosen by SNI.
        var sni = request.Host;
        var service = ScopedService(scope, sni, source.Namespace, request.Port, result);
        if (service is null)
        {
            if (scope.OutboundPolicy == "REGISTRY_ONLY")
            {
                result.Outcome = RequestOutcome.ConnectionReset;
                result.ResponseFlag = "UH";
                result.Cluster = "BlackHoleCluster";
                result.Step("listener", $"no ServiceEntry matches the SNI {sni} on port {request.Port}: REGISTRY_ONLY sends it to BlackHoleCluster and the TLS handshake is reset (curl exit 35)");
                return;
            }

            result.Cluster = "PassthroughCluster";
            Deliver(result, null, $"no ServiceEntry matches the SNI {sni}: ALLOW_ANY passes the TLS connection through");
            return;
        }

        if (PortOf(service, request.Port) is { } httpPort && IsHttpFamily(httpPort.Protocol))
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.DestinationService = service.Host;
            result.Step("listener", $"port {request.Port} of {service.DisplayName} is {httpPort.Protocol}: the sidecar's HTTP listener cannot read a TLS handshake and closes the connection (curl exit 35)", service);
            return;
        }

        result.Cluster = ClusterName(request.Port, null, service.Host);
        result.DestinationService = service.Host;
        result.Step("filter chain", $"the SNI {sni} matches {service.DisplayName}", service.Entry);
        if (service.Entry is not null)
        {
            Deliver(result, null, "TLS passes through the sidecar to the external host");
            result.ClientTls = "TLS (end to end)";
            return;
        }

        var endpoint = model.Endpoints(service, null).FirstOrDefault();
        if (endpoint is null)
        {
            Respond(result, null, "UH", null, "endpoints", $"{service.DisplayName} has no endpoints");
            result.Outcome = RequestOutcome.ConnectionReset;
            return;
        }

        Deliver(result, endpoint, "TLS passes through to the pod");
    }

    // The virtual outbound listener alone: its catch-all chain passes the bytes on (ALLOW_ANY) or closes (REGISTRY_ONLY).
    private static void NoOutboundListener(SidecarScope scope, RequestSpec request, RequestResult result)
    {
        if (scope.OutboundPolicy == "REGISTRY_ONLY")
        {
            result.Outcome = request.Scheme == "https" ? RequestOutcome.ConnectionReset : RequestOutcome.ConnectionClosed;
            result.Cluster = "BlackHoleCluster";
            result.Step("listener", $"REGISTRY_ONLY: the virtual outbound listener's BlackHoleCluster {(request.Scheme == "https" ? "resets the TLS handshake" : "closes the connection")}");
            return;
        }

        result.Cluster = "PassthroughCluster";
        Deliver(result, null, $"ALLOW_ANY: the virtual outbound listener passes the connection through to {request.Host}:{request.Port} as it is (no route, no mTLS)");
    }

    // A request to a bound listener's address: its own, or localhost for 127.0.0.1.
    private static bool AddressedTo(string host, string address)
    {
        var name = host.AsSpan().Trim("[]");
        return name.Equals(address, StringComparison.OrdinalIgnoreCase) || (address == "127.0.0.1" && name.Equals("localhost", StringComparison.OrdinalIgnoreCase));
    }

    private void OutboundTcp(SidecarScope scope, RequestSource source, RequestSpec request, Random random, RequestResult result, ServiceInfo? bound = null)
    {
        // A bound TCP listener proxies to its service (the first that claims bind:port keeps it).
        var service = bound ?? ScopedService(scope, request.Host, source.Namespace, request.Port, result) ?? TcpEntryListener(scope, request.Host, request.Port, result);
        service = SharedTcpListener(scope, service, request.Port, result);
        if (service is not null && PortOf(service, request.Port) is { } httpPort && IsHttpFamily(httpPort.Protocol) && request.Scheme == "tcp")
        {
            result.Outcome = RequestOutcome.ConnectionClosed;
            result.DestinationService = service.Host;
            result.Step("listener", $"port {request.Port} of {service.DisplayName} is {httpPort.Protocol}: the sidecar's HTTP listener cannot parse raw TCP and closes the connection", service);
            return;
        }

        if (service is null)
        {
            if (scope.OutboundPolicy == "REGISTRY_ONLY")
            {
                result.Outcome = RequestOutcome.ConnectionClosed;
                result.Cluster = "BlackHoleCluster";
                result.Step("listener", $"{request.Host}:{request.Port} is not registered: REGISTRY_ONLY sends the connection to BlackHoleCluster, which closes it");
                return;
            }

            result.Cluster = "PassthroughCluster";
            Deliver(result, null, $"{request.Host}:{request.Port} is not registered: ALLOW_ANY passes it through");
            return;
        }

        // TCP ports ignore http[]; VS tcp[] routes or the service itself.
        var vs = MeshVirtualService(scope, bound?.Host ?? StripPort(request.Host), source.Namespace, request.Port);
        var destination = ServiceDestination(service);
        if (vs?.Spec.Tcp is { Count: > 0 } tcp && TcpRouteFor(tcp, request.Port) is { Route.Count: > 0 } route)
        {
            result.VirtualService = NamespacedName(vs);
            destination = Pick(Targets(route), random) ?? destination;
        }

        result.Step("filter chain", $"TCP to {service.DisplayName} (HTTP routes do not apply)", service);
        ToDestination(destination, vs is null ? service.Namespace : MeshModel.NamespaceOf(vs), source.Namespace, source, request, random, result, null);
    }

    // The first TCP route whose match (any of its entries) takes the port; no match takes every port.
    private static TcpRoute? TcpRouteFor(List<TcpRoute> routes, int port)
    {
        foreach (var route in routes)
        {
            if (route.Match is null)
            {
                return route;
            }

            foreach (var m in route.Match)
            {
                if (m.Port is null || m.Port == port)
                {
                    return route;
                }
            }
        }

        return null;
    }

    // A TCP route's weighted destinations, once per route (read only).
    private IReadOnlyList<(Destination? Destination, int? Weight)> Targets(TcpRoute route) =>
        tcpTargets.GetValue(route, static r => r.Route!.Select(d => (d.Destination, d.Weight)).ToList());

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<TcpRoute, IReadOnlyList<(Destination? Destination, int? Weight)>> tcpTargets = new();

    // The destination of a service's own (default) route, once per service (read only).
    private Destination ServiceDestination(ServiceInfo service) =>
        serviceDestinations.Get(service, 0, static (s, _) => new Destination { Host = s.Host });

    private readonly BoundedCache<ServiceInfo, Destination> serviceDestinations = new();

    // A resource's namespace/name, once per resource (bounded).
    private string NamespacedName(LabResource resource) =>
        namespacedNames.Get(resource, 0, static (r, _) => $"{MeshModel.NamespaceOf(r)}/{r.Name}");

    private readonly BoundedCache<LabResource, string> namespacedNames = new();

    // ------------------------------------------------------------------------------------------ ingress gateway

    private bool GatewayFilters(RequestSource source, RequestSpec request, RequestResult result, bool isHttp = true)
    {
        // The gateway's own JWT and RBAC filters run before its routes.
        if (isHttp && !Jwt(source.Workload!, request, result))
        {
            return false;
        }

        // A client certificate a MUTUAL server accepted is the peer: RBAC's principal_name is its spiffe:// URI SAN.
        var peer = result.ClientTls == CertificateAccepted && request.ClientCertificate?.SubjectAltNames.FirstOrDefault(s => s.StartsWith("spiffe://", StringComparison.Ordinal)) is { } uri
            ? uri["spiffe://".Length..]
            : null;
        var peerNamespace = peer?.Split('/') is { } parts && Array.IndexOf(parts, "ns") is var at and >= 0 && at + 1 < parts.Length ? parts[at + 1] : null;

        var context = new AuthorizationContext(isHttp, peer, result.RequestPrincipal, request.Token, request.Method, request.Path, StripPort(request.Authority), request.Port, request.Headers, peerNamespace);
        var (decision, allowed) = Authorization.Evaluate(model, source.Workload!, context);
        if (decision.Policy is not null)
        {
            result.Authorization = decision;
            if (result.Explaining)
            {
                result.Step("gateway authorization", $"{decision}", PolicyName(result, decision));
            }
        }

        if (!allowed && isHttp)
        {
            Respond(result, 403, null, "RBAC: access denied", "gateway authorization", "the gateway answers 403 RBAC: access denied", PolicyName(result, decision));
        }
        else if (!allowed)
        {
            result.Outcome = RequestOutcome.ConnectionClosed;
            result.Step("gateway authorization", "the gateway's network RBAC filter closes the TCP connection", PolicyName(result, decision));
        }

        return allowed;
    }

    // ------------------------------------------------------------------------------------------ routes (sidecar and gateway)

    private void RouteHttp(List<(HttpRoute Route, string Namespace)> routes, string proxyNamespace, string proxyGateway, RequestSource source, RequestSpec request, Random random, RequestResult result, bool isGateway)
    {
        for (var i = 0; i < routes.Count; i++)
        {
            var (route, vsNamespace) = routes[i];
            if (!RouteMatches(route, request, source, proxyGateway))
            {
                continue;
            }

            result.Route = RouteLabel(route, i);
            if (result.Explaining)
            {
                result.Step("route", route.Match is { Count: > 0 } ? $"{result.Route} matches (the first route that matches wins)" : $"{result.Route} has no match and takes every request", RouteOwner(result, vsNamespace));
            }

            if (route.Redirect is { } redirect)
            {
                Respond(result, redirect.RedirectCode ?? 301, null, null, "route", $"{result.Route} redirects");
                return;
            }

            if (route.DirectResponse is { } direct)
            {
                Respond(result, direct.Status ?? 200, null, null, "route", $"{result.Route} answers directly");
                return;
            }

            if (Fault(route, random, result))
            {
                return;
            }

            var destination = Pick(Targets(route), random);
            if (destination is null)
            {
                Respond(result, 503, "NC", null, "route", $"{result.Route} has no destination");
                return;
            }

            ToDestination(destination, vsNamespace, proxyNamespace, source, request, random, result, route);
            return;
        }

        Respond(result, 404, "NR", null, "route", isGateway ? "no route of the bound VirtualServices matches" : "no route of the VirtualService matches");
    }

    private static bool RouteMatches(HttpRoute route, RequestSpec request, RequestSource source, string proxyGateway)
    {
        // Match blocks are ORed; the conditions inside one block are ANDed. No match block matches everything.
        if (route.Match is not { Count: > 0 })
        {
            return true;
        }

        foreach (var m in route.Match)
        {
            if (MatchRequest(m, request, source, proxyGateway))
            {
                return true;
            }
        }

        return false;
    }

    // A route's label (http[i], and its name), once per route (bounded).
    private string RouteLabel(HttpRoute route, int index) =>
        routeLabels.Get((route, index), 0, static (k, _) => k.Route.Name is null ? $"http[{k.Index}]" : $"http[{k.Index}] {k.Route.Name}");

    private readonly BoundedCache<(HttpRoute Route, int Index), string> routeLabels = new();

    private static bool MatchRequest(HttpMatchRequest m, RequestSpec request, RequestSource source, string proxyGateway)
    {
        var ignoreCase = m.IgnoreUriCase == true;
        if (m.Uri is { } uri && !UriMatches(uri, request.Path, request.Query, ignoreCase))
        {
            return false;
        }

        if (m.Method is { } method && !StringMatch(method, request.Method, ignoreCase: false))
        {
            return false;
        }

        if (m.Authority is { } authority && !StringMatch(authority, request.Authority, ignoreCase: false))
        {
            return false;
        }

        if (m.Scheme is { } scheme && !StringMatch(scheme, request.Scheme, ignoreCase: false))
        {
            return false;
        }

        if (m.Headers is { } headers)
        {
            foreach (var (name, match) in headers)
            {
                if (!request.Headers.TryGetValue(name, out var value) || !StringMatch(match, value, ignoreCase: false))
                {
                    return false;
                }
            }
        }

        if (m.WithoutHeaders is { } withoutHeaders)
        {
            foreach (var (name, match) in withoutHeaders)
            {
                if (request.Headers.TryGetValue(name, out var value) && StringMatch(match, value, ignoreCase: false))
                {
                    return false;
                }
            }
        }

        if (m.QueryParams is { Count: > 0 } queryParams)
        {
            var query = ParseQuery(request.Query);
            foreach (var (name, match) in queryParams)
            {
                // 1.17 translates only exact and regex query matches; prefix is ignored.
                if (match.Exact is null && match.Regex is null)
                {
                    continue;
                }

                if (!query.TryGetValue(name, out var value) || !StringMatch(match, value, ignoreCase: false))
                {
                    return false;
                }
            }
        }

        if (m.Port is { } port && port != request.Port)
        {
            return false;
        }

        if (!LabelMatch.Selects(m.SourceLabels, source.Labels))
        {
            return false;
        }

        if (m.SourceNamespace is { } ns && ns != source.Namespace)
        {
            return false;
        }

        return m.Gateways is not { Count: > 0 } gateways || NamesGateway(gateways, proxyGateway);
    }

    // A match's gateways name the proxy's gateway: itself, mesh for the sidecars, or by name in either namespace form.
    private static bool NamesGateway(List<string> gateways, string proxyGateway)
    {
        foreach (var g in gateways)
        {
            if (g == proxyGateway || g.EndsWith("/" + proxyGateway.Split('/').Last(), StringComparison.Ordinal) || proxyGateway.EndsWith("/" + g, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>exact: path without query; prefix: string prefix of :path (with the query); regex: RE2 full match of the path.</summary>
    private static bool UriMatches(StringMatch uri, string path, string query, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (uri.Exact is not null)
        {
            return string.Equals(path, uri.Exact, comparison);
        }

        if (uri.Prefix is not null)
        {
            var full = query.Length == 0 ? path : $"{path}?{query}";
            return full.StartsWith(uri.Prefix, comparison);
        }

        return uri.Regex is null || FullMatch(uri.Regex, path);
    }

    /// <summary>Header and other matchers: exact, prefix, regex (full match); '*' regex or an empty matcher means present.</summary>
    private static bool StringMatch(StringMatch match, string value, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (match.Exact is not null)
        {
            return string.Equals(value, match.Exact, comparison);
        }

        if (match.Prefix is not null)
        {
            return value.StartsWith(match.Prefix, comparison);
        }

        if (match.Regex is not null)
        {
            return match.Regex == "*" || FullMatch(match.Regex, value);
        }

        return true;
    }

    // Each pattern compiled once (Envoy's full match), shared by every simulator; null for an invalid pattern.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex?> Patterns = new(StringComparer.Ordinal);

    private static bool FullMatch(string pattern, string value)
    {
        if (!Patterns.TryGetValue(pattern, out var regex))
        {
            try
            {
                regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException)
            {
                regex = null;
            }

            if (Patterns.Count < 4096)
            {
                Patterns.TryAdd(pattern, regex);
            }
        }

        try
        {
            return regex is not null && regex.IsMatch(value);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            result.TryAdd(key, eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]));
        }

        return result;
    }

    /// <summary>Fault injection: an abort ends the request (FI); a delay adds latency (DI). No percentage means no fault.</summary>
    private static bool Fault(HttpRoute route, Random random, RequestResult result)
    {
        if (route.Fault is not { } fault)
        {
            return false;
        }

        if (fault.Delay is { } delay && Sample(delay.Percentage?.Value ?? delay.Percent, random))
        {
            var duration = MeshDuration.Parse(delay.FixedDelay);
            result.InjectedDelay = duration.TimeSpan;
            result.ResponseFlag = "DI";
            if (result.Explaining)
            {
                result.Step("fault", $"a delay of {delay.FixedDelay} is injected", result.VirtualService is { } delayedBy ? $"VirtualService {delayedBy}" : null);
            }
        }

        if (fault.Abort is { } abort && Sample(abort.Percentage?.Value, random))
        {
            Respond(result, abort.HttpStatus ?? 503, "FI", "fault filter abort", "fault", $"the fault filter aborts with {abort.HttpStatus}: no retry, no call to the service", result.Explaining && result.VirtualService is { } abortedBy ? $"VirtualService {abortedBy}" : null);
            return true;
        }

        return false;
    }

    private static bool Sample(double? percentage, Random random) =>
        percentage is { } p && p > 0 && (p >= 100 || DecisionPlans.Chance(p, random));

    /// <summary>Weighted pick: one destination takes all; with several, zero weights drop out and the rest split proportionally.</summary>
    // The route's destinations: one draw among those with a weight above 0 when there are two or more (none: null);
    // the same draws as before it was written without allocating (decision plans record them).
    private static Destination? Pick(IReadOnlyList<(Destination? Destination, int? Weight)> targets, Random random)
    {
        var valid = 0;
        Destination? first = null;
        var total = 0;
        Destination? lastWeighted = null;
        for (var i = 0; i < targets.Count; i++)
        {
            var (destination, weight) = targets[i];
            if (destination is null)
            {
                continue;
            }

            first ??= destination;
            valid++;
            if ((weight ?? 0) > 0)
            {
                total += weight!.Value;
                lastWeighted = destination;
            }
        }

        if (valid <= 1)
        {
            return first;
        }

        if (lastWeighted is null)
        {
            return null;
        }

        var roll = random.Next(total);
        for (var i = 0; i < targets.Count; i++)
        {
            var (destination, weight) = targets[i];
            if (destination is null || (weight ?? 0) <= 0)
            {
                continue;
            }

            roll -= weight!.Value;
            if (roll < 0)
            {
                return destination;
            }
        }

        return lastWeighted;
    }

    // Per simulator, as its model: a route edited in the session afterwards is read again by the next simulator.
    private IReadOnlyList<(Destination? Destination, int? Weight)> Targets(HttpRoute route) =>
        routeTargets.GetValue(route, r => (r.Route ?? []).Select(d => (d.Destination, d.Weight)).ToList());

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpRoute, IReadOnlyList<(Destination? Destination, int? Weight)>> routeTargets = new();

    // ------------------------------------------------------------------------------------------ cluster, endpoints, TLS

    // A host made fully qualified in a namespace, and an Envoy cluster's name, each once (bounded).
    private string Fqdn(string host, string ns) => fqdns.Get((host, ns), 0, static (k, _) => MeshModel.Fqdn(k.Host, k.Namespace));

    private readonly BoundedCache<(string Host, string Namespace), string> fqdns = new();

    private string ClusterName(int port, string? subset, string host) =>
        clusterNames.Get((port, subset, host), 0, static (k, _) => $"outbound|{k.Port}|{k.Subset}|{k.Host}");

    private readonly BoundedCache<(int Port, string? Subset, string Host), string> clusterNames = new();

    // A DestinationRule's port-level TLS mode for a port.
    private static string? PortLevelTls(DestinationRule? rule, int port)
    {
        if (rule?.Spec.TrafficPolicy?.PortLevelSettings is not { } settings)
        {
            return null;
        }

        foreach (var setting in settings)
        {
            if (setting.Port?.Number == port)
            {
                return setting.Tls?.Mode;
            }
        }

        return null;
    }

    private static ServicePortInfo? PortOf(ServiceInfo service, int port)
    {
        var ports = service.Ports;
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Port == port)
            {
                return ports[i];
            }
        }

        return null;
    }

    private static Subset? SubsetOf(DestinationRule? rule, string name)
    {
        if (rule?.Spec.Subsets is not { } subsets)
        {
            return null;
        }

        foreach (var subset in subsets)
        {
            if (subset.Name == name)
            {
                return subset;
            }
        }

        return null;
    }

    private void ToDestination(Destination destination, string vsNamespace, string proxyNamespace, RequestSource source, RequestSpec request, Random random, RequestResult result, HttpRoute? route)
    {
        var host = Fqdn(destination.Host ?? string.Empty, vsNamespace);
        var service = model.FindService(host, proxyNamespace, null);
        var port = destination.Port?.Number ?? (service?.Ports.Count == 1 ? service.Ports[0].Port : request.Port);
        result.DestinationService = service?.Host ?? host;
        result.Subset = destination.Subset;
        result.DestinationPort = port;
        result.Cluster = ClusterName(port, destination.Subset, service?.Host ?? host);
        if (route is not null)
        {
            RetriesAndMirror(route, vsNamespace, proxyNamespace, request, random, result);
        }

        if (service is not null && !MeshModel.IsServiceVisible(service, proxyNamespace))
        {
            Respond(result, 503, "NC", null, "cluster", $"{service.DisplayName} is not exported to namespace {proxyNamespace} (exportTo), so the proxy has no cluster {result.Cluster}", service.Entry?.DisplayName ?? service.DisplayName);
            return;
        }

        if (service is null || PortOf(service, port) is null)
        {
            Respond(result, 503, "NC", null, "cluster", $"no service has the host {host} on port {port}, so the cluster {result.Cluster} does not exist");
            return;
        }

        if (service.Entry is not null)
        {
            result.Step("cluster", $"{result.Cluster} is {service.DisplayName}", service.Entry);
            Deliver(result, null, service.IsExternal ? "the sidecar sends the request to the external host (MESH_EXTERNAL: no mTLS)" : "the request goes to the ServiceEntry's endpoints");
            return;
        }

        var rule = DestinationRuleFor(service, proxyNamespace);
        IReadOnlyDictionary<string, string>? subsetLabels = null;
        Subset? subset = null;
        if (destination.Subset is not null)
        {
            subset = SubsetOf(rule, destination.Subset);
            if (subset is null)
            {
                Respond(result, 503, "NC", null, "cluster", rule is null
                    ? $"no DestinationRule defines subsets for {service.Host}, so the cluster {result.Cluster} does not exist"
                    : $"DestinationRule {MeshModel.NamespaceOf(rule)}/{rule.Name} has no subset {destination.Subset}, so the cluster {result.Cluster} does not exist");
                return;
            }

            subsetLabels = subset.Labels;
        }

        var servicePort = PortOf(service, port)!;
        var (endpoints, ready) = EndpointsOf(service, subsetLabels);
        if (ready.Count == 0)
        {
            Respond(result, 503, "UH", "no healthy upstream", "endpoints", endpoints.Count == 0
                ? $"no pod of {service.DisplayName}{(subsetLabels is null ? string.Empty : $" carries the subset labels {Labels(subsetLabels)}")}"
                : $"the pods of {string.Join(", ", endpoints.Select(e => e.Name))} are not ready (their readiness probe fails)");
            return;
        }

        var endpoint = ready[random.Next(ready.Count)];
        if (result.Explaining)
        {
            result.Step("cluster", $"{result.Cluster}: {ready.Count} ready workload(s), {endpoint.DisplayName} answers", rule?.DisplayName ?? service.DisplayName);
        }

        var targetPort = endpoint.ResolvePort(servicePort.TargetPort, servicePort.Port) ?? servicePort.Port;

        // Client TLS: a DestinationRule tls setting wins (subset over port level over top level); else auto mTLS.
        var tls = subset?.TrafficPolicy?.Tls?.Mode
            ?? PortLevelTls(rule, port)
            ?? rule?.Spec.TrafficPolicy?.Tls?.Mode;
        string wire;
        if (tls is not null)
        {
            wire = tls == "DISABLE" ? "plaintext" : tls;
            result.Step("client TLS", $"the DestinationRule sets tls.mode {tls}", rule);
        }
        else
        {
            wire = endpoint.HasSidecar && NamespaceMode(endpoint.Namespace) != "DISABLE" ? "ISTIO_MUTUAL" : "plaintext";
            result.Step("client TLS", wire == "ISTIO_MUTUAL" ? "auto mTLS: the endpoint has a sidecar, so Istio mTLS is used" : "auto mTLS: the endpoint has no sidecar (or mTLS is disabled), so plaintext", endpoint.DisplayName);
        }

        Server(source, request, endpoint, targetPort, wire, sourceProxied: true, result);
    }

    private void RetriesAndMirror(HttpRoute route, string vsNamespace, string proxyNamespace, RequestSpec request, Random random, RequestResult result)
    {
        result.RetryPolicy = route.Retries is null ? RetryPolicy.Default : retryPolicies.Get(route.Retries, 0, static (r, _) => Retries(r));
        if (route.Mirror is not { } mirror)
        {
            return;
        }

        // mirrorPercentage > 0 is the share; {value: 0} turns mirroring off; else mirrorPercent; else 100%.
        var percentage = route.MirrorPercentage?.Value is { } v ? v : route.MirrorPercent ?? 100;
        if (!Sample(percentage, random))
        {
            if (result.Explaining)
            {
                result.Step("mirror", $"this request is not mirrored ({percentage}% are)", result.VirtualService is { } notMirroredBy ? $"VirtualService {notMirroredBy}" : null);
            }

            return;
        }

        var host = Fqdn(mirror.Host ?? string.Empty, vsNamespace);
        var service = model.FindService(host, proxyNamespace, null);
        var port = mirror.Port?.Number ?? (service?.Ports.Count == 1 ? service.Ports[0].Port : request.Port);
        var shadow = shadowHosts.Get(request.Authority, 0, static (authority, _) => $"{StripPort(authority)}-shadow");
        var copy = mirrorCopies.Get((ClusterName(port, mirror.Subset, service?.Host ?? host), shadow, percentage), 0, static (k, _) => new MirrorCopy(k.Cluster, k.Host, k.Percentage));
        result.AddMirror(copy);
        if (result.Explaining)
        {
            result.Step("mirror", $"a copy goes to {copy.Cluster} with Host {shadow}; its answer is discarded", result.VirtualService is { } mirroredBy ? $"VirtualService {mirroredBy}" : null);
        }
    }

    // Mirrored copies (immutable records), one per cluster, Host and share (bounded).
    private readonly BoundedCache<(string Cluster, string Host, double Percentage), MirrorCopy> mirrorCopies = new();

    // The Host a mirrored copy carries (Envoy appends -shadow to the authority without its port), once per authority (bounded).
    private readonly BoundedCache<string, string> shadowHosts = new();

    // A route's retry policy, converted once per simulator (bounded; read only, like RetryPolicy.Default).
    private readonly BoundedCache<HttpRetry, RetryPolicy> retryPolicies = new();

    /// <summary>Istio's conversion of <c>retries</c> (route/retry/retry.go ConvertPolicy): status codes in retryOn become retriable codes.</summary>
    internal static RetryPolicy Retries(HttpRetry? retries)
    {
        if (retries is null)
        {
            return RetryPolicy.Default;
        }

        if (retries.Attempts is not > 0)
        {
            return RetryPolicy.None;
        }

        var retryOn = RetryPolicy.DefaultRetryOn;
        List<int> codes = [503];
        if (!string.IsNullOrWhiteSpace(retries.RetryOn))
        {
            var parts = retries.RetryOn.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            codes = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and < 600 ? code : 0).Where(c => c > 0).ToList();
            var conditions = parts.Where(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or >= 600).ToList();
            if (codes.Count > 0 && !conditions.Contains("retriable-status-codes"))
            {
                conditions.Add("retriable-status-codes");
            }

            retryOn = conditions;
        }

        TimeSpan? perTry = retries.PerTryTimeout is { Length: > 0 } text && MeshDuration.Parse(text) is { TimeSpan: { } span } ? span : null;
        return new RetryPolicy { Attempts = retries.Attempts.Value, PerTryTimeout = perTry, RetryOn = retryOn, RetriableStatusCodes = codes };
    }

    /// <summary>DestinationRule lookup: the proxy's namespace, then the service's, then the root namespace; the most specific host.</summary>
    private DestinationRule? DestinationRuleFor(ServiceInfo service, string proxyNamespace)
    {
        // The model never changes, so the rule for (host, service namespace, proxy namespace) does not either (bounded).
        return destinationRules.Get((service.Host, service.Namespace, proxyNamespace), (Simulator: this, Service: service), static (k, s) => s.Simulator.DestinationRuleUncached(s.Service, k.Proxy));
    }

    private readonly BoundedCache<(string Host, string Namespace, string Proxy), DestinationRule?> destinationRules = new();

    private DestinationRule? DestinationRuleUncached(ServiceInfo service, string proxyNamespace)
    {
        // push_context.go destinationRule: every rule of the proxy's namespace; then the service's namespace's and the
        // root namespace's rules that are not private, the most specific host, if it is exported to the proxy.
        foreach (var ns in new[] { proxyNamespace, service.Namespace, model.RootNamespace }.Distinct())
        {
            var local = ns == proxyNamespace;
            var candidates = model.DestinationRules
                .Where(dr => MeshModel.NamespaceOf(dr) == ns && dr.Spec.Host is not null && HostMatches(MeshModel.Fqdn(dr.Spec.Host, ns), service.Host)
                    && (local || !PrivateOnly(model.ExportToOf(dr), ns)))
                .OrderByDescending(dr => dr.Spec.Host!.StartsWith('*') ? 0 : 1)
                .ThenByDescending(dr => dr.Spec.Host!.Length)
                .ToList();
            if (candidates.Count > 0 && (local || MeshModel.IsExported(model.ExportToOf(candidates[0]), ns, proxyNamespace)))
            {
                return candidates[0];
            }
        }

        return null;
    }

    // A DestinationRule exported only to its own namespace ('.' or its name) is not in the exported index.
    private static bool PrivateOnly(IReadOnlyList<string> exportTo, string ns) =>
        exportTo.Count > 0 && exportTo.All(e => e == "." || e == ns);

    // ------------------------------------------------------------------------------------------ server side

    private void Server(RequestSource source, RequestSpec request, WorkloadInfo server, int targetPort, string wire, bool sourceProxied, RequestResult result)
    {
        result.ClientTls = wire;
        if (!server.HasSidecar)
        {
            result.ServerMtlsMode = "none (no sidecar)";
            Deliver(result, server, $"{server.DisplayName} has no sidecar: the application answers");
            return;
        }

        // The inbound listener's filter chain for the port: the Sidecar's ingress listener, else the Services' port.
        var (httpDeclared, tcpDeclared) = InboundChain(server, targetPort, result);
        var mode = PeerMode(server, targetPort);
        result.ServerMtlsMode = mode;
        result.Step("server mTLS", $"{server.DisplayName} port {targetPort} is {mode}", PeerModeSource(server, targetPort));
        var mutual = wire == "ISTIO_MUTUAL";
        if ((mode == "STRICT" && !mutual) || (mode == "DISABLE" && mutual))
        {
            if (sourceProxied)
            {
                Respond(result, 503, "UC", UpstreamReset, "server mTLS", mode == "STRICT" ? "the sidecar sent plaintext into STRICT mTLS: the server resets the connection" : "the sidecar sent mTLS to a port with mTLS disabled: the server resets the connection");
            }
            else
            {
                result.Outcome = RequestOutcome.ConnectionReset;
                result.Step("server mTLS", "plaintext from a client without a sidecar into STRICT mTLS: connection reset by peer (curl exit 56)");
            }

            return;
        }

        if (!sourceProxied && !request.IsHttp && httpDeclared)
        {
            // The inbound HTTP filter chain: a TLS handshake without Istio's ALPN, or bytes that are not HTTP, match nothing.
            result.Outcome = request.Scheme == "https" ? RequestOutcome.ConnectionReset : RequestOutcome.ConnectionClosed;
            result.Step("server", $"port {targetPort} of {server.DisplayName} is declared HTTP: its sidecar accepts only HTTP (or Istio mTLS) there and drops {(request.Scheme == "https" ? "the TLS handshake" : "raw TCP")}", server);
            return;
        }

        var peer = mutual ? SpiffeId(source.Namespace, source.ServiceAccount) : default;
        result.PeerPrincipal = peer.Id;
        result.ServerIdentity = mutual ? SpiffeId(server.Namespace, server.ServiceAccount).Id : null;
        var isHttp = request.IsHttp && !tcpDeclared;
        if (isHttp && !Jwt(server, request, result))
        {
            return;
        }

        var context = new AuthorizationContext(isHttp, peer.Principal, result.RequestPrincipal, request.Token, request.Method, request.Path, StripPort(request.Authority), targetPort, request.Headers, mutual ? source.Namespace : null);
        var (decision, allowed) = Authorization.Evaluate(model, server, context);
        result.Authorization = decision;
        if (result.Explaining)
        {
            result.Step("authorization", $"{(decision.Policy is null ? "no AuthorizationPolicy applies: allowed" : decision.ToString())}", PolicyName(result, decision) ?? server.DisplayName);
        }

        if (!allowed)
        {
            if (isHttp)
            {
                Respond(result, 403, null, "RBAC: access denied", "response", "the server's sidecar answers 403 RBAC: access denied", PolicyName(result, decision));
            }
            else
            {
                result.Outcome = RequestOutcome.ConnectionClosed;
                result.Step("response", "the network RBAC filter closes the TCP connection", PolicyName(result, decision));
            }

            return;
        }

        Deliver(result, server, "the application answers");
    }

    // A service account's SPIFFE ID, and the principal AuthorizationPolicies match (the ID without spiffe://), once
    // per namespace and account (bounded).
    private (string? Id, string? Principal) SpiffeId(string ns, string serviceAccount) =>
        spiffeIds.Get((ns, serviceAccount), model.TrustDomain, static (k, trustDomain) =>
        {
            var principal = $"{trustDomain}/ns/{k.Namespace}/sa/{k.ServiceAccount}";
            return ((string?)("spiffe://" + principal), (string?)principal);
        });

    private readonly BoundedCache<(string Namespace, string ServiceAccount), (string?, string?)> spiffeIds = new();

    /// <summary>
    /// The filter chain of the server's inbound listener for <paramref name="targetPort"/> and whether it is declared
    /// HTTP or TCP (neither: sniffed). listener_inbound.go buildInboundChainConfigs: without ingress listeners in the
    /// server's Sidecar, a chain per port of the workload's Services (inbound|PORT||); with them, chains for their
    /// ports only, with their protocol and defaultEndpoint (the Services' ports get none:
    /// PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE is off), and any other port takes the passthrough filter
    /// chains (InboundPassthroughClusterIpv4, protocol sniffed) to the original destination.
    /// </summary>
    private (bool Http, bool Tcp) InboundChain(WorkloadInfo server, int targetPort, RequestResult result)
    {
        // The model does not change: each server port's chain is worked out once, its step shared (records are immutable).
        var chain = inboundChains.GetOrAdd((server, targetPort), static (key, self) => self.ComputeInboundChain(key.Server, key.Port), this);
        result.InboundCluster = chain.Cluster;
        if (chain.Step is { } step)
        {
            result.Step(step);
        }

        return (chain.Http, chain.Tcp);
    }

    private sealed record InboundChainInfo(string Cluster, bool Http, bool Tcp, SimulationStep? Step);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(WorkloadInfo Server, int Port), InboundChainInfo> inboundChains = new();

    private InboundChainInfo ComputeInboundChain(WorkloadInfo server, int targetPort)
    {
        var scope = SidecarScope.For(model, server.Namespace, server.Labels);
        if (scope.Ingress.Count == 0)
        {
            return new($"inbound|{targetPort}||", IsHttpPort(server, targetPort), IsTcpPort(server, targetPort), null);
        }

        var ports = string.Join(", ", scope.Ingress.Select(i => i.Port).Distinct());
        if (scope.IngressFor(targetPort) is not { } ingress)
        {
            return new("InboundPassthroughClusterIpv4", false, false, new("inbound listener", $"{scope.Sidecar!.DisplayName} declares ingress listeners, so {server.DisplayName}'s sidecar has inbound filter chains for port(s) {ports} only, not for the Services' ports: port {targetPort} takes the passthrough filter chain (protocol sniffed), whose InboundPassthroughClusterIpv4 sends the request to the original destination, the pod's port {targetPort}", scope.Sidecar.DisplayName));
        }

        var cluster = $"inbound|{ingress.Port}||";
        var capture = ingress.BindsToPort
            ? $"captureMode NONE: the sidecar binds {(string.IsNullOrEmpty(ingress.Bind) ? "the pod's addresses" : ingress.Bind)}:{ingress.Port} itself"
            : "the connection is redirected to the sidecar's inbound listener";
        var detail = $"the ingress listener {(ingress.PortName is null ? string.Empty : $"{ingress.PortName} ")}on port {ingress.Port} of {scope.Sidecar!.DisplayName} takes the request as {ingress.Protocol} ({capture}); its cluster {cluster} sends it to {ingress.EndpointDescription}";
        return new(cluster, IsHttpFamily(ingress.Protocol), ingress.Protocol is "TCP" or "TLS" or "HTTPS" or "MONGO" or "MYSQL" or "REDIS", new("inbound listener", detail, scope.Sidecar.DisplayName));
    }

    private bool IsHttpPort(WorkloadInfo server, int targetPort)
    {
        var ports = model.Services.Where(s => s.Entry is null && s.Namespace == server.Namespace && server.Selects(s.Selector))
            .SelectMany(s => s.Ports).Where(p => (server.ResolvePort(p.TargetPort, p.Port) ?? p.Port) == targetPort).ToList();
        return ports.Count > 0 && ports.All(p => IsHttpFamily(p.Protocol));
    }

    // Protocols the sidecar proxies as opaque TCP (HTTPS and TLS pass through by SNI).
    private static bool IsOpaqueProtocol(string protocol) => protocol is "TCP" or "TLS" or "HTTPS" or "MONGO" or "MYSQL" or "REDIS";

    // Explicitly HTTP ports: an HTTP connection manager, no sniffing (AUTO ports sniff and take TLS or TCP too).
    private static bool IsHttpFamily(string protocol) => protocol is "HTTP" or "HTTP2" or "GRPC" or "GRPC-WEB";

    // An HTTP listener 0.0.0.0:port exists when some service the sidecar imports has the port as HTTP or sniffed.
    // Worked out once per scope and port (bounded).
    private bool HttpListenerOn(SidecarScope scope, int port) =>
        httpListeners.Get((scope, port), model, static (k, model) =>
            model.Services.Any(s => s.Ports.Any(p => p.Port == k.Port && (IsHttpFamily(p.Protocol) || p.Protocol == "AUTO")) && k.Scope.Sees(s, k.Port)));

    private readonly BoundedCache<(SidecarScope Scope, int Port), bool> httpListeners = new();

    // A service's default route (no VirtualService): to the service itself, once per service (bounded; read only).
    private List<(HttpRoute Route, string Namespace)> DefaultRoute(ServiceInfo service) =>
        defaultRoutes.Get(service, 0, static (s, _) => [(new HttpRoute { Route = [new HttpRouteDestination { Destination = new Destination { Host = s.Host } }] }, s.Namespace)]);

    private readonly BoundedCache<ServiceInfo, List<(HttpRoute Route, string Namespace)>> defaultRoutes = new();

    // The registry entry for a host on a port, if the sidecar's scope imports it (a step says so when it does not).
    private ServiceInfo? ScopedService(SidecarScope scope, string host, string clientNamespace, int port, RequestResult result)
    {
        var service = model.FindService(host, clientNamespace, port);
        if (service is null || scope.Sees(service, port))
        {
            return service;
        }

        result.Step("sidecar scope", MeshModel.IsServiceVisible(service, scope.ConfigNamespace)
            ? $"{service.DisplayName} is not imported on port {port} by {scope.Sidecar?.DisplayName ?? "the sidecar's scope"}: the sidecar has no listener or virtual host for it"
            : $"{service.DisplayName} is not exported to namespace {scope.ConfigNamespace} (exportTo): the sidecar does not know it", scope.Sidecar?.DisplayName ?? service.DisplayName);
        return null;
    }

    /// <summary>
    /// The ServiceEntry whose TCP listener catches a connection that no host names: one whose addresses hold the
    /// destination IP, else one with no addresses on the port (its listener is 0.0.0.0:port and takes every destination).
    /// </summary>
    private ServiceInfo? TcpEntryListener(SidecarScope scope, string host, int port, RequestResult result)
    {
        var entries = model.Services.Where(s => s.Entry is not null && s.Ports.Any(p => p.Port == port && IsOpaqueProtocol(p.Protocol)) && scope.Sees(s, port)).ToList();
        if (entries.Count == 0)
        {
            return null;
        }

        var ip = System.Net.IPAddress.TryParse(host.AsSpan().Trim("[]"), out var parsed) ? parsed : null;
        var allocated = model.DnsAutoAllocate;
        var byAddress = ip is null ? null : entries.FirstOrDefault(s => (s.Entry!.Spec.Addresses ?? []).Any(a => AddressHolds(a, ip))
            || (allocated && s.Entry!.Spec.Addresses is not { Count: > 0 } && s.AutoAllocatedAddress == ip.ToString()));
        var chosen = byAddress ?? entries.FirstOrDefault(s => s.Entry!.Spec.Addresses is not { Count: > 0 } && !(allocated && s.AutoAllocatedAddress is not null));
        if (chosen is not null)
        {
            result.Step("listener", byAddress is not null
                ? $"{host} is among the addresses of {chosen.DisplayName}: its listener takes the connection"
                : $"{chosen.DisplayName} has no addresses: its TCP listener is 0.0.0.0:{port} and takes every connection to port {port}", chosen.Entry!.DisplayName);
        }

        return chosen;
    }

    /// <summary>
    /// The ServiceEntry whose listener a TCP connection to an entry's host reaches. An entry with addresses, or with an
    /// address allocated under DNS auto-allocation (the sidecar's DNS proxy answers its host with it), has a listener
    /// of its own; one without listens on 0.0.0.0:port, where TCP entries sharing the port conflict and the oldest
    /// keeps the filter chain (listener.go TCPOverTCP), so the connection goes to that one.
    /// </summary>
    private ServiceInfo? SharedTcpListener(SidecarScope scope, ServiceInfo? service, int port, RequestResult result)
    {
        if (service?.Entry is not { } entry || PortOf(service, port) is not { } servicePort || !IsPlainTcp(servicePort.Protocol)
            || entry.Spec.Addresses is { Count: > 0 })
        {
            return service;
        }

        if (model.DnsAutoAllocate && service.AutoAllocatedAddress is { } vip)
        {
            result.Step("listener", $"DNS auto-allocation: the sidecar's DNS proxy answers {service.Host} with {vip}, and the listener {vip}:{port} of {service.DisplayName} takes the connection", entry);
            return service;
        }

        var owner = OldestTcpEntry(scope, port);
        if (owner is null || ReferenceEquals(owner, service))
        {
            return service;
        }

        result.Step("listener", $"{service.DisplayName} has no address, so its TCP listener is 0.0.0.0:{port}, which the older {owner.DisplayName} already holds: the connection to {service.Host} goes to {owner.Host} (give the entries addresses, or turn on DNS auto-allocation)", owner.Entry!);
        return owner;
    }

    // The oldest address-less TCP entry on a port the scope sees: it holds the 0.0.0.0:port listener.
    private ServiceInfo? OldestTcpEntry(SidecarScope scope, int port) =>
        model.ServiceEntries
            .SelectMany(e => model.Services.Where(s => ReferenceEquals(s.Entry, e)))
            .FirstOrDefault(s => s.Entry!.Spec.Addresses is not { Count: > 0 } && !(model.DnsAutoAllocate && s.AutoAllocatedAddress is not null)
                && s.Ports.Any(p => p.Port == port && IsPlainTcp(p.Protocol)) && scope.Sees(s, port));

    // TCP protocols without SNI: their filter chains cannot tell two hosts on one address apart.
    private static bool IsPlainTcp(string protocol) => protocol is "TCP" or "MONGO" or "MYSQL" or "REDIS";

    private static bool AddressHolds(string address, System.Net.IPAddress ip) =>
        address.Contains('/', StringComparison.Ordinal)
            ? System.Net.IPNetwork.TryParse(address, out var network) && network.Contains(ip)
            : System.Net.IPAddress.TryParse(address, out var single) && single.Equals(ip);

    private bool IsTcpPort(WorkloadInfo server, int targetPort)
    {
        var ports = model.Services.Where(s => s.Entry is null && s.Namespace == server.Namespace && server.Selects(s.Selector))
            .SelectMany(s => s.Ports).Where(p => (server.ResolvePort(p.TargetPort, p.Port) ?? p.Port) == targetPort).ToList();
        return ports.Count > 0 && ports.All(p => p.Protocol is "TCP" or "MYSQL" or "REDIS" or "MONGO" or "TLS");
    }

    /// <summary>RequestAuthentication: a present token must be valid for a configured issuer (401 otherwise); a missing one passes.</summary>
    // The JWT rules of the RequestAuthentications that select a workload (its namespace's and the root namespace's),
    // once per workload (bounded; read only).
    private List<(RequestAuthentication Auth, JwtRule Rule)> JwtRulesFor(WorkloadInfo workload) =>
        jwtRules.Get(workload, model, static (w, model) => model.RequestAuthentications
            .Where(ra => (MeshModel.NamespaceOf(ra) == w.Namespace || MeshModel.NamespaceOf(ra) == model.RootNamespace) && w.Selects(ra.Spec.Selector?.MatchLabels))
            .SelectMany(ra => (ra.Spec.JwtRules ?? []).Select(r => (Auth: ra, Rule: r)))
            .ToList());

    private readonly BoundedCache<WorkloadInfo, List<(RequestAuthentication Auth, JwtRule Rule)>> jwtRules = new();

    private bool Jwt(WorkloadInfo workload, RequestSpec request, RequestResult result)
    {
        var rules = JwtRulesFor(workload);
        if (rules.Count == 0 || !request.HasToken)
        {
            if (rules.Count > 0 && result.Explaining)
            {
                result.Step("JWT", "no token: RequestAuthentication lets the request through without a request principal", string.Join(", ", rules.Select(x => x.Auth.DisplayName).Distinct()));
            }

            return true;
        }

        return JwtToken(rules, request.Token, result);
    }

    private static bool JwtToken(List<(RequestAuthentication Auth, JwtRule Rule)> rules, JwtPrincipal? token, RequestResult result)
    {
        string? problem = null;
        if (token is null)
        {
            problem = "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
        }
        else if (rules.FirstOrDefault(r => r.Rule.Issuer == token.Issuer) is not { Rule: not null } match)
        {
            problem = "Jwt issuer is not configured";
        }
        else if (token.IsExpired)
        {
            problem = "Jwt is expired";
        }
        else if (match.Rule.Audiences is { Count: > 0 } audiences && !token.Audiences.Intersect(audiences, StringComparer.Ordinal).Any())
        {
            problem = "Audiences in Jwt are not allowed";
        }

        if (problem is not null)
        {
            Respond(result, 401, null, problem, "JWT", $"the token is rejected: {problem}", result.Explaining ? string.Join(", ", rules.Select(x => x.Auth.DisplayName).Distinct()) : null);
            return false;
        }

        result.RequestPrincipal = token!.RequestPrincipal;
        result.Step("JWT", $"the token of {token.Issuer} is accepted (signatures are not checked offline): request principal {result.RequestPrincipal}", rules.First(x => x.Rule.Issuer == token.Issuer).Auth.DisplayName);
        return true;
    }

    /// <summary>PeerAuthentication: workload policy (with port-level) over namespace over mesh (root) over PERMISSIVE; UNSET inherits.</summary>
    // The AuthorizationPolicy that decided, as a resource name.
    private static string? PolicyName(RequestResult result, AuthorizationDecision decision) =>
        !result.Explaining || decision.Policy is null ? null : $"AuthorizationPolicy {decision.Policy}";

    // The VirtualService a matched route belongs to, or the Service whose default route it is.
    private static string? RouteOwner(RequestResult result, string vsNamespace) =>
        result.VirtualService is { } vs ? $"VirtualService {vs}" : result.DestinationService is { } service ? $"Service {service}" : $"the default route in {vsNamespace}";

    // The PeerAuthentication whose mode applies to a workload's port, or the mesh's default (worked out once per
    // workload and port: the model never changes; bounded).
    internal string PeerModeSource(WorkloadInfo workload, int port) =>
        peerModeSources.Get((workload, port), this, static (k, simulator) => simulator.ComputePeerModeSource(k.Workload, k.Port));

    private readonly BoundedCache<(WorkloadInfo Workload, int Port), string> peerModeSources = new();

    private string ComputePeerModeSource(WorkloadInfo workload, int port)
    {
        var inNamespace = model.PeerAuthentications.Where(p => MeshModel.NamespaceOf(p) == workload.Namespace).ToList();
        var workloadPolicy = workload.Namespace == model.RootNamespace ? null : inNamespace.FirstOrDefault(p => p.Spec.Selector?.MatchLabels is { Count: > 0 } labels && workload.Selects(labels));
        if (workloadPolicy is not null && ((workloadPolicy.Spec.PortLevelMtls?.GetValueOrDefault(port.ToString(CultureInfo.InvariantCulture))?.Mode ?? workloadPolicy.Spec.Mtls?.Mode) is not null and not "UNSET"))
        {
            return workloadPolicy.DisplayName;
        }

        foreach (var ns in new[] { workload.Namespace, model.RootNamespace })
        {
            var policy = model.PeerAuthentications.FirstOrDefault(p => MeshModel.NamespaceOf(p) == ns && p.Spec.Selector?.MatchLabels is not { Count: > 0 });
            if (policy?.Spec.Mtls?.Mode is not null and not "UNSET")
            {
                return policy.DisplayName;
            }
        }

        return "the mesh default (PERMISSIVE, no PeerAuthentication)";
    }

    // The mode for a workload's port (once per workload and port; bounded).
    internal string PeerMode(WorkloadInfo workload, int port) =>
        peerModes.Get((workload, port), this, static (k, simulator) => simulator.ComputePeerMode(k.Workload, k.Port));

    private readonly BoundedCache<(WorkloadInfo Workload, int Port), string> peerModes = new();

    private string ComputePeerMode(WorkloadInfo workload, int port)
    {
        var inNamespace = model.PeerAuthentications.Where(p => MeshModel.NamespaceOf(p) == workload.Namespace).ToList();
        var workloadPolicy = workload.Namespace == model.RootNamespace ? null : inNamespace.FirstOrDefault(p => p.Spec.Selector?.MatchLabels is { Count: > 0 } labels && workload.Selects(labels));
        var portMode = workloadPolicy?.Spec.PortLevelMtls?.GetValueOrDefault(port.ToString(CultureInfo.InvariantCulture))?.Mode;
        foreach (var mode in new[] { portMode, workloadPolicy?.Spec.Mtls?.Mode, NamespaceMode(workload.Namespace) })
        {
            if (mode is not null and not "UNSET")
            {
                return mode;
            }
        }

        return "PERMISSIVE";
    }

    // A namespace's mode (its own PeerAuthentication, else the mesh's), once per namespace (bounded).
    private string NamespaceMode(string ns) => namespaceModes.Get(ns, this, static (n, simulator) => simulator.ComputeNamespaceMode(n));

    private readonly BoundedCache<string, string> namespaceModes = new();

    private string ComputeNamespaceMode(string ns)
    {
        string? Level(string n) => model.PeerAuthentications
            .FirstOrDefault(p => MeshModel.NamespaceOf(p) == n && p.Spec.Selector?.MatchLabels is not { Count: > 0 })?.Spec.Mtls?.Mode;
        var nsMode = Level(ns);
        if (nsMode is not null and not "UNSET")
        {
            return nsMode;
        }

        var meshMode = Level(model.RootNamespace);
        return meshMode is not null and not "UNSET" ? meshMode : "PERMISSIVE";
    }

    /// <summary>A pod whose HTTP readiness probe is not rewritten fails it under STRICT mTLS (the kubelet has no certificate).</summary>
    // A service's (subset's) endpoints and the ready ones, in the model's order, remembered per service and subset
    // labels (the model never changes; bounded).
    private (IReadOnlyList<WorkloadInfo> Endpoints, IReadOnlyList<WorkloadInfo> Ready) EndpointsOf(ServiceInfo service, IReadOnlyDictionary<string, string>? subsetLabels)
    {
        return endpointLists.Get((service, subsetLabels), this, static (k, simulator) =>
        {
            var endpoints = simulator.model.Endpoints(k.Service, k.Labels).ToList();
            return ((IReadOnlyList<WorkloadInfo>)endpoints, (IReadOnlyList<WorkloadInfo>)endpoints.Where(simulator.Ready).ToList());
        });
    }

    private readonly BoundedCache<(ServiceInfo Service, IReadOnlyDictionary<string, string>? Labels), (IReadOnlyList<WorkloadInfo>, IReadOnlyList<WorkloadInfo>)> endpointLists = new();

    private bool Ready(WorkloadInfo workload) =>
        !(workload.HasSidecar && !workload.RewriteProbes && workload.ReadinessProbePort is { } port && PeerMode(workload, port) == "STRICT");

    // ------------------------------------------------------------------------------------------ kubelet probes

    private void Probe(RequestSpec request, RequestResult result)
    {
        var workload = model.Workloads.FirstOrDefault(w => w.Name == request.Host || w.Labels.GetValueOrDefault("app") == request.Host);
        if (workload is null)
        {
            Refuse(result, $"no workload named {request.Host}");
            return;
        }

        result.Step("kubelet", $"the kubelet probes {workload.DisplayName} on port {request.Port}{request.Path} without a certificate");
        if (!workload.HasSidecar)
        {
            Deliver(result, workload, "no sidecar: the application answers the probe");
            return;
        }

        if (workload.RewriteProbes)
        {
            Deliver(result, workload, "the sidecar rewrote the probe to its agent (port 15020), which asks the application: the probe passes");
            return;
        }

        var mode = PeerMode(workload, request.Port);
        result.ServerMtlsMode = mode;
        if (mode == "STRICT")
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.Step("server mTLS", "probe rewriting is off and the port is STRICT: the plaintext probe is reset, the pod never becomes ready (READY 1/2)");
            return;
        }

        Deliver(result, workload, $"probe rewriting is off, but the port is {mode}: the plaintext probe passes");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private VirtualService? MeshVirtualService(SidecarScope scope, string host, string clientNamespace, int port)
    {
        // A scope is made once per workload (and the model never changes): its answer per host and port is remembered (bounded).
        return meshVirtualServices.Get((scope, host, clientNamespace, port), this, static (k, simulator) => simulator.MeshVirtualServiceUncached(k.Scope, k.Host, k.Namespace, k.Port));
    }

    private readonly BoundedCache<(SidecarScope Scope, string Host, string Namespace, int Port), VirtualService?> meshVirtualServices = new();

    private VirtualService? MeshVirtualServiceUncached(SidecarScope scope, string host, string clientNamespace, int port)
    {
        // On sidecars VirtualServices for one host are not merged: the oldest the scope imports wins.
        var service = model.FindService(host, clientNamespace, port);
        var fqdn = service?.Host ?? host;
        return model.VirtualServices
            .Where(vs => (vs.Spec.Gateways is not { Count: > 0 } || vs.Spec.Gateways.Contains("mesh")) && scope.SeesVirtualService(vs, port))
            .OrderBy(vs => ExportRank(model.ExportToOf(vs), MeshModel.NamespaceOf(vs), clientNamespace))
            .FirstOrDefault(vs => (vs.Spec.Hosts ?? []).Any(h => h != "*" && HostMatches(MeshModel.Fqdn(h, MeshModel.NamespaceOf(vs)), fqdn)));
    }

    // selectVirtualServices: whether one of a VirtualService's hosts is a service (or ServiceEntry) with the port.
    private bool HasServiceOnPort(SidecarScope scope, VirtualService vs, int port) =>
        (vs.Spec.Hosts ?? []).Any(h => h != "*" && model.Services.Any(s => scope.Sees(s, port) && HostMatches(MeshModel.Fqdn(h, MeshModel.NamespaceOf(vs)), s.Host)));

    internal static string GatewayRef(string reference, string vsNamespace) =>
        reference.Contains('/', StringComparison.Ordinal)
            ? (reference.StartsWith("./", StringComparison.Ordinal) ? $"{vsNamespace}/{reference[2..]}" : reference)
            : reference.Contains('.', StringComparison.Ordinal) ? $"{reference.Split('.')[1]}/{reference.Split('.')[0]}" : $"{vsNamespace}/{reference}";

    private static bool ServerHostMatches(string serverHost, string host)
    {
        var slash = serverHost.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? serverHost : serverHost[(slash + 1)..];
        return HostMatches(name, host);
    }

    /// <summary>Host matching: '*' matches all; '*.x.com' matches subdomains of x.com, not x.com itself.</summary>
    public static bool HostMatches(string pattern, string host)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(host);
        if (pattern == "*" || host == "*")
        {
            return true;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
    }

    private static string StripPort(string authority)
    {
        var colon = authority.LastIndexOf(':');
        return colon > 0 && authority[(colon + 1)..].All(char.IsAsciiDigit) ? authority[..colon] : authority;
    }

    private static string Labels(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}"));

    private static void Respond(RequestResult result, int? status, string? flag, string? body, string stage, [InterpolatedStringHandlerArgument("result")] ref StepText detail, string? resource = null)
    {
        Respond(result, status, flag, body);
        result.Step(stage, ref detail, resource);
    }

    private static void Respond(RequestResult result, int? status, string? flag, string? body, string stage, string detail, string? resource = null)
    {
        Respond(result, status, flag, body);
        result.Step(stage, detail, resource);
    }

    private static void Respond(RequestResult result, int? status, string? flag, string? body)
    {
        result.Outcome = RequestOutcome.ProxyResponse;
        result.Status = status;
        result.ResponseFlag = flag is null ? result.ResponseFlag : flag;
        result.Body = body;
    }

    private static void Refuse(RequestResult result, [InterpolatedStringHandlerArgument("result")] ref StepText detail)
    {
        result.Outcome = RequestOutcome.ConnectionRefused;
        result.Step("connect", $"connection refused: {detail.Take()}");
    }

    private static void Deliver(RequestResult result, WorkloadInfo? endpoint, [InterpolatedStringHandlerArgument("result")] ref StepText detail)
    {
        Delivered(result, endpoint);
        if (result.Explaining)
        {
            result.Step("response", detail.Take()!, endpoint?.DisplayName ?? (result.Cluster is { } cluster ? $"cluster {cluster}" : null));
        }
    }

    private static void Deliver(RequestResult result, WorkloadInfo? endpoint, string detail)
    {
        Delivered(result, endpoint);
        if (result.Explaining)
        {
            result.Step("response", detail, endpoint?.DisplayName ?? (result.Cluster is { } cluster ? $"cluster {cluster}" : null));
        }
    }

    private static void Delivered(RequestResult result, WorkloadInfo? endpoint)
    {
        result.Outcome = RequestOutcome.Delivered;
        result.Status = 200;
        result.Endpoint = endpoint is null ? result.DestinationService ?? "external host" : endpoint.Ref;
    }
}
