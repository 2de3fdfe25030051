using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Graph;

/// <summary>
/// Draws the simulator's model as a graph (ConvertTo-MeshGraph): the ingress gateway, services, subsets, workloads and
/// hosts outside the mesh as nodes grouped by namespace; routes (weights, matches, faults, retries), mirrors,
/// endpoints, egress and authorization as edges. Egress and authorization edges are simulated requests
/// (<see cref="RequestSimulator"/>), so the picture says what Test-MeshRequest says for the same request.
/// </summary>
public static class MeshGraphBuilder
{
    /// <summary>The seed of every simulated request (Test-MeshRequest -Seed 0 repeats it).</summary>
    public const int Seed = 0;

    /// <summary>The pod name of the simulated clients that are no workload of the configuration.</summary>
    public const string ClientName = "graph-client";

    public static MeshGraph Build(MeshModel model, string? step = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Drawing(model).Build(step, title);
    }

    /// <summary>
    /// Whether the mesh's security lets a request through: not when an AuthorizationPolicy denied it, its JWT was
    /// rejected (401), or mTLS reset it (plaintext into STRICT, mTLS into DISABLE). Other failures (a fault, no
    /// endpoints) are not the server's decision and count as allowed.
    /// </summary>
    public static bool Admits(RequestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Authorization?.Decision == "Denied" || result.Status == 401)
        {
            return false;
        }

