using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

/// <summary>
/// The ingress gateway as istiod builds it (Istio 1.17.8): servers merged per port across Gateways, oldest first
/// (pilot/pkg/model/gateway.go MergeGateways); one listener per port whose filter chains are an HTTP connection manager
/// for plaintext HTTP servers, one per HTTPS server that terminates TLS (chosen by SNI), and TCP proxies for TCP
/// servers and TLS passthrough (pilot/pkg/networking/core/v1alpha3/gateway.go); virtual hosts per host shared by a
/// server and a bound VirtualService (buildGatewayHTTPRouteConfig).
/// </summary>
public sealed partial class RequestSimulator
{
    private void Ingress(RequestSource source, RequestSpec request, Random random, RequestResult result)
    {
        var gatewayWorkload = source.Workload!;
        result.Step("ingress", $"the request reaches the ingress gateway {gatewayWorkload.DisplayName}{(model.DefaultIngressGateway ? " (as istioctl's demo profile installs it)" : string.Empty)}");
        // The request reaches a port of the gateway's Service, which forwards it to its targetPort (MergeGateways
        // resolvePorts: servers listen on the targetPort of the Service port they name); a port the Service lacks is
        // taken as the pod's own port.
        var listenerPort = GatewayListenerPort(gatewayWorkload, request.Port, forServer: false);
        if (listenerPort != request.Port)
        {
            result.Step("listener", $"port {request.Port} of the gateway's Service forwards to targetPort {listenerPort}: the servers whose port resolves to {listenerPort} listen there", gatewayWorkload);
        }

        var address = System.Net.IPAddress.TryParse(request.Host.AsSpan().Trim("[]"), out var ip) ? ip.ToString() : null;
        var listener = MergeServers(gatewayWorkload, listenerPort, address, result);
        var servers = listener.Servers;
        if (servers.Count == 0)
        {
            Refuse(result, $"no Gateway server listens on port {request.Port}{(listenerPort != request.Port ? $" (targetPort {listenerPort})" : string.Empty)}{(address is null ? string.Empty : $" at {address}")}: nothing binds the ingress listener");
            return;
        }

        var first = servers[0];
        if (IsHttpProtocol(first.Server.Port?.Protocol))
        {
            // A plaintext HTTP port: one HTTP connection manager, one route table for every merged server.
            if (request.Scheme == "https")
            {
                result.Outcome = RequestOutcome.ConnectionReset;
                result.Step("listener", $"port {request.Port} is plaintext {first.Server.Port?.Protocol}: the TLS handshake fails (curl exit 35)", first.Gateway);
                return;
            }

            if (request.Scheme == "tcp")
            {
                result.Outcome = RequestOutcome.ConnectionClosed;
                result.Step("listener", $"port {request.Port} is {first.Server.Port?.Protocol}: bytes that are not HTTP end the connection", first.Gateway);
                return;
            }

            HttpChain(servers, plaintext: true, source, request, random, result, listener);
            return;
        }

        FilterChains(servers, gatewayWorkload, source, request, random, result);
    }

    /// <summary>TLS servers (and a TCP server) get a filter chain each; Envoy picks by SNI, the most specific name first.</summary>
    private void FilterChains(List<GatewayServer> servers, WorkloadInfo gatewayWorkload, RequestSource source, RequestSpec request, Random random, RequestResult result)
    {
        var first = servers[0];
        var chains = new List<GatewayChain>();
        var sni = request.Scheme == "https" ? request.Host : null;
        foreach (var server in servers)
        {
            chains.AddRange(Chains(server, request.Port, sni, gatewayWorkload.Namespace));
        }

        if (chains.Count == 0 && servers.Any(s => string.Equals(s.Server.Tls?.Mode, "AUTO_PASSTHROUGH", StringComparison.OrdinalIgnoreCase)
            && model.Services.Any(svc => !svc.IsExternal && s.Hosts.Any(h => SidecarScope.HostSubsetOf(svc.Host, StripNamespace(h))))))
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.Step("filter chain", $"port {request.Port} is AUTO_PASSTHROUGH: its filter chains match SNIs of the form outbound_.port_.subset_.host, and {(sni is null ? "a connection without SNI" : $"the SNI {sni}")} names no cluster of a service its hosts hold, so the connection is reset");
            return;
        }

        if (chains.Count == 0)
        {
            Refuse(result, $"the {first.Server.Port?.Protocol} server on port {request.Port} has no VirtualService {(IsPassthrough(first.Server) ? "tls" : "tcp")} route bound to it: the listener has no filter chain, so istiod builds none");
            return;
        }

        var chosen = chains.Select((c, i) => (Chain: c, Rank: SniRank(c.SniHosts, sni), Index: i))
            .Where(c => c.Rank >= 0)
            .OrderByDescending(c => c.Rank).ThenBy(c => c.Index)
            .Select(c => c.Chain)
            .FirstOrDefault();
        if (chosen is null)
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.Step("filter chain", sni is null ? $"port {request.Port} expects TLS: a connection without SNI matches no filter chain and is closed" : $"no filter chain on port {request.Port} matches the SNI {sni}: the connection is reset (curl exit 35)");
            return;
        }

        result.Gateway = chosen.Server.Ref;
        if (chosen.Server.Server.Tls is not null && request.Scheme != "https")
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.Step("filter chain", $"the {chosen.Server.Server.Port?.Protocol} server of Gateway {chosen.Server.Ref} on port {request.Port} expects a TLS handshake: plaintext is reset", chosen.Server.Gateway);
            return;
        }