        var mtlsReset = result.ServerMtlsMode is "STRICT" or "DISABLE"
            && (result.Outcome == RequestOutcome.ConnectionReset || result.ResponseFlag == "UC");
        return !mtlsReset;
    }

    /// <summary>The host a request to a ServiceEntry's or Gateway server's host is sent to: a wildcard gets www (or example.com for '*').</summary>
    public static string SampleHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host == "*" ? "example.com" : host.StartsWith("*.", StringComparison.Ordinal) ? "www" + host[1..] : host;
    }

    /// <summary>The URI scheme Test-MeshRequest uses for a protocol: http, https (TLS passes through) or tcp.</summary>
    public static string Scheme(string protocol) => protocol.ToUpperInvariant() switch
    {
        "HTTP" or "HTTP2" or "GRPC" or "GRPC-WEB" or "AUTO" => "http",
        "HTTPS" or "TLS" => "https",
        _ => "tcp",
    };

    private sealed class Drawing
    {
        private readonly MeshModel model;
        private readonly RequestSimulator simulator;
        private readonly List<MeshGraphNode> nodes = [];
        private readonly List<MeshGraphEdge> edges = [];
        private readonly HashSet<string> routedServices = new(StringComparer.Ordinal);

        public Drawing(MeshModel model)
        {
            this.model = model;
            simulator = new RequestSimulator(model);
        }

        public MeshGraph Build(string? step, string? title)
        {
            Gateways();
            Services();
            Workloads();
            Subsets();
            GatewayRoutes();
            MeshRoutes();
            Endpoints();
            Calls();
            Ingress();
            Outsiders();
            Egress();
            var groups = nodes.Where(n => n.Namespace is not null).Select(n => n.Namespace!).Distinct(StringComparer.Ordinal)
                .OrderBy(n => n == model.RootNamespace ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal).ToList();
            return new MeshGraph { Step = step, Title = title, Nodes = nodes, Edges = Distinct(edges), Groups = groups, OutboundPolicy = model.OutboundPolicy };
        }

        // ------------------------------------------------------------------------------------------ nodes

        private static string WorkloadId(WorkloadInfo w) => w.IsGateway ? $"gw:{w.Namespace}/{w.Name}" : $"wl:{w.Namespace}/{w.Name}";

        private static string ServiceId(ServiceInfo s) => s.Entry is null ? $"svc:{s.Namespace}/{s.Name}" : $"ext:{s.Host}";

        private static string SubsetId(ServiceInfo s, string subset) => $"subset:{s.Namespace}/{s.Name}/{subset}";

        private bool Has(string id) => nodes.Any(n => n.Id == id);

        private void Add(MeshGraphNode node)
        {
            if (!Has(node.Id))
            {
                nodes.Add(node);
            }
        }

        private void Gateways()
        {
            foreach (var gateway in model.Workloads.Where(w => w.IsGateway))
            {
                var servers = model.Gateways.Where(g => gateway.Selects(g.Spec.Selector))
                    .SelectMany(g => (g.Spec.Servers ?? []).Select(s => $"{g.Name} :{s.Port?.Number} {s.Port?.Protocol} {string.Join(",", s.Hosts ?? [])}".TrimEnd()))
                    .ToList();
                Add(new MeshGraphNode
                {
                    Id = WorkloadId(gateway), Kind = MeshGraphNodeKind.IngressGateway, Label = gateway.Name, Namespace = gateway.Namespace,
                    Pods = gateway.Replicas, Sidecar = true, Detail = servers.Count == 0 ? "no Gateway" : string.Join("; ", servers),
                });
            }
        }

        private bool IsGatewayService(ServiceInfo s) => model.Endpoints(s, null).Any(w => w.IsGateway);

        private void Services()
        {
            foreach (var service in model.Services.Where(s => s.Entry is null && !IsGatewayService(s)))
            {
                Add(new MeshGraphNode
                {
                    Id = ServiceId(service), Kind = MeshGraphNodeKind.Service, Label = service.Name, Namespace = service.Namespace,
                    Pods = model.Endpoints(service, null).Sum(w => w.Replicas),
                    Detail = string.Join(",", service.Ports.Select(p => $"{p.Port}/{p.Protocol}")),
                });
            }

            foreach (var entry in model.Services.Where(s => s.Entry is not null))
            {
                Add(new MeshGraphNode
                {
                    Id = ServiceId(entry), Kind = MeshGraphNodeKind.External, Label = entry.Host,
                    Namespace = entry.IsExternal ? null : entry.Namespace,
                    Detail = $"ServiceEntry {entry.Namespace}/{entry.Name} {string.Join(",", entry.Ports.Select(p => $"{p.Port}/{p.Protocol}"))}".TrimEnd(),
                });
            }
        }

        private void Workloads()
        {
            foreach (var w in model.Workloads.Where(w => !w.IsGateway))
            {
                Add(new MeshGraphNode
                {
                    Id = WorkloadId(w), Kind = MeshGraphNodeKind.Workload, Label = w.Name, Namespace = w.Namespace, Pods = w.Replicas,
                    Sidecar = w.HasSidecar, MtlsMode = w.HasSidecar ? simulator.PeerMode(w, w.ContainerPorts.Values.FirstOrDefault()) : null,
                    Detail = $"{w.Kind} {string.Join(",", w.Labels.Where(kv => kv.Key is "app" or "version").Select(kv => $"{kv.Key}={kv.Value}"))}".TrimEnd(),
                });
            }
        }

        private void Subsets()
        {
            foreach (var rule in model.DestinationRules)
            {
                var service = model.FindService(rule.Spec.Host ?? string.Empty, MeshModel.NamespaceOf(rule), null);
                if (service is null || service.Entry is not null)
                {
                    continue;
                }

                foreach (var subset in (rule.Spec.Subsets ?? []).Where(s => s.Name is not null))
                {
                    SubsetNode(service, subset.Name!, subset.Labels);
                }
            }
        }

        private string SubsetNode(ServiceInfo service, string subset, IReadOnlyDictionary<string, string>? labels)
        {
            var id = SubsetId(service, subset);
            if (!Has(id))
            {
                var pods = labels is null ? [] : model.Endpoints(service, labels).ToList();
                Add(new MeshGraphNode
                {
                    Id = id, Kind = MeshGraphNodeKind.Subset, Label = $"{service.Name} {subset}", Namespace = service.Namespace, Pods = pods.Sum(w => w.Replicas),
                    Detail = labels is null ? "no DestinationRule defines this subset" : string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}")),
                });
                foreach (var w in pods)
                {
                    edges.Add(new MeshGraphEdge { From = id, To = WorkloadId(w), Kind = MeshGraphEdgeKind.Endpoint });
                }
            }

            return id;
        }

        // ------------------------------------------------------------------------------------------ routes

        private string? Target(Destination? destination, string ns)
        {
            if (destination?.Host is not { } host)
            {
                return null;
            }

            var service = model.FindService(host, ns, null);
            if (service is null)
            {
                var id = $"ext:{host}";
                Add(new MeshGraphNode { Id = id, Kind = MeshGraphNodeKind.External, Label = host, Detail = "no Service or ServiceEntry has this host" });
                return id;
            }

            if (destination.Subset is { } subset && service.Entry is null)
            {
                var defined = model.DestinationRules
                    .Where(r => model.FindService(r.Spec.Host ?? string.Empty, MeshModel.NamespaceOf(r), null) == service)
                    .SelectMany(r => r.Spec.Subsets ?? [])
                    .FirstOrDefault(s => s.Name == subset);
                return SubsetNode(service, subset, defined is null ? null : defined.Labels ?? new Dictionary<string, string>());
            }

            return ServiceId(service);
        }

        private void GatewayRoutes()
        {
            foreach (var gatewayWorkload in model.Workloads.Where(w => w.IsGateway))
            {
                var refs = model.Gateways.Where(g => gatewayWorkload.Selects(g.Spec.Selector)).Select(g => $"{MeshModel.NamespaceOf(g)}/{g.Name}").ToHashSet(StringComparer.Ordinal);
                var bound = model.VirtualServices
                    .Where(vs => (vs.Spec.Gateways ?? []).Any(g => refs.Contains(RequestSimulator.GatewayRef(g, MeshModel.NamespaceOf(vs)))))
                    .ToList();
                var routes = bound.SelectMany(vs => (vs.Spec.Http ?? []).Select(r => (Route: r, Namespace: MeshModel.NamespaceOf(vs)))).ToList();

                // The gateway merges its VirtualServices' routes, those with a match first (as the simulator does).
                var ordered = routes.Where(r => r.Route.Match is { Count: > 0 }).Concat(routes.Where(r => r.Route.Match is not { Count: > 0 })).ToList();
                RouteEdges(WorkloadId(gatewayWorkload), ordered, null);
            }
        }

        private void MeshRoutes()
        {
            foreach (var vs in model.VirtualServices.Where(v => v.Spec.Gateways is not { Count: > 0 } || v.Spec.Gateways.Contains("mesh")))
            {
                var ns = MeshModel.NamespaceOf(vs);
                foreach (var host in vs.Spec.Hosts ?? [])
                {
                    var service = model.FindService(host, ns, null);
                    if (service is null)
                    {
                        continue;
                    }

                    var source = ServiceId(service);
                    if (service.Entry is null)
                    {
                        routedServices.Add(source);
                    }

                    RouteEdges(source, (vs.Spec.Http ?? []).Select(r => (r, ns)).ToList(), service);
                    foreach (var tcp in vs.Spec.Tcp ?? [])
                    {
                        Destinations(source, (tcp.Route ?? []).Select(d => (d.Destination, d.Weight)).ToList(), ns, service, null, null, null);
                    }
                }
            }
        }

        private void RouteEdges(string source, List<(HttpRoute Route, string Namespace)> routes, ServiceInfo? self)
        {
            var conditioned = false;
            foreach (var (route, ns) in routes)
            {
                var condition = Condition(route);
                if (condition is null && conditioned)
                {
                    condition = "otherwise";
                }

                conditioned |= condition is not null;
                Destinations(source, (route.Route ?? []).Select(d => (d.Destination, d.Weight)).ToList(), ns, self, condition, Fault(route), Retries(route));
                if (route.Mirror is { } mirror && Target(mirror, ns) is { } to)
                {
                    var percent = route.MirrorPercentage?.Value ?? route.MirrorPercent ?? 100;
                    if (percent > 0)
                    {
                        edges.Add(new MeshGraphEdge { From = source, To = to, Kind = MeshGraphEdgeKind.Mirror, MirrorPercent = percent, Condition = condition });
                    }
                }
            }
        }

        private void Destinations(string source, List<(Destination? Destination, int? Weight)> targets, string ns, ServiceInfo? self, string? condition, string? fault, string? retries)
        {
            var weighted = targets.Count > 1 || targets.Any(t => t.Weight is < 100);
            foreach (var (destination, weight) in targets)
            {
                var to = Target(destination, ns);
                if (to is null)
                {
                    continue;
                }

                int? percent = weighted ? weight ?? (targets.Count == 1 ? 100 : 0) : null;
                var receivers = self is not null && to == ServiceId(self)
                    ? model.Endpoints(self, null).Select(WorkloadId).ToList()
                    : [to];
                foreach (var receiver in receivers)
                {
                    edges.Add(new MeshGraphEdge { From = source, To = receiver, Kind = MeshGraphEdgeKind.Route, Weight = percent, Condition = condition, Fault = fault, Retries = retries });
                }
            }
        }

        private void Endpoints()
        {
            foreach (var service in model.Services.Where(s => s.Entry is null && !IsGatewayService(s) && !routedServices.Contains(ServiceId(s))))
            {
                foreach (var w in model.Endpoints(service, null))
                {
                    edges.Add(new MeshGraphEdge { From = ServiceId(service), To = WorkloadId(w), Kind = MeshGraphEdgeKind.Endpoint });
                }
            }
        }

        private static string? Condition(HttpRoute route)
        {
            var parts = (route.Match ?? []).Select(Match).Where(m => m.Length > 0).ToList();
            return parts.Count == 0 ? null : string.Join(" or ", parts);
        }

        private static string Match(HttpMatchRequest m)
        {
            var terms = new List<string>();
            if (m.Uri is { } uri && !(uri.Prefix == "/" && uri.Exact is null && uri.Regex is null))
            {
                terms.Add(Term("uri", uri));
            }

            if (m.Method is { } method)
            {
                terms.Add(Term("method", method));
            }

            if (m.Authority is { } authority)
            {
                terms.Add(Term("authority", authority));
            }

            foreach (var (name, value) in m.Headers ?? [])
            {
                terms.Add(Term(name, value));
            }

            foreach (var (name, value) in m.QueryParams ?? [])
            {
                terms.Add(Term($"?{name}", value));
            }

            if (m.SourceLabels is { Count: > 0 } labels)
            {
                terms.Add("from " + string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}")));
            }

            return string.Join(" and ", terms);
        }

        private static string Term(string name, StringMatch match)
        {
            if (match.Exact is { } exact)
            {
                return $"{name} = {exact}";
            }

            if (match.Prefix is { } prefix)
            {
                return $"{name} {prefix}*";
            }

            var regex = match.Regex ?? string.Empty;
            var inner = regex.StartsWith(".*", StringComparison.Ordinal) && regex.EndsWith(".*", StringComparison.Ordinal) && regex.Length > 4 ? regex[2..^2] : regex;
            return $"{name} ~ {inner}";
        }

        private static string? Fault(HttpRoute route)
        {
            var parts = new List<string>();
            if (route.Fault?.Abort is { } abort)
            {
                parts.Add($"abort {abort.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? abort.GrpcStatus ?? abort.Http2Error}{Share(abort.Percentage?.Value)}");
            }

            if (route.Fault?.Delay is { } delay)
            {
                parts.Add($"delay {delay.FixedDelay ?? delay.ExponentialDelay}{Share(delay.Percentage?.Value ?? delay.Percent)}");
            }

            return parts.Count == 0 ? null : string.Join(", ", parts);
        }

        private static string Share(double? percent) =>
            percent is null or >= 100 ? string.Empty : $" ({percent.Value.ToString(CultureInfo.InvariantCulture)}%)";

        private static string? Retries(HttpRoute route) => route.Retries switch
        {
            null => null,
            { Attempts: 0 } => "no retries",
            var r => $"retries {r.Attempts}{(r.PerTryTimeout is null ? string.Empty : $" x {r.PerTryTimeout}")}",
        };

        // ------------------------------------------------------------------------------------------ simulated requests

        private RequestResult Simulate(string from, string uri)
        {
            var source = simulator.ResolveSource(from);
            var request = RequestBuilder.Build(new RequestOptions { Uri = uri }, _ => null);
            return simulator.Simulate(source, request, new Random(Seed));
        }

        private static string? Decider(RequestResult result)
        {
            if (result.Authorization?.Policy is { } policy)
            {
                return $"AuthorizationPolicy {policy}";
            }

            if (result.Status == 401)
            {
                return result.Steps.LastOrDefault(s => s.Stage == "jwt" && s.Resource is not null)?.Resource ?? "RequestAuthentication";
            }

            return result.ServerMtlsMode is "STRICT" or "DISABLE" && !Admits(result)
                ? result.Steps.LastOrDefault(s => s.Stage == "server mTLS" && s.Resource is not null)?.Resource
                : null;
        }

        private void Decision(string from, string to, string requestFrom, string uri, MeshGraphEdgeKind kind, Func<RequestResult, bool>? keep = null, Func<RequestResult, (bool Allowed, string? Policy)>? decide = null, string? condition = null)
        {
            var result = Simulate(requestFrom, uri);
            if (keep is not null && !keep(result))
            {
                return;
            }

            var (allowed, policy) = decide is null ? (Admits(result), Decider(result)) : decide(result);
            edges.Add(new MeshGraphEdge
            {
                From = from, To = to, Kind = kind, Allowed = allowed, Policy = policy, Outcome = result.ToString(), Condition = condition,
                RequestFrom = requestFrom, RequestUri = uri,
            });
        }

        private static string Uri(string scheme, string host, int port, string path = "/") =>
            scheme == "tcp" ? $"tcp://{host}:{port}" : $"{scheme}://{host}:{port}{(scheme == "http" ? path : string.Empty)}";

        /// <summary>The app's calls, read from its containers' environment (MESSAGE_HOST=http://message-service, REDIS_HOST=redis).</summary>
        private void Calls()
        {
            foreach (var w in model.Workloads.Where(w => !w.IsGateway && w.Replicas > 0))
            {
                var from = $"{w.Namespace}/{w.Name}";
                if (simulator.ResolveSource(from).Workload != w)
                {
                    continue;
                }

                foreach (var value in EnvironmentValues(w))
                {
                    if (CallTarget(value, w) is not { } call)
                    {
                        continue;
                    }

                    Decision(WorkloadId(w), ServiceId(call.Service), from, call.Uri, MeshGraphEdgeKind.Authorization);
                }
            }
        }

        private (ServiceInfo Service, string Uri)? CallTarget(string value, WorkloadInfo caller)
        {
            string host;
            int? port = null;
            string? scheme = null;
            if (System.Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "tcp" && uri.Host.Length > 0)
            {
                host = uri.Host;
                scheme = uri.Scheme;
                port = uri.IsDefaultPort || uri.Port < 0 ? null : uri.Port;
            }
            else if (value.Length > 0 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or ':'))
            {
                var colon = value.IndexOf(':', StringComparison.Ordinal);
                host = colon < 0 ? value : value[..colon];
                if (colon >= 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                {
                    port = p;
                }
            }
            else
            {
                return null;
            }

            var service = model.FindService(host, caller.Namespace, null);
            if (service is null || service.Entry is not null || IsGatewayService(service) || model.Endpoints(service, null).Contains(caller))
            {
                return null;
            }

            var servicePort = service.Ports.FirstOrDefault(p => p.Port == (port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : p.Port))) ?? (service.Ports.Count > 0 ? service.Ports[0] : null);
            if (servicePort is null)
            {
                return null;
            }

            var chosen = scheme is "http" or "https" && servicePort.Protocol is "AUTO" or "HTTP" or "HTTP2" or "GRPC" or "HTTPS" or "TLS" ? scheme : Scheme(servicePort.Protocol);
            return (service, Uri(chosen, host, servicePort.Port));
        }

        private IEnumerable<string> EnvironmentValues(WorkloadInfo w)
        {
            var resource = model.Resources.OfType<Workload>().FirstOrDefault(r => r.Kind == w.Kind && r.Name == w.Name && MeshModel.NamespaceOf(r) == w.Namespace);
            foreach (var container in resource?.Spec.Template?.Spec?.Containers ?? [])
            {
                if (!container.AdditionalFields.TryGetValue("env", out var env) || env is not IEnumerable list)
                {
                    continue;
                }

                foreach (var item in list)
                {
                    if (item is IDictionary<string, object?> variable && variable.TryGetValue("value", out var v) && v is string text)
                    {
                        yield return text.Trim();
                    }
                }
            }
        }

        /// <summary>Requests from outside through each ingress gateway server, drawn when security decided (a policy, a JWT rule).</summary>
        private void Ingress()
        {
            var gateway = model.Workloads.FirstOrDefault(w => w.IsGateway);
            if (gateway is null)
            {
                return;
            }

            var servers = model.Gateways.Where(g => gateway.Selects(g.Spec.Selector))
                .SelectMany(g => g.Spec.Servers ?? [])
                .Where(s => s.Port?.Number is not null && (s.Port.Protocol ?? "HTTP").ToUpperInvariant() is "HTTP" or "HTTP2")
                .SelectMany(s => (s.Hosts ?? []).Select(h => (Port: s.Port!.Number!.Value, Host: SampleHost(h.Contains('/', StringComparison.Ordinal) ? h[(h.IndexOf('/', StringComparison.Ordinal) + 1)..] : h))))
                .Distinct()
                .ToList();
            foreach (var (port, host) in servers)
            {
                var uri = Uri("http", host, port);
                var result = Simulate("ingress", uri);
                if (result.DestinationService is null || model.FindService(result.DestinationService, gateway.Namespace, null) is not { Entry: null } service)
                {
                    continue;
                }

                if (Decider(result) is null && result.Authorization?.Policy is null)
                {
                    continue;
                }

                Decision(WorkloadId(gateway), ServiceId(service), "ingress", uri, MeshGraphEdgeKind.Authorization);
            }
        }

        /// <summary>A namespace with no workload of its own (the codelab's noistio): one of its pods calling every service elsewhere.</summary>
        private void Outsiders()
        {
            foreach (var ns in model.Namespaces.Keys.Where(n => n != model.RootNamespace && !model.Workloads.Any(w => w.Namespace == n)).OrderBy(n => n, StringComparer.Ordinal))
            {
                var targets = model.Services.Where(s => s.Entry is null && s.Namespace != ns && !IsGatewayService(s) && model.Endpoints(s, null).Any() && s.Ports.Count > 0).ToList();
                if (targets.Count == 0)
                {
                    continue;
                }

                var from = $"{ns}/{ClientName}";
                var sidecar = simulator.ResolveSource(from).HasSidecar;
                var id = $"pod:{from}";
                Add(new MeshGraphNode
                {
                    Id = id, Kind = MeshGraphNodeKind.Pod, Label = $"a pod in {ns}", Namespace = ns, Sidecar = sidecar,
                    Detail = sidecar ? "with a sidecar (the namespace is injected)" : "no sidecar (the namespace is not injected)",
                });
                foreach (var service in targets)
                {
                    var port = service.Ports[0];
                    Decision(id, ServiceId(service), from, Uri(Scheme(port.Protocol), $"{service.Name}.{service.Namespace}", port.Port), MeshGraphEdgeKind.Authorization);
                }
            }
        }

        /// <summary>Egress from a sidecar: to each ServiceEntry host, and to any other host (what the outbound policy says).</summary>
        private void Egress()
        {
            var entries = model.Services.Where(s => s.IsExternal).ToList();
            if (entries.Count == 0 && model.OutboundPolicy != "REGISTRY_ONLY")
            {
                return;
            }

            var ns = model.Namespaces.Keys.Where(n => n != model.RootNamespace).OrderBy(n => model.NamespaceInjected(n) ? 0 : 1).ThenBy(n => n == "default" ? 0 : 1).FirstOrDefault() ?? "default";
            var from = $"{ns}/{ClientName}";
            Add(new MeshGraphNode
            {
                Id = "egress", Kind = MeshGraphNodeKind.Egress, Label = "egress from the sidecars",
                Detail = $"outbound traffic policy {model.OutboundPolicy} (simulated from a pod in {ns})",
            });
            foreach (var entry in entries)
            {
                var port = entry.Ports.Count > 0 ? entry.Ports[0] : null;
                if (port is null)
                {
                    continue;
                }

                var scheme = Scheme(port.Protocol);
                Decision("egress", ServiceId(entry), from, Uri(scheme, SampleHost(entry.Host), port.Port), MeshGraphEdgeKind.Egress,
                    decide: r => (r.Outcome == RequestOutcome.Delivered, $"ServiceEntry {entry.Namespace}/{entry.Name}"), condition: scheme);
            }

            Add(new MeshGraphNode { Id = "internet", Kind = MeshGraphNodeKind.Internet, Label = "any other host", Detail = "not in the service registry" });
            foreach (var (scheme, port) in new[] { ("http", 80), ("https", 443) })
            {
                Decision("egress", "internet", from, Uri(scheme, "unregistered.example.org", port), MeshGraphEdgeKind.Egress,
                    decide: r => (r.Outcome == RequestOutcome.Delivered, $"outboundTrafficPolicy {model.OutboundPolicy}"), condition: scheme);
            }
        }

        private static List<MeshGraphEdge> Distinct(List<MeshGraphEdge> all) =>
            all.GroupBy(e => (e.From, e.To, e.Kind, e.Weight, e.Condition, e.Fault, e.Retries, e.RequestUri)).Select(g => g.First()).ToList();
    }
}