        if (string.Equals(chosen.Server.Server.Tls?.Mode, "ISTIO_MUTUAL", StringComparison.OrdinalIgnoreCase))
        {
            // ISTIO_MUTUAL terminates with the gateway's mesh certificate and requires the client's, signed by the mesh CA.
            result.Outcome = RequestOutcome.ConnectionReset;
            result.ClientTls = "TLS without a client certificate";
            result.Step("filter chain", $"the server of Gateway {chosen.Server.Ref} on port {request.Port} is ISTIO_MUTUAL: it requires a client certificate of the mesh, which a client outside the mesh does not have, so the TLS handshake fails (curl exit 56)", chosen.Server.Gateway);
            return;
        }

        if (string.Equals(chosen.Server.Server.Tls?.Mode, "MUTUAL", StringComparison.OrdinalIgnoreCase) && !ClientCertificateAccepted(chosen.Server, request, result))
        {
            return;
        }

        if (chosen.Kind == "auto")
        {
            var target = chosen.Routes![0].Destination!;
            result.Step("gateway", $"Gateway {chosen.Server.Ref} port {request.Port} is AUTO_PASSTHROUGH: the SNI {sni} names the cluster outbound|{target.Port?.Number}|{target.Subset}|{target.Host}, which the sni_cluster filter takes without a VirtualService (the TLS, Istio mTLS from a client sidecar, passes through to the pod)", chosen.Server.Gateway);
            if (!GatewayFilters(source, request, result, isHttp: false))
            {
                return;
            }

            ToDestination(target, gatewayWorkload.Namespace, gatewayWorkload.Namespace, source, request, random, result, null);
            return;
        }

        if (chosen.Routes is null)
        {
            result.Step("gateway", $"Gateway {chosen.Server.Ref} terminates TLS on port {request.Port} for {string.Join(",", chosen.SniHosts ?? ["*"])}", chosen.Server.Gateway);
            HttpChain([chosen.Server], plaintext: false, source, request, random, result);
            return;
        }

        result.VirtualService = NamespacedName(chosen.VirtualService!);
        result.Step("gateway", $"Gateway {chosen.Server.Ref} port {request.Port}/{chosen.Server.Server.Port?.Protocol}: {(chosen.SniHosts is { Count: > 0 } names ? $"the SNI matches {string.Join(",", names)}" : "a TCP proxy")} of VirtualService {result.VirtualService} ({chosen.Kind})", chosen.VirtualService);
        if (!GatewayFilters(source, request, result, isHttp: false))
        {
            return;
        }

        var destination = Pick(chosen.Routes.Select(r => (r.Destination, r.Weight)).ToList(), random);
        if (destination is null)
        {
            result.Outcome = RequestOutcome.ConnectionClosed;
            result.Step("route", $"the {chosen.Kind} route has no destination: the TCP proxy closes the connection");
            return;
        }

        ToDestination(destination, MeshModel.NamespaceOf(chosen.VirtualService!), gatewayWorkload.Namespace, source, request, random, result, null);
    }

    /// <summary>
    /// A MUTUAL server's client certificate check (security/model/authentication.go: require_client_certificate and
    /// match_subject_alt_names, exact, from the server's subjectAltNames): no certificate, or one none of whose SANs is
    /// listed, fails the handshake; otherwise the handshake completes. The simulated certificate is taken as signed by
    /// the server's caCertificates (nothing is verified against a CA, nor verifyCertificateSpki/Hash).
    /// </summary>
    private const string CertificateAccepted = "TLS with a client certificate";

    private static bool ClientCertificateAccepted(GatewayServer server, RequestSpec request, RequestResult result)
    {
        var sans = server.Server.Tls?.SubjectAltNames is { Count: > 0 } listed ? listed : null;
        var cert = request.ClientCertificate;
        if (cert is null)
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.ClientTls = "TLS without a client certificate";
            result.Step("filter chain", $"the server of Gateway {server.Ref} on port {request.Port} is MUTUAL: it requires a client certificate its CA certificates trust, and the request presents none, so the TLS handshake fails (curl exit 56; give -ClientCertificate to present one)", server.Gateway);
            return false;
        }

        if (sans is not null && !cert.SubjectAltNames.Any(s => sans.Contains(s, StringComparer.Ordinal)))
        {
            result.Outcome = RequestOutcome.ConnectionReset;
            result.ClientTls = "TLS with a client certificate the server rejects";
            result.Step("filter chain", $"the server of Gateway {server.Ref} on port {request.Port} is MUTUAL and accepts only client certificates with a SAN among {string.Join(", ", sans)}: {cert} has none of them, so Envoy fails the handshake (certificate verify failed, curl exit 56)", server.Gateway);
            return false;
        }

        result.ClientTls = CertificateAccepted;
        result.Step("filter chain", $"the server of Gateway {server.Ref} on port {request.Port} is MUTUAL: {cert} is presented{(sans is null ? string.Empty : $" with a SAN among {string.Join(", ", sans)}")}, taken as signed by the server's CA certificates (simulated: nothing is checked against a CA), so the handshake completes", server.Gateway);
        return true;
    }

    private void HttpChain(List<GatewayServer> servers, bool plaintext, RequestSource source, RequestSpec request, Random random, RequestResult result, MergedListener? listener = null)
    {
        var host = StripPort(request.Authority);
        var port = request.Port;
        if (plaintext)
        {
            result.Gateway = servers[0].Ref;
        }

        if (plaintext && result.Explaining)
        {
            var names = string.Join("; ", servers.Select(s => $"{s.Ref} {string.Join(",", s.Server.Hosts ?? [])}"));
            result.Step("gateway", $"Gateway {servers[0].Ref} serves port {port}/{servers[0].Server.Port?.Protocol}{(servers.Count > 1 ? $" with the servers merged on the port ({names})" : $" for {string.Join(",", servers[0].Server.Hosts ?? [])}")}", servers[0].Gateway.DisplayName);
        }

        // The route table of a merged listener is built once; a TLS server's own one per request.
        var vhosts = listener is null ? VirtualHosts(servers) : listener.VirtualHosts ??= VirtualHosts(servers);
        // The most specific domain wins; among equals, the first virtual host.
        GatewayVirtualHost? vhost = null;
        var best = -1;
        foreach (var candidate in vhosts)
        {
            var rank = DomainRank(candidate.Host, host);
            if (rank > best)
            {
                (vhost, best) = (candidate, rank);
            }
        }

        if (vhost is null)
        {
            Respond(result, 404, "NR", null, "virtual host", vhosts.Count == 0
                ? $"no VirtualService bound to {string.Join(", ", servers.Select(s => s.Ref).Distinct())} shares a host with its servers: the gateway answers 404"
                : $"no virtual host of port {port} ({string.Join(", ", vhosts.Select(v => v.Host))}) matches the host {host}: the gateway answers 404");
            return;
        }

        if (!GatewayFilters(source, request, result))
        {
            return;
        }

        if (vhost.RequireTls && plaintext)
        {
            Respond(result, 301, null, null, "gateway", $"the virtual host {vhost.Host} requires TLS (httpsRedirect): the gateway redirects HTTP to HTTPS");
            return;
        }

        if (vhost.Routes.Count == 0)
        {
            Respond(result, 404, "NR", null, "virtual host", $"the virtual host {vhost.Host} has no routes: the gateway answers 404");
            return;
        }

        result.Gateway = vhost.Servers[0].Ref;
        result.VirtualService = vhost.SourceNames;
        if (result.Explaining)
        {
            result.Step("virtual host", $"the host {host} takes the virtual host {vhost.Host} of {result.VirtualService}", string.Join(", ", vhost.Sources.Select(v => v.DisplayName)));
        }

        RouteHttp(vhost.OrderedRoutes, source.Workload!.Namespace, result.Gateway, source, request, random, result, isGateway: true);
    }

    /// <summary>
    /// The gateway pod's port for a port number: the targetPort of the first gateway Service port with that number,
    /// else the number itself. For a request, the Service forwarding it; for a Gateway server
    /// (<paramref name="forServer"/>, resolvePorts with the legacy selector), Services labelled
    /// experimental.istio.io/disable-gateway-port-translation are passed over, so their port numbers are not translated.
    /// </summary>
    private int GatewayListenerPort(WorkloadInfo gatewayWorkload, int number, bool forServer) =>
        listenerPorts.GetOrAdd((gatewayWorkload, number, forServer), static (key, self) => self.ComputeGatewayListenerPort(key.Workload, key.Number, key.ForServer), this);

    // The model does not change: each gateway's listener port per number, and its merged servers per listener port, once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(WorkloadInfo Workload, int Number, bool ForServer), int> listenerPorts = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(WorkloadInfo Workload, int Port), MergedListener> mergedListeners = new();

    private int ComputeGatewayListenerPort(WorkloadInfo gatewayWorkload, int number, bool forServer)
    {
        // The gateway's service instances: the Services that select its pod, and the ServiceEntries whose
        // workloadSelector does (the serviceentry controller makes the pod an instance of the entry, with the
        // entry port's targetPort), Services first (gateway_simulation_test.go TestTargetPort "basic").
        var servicePort = model.Services
            .Where(s => s.Namespace == gatewayWorkload.Namespace && s.Selector is { Count: > 0 } && gatewayWorkload.Selects(s.Selector)
                && !(forServer && s.DisablesGatewayPortTranslation))
            .OrderBy(s => s.Entry is null ? 0 : 1)
            .SelectMany(s => s.Ports)
            .FirstOrDefault(p => p.Port == number);
        return servicePort is null ? number : gatewayWorkload.ResolvePort(servicePort.TargetPort, servicePort.Port) ?? number;
    }

    /// <summary>
    /// MergeGateways for one listener port: the first server decides whether the port is plaintext; conflicts are
    /// skipped. Then the listener the connection reaches: servers bound to the request's address (bind) if any, else
    /// those without a bind (0.0.0.0).
    /// </summary>
    private MergedListener MergeServers(WorkloadInfo gatewayWorkload, int port, string? address, RequestResult result)
    {
        var listener = mergedListeners.GetOrAdd((gatewayWorkload, port), static (key, self) => self.Merge(key.Workload, key.Port), this);
        result.Step(listener.Steps);
        var merged = listener.Merged;

        // Each bind is a listener of its own (bind_port); a connection to a bound address takes that listener.
        if (address is not null && BoundTo(merged, address) is { Count: > 0 } bound)
        {
            result.Step("listener", $"the connection is to {address}, which servers bind: the listener {address}_{port} takes it", bound[0].Gateway.DisplayName);
            return new MergedListener(bound, [], bound);
        }

        foreach (var server in listener.Bound)
        {
            result.Step("listener", $"a server of Gateway {server.Ref} binds {server.Server.Bind}, not the address the connection is to ({address ?? "the gateway's address"}): it is not matched", server.Gateway);
        }

        return listener;
    }

    // The merged servers that bind an address (each bind is a listener of its own).
    private static List<GatewayServer> BoundTo(List<GatewayServer> merged, string address) =>
        merged.Where(s => s.Server.Bind == address).ToList();

    /// <summary>The servers merged on a listener port (before binds are looked at), and the steps that tell what was skipped.</summary>
    private MergedListener Merge(WorkloadInfo gatewayWorkload, int port)
    {
        var result = new RequestResult { Source = string.Empty, Request = string.Empty };
        var merged = new List<GatewayServer>();
        var tlsHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool? plaintext = null;
        string? firstProtocol = null;
        foreach (var gateway in model.Gateways.Where(g => gatewayWorkload.Selects(g.Spec.Selector)))
        {
            var gatewayRef = $"{MeshModel.NamespaceOf(gateway)}/{gateway.Name}";
            foreach (var raw in (gateway.Spec.Servers ?? []).Where(s => s.Port?.Number is { } n && GatewayListenerPort(gatewayWorkload, n, forServer: true) == port))
            {
                var server = new GatewayServer(gateway, raw, gatewayRef, SanitizeHosts(raw.Hosts ?? [], MeshModel.NamespaceOf(gateway)));
                if (raw.Tls is not null)
                {
                    // Envoy refuses two filter chains with the same SNI on one address: a later server repeating a
                    // TLS host with the same bind is skipped (CheckDuplicates).
                    var keys = server.Hosts.Select(h => $"{h}|{raw.Bind}").ToList();
                    var duplicates = keys.Where(tlsHosts.Contains).Select(k => k[..k.LastIndexOf('|')]).ToList();
                    if (duplicates.Count > 0)
                    {
                        result.Step("gateway", $"a server of Gateway {gatewayRef} on port {port} is skipped: {string.Join(",", duplicates)} already served with TLS", gateway);
                        continue;
                    }

                    tlsHosts.UnionWith(keys);
                }

                if (plaintext is null)
                {
                    plaintext = !IsTlsServer(raw);
                    firstProtocol = raw.Port?.Protocol;
                    merged.Add(server);
                }
                else if (plaintext.Value ? CanMergeProtocols(firstProtocol, raw.Port?.Protocol) : raw.Tls is not null)
                {
                    merged.Add(server);
                }
                else
                {
                    result.Step("gateway", $"the {raw.Port?.Protocol} server of Gateway {gatewayRef} conflicts with the {firstProtocol} server already on port {port}: it is skipped", gateway);
                }
            }
        }

        return new MergedListener(merged, [.. result.WrittenSteps]);
    }

    /// <summary>The filter chains of a TLS or TCP server: HTTPS termination; tcp routes; or tls routes (passthrough).</summary>
    private List<GatewayChain> Chains(GatewayServer server, int requestPort, string? sni, string gatewayNamespace)
    {
        var port = server.Server.Port?.Number ?? requestPort;
        var sniHosts = server.Server.Tls is null ? null : server.Hosts.Select(StripNamespace).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        if (server.Server.Tls is not null && string.Equals(server.Server.Port?.Protocol, "HTTPS", StringComparison.OrdinalIgnoreCase) && !IsPassthrough(server.Server))
        {
            return [new GatewayChain(server, sniHosts, null, null, "https")];
        }

        if (string.Equals(server.Server.Tls?.Mode, "AUTO_PASSTHROUGH", StringComparison.OrdinalIgnoreCase))
        {
            return AutoPassthroughChain(server, sniHosts ?? [], sni, gatewayNamespace) is { } auto ? [auto] : [];
        }

        var bound = BoundVirtualServices(server.Ref, GatewayNamespace(server));
        if (!IsPassthrough(server.Server))
        {
            // Opaque TCP, or TLS terminated and forwarded: the first tcp route of a bound VirtualService that matches.
            foreach (var vs in bound.Where(v => MatchingGatewayHosts(server.Hosts, v).Count > 0))
            {
                var route = (vs.Spec.Tcp ?? []).FirstOrDefault(t => t.Match is not { Count: > 0 } || t.Match.Any(m => L4Match(m.Port, m.Gateways, server, port, MeshModel.NamespaceOf(vs))));
                if (route is not null)
                {
                    return [new GatewayChain(server, sniHosts, vs, route.Route ?? [], "tcp")];
                }
            }

            return [];
        }

        // Passthrough: one filter chain per tls match, by its sniHosts; a repeated SNI is skipped.
        var chains = new List<GatewayChain>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vs in bound.Where(v => MatchingGatewayHosts(server.Hosts, v).Count > 0))
        {
            foreach (var tls in vs.Spec.Tls ?? [])
            {
                foreach (var match in (tls.Match ?? []).Where(m => L4Match(m.Port, m.Gateways, server, port, MeshModel.NamespaceOf(vs))))
                {
                    var names = match.SniHosts ?? [];
                    if (names.Any(seen.Contains))
                    {
                        continue;
                    }

                    seen.UnionWith(names);
                    chains.Add(new GatewayChain(server, names, vs, tls.Route ?? [], "tls"));
                }
            }
        }

        return chains;
    }

    /// <summary>
    /// builtAutoPassthroughFilterChains: one filter chain per cluster of a mesh service (not MESH_EXTERNAL) whose host
    /// the server's hosts hold, named outbound_.port_.subset_.host, the SNI a client sidecar sends; the chain for the
    /// request's SNI, if the SNI names one.
    /// </summary>
    private GatewayChain? AutoPassthroughChain(GatewayServer server, IReadOnlyList<string> serverHosts, string? sni, string gatewayNamespace)
    {
        var parts = sni?.Split("_.", 4);
        if (parts is not { Length: 4 } || parts[0] != "outbound" || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        var (subset, host) = (parts[2], parts[3]);
        var service = model.Services.FirstOrDefault(s => string.Equals(s.Host, host, StringComparison.OrdinalIgnoreCase) && !s.IsExternal
            && MeshModel.IsServiceVisible(s, gatewayNamespace) && s.Ports.Any(p => p.Port == port && p.Protocol != "UDP"));
        if (service is null || !serverHosts.Any(h => SidecarScope.HostSubsetOf(service.Host, h)))
        {
            return null;
        }

        if (subset.Length > 0 && DestinationRuleFor(service, gatewayNamespace)?.Spec.Subsets?.Any(s => s.Name == subset) != true)
        {
            return null;
        }

        var destination = new Destination { Host = service.Host, Port = new PortSelector { Number = port }, Subset = subset.Length == 0 ? null : subset };
        return new GatewayChain(server, [sni!], null, [new RouteDestination { Destination = destination }], "auto");
    }

    /// <summary>Virtual hosts of an HTTP route table: one per host a server and a bound VirtualService share (the narrower).</summary>
    private List<GatewayVirtualHost> VirtualHosts(List<GatewayServer> servers)
    {
        var vhosts = new List<GatewayVirtualHost>();
        var byHost = new Dictionary<string, GatewayVirtualHost>(StringComparer.OrdinalIgnoreCase);
        GatewayVirtualHost Get(string host, GatewayServer server)
        {
            if (!byHost.TryGetValue(host, out var vhost))
            {
                vhost = new GatewayVirtualHost(host);
                byHost[host] = vhost;
                vhosts.Add(vhost);
            }

            if (!vhost.Servers.Contains(server))
            {
                vhost.Servers.Add(server);
            }

            return vhost;
        }

        foreach (var server in servers)
        {
            var redirect = server.Server.Tls?.HttpsRedirect == true;
            foreach (var vs in BoundVirtualServices(server.Ref, GatewayNamespace(server)))
            {
                var vsNamespace = MeshModel.NamespaceOf(vs);
                var serverHosts = server.Hosts.Select(h => HostForNamespace(h, vsNamespace)).OfType<string>().ToList();
                var vsHosts = (vs.Spec.Hosts ?? []).Select(h => MeshModel.Fqdn(h, vsNamespace)).ToList();
                foreach (var host in Intersection(serverHosts, vsHosts))
                {
                    var vhost = Get(host, server);
                    vhost.Routes.AddRange(HttpRoutes(vs, null));
                    if (!vhost.Sources.Contains(vs))
                    {
                        vhost.Sources.Add(vs);
                    }

                    vhost.RequireTls |= redirect;
                }
            }

            if (redirect)
            {
                foreach (var host in server.Hosts.Select(StripNamespace))
                {
                    Get(host, server).RequireTls = true;
                }
            }
        }

        return vhosts;
    }

    /// <summary>
    /// VirtualServices bound to a gateway (namespace/name) that are exported to the gateway pod's namespace
    /// (VirtualServicesForGateway): those private to that namespace, then those exported to it by name, then the
    /// public ones, each oldest first.
    /// </summary>
    private List<VirtualService> BoundVirtualServices(string gatewayRef, string gatewayNamespace) =>
        model.VirtualServices
            .Where(vs => (vs.Spec.Gateways ?? []).Any(g => GatewayRef(g, MeshModel.NamespaceOf(vs)) == gatewayRef)
                && MeshModel.IsExported(model.ExportToOf(vs), MeshModel.NamespaceOf(vs), gatewayNamespace))
            .OrderBy(vs => ExportRank(model.ExportToOf(vs), MeshModel.NamespaceOf(vs), gatewayNamespace))
            .ToList();

    /// <summary>The order of SelectVirtualServices and VirtualServicesForGateway: private (0), exported by name (1), public (2).</summary>
    internal static int ExportRank(IReadOnlyList<string> exportTo, string ns, string proxyNamespace)
    {
        if (exportTo is not { Count: > 0 } || exportTo.Contains("*"))
        {
            return 2;
        }

        return ns == proxyNamespace && (exportTo.Contains(".") || exportTo.Contains(ns)) ? 0 : 1;
    }

    /// <summary>pickMatchingGatewayHosts: a namespace/host server host binds only VirtualServices of that namespace.</summary>
    private static List<string> MatchingGatewayHosts(IReadOnlyList<string> serverHosts, VirtualService vs)
    {
        var ns = MeshModel.NamespaceOf(vs);
        var vsHosts = vs.Spec.Hosts ?? [];
        return serverHosts.Select(h => HostForNamespace(h, ns)).OfType<string>()
            .Where(h => vsHosts.Any(v => HostSubsetOf(v, h) || HostSubsetOf(h, v))).ToList();
    }

    private static bool L4Match(int? matchPort, List<string>? gateways, GatewayServer server, int port, string vsNamespace) =>
        (matchPort is null or 0 || matchPort == port) && (gateways is not { Count: > 0 } || gateways.Any(g => GatewayRef(g, vsNamespace) == server.Ref));

    // sanitizeServerHostNamespace: ./host is the gateway's namespace; */host is any namespace (written without one).
    private static List<string> SanitizeHosts(List<string> hosts, string gatewayNamespace)
    {
        var result = new List<string>();
        foreach (var host in hosts)
        {
            var slash = host.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                result.Add(host);
                continue;
            }

            var (ns, name) = (host[..slash], host[(slash + 1)..]);
            if (ns == "*" && name == "*")
            {
                return ["*"];
            }

            result.Add(ns == "." ? $"{gatewayNamespace}/{name}" : ns == "*" ? name : host);
        }

        return result;
    }

    // host.NamesForNamespace: a namespace/host applies to that namespace only.
    private static string? HostForNamespace(string serverHost, string vsNamespace)
    {
        var slash = serverHost.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? serverHost : serverHost[..slash] == vsNamespace || serverHost[..slash] == "*" ? serverHost[(slash + 1)..] : null;
    }

    private static string StripNamespace(string host) => host.Contains('/', StringComparison.Ordinal) ? host[(host.IndexOf('/', StringComparison.Ordinal) + 1)..] : host;

    /// <summary>host.Name.SubsetOf: '*' holds every host; '*.x.com' holds its subdomains and narrower wildcards.</summary>
    private static bool HostSubsetOf(string host, string of)
    {
        if (of == "*")
        {
            return true;
        }

        if (host == "*")
        {
            return false;
        }

        return of.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(of[1..], StringComparison.OrdinalIgnoreCase)
            : !host.StartsWith('*') && string.Equals(host, of, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>host.Names.Intersection: for each pair that overlaps, the narrower of the two, once.</summary>
    private static List<string> Intersection(List<string> serverHosts, List<string> vsHosts)
    {
        var result = new List<string>();
        foreach (var a in serverHosts)
        {
            foreach (var b in vsHosts)
            {
                var narrower = HostSubsetOf(a, b) ? a : HostSubsetOf(b, a) ? b : null;
                if (narrower is not null && !result.Contains(narrower, StringComparer.OrdinalIgnoreCase))
                {
                    result.Add(narrower);
                }
            }
        }

        return result;
    }

    /// <summary>Envoy's virtual host choice: an exact domain, then the longest '*.' suffix, then '*'; -1 when it does not match.</summary>
    private static int DomainRank(string domain, string host) =>
        domain == "*" ? 0
        : domain.StartsWith("*.", StringComparison.Ordinal) ? (host.AsSpan().EndsWith(domain.AsSpan(1), StringComparison.OrdinalIgnoreCase) && host.Length > domain.Length - 1 ? domain.Length : -1)
        : string.Equals(domain, host, StringComparison.OrdinalIgnoreCase) ? int.MaxValue : -1;

    /// <summary>Envoy's filter chain choice by SNI: exact server name, then the longest wildcard, then a chain without names.</summary>
    private static int SniRank(IReadOnlyList<string>? names, string? sni)
    {
        if (names is not { Count: > 0 } || names.Contains("*"))
        {
            return 0;
        }

        return sni is null ? -1 : names.Select(n => DomainRank(n, sni)).DefaultIfEmpty(-1).Max();
    }

    /// <summary>route.go isCatchAllRoute (SortVHostRoutes moves such routes last): no match, or only prefix '/' or regex '*'.</summary>
    private static bool IsCatchAll(HttpRoute route) =>
        route.Match is not { Count: > 0 } || route.Match.All(m =>
            (m.Uri is null || m.Uri.Prefix == "/" || m.Uri.Regex == "*") && m.Headers is not { Count: > 0 } && m.QueryParams is not { Count: > 0 }
            && m.WithoutHeaders is not { Count: > 0 } && m.Method is null && m.Authority is null && m.Scheme is null);

    private static bool IsHttpProtocol(string? protocol) =>
        protocol?.ToUpperInvariant() is "HTTP" or "HTTP2" or "HTTP_PROXY" or "GRPC" or "GRPC-WEB";

    // A TLS block without a mode is PASSTHROUGH, the enum's zero value.
    private static bool IsPassthrough(Server server) =>
        server.Tls is not null && (server.Tls.Mode?.ToUpperInvariant() ?? "PASSTHROUGH") is "PASSTHROUGH" or "AUTO_PASSTHROUGH";

    // gateway.IsTLSServer: TLS settings on a protocol that is not HTTP (an HTTP server's httpsRedirect does not count).
    private static bool IsTlsServer(Server server) => server.Tls is not null && !IsHttpProtocol(server.Port?.Protocol);

    // canMergeProtocols: HTTP servers merge with HTTP servers; nothing else merges.
    private static bool CanMergeProtocols(string? current, string? next) =>
        (IsHttpProtocol(current) || string.Equals(current, next, StringComparison.OrdinalIgnoreCase)) && IsHttpProtocol(next);

    // The namespace of the gateway pod the server is merged on: the ingress gateway's.
    private string GatewayNamespace(GatewayServer server) =>
        model.Workloads.FirstOrDefault(w => w.IsGateway && w.Selects(server.Gateway.Spec.Selector))?.Namespace ?? model.RootNamespace;

    private sealed record GatewayServer(Gateway Gateway, Server Server, string Ref, List<string> Hosts);

    /// <summary>
    /// Servers merged on one listener port: <see cref="Merged"/> all of them; <see cref="Servers"/> the listener a
    /// connection to no bound address takes (those without a bind), <see cref="Bound"/> the others; its virtual hosts
    /// built once.
    /// </summary>
    private sealed class MergedListener(List<GatewayServer> merged, SimulationStep[] steps, List<GatewayServer>? servers = null)
    {
        public List<GatewayServer> Merged { get; } = merged;

        public SimulationStep[] Steps { get; } = steps;

        public List<GatewayServer> Servers { get; } = servers ?? merged.Where(s => string.IsNullOrEmpty(s.Server.Bind)).ToList();

        public List<GatewayServer> Bound { get; } = merged.Where(s => !string.IsNullOrEmpty(s.Server.Bind)).ToList();

        public List<GatewayVirtualHost>? VirtualHosts { get; set; }
    }

    // One filter chain: an HTTPS termination (Routes null) or a TCP proxy of a VirtualService's tcp or tls route.
    private sealed record GatewayChain(GatewayServer Server, IReadOnlyList<string>? SniHosts, VirtualService? VirtualService, List<RouteDestination>? Routes, string Kind);

    private sealed class GatewayVirtualHost(string host)
    {
        public string Host { get; } = host;

        public List<GatewayServer> Servers { get; } = [];

        public List<(HttpRoute Route, string Namespace)> Routes { get; } = [];

        public List<VirtualService> Sources { get; } = [];

        public bool RequireTls { get; set; }

        // Written the first time a request takes the virtual host (it is complete by then; a race writes the same).
        public string SourceNames => sourceNames ??= string.Join(", ", Sources.Select(v => $"{MeshModel.NamespaceOf(v)}/{v.Name}"));

        private string? sourceNames;

        /// <summary>The routes as the gateway orders them: catch-all routes last.</summary>
        public List<(HttpRoute Route, string Namespace)> OrderedRoutes => orderedRoutes ??= [.. Routes.Where(r => !IsCatchAll(r.Route)), .. Routes.Where(r => IsCatchAll(r.Route))];

        private List<(HttpRoute Route, string Namespace)>? orderedRoutes;
    }
}
