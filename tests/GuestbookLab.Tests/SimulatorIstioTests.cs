using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Engine;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Tests;

/// <summary>
/// The simulator against Istio 1.17.8's own rules, each test naming the file of istio/istio at 1.17.8 the behaviour
/// comes from (issue 14, Simulation).
/// </summary>
public class SimulatorIstioTests
{
    // An injected default namespace with a service 'web' (HTTP on 80, TCP on 3306 and 9000), a second namespace 'team'
    // with 'api', and a client 'sleep'.
    private const string World = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: default, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: 8080}, {name: tcp-db, port: 3306}, {name: tls-db, port: 9000}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web-v1}
        spec:
          template:
            metadata: {labels: {app: web, version: v1}}
            spec: {serviceAccountName: web}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web-v2}
        spec:
          template:
            metadata: {labels: {app: web, version: v2}}
            spec: {serviceAccountName: web}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: web}
        spec:
          host: web
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: team}
        spec:
          selector: {app: api}
          ports: [{name: http, port: 80}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: team}
        spec:
          template:
            metadata: {labels: {app: api}}
            spec: {serviceAccountName: api}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: sleep}
        spec:
          template:
            metadata: {labels: {app: sleep}}
            spec: {serviceAccountName: sleep}
        """;

    internal static RequestResult Run(string config, string uri, string from = "sleep", Dictionary<string, string>? headers = null, ClientCertificate? certificate = null)
    {
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + config);
        var simulator = new RequestSimulator(MeshModel.Build(resources));
        var (parsed, host) = RequestBuilder.ParseUri(uri);
        var request = new RequestSpec
        {
            Scheme = parsed!.Scheme,
            Host = host,
            Port = parsed.IsDefaultPort || parsed.Port < 0 ? (parsed.Scheme == "https" ? 443 : 80) : parsed.Port,
            Path = parsed.AbsolutePath,
            Query = parsed.Query.TrimStart('?'),
            Headers = new Dictionary<string, string>(headers ?? [], StringComparer.OrdinalIgnoreCase),
            ClientCertificate = certificate,
        };
        return simulator.Simulate(simulator.ResolveSource(from), request, new Random(1));
    }

    private static string Meta(string name, string? created, string? ns = null) =>
        $"metadata:\n  name: {name}\n{(ns is null ? string.Empty : $"  namespace: {ns}\n")}{(created is null ? string.Empty : $"  creationTimestamp: '{created}'\n")}";

    private static string MeshVs(string name, string? created, string subset) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n{Meta(name, created)}spec:\n  hosts: [web]\n  http:\n  - route: [{{destination: {{host: web, subset: {subset}}}}}]\n";

    // ------------------------------------------------------------------ 1. precedence: oldest first (pilot/pkg/model/config.go)

    [Fact]
    public void The_oldest_virtual_service_for_a_host_wins_on_a_sidecar_whatever_the_input_order()
    {
        // sortConfigByCreationTime: ascending creationTimestamp; the sidecar keeps the first VirtualService per host.
        var config = MeshVs("zz-old", "2024-01-01T00:00:00Z", "v2") + "---\n" + MeshVs("aa-new", "2024-06-01T00:00:00Z", "v1");
        var reversed = MeshVs("aa-new", "2024-06-01T00:00:00Z", "v1") + "---\n" + MeshVs("zz-old", "2024-01-01T00:00:00Z", "v2");
        Assert.Equal("default/zz-old", Run(config, "http://web/").VirtualService);
        Assert.Equal("default/zz-old", Run(reversed, "http://web/").VirtualService);
        Assert.Equal("v2", Run(reversed, "http://web/").Subset);
    }

    [Fact]
    public void Equal_creation_times_fall_back_to_name_dot_namespace_not_input_order()
    {
        // Timestamps are whole seconds; ties (and manifests without one, the zero time) sort by name + "." + namespace.
        var config = MeshVs("b-route", "2024-01-01T00:00:00Z", "v2") + "---\n" + MeshVs("a-route", "2024-01-01T00:00:00Z", "v1");
        Assert.Equal("default/a-route", Run(config, "http://web/").VirtualService);
        var untimed = MeshVs("b-route", null, "v2") + "---\n" + MeshVs("a-route", null, "v1");
        Assert.Equal("default/a-route", Run(untimed, "http://web/").VirtualService);

        // An object without a timestamp is older than any with one.
        var mixed = MeshVs("a-route", "2024-01-01T00:00:00Z", "v1") + "---\n" + MeshVs("b-route", null, "v2");
        Assert.Equal("default/b-route", Run(mixed, "http://web/").VirtualService);
    }

    [Fact]
    public void Gateways_are_merged_oldest_first()
    {
        // pilot/pkg/model/push_context.go initGateways sorts gateways by creation time before merging their servers.
        string Gw(string name, string created, string vs) =>
            $"apiVersion: networking.istio.io/v1beta1\nkind: Gateway\n{Meta(name, created)}spec:\n  selector: {{istio: ingressgateway}}\n  servers:\n  - port: {{number: 80, name: http-{name}, protocol: HTTP}}\n    hosts: ['*']\n---\n"
            + $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n{Meta(vs, created)}spec:\n  hosts: ['*']\n  gateways: [{name}]\n  http:\n  - route: [{{destination: {{host: web, subset: {(name == "old" ? "v1" : "v2")}}}}}]\n";
        var config = Gw("new", "2024-06-01T00:00:00Z", "vs-new") + "---\n" + Gw("old", "2024-01-01T00:00:00Z", "vs-old");
        var r = Run(config, "http://x/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("v1", r.Subset);
    }

    [Fact]
    public void Creation_times_are_read_as_rfc3339()
    {
        var resource = ManifestSerializer.Deserialize(MeshVs("x", "2024-03-04T05:06:07Z", "v1")).Single();
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 5, 6, 7, TimeSpan.Zero), MeshModel.CreationTime(resource));
        Assert.Equal(DateTimeOffset.MinValue, MeshModel.CreationTime(ManifestSerializer.Deserialize(MeshVs("untimed", null, "v1")).Single()));
    }

    // ------------------------------------------------------------------ 2. the retry policy as an object (route/retry/retry.go)

    private static string RetryVs(string retries) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {{name: web}}\nspec:\n  hosts: [web]\n  http:\n  - route: [{{destination: {{host: web}}}}]\n{retries}";

    [Fact]
    public void A_route_without_retries_gets_istios_default_policy()
    {
        // DefaultPolicy: 2 retries on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes; 503.
        var policy = Run(RetryVs(string.Empty), "http://web/").RetryPolicy!;
        Assert.True(policy.IsDefault);
        Assert.Equal(2, policy.Attempts);
        Assert.Null(policy.PerTryTimeout);
        Assert.Equal(["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"], policy.RetryOn);
        Assert.Equal([503], policy.RetriableStatusCodes);
    }

    [Fact]
    public void Attempts_zero_turns_retries_off()
    {
        var policy = Run(RetryVs("    retries: {attempts: 0}"), "http://web/").RetryPolicy!;
        Assert.False(policy.IsDefault);
        Assert.Equal(0, policy.Attempts);
        Assert.Empty(policy.RetryOn);
        Assert.Equal("none (attempts: 0)", policy.ToString());
    }

    [Fact]
    public void RetryOn_status_codes_become_retriable_codes_and_add_the_condition()
    {
        // ConvertPolicy/parseRetryOn: numbers that are HTTP statuses are retriable codes; retriable-status-codes is added.
        var policy = Run(RetryVs("    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: 'gateway-error, 503,connect-failure'}"), "http://web/").RetryPolicy!;
        Assert.Equal(3, policy.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.PerTryTimeout);
        Assert.Equal(["gateway-error", "connect-failure", "retriable-status-codes"], policy.RetryOn);
        Assert.Equal([503], policy.RetriableStatusCodes);
        Assert.Equal("3 attempt(s), 500ms per try, retry on gateway-error,connect-failure,retriable-status-codes (503)", policy.ToString());

        // Attempts without retryOn keep the default conditions and code.
        var plain = Run(RetryVs("    retries: {attempts: 5}"), "http://web/").RetryPolicy!;
        Assert.Equal(RetryPolicy.DefaultRetryOn, plain.RetryOn);
        Assert.Equal([503], plain.RetriableStatusCodes);
    }

    // ------------------------------------------------------------------ 3. TCP and TLS passthrough at the gateway (core/v1alpha3/gateway.go)

    private static string Gateway(string name, string servers, string? ns = null, string? created = null) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: Gateway\n{Meta(name, created, ns)}spec:\n  selector: {{istio: ingressgateway}}\n  servers:\n{servers}\n";

    private static string BoundVs(string name, string hosts, string gateways, string body, string? ns = null, string? created = null) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n{Meta(name, created, ns)}spec:\n  hosts: {hosts}\n  gateways: {gateways}\n{body}\n";

    private const string TcpServer = "  - port: {number: 3306, name: tcp-db, protocol: TCP}\n    hosts: ['*']";

    private const string PassthroughServer = "  - port: {number: 443, name: tls, protocol: TLS}\n    hosts: ['*.example.com']\n    tls: {mode: PASSTHROUGH}";

    [Fact]
    public void A_tcp_server_proxies_to_the_first_matching_tcp_route()
    {
        // buildGatewayNetworkFiltersFromTCPRoutes: bound VirtualServices, oldest first; the first tcp route whose match
        // (port, gateways) fits the server wins.
        var config = Gateway("db-gw", TcpServer) + "---\n"
            + BoundVs("db", "['*']", "[db-gw]", "  tcp:\n  - match: [{port: 1234}]\n    route: [{destination: {host: nowhere}}]\n  - match: [{port: 3306}]\n    route: [{destination: {host: web, port: {number: 3306}, subset: v2}}]");
        var r = Run(config, "tcp://db.example.com:3306", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("outbound|3306|v2|web.default.svc.cluster.local", r.Cluster);
        Assert.Equal("default/web-v2", r.Endpoint);
        Assert.Equal("default/db-gw", r.Gateway);
        Assert.Equal("default/db", r.VirtualService);

        // HTTP sent to the TCP server is proxied as bytes: the same destination.
        Assert.Equal("outbound|3306|v2|web.default.svc.cluster.local", Run(config, "http://db.example.com:3306/", "ingress").Cluster);
    }

    [Fact]
    public void A_tcp_or_tls_server_without_a_route_has_no_listener()
    {
        // createGatewayTCPFilterChainOpts returns no filter chain without a tcp/tls route, so no listener: refused, not 404.
        var httpOnly = BoundVs("db", "['*']", "[db-gw]", "  http:\n  - route: [{destination: {host: web}}]");
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(Gateway("db-gw", TcpServer), "tcp://db.example.com:3306", "ingress").Outcome);
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(Gateway("db-gw", TcpServer) + "---\n" + httpOnly, "tcp://db.example.com:3306", "ingress").Outcome);
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(Gateway("db-gw", PassthroughServer) + "---\n" + httpOnly, "https://db.example.com/", "ingress").Outcome);
    }

    [Fact]
    public void Tls_passthrough_routes_by_sni()
    {
        // buildGatewayNetworkFiltersFromTLSRoutes: one filter chain per tls match, keyed by its sniHosts.
        var config = Gateway("db-gw", PassthroughServer) + "---\n"
            + BoundVs("tls", "['*.example.com']", "[db-gw]", "  tls:\n  - match: [{sniHosts: [db.example.com]}]\n    route: [{destination: {host: web, port: {number: 9000}}}]\n  - match: [{sniHosts: ['*.example.com']}]\n    route: [{destination: {host: api.team.svc.cluster.local, port: {number: 80}}}]");
        var db = Run(config, "https://db.example.com/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, db.Outcome);
        Assert.Equal("outbound|9000||web.default.svc.cluster.local", db.Cluster);
        Assert.Equal("team/api", Run(config, "https://other.example.com/", "ingress").Endpoint);

        // An SNI no chain names is reset; plaintext to the TLS port has no SNI and is reset too.
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://db.elsewhere.org/", "ingress").Outcome);
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "http://db.example.com:443/", "ingress").Outcome);
    }

    [Fact]
    public void A_tls_block_without_a_mode_is_passthrough()
    {
        var config = Gateway("db-gw", "  - port: {number: 443, name: tls, protocol: TLS}\n    hosts: ['*']\n    tls: {}") + "---\n"
            + BoundVs("tls", "['*']", "[db-gw]", "  tls:\n  - match: [{sniHosts: [db.example.com]}]\n    route: [{destination: {host: web, port: {number: 9000}}}]");
        Assert.Equal("outbound|9000||web.default.svc.cluster.local", Run(config, "https://db.example.com/", "ingress").Cluster);
    }

    // ------------------------------------------------------------------ 4. servers merged per port (pilot/pkg/model/gateway.go)

    private const string HttpAll = "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']";

    [Fact]
    public void Http_servers_on_one_port_are_merged_across_gateways()
    {
        // MergeGateways: plaintext HTTP servers share one route table (http.80), so a VirtualService bound to the newer
        // gateway answers for its host even though the older gateway's server accepts every host.
        var config = Gateway("all", HttpAll, created: "2024-01-01T00:00:00Z") + "---\n"
            + Gateway("shop", "  - port: {number: 80, name: http-shop, protocol: HTTP}\n    hosts: [shop.example.com]", created: "2024-02-01T00:00:00Z") + "---\n"
            + BoundVs("shop", "[shop.example.com]", "[shop]", "  http:\n  - route: [{destination: {host: web, subset: v2}}]");
        var r = Run(config, "http://shop.example.com/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("v2", r.Subset);
        Assert.Equal("default/shop", r.Gateway);
        Assert.Equal(404, Run(config, "http://other.example.com/", "ingress").Status);
    }

    [Fact]
    public void A_server_that_cannot_merge_with_the_ports_first_is_skipped()
    {
        // canMergeProtocols: a TCP server after an HTTP server on port 80 is dropped; the HTTP server keeps the port.
        var config = Gateway("web", HttpAll, created: "2024-01-01T00:00:00Z") + "---\n"
            + Gateway("raw", "  - port: {number: 80, name: tcp, protocol: TCP}\n    hosts: ['*']", created: "2024-02-01T00:00:00Z") + "---\n"
            + BoundVs("web", "['*']", "[web]", "  http:\n  - route: [{destination: {host: web, subset: v1}}]") + "---\n"
            + BoundVs("raw", "['*']", "[raw]", "  tcp:\n  - route: [{destination: {host: web, port: {number: 3306}}}]");
        var r = Run(config, "http://x.example.com/", "ingress");
        Assert.Equal("v1", r.Subset);
        Assert.Contains(r.Steps, s => s.Detail.Contains("conflicts with the HTTP server", StringComparison.Ordinal));
    }

    [Fact]
    public void The_most_specific_virtual_host_wins_not_the_oldest_virtual_service()
    {
        // Virtual hosts are per intersecting host (buildGatewayHTTPRouteConfig); Envoy prefers an exact domain to '*'.
        var config = Gateway("gw", HttpAll) + "---\n"
            + BoundVs("a-any", "['*']", "[gw]", "  http:\n  - route: [{destination: {host: web, subset: v1}}]", created: "2024-01-01T00:00:00Z") + "---\n"
            + BoundVs("b-shop", "[shop.example.com]", "[gw]", "  http:\n  - route: [{destination: {host: web, subset: v2}}]", created: "2024-02-01T00:00:00Z");
        Assert.Equal("v2", Run(config, "http://shop.example.com/", "ingress").Subset);
        Assert.Equal("default/b-shop", Run(config, "http://shop.example.com/", "ingress").VirtualService);
        Assert.Equal("v1", Run(config, "http://other.example.com/", "ingress").Subset);
    }

    [Fact]
    public void A_namespace_qualified_gateway_host_binds_only_that_namespaces_virtual_services()
    {
        // host.NamesForNamespace / pickMatchingGatewayHosts: 'team/*' admits VirtualServices of namespace team only.
        var gateway = Gateway("gw", "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['team/*']");
        var fromDefault = BoundVs("web", "['*']", "[gw]", "  http:\n  - route: [{destination: {host: web}}]");
        var fromTeam = BoundVs("api", "['*']", "[default/gw]", "  http:\n  - route: [{destination: {host: api}}]", ns: "team");
        var denied = Run(gateway + "---\n" + fromDefault, "http://x.example.com/", "ingress");
        Assert.Equal(404, denied.Status);
        Assert.Equal("NR", denied.ResponseFlag);
        Assert.Equal("team/api", Run(gateway + "---\n" + fromTeam, "http://x.example.com/", "ingress").Endpoint);

        // './*' is the gateway's own namespace.
        var own = Gateway("gw", "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['./*']");
        Assert.Equal(RequestOutcome.Delivered, Run(own + "---\n" + fromDefault, "http://x.example.com/", "ingress").Outcome);
        Assert.Equal(404, Run(own + "---\n" + fromTeam, "http://x.example.com/", "ingress").Status);
    }

    [Fact]
    public void HttpsRedirect_redirects_plaintext_only()
    {
        // httpsRedirect sets require_tls on the virtual hosts of its server's hosts; a TLS connection is not redirected.
        var servers = "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [secure.example.com]\n    tls: {httpsRedirect: true}\n"
            + "  - port: {number: 80, name: http-open, protocol: HTTP}\n    hosts: [open.example.com]\n"
            + "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [secure.example.com]\n    tls: {mode: SIMPLE, credentialName: secure-cert, httpsRedirect: true}";
        var config = Gateway("gw", servers) + "---\n"
            + BoundVs("web", "[secure.example.com, open.example.com]", "[gw]", "  http:\n  - route: [{destination: {host: web, port: {number: 80}}}]");
        Assert.Equal(301, Run(config, "http://secure.example.com/", "ingress").Status);
        Assert.Equal(RequestOutcome.Delivered, Run(config, "http://open.example.com/", "ingress").Outcome);
        var https = Run(config, "https://secure.example.com/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, https.Outcome);
        Assert.Equal("outbound|80||web.default.svc.cluster.local", https.Cluster);

        // A redirect server's host gets a virtual host even with no VirtualService for it.
        Assert.Equal(301, Run(Gateway("gw", servers), "http://secure.example.com/", "ingress").Status);
    }

    // ------------------------------------------------------------------ 5. a VirtualService for a host no service has (core/v1alpha3/httproute.go)

    private const string ExternalVs = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: ext}\nspec:\n  hosts: [api.external.com]\n  http:\n  - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}\n    route: [{destination: {host: api.external.com}}]\n";

    [Fact]
    public void A_virtual_service_for_a_host_no_service_has_applies_on_port_80_only()
    {
        // "only select virtualServices that matches a service" when the listener port is not 80.
        var on80 = Run(ExternalVs, "http://api.external.com/");
        Assert.Equal(418, on80.Status);
        Assert.Equal("default/ext", on80.VirtualService);

        var on8080 = Run(ExternalVs, "http://api.external.com:8080/");
        Assert.Equal(RequestOutcome.Delivered, on8080.Outcome);
        Assert.Equal("PassthroughCluster", on8080.Cluster);
        Assert.Null(on8080.VirtualService);
    }

    [Fact]
    public void On_other_ports_a_virtual_service_applies_once_a_service_entry_has_the_host_and_port()
    {
        var entry = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec:\n  hosts: [api.external.com]\n  ports: [{number: 8080, name: http, protocol: HTTP}]\n  resolution: DNS\n";
        Assert.Equal(418, Run(ExternalVs + "---\n" + entry, "http://api.external.com:8080/").Status);
    }

    // ------------------------------------------------------------------ 6. ports have protocols (core/v1alpha3/listener.go)

    private const string RegistryOnly = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n";

    private const string WebVs = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n  hosts: [web]\n  http:\n  - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}\n    route: [{destination: {host: web}}]\n";

    [Fact]
    public void Http_to_a_tcp_port_is_proxied_as_tcp_and_http_routes_do_not_apply()
    {
        var r = Run(WebVs, "http://web:3306/");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("outbound|3306||web.default.svc.cluster.local", r.Cluster);
        Assert.Null(r.Route);
        Assert.NotEqual(418, r.Status);
        Assert.Contains(r.Steps, s => s.Stage == "listener" && s.Detail.Contains("as TCP", StringComparison.Ordinal));
    }

    [Fact]
    public void Under_registry_only_http_on_a_port_without_an_http_listener_is_black_holed_as_tcp()
    {
        // block_all (502) lives in an HTTP route table; with no HTTP or sniffed service port, the catch-all listener's
        // BlackHoleCluster closes the connection. Port 80 has the ingress gateway's http2 port, so 502 there.
        Assert.Equal(502, Run(RegistryOnly, "http://unknown.example.com/").Status);
        var r = Run(RegistryOnly, "http://unknown.example.com:7777/");
        Assert.Equal(RequestOutcome.ConnectionClosed, r.Outcome);
        Assert.Equal("BlackHoleCluster", r.Cluster);
    }

    [Fact]
    public void Tls_or_raw_tcp_to_an_http_port_is_dropped()
    {
        // From a sidecar: its outbound HTTP listener cannot read TLS or raw TCP.
        Assert.Equal(RequestOutcome.ConnectionReset, Run(string.Empty, "https://web:80/").Outcome);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(string.Empty, "tcp://web:80").Outcome);

        // From a pod without a sidecar: the server's inbound HTTP filter chain drops them.
        var noSidecar = "apiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n";
        Assert.Equal(RequestOutcome.ConnectionReset, Run(noSidecar, "https://web.default.svc.cluster.local:80/", "plain/client").Outcome);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(noSidecar, "tcp://web.default.svc.cluster.local:80", "plain/client").Outcome);
        Assert.Equal(RequestOutcome.Delivered, Run(noSidecar, "http://web.default.svc.cluster.local:80/", "plain/client").Outcome);
    }

    [Fact]
    public void Service_entry_addresses_pick_the_tcp_listener()
    {
        string Entry(string name, string addresses) =>
            $"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {{name: {name}}}\nspec:\n  hosts: [{name}.db.internal]\n{addresses}  ports: [{{number: 5432, name: tcp, protocol: TCP}}]\n  resolution: STATIC\n  endpoints: [{{address: 10.9.9.9}}]\n---\n";
        var config = RegistryOnly + "---\n" + Entry("orders", "  addresses: [10.20.0.0/16]\n") + Entry("users", "  addresses: [10.30.1.5]\n");
        Assert.Equal("orders.db.internal", Run(config, "tcp://10.20.3.4:5432").DestinationService);
        Assert.Equal("users.db.internal", Run(config, "tcp://10.30.1.5:5432").DestinationService);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(config, "tcp://10.40.0.1:5432").Outcome);

        // An entry without addresses listens on 0.0.0.0:5432 and takes every connection to the port.
        var catchAll = RegistryOnly + "---\n" + Entry("any", string.Empty);
        Assert.Equal("any.db.internal", Run(catchAll, "tcp://10.40.0.1:5432").DestinationService);
    }

    [Fact]
    public void A_port_without_a_protocol_is_sniffed_and_takes_http_tls_and_tcp()
    {
        // A port named without a protocol prefix is AUTO: the listener sniffs, so HTTP is routed and TLS or TCP pass.
        var sniffed = "apiVersion: v1\nkind: Service\nmetadata: {name: any}\nspec:\n  selector: {app: web}\n  ports: [{name: web, port: 7070}]\n---\n"
            + "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: any}\nspec:\n  hosts: [any]\n  http:\n  - route: [{destination: {host: any}}]\n";
        var http = Run(sniffed, "http://any:7070/");
        Assert.Equal(RequestOutcome.Delivered, http.Outcome);
        Assert.Equal("default/any", http.VirtualService);
        Assert.Equal("http[0]", http.Route);
        Assert.Equal(RequestOutcome.Delivered, Run(sniffed, "https://any:7070/").Outcome);
        Assert.Equal(RequestOutcome.Delivered, Run(sniffed, "tcp://any:7070").Outcome);
    }

    // ------------------------------------------------------------------ 7. Sidecar resources (pilot/pkg/model/sidecar.go, push_context.go getSidecarScope)

    private static string SidecarCr(string name, string ns, string egress, string? selector = null, string? policy = null, string? created = null) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: Sidecar\n{Meta(name, created, ns)}spec:\n"
        + (selector is null ? string.Empty : $"  workloadSelector: {{labels: {{{selector}}}}}\n")
        + (policy is null ? string.Empty : $"  outboundTrafficPolicy: {{mode: {policy}}}\n")
        + $"  egress:\n{egress}\n";

    private static string Hosts(params string[] hosts) => $"  - hosts: [{string.Join(", ", hosts.Select(h => $"'{h}'"))}]";

    [Fact]
    public void A_host_the_sidecar_does_not_import_goes_to_the_passthrough_cluster()
    {
        // selectServices: './*' imports the Sidecar's namespace only; api.team has no virtual host, so port 80's
        // route table sends it to its default (allow_any: PassthroughCluster).
        var sidecar = SidecarCr("default", "default", Hosts("./*"));
        var api = Run(sidecar, "http://api.team/");
        Assert.Equal(RequestOutcome.Delivered, api.Outcome);
        Assert.Equal("PassthroughCluster", api.Cluster);
        Assert.Contains(api.Steps, s => s.Stage == "sidecar scope" && s.Detail.Contains("not imported", StringComparison.Ordinal));
        Assert.Equal("outbound|80||web.default.svc.cluster.local", Run(sidecar, "http://web/").Cluster);

        // Without the Sidecar the default scope imports */*.
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(string.Empty, "http://api.team/").Cluster);
    }

    [Fact]
    public void A_sidecar_outbound_traffic_policy_overrides_the_mesh()
    {
        // ConvertToSidecarScope: the Sidecar's outboundTrafficPolicy, else the mesh config's.
        var strict = SidecarCr("default", "default", Hosts("./*"), policy: "REGISTRY_ONLY");
        var blocked = Run(strict, "http://api.team/");
        Assert.Equal(502, blocked.Status);
        Assert.Equal("BlackHoleCluster", blocked.Cluster);

        var open = SidecarCr("default", "default", Hosts("./*"), policy: "ALLOW_ANY");
        Assert.Equal("PassthroughCluster", Run(RegistryOnly + "---\n" + open, "http://unknown.example.com/").Cluster);
    }

    [Fact]
    public void Namespace_qualified_egress_hosts_import_that_namespace_and_tilde_imports_none()
    {
        var team = SidecarCr("default", "default", Hosts("team/*"));
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(team, "http://api.team/").Cluster);
        Assert.Equal("PassthroughCluster", Run(team, "http://web/").Cluster);

        // '*/api.team.svc.cluster.local' imports that host from any namespace.
        var exact = SidecarCr("default", "default", Hosts("*/api.team.svc.cluster.local"));
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(exact, "http://api.team/").Cluster);
        Assert.Equal("PassthroughCluster", Run(exact, "http://web/").Cluster);

        // '~/*' imports nothing: no listener on port 80 at all, so the catch-all listener passes the bytes through
        // (ALLOW_ANY) or its BlackHoleCluster closes the connection (REGISTRY_ONLY).
        var none = SidecarCr("default", "default", Hosts("~/*"));
        Assert.Equal("PassthroughCluster", Run(none, "http://web/").Cluster);
        var closed = Run(SidecarCr("default", "default", Hosts("~/*"), policy: "REGISTRY_ONLY"), "http://web/");
        Assert.Equal(RequestOutcome.ConnectionClosed, closed.Outcome);
        Assert.Equal("BlackHoleCluster", closed.Cluster);
    }

    [Fact]
    public void A_workload_selector_sidecar_wins_over_the_namespace_wide_one_and_that_over_the_root_namespaces()
    {
        // getSidecarScope: Sidecars with a selector first (oldest first), then the namespace's default, then the
        // root namespace's Sidecar without a selector, whose './' is each proxy's own namespace.
        var config = SidecarCr("sleep-only", "default", Hosts("team/*"), selector: "app: sleep") + "---\n"
            + SidecarCr("default", "default", Hosts("./*")) + "---\n"
            + SidecarCr("mesh", "istio-system", Hosts("./*"), policy: "REGISTRY_ONLY");
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(config, "http://api.team/").Cluster);
        Assert.Equal("PassthroughCluster", Run(config, "http://api.team/", "web-v1").Cluster);

        // team has no Sidecar: the root namespace's applies, './*' is team itself and REGISTRY_ONLY blocks web.
        Assert.Equal(502, Run(config, "http://web.default/", "team/api").Status);
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(config, "http://api/", "team/api").Cluster);

        // A selector that matches nothing falls through to the namespace-wide Sidecar.
        var unmatched = SidecarCr("other", "default", Hosts("team/*"), selector: "app: nobody") + "---\n" + SidecarCr("default", "default", Hosts("./*"));
        Assert.Equal("PassthroughCluster", Run(unmatched, "http://api.team/").Cluster);
    }

    [Fact]
    public void An_egress_listener_with_a_port_imports_its_hosts_on_that_port_only()
    {
        // buildSidecarOutboundListeners: a port's egress listener takes the port; the catch-all listener builds the
        // other ports from its own hosts (GetEgressListenerForRDS picks the first listener on the port or without one).
        var config = SidecarCr("default", "default", "  - port: {number: 3306, protocol: TCP, name: tcp}\n    hosts: ['./web.default.svc.cluster.local']\n" + Hosts("team/*"));
        Assert.Equal("outbound|3306||web.default.svc.cluster.local", Run(config, "tcp://web:3306").Cluster);
        Assert.Equal("PassthroughCluster", Run(config, "http://web/").Cluster);
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(config, "http://api.team/").Cluster);
    }

    [Fact]
    public void A_virtual_service_counts_only_when_the_sidecar_imports_its_namespace_and_host()
    {
        // SelectVirtualServices: the VirtualService's namespace must be imported (or '*') with a host that matches.
        var vs = "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: web, namespace: team}\nspec:\n  hosts: [web.default.svc.cluster.local]\n  http:\n  - route: [{destination: {host: web.default.svc.cluster.local, subset: v2}}]\n";
        Assert.Equal("team/web", Run(vs, "http://web/").VirtualService);
        var own = SidecarCr("default", "default", Hosts("./*"));
        var r = Run(vs + "---\n" + own, "http://web/");
        Assert.Null(r.VirtualService);
        Assert.Equal("outbound|80||web.default.svc.cluster.local", r.Cluster);
        Assert.Equal("team/web", Run(vs + "---\n" + SidecarCr("default", "default", Hosts("./*", "team/*")), "http://web/").VirtualService);
    }

    [Fact]
    public void An_egress_listener_with_capture_mode_none_takes_only_requests_to_its_bind_address()
    {
        // listener_test.go testOutboundListenerConfigWithSidecarWithCaptureModeNone: captureMode NONE binds
        // 127.0.0.1:PORT (or bind:PORT), not the services' addresses; listener.go buildSidecarOutboundListeners.
        var none = SidecarCr("default", "default", "  - port: {number: 80, protocol: HTTP, name: http}\n    captureMode: NONE\n    hosts: ['./*']");
        var toService = Run(none, "http://web/");
        Assert.Equal("PassthroughCluster", toService.Cluster);
        Assert.Contains(toService.Steps, s => s.Detail.Contains("listens elsewhere", StringComparison.Ordinal));
        var closed = Run(RegistryOnly + "---\n" + none, "http://web/");
        Assert.Equal(RequestOutcome.ConnectionClosed, closed.Outcome);
        Assert.Equal("BlackHoleCluster", closed.Cluster);

        // The application sends to 127.0.0.1:80 (or localhost) with the Host it wants: the listener routes it.
        var toBind = Run(none, "http://127.0.0.1:80/", headers: new() { ["host"] = "web" });
        Assert.Equal(RequestOutcome.Delivered, toBind.Outcome);
        Assert.Equal("outbound|80||web.default.svc.cluster.local", toBind.Cluster);
        Assert.Equal("outbound|80||web.default.svc.cluster.local", Run(none, "http://localhost/", headers: new() { ["host"] = "web" }).Cluster);

        // A catch-all egress listener still builds the service's own listener on the port.
        var withCatchAll = SidecarCr("default", "default", "  - port: {number: 80, protocol: HTTP, name: http}\n    captureMode: NONE\n    hosts: ['./*']\n" + Hosts("*/*"));
        Assert.Equal("outbound|80||web.default.svc.cluster.local", Run(withCatchAll, "http://web/").Cluster);

        // A catch-all listener with captureMode NONE binds 127.0.0.1 for every port: nothing reaches the services' addresses.
        var catchAllNone = SidecarCr("default", "default", "  - captureMode: NONE\n    hosts: ['*/*']");
        Assert.Equal("PassthroughCluster", Run(catchAllNone, "http://api.team/").Cluster);
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(catchAllNone, "http://127.0.0.1/", headers: new() { ["host"] = "api.team" }).Cluster);
    }

    [Fact]
    public void An_egress_listener_with_a_bind_takes_connections_to_that_address()
    {
        // buildSidecarOutboundListeners: "we will bind to user specified IP (if any)": the TCP listener is bind:PORT,
        // and a connection to the bind address goes to the service the listener proxies.
        var bind = SidecarCr("default", "default", "  - port: {number: 3306, protocol: TCP, name: tcp}\n    bind: 10.1.1.1\n    hosts: ['./web.default.svc.cluster.local']");
        var r = Run(bind, "tcp://10.1.1.1:3306");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("outbound|3306||web.default.svc.cluster.local", r.Cluster);
        Assert.Equal("PassthroughCluster", Run(bind, "tcp://web:3306").Cluster);

        // Without a bind or captureMode the listener is the service's (as before).
        var plain = SidecarCr("default", "default", "  - port: {number: 3306, protocol: TCP, name: tcp}\n    hosts: ['./web.default.svc.cluster.local']");
        Assert.Equal("outbound|3306||web.default.svc.cluster.local", Run(plain, "tcp://web:3306").Cluster);
    }

    // Sidecar ingress listeners (listener_inbound.go buildInboundChainConfigs, cluster.go buildInboundClusters).
    private static string IngressSidecar(string ingress, string selector = "app: web") =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: Sidecar\nmetadata: {{name: web-ingress}}\nspec:\n  workloadSelector: {{labels: {{{selector}}}}}\n  ingress:\n{ingress}\n";

    [Fact]
    public void A_sidecar_ingress_listener_takes_its_port_to_its_default_endpoint()
    {
        // sidecar_simulation_test.go TestInboundClusters "ingress to different port": inbound|80|| goes to 127.0.0.1:8080.
        // web's Service port 80 targets 8080, the port the pod receives on and the ingress listener's port.
        var local = Run(IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9090"), "http://web/");
        Assert.Equal(RequestOutcome.Delivered, local.Outcome);
        Assert.Equal("inbound|8080||", local.InboundCluster);
        Assert.Contains(local.Steps, s => s.Stage == "inbound listener" && s.Detail.Contains("localhost, port 9090", StringComparison.Ordinal));

        // "ingress to instance IP" (0.0.0.0:PORT is the pod's IP), "ingress to socket" (unix://), "ingress without default endpoint".
        Assert.Contains(Run(IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 0.0.0.0:9090"), "http://web/").Steps, s => s.Detail.Contains("the pod's IP, port 9090", StringComparison.Ordinal));
        Assert.Contains(Run(IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: unix:///socket"), "http://web/").Steps, s => s.Detail.Contains("unix domain socket /socket", StringComparison.Ordinal));
        var original = Run(IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}"), "http://web/");
        Assert.Equal(RequestOutcome.Delivered, original.Outcome);
        Assert.Contains(original.Steps, s => s.Detail.Contains("original destination", StringComparison.Ordinal));

        // "multiple ingress": each listener has its own inbound cluster.
        var multiple = IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9090\n  - port: {number: 3306, protocol: TCP, name: tcp}\n    defaultEndpoint: 127.0.0.1:9090");
        Assert.Equal("inbound|8080||", Run(multiple, "http://web/").InboundCluster);
        Assert.Equal("inbound|3306||", Run(multiple, "tcp://web:3306").InboundCluster);

        // captureMode NONE: the sidecar binds the port itself (getBindToPort); the request still reaches the listener.
        var bound = Run(IngressSidecar("  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9090\n    captureMode: NONE"), "http://web/");
        Assert.Equal(RequestOutcome.Delivered, bound.Outcome);
        Assert.Contains(bound.Steps, s => s.Detail.Contains("captureMode NONE", StringComparison.Ordinal));

        // Without a Sidecar the Services' ports make the chains.
        Assert.Equal("inbound|8080||", Run(string.Empty, "http://web/").InboundCluster);
    }

    [Fact]
    public void With_sidecar_ingress_listeners_a_service_port_they_leave_out_takes_the_passthrough_chain()
    {
        // buildInboundChainConfigs: with ingress listeners the Services' ports get no chain (the listener merge
        // feature is off by default); buildInboundPassthroughChains takes the rest to InboundPassthroughClusterIpv4,
        // with the port's PeerAuthentication mode.
        var sidecar = IngressSidecar("  - port: {number: 9999, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:9999");
        var r = Run(sidecar, "http://web/");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("InboundPassthroughClusterIpv4", r.InboundCluster);
        Assert.Contains(r.Steps, s => s.Stage == "inbound listener" && s.Detail.Contains("port(s) 9999 only", StringComparison.Ordinal));

        // The passthrough chain sniffs: raw TCP from a client without a sidecar to web's HTTP port is not dropped.
        var plain = "apiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n---\n";
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(plain, "tcp://web.default.svc.cluster.local:80", "plain/client").Outcome);
        Assert.Equal(RequestOutcome.Delivered, Run(plain + sidecar, "tcp://web.default.svc.cluster.local:80", "plain/client").Outcome);

        // STRICT still applies to the passthrough chain.
        var strict = "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: STRICT}}\n---\n";
        Assert.Equal(RequestOutcome.ConnectionReset, Run(plain + strict + sidecar, "http://web.default.svc.cluster.local/", "plain/client").Outcome);

        // A Sidecar that selects other workloads leaves web's chains alone.
        Assert.Equal("inbound|8080||", Run(IngressSidecar("  - port: {number: 9999, protocol: HTTP, name: http}", "app: nobody"), "http://web/").InboundCluster);
    }

    [Fact]
    public void A_sidecar_ingress_listener_port_protocol_decides_the_inbound_chain()
    {
        // buildInboundChainConfigs: the chain's protocol is protocol.Parse of the ingress port's protocol, not the Service's.
        // web's port 80 (targetPort 8080) is HTTP in the Service: raw TCP from a client without a sidecar is dropped
        // there, but a TCP ingress listener on 8080 proxies it.
        var plain = "apiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n---\n";
        var tcp = IngressSidecar("  - port: {number: 8080, protocol: TCP, name: tcp}\n    defaultEndpoint: 127.0.0.1:8080");
        var r = Run(plain + tcp, "tcp://web.default.svc.cluster.local:80", "plain/client");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Contains(r.Steps, s => s.Detail.Contains("takes the request as TCP", StringComparison.Ordinal));

        // web's 3306 is TCP in the Service; an HTTP ingress listener on it drops raw TCP.
        var http = IngressSidecar("  - port: {number: 3306, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:3306");
        Assert.Equal(RequestOutcome.Delivered, Run(plain, "tcp://web.default.svc.cluster.local:3306", "plain/client").Outcome);
        Assert.Equal(RequestOutcome.ConnectionClosed, Run(plain + http, "tcp://web.default.svc.cluster.local:3306", "plain/client").Outcome);

        // An unknown protocol is sniffed.
        var sniffed = IngressSidecar("  - port: {number: 3306, protocol: whatever, name: x}");
        Assert.Contains(Run(plain + sniffed, "tcp://web.default.svc.cluster.local:3306", "plain/client").Steps, s => s.Detail.Contains("as AUTO", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------ 8. gateway servers: bind, targetPort, ISTIO_MUTUAL, AUTO_PASSTHROUGH (pilot/pkg/model/gateway.go, core/v1alpha3/gateway.go)

    private static string RouteAll(string gateway, string subset) =>
        BoundVs($"vs-{gateway}", "['*']", $"[{gateway}]", $"  http:\n  - route: [{{destination: {{host: web, port: {{number: 80}}, subset: {subset}}}}}]");

    [Fact]
    public void A_server_bound_to_another_address_is_not_matched()
    {
        // MergeGateways keys servers by port and bind; each bind is a listener of its own (getListenerName bind_port).
        var config = Gateway("bound", "  - port: {number: 80, name: http, protocol: HTTP}\n    bind: 10.0.0.5\n    hosts: ['*']") + "---\n"
            + Gateway("open", "  - port: {number: 80, name: http-open, protocol: HTTP}\n    hosts: ['*']") + "---\n"
            + RouteAll("bound", "v2") + "---\n" + RouteAll("open", "v1");
        Assert.Equal("v2", Run(config, "http://10.0.0.5/", "ingress").Subset);
        var byName = Run(config, "http://x.example.com/", "ingress");
        Assert.Equal("v1", byName.Subset);
        Assert.Contains(byName.Steps, s => s.Detail.Contains("binds 10.0.0.5", StringComparison.Ordinal));

        var onlyBound = Gateway("bound", "  - port: {number: 80, name: http, protocol: HTTP}\n    bind: 10.0.0.5\n    hosts: ['*']") + "---\n" + RouteAll("bound", "v2");
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(onlyBound, "http://x.example.com/", "ingress").Outcome);
    }

    [Fact]
    public void Servers_listen_on_the_target_port_of_the_gateway_service_port_they_name()
    {
        // resolvePorts: the demo gateway's Service maps 80 to targetPort 8080, so a server on 80 listens on 8080 and
        // a server on 8080 shares that listener; a request to Service port 80 reaches both (gateway_simulation_test.go
        // "multiple target port": listener 0.0.0.0_8080).
        var on8080 = Gateway("gw", "  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: ['*']") + "---\n" + RouteAll("gw", "v2");
        var r = Run(on8080, "http://x.example.com/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("v2", r.Subset);
        Assert.Contains(r.Steps, s => s.Stage == "listener" && s.Detail.Contains("targetPort 8080", StringComparison.Ordinal));

        // A server on 80 is reached on the pod's port 8080 too, which the Service does not have.
        var on80 = Gateway("gw", HttpAll) + "---\n" + RouteAll("gw", "v1");
        Assert.Equal("v1", Run(on80, "http://x.example.com:8080/", "ingress").Subset);

        // A gateway Service of the input: 80 -> 9090; servers on 80 and 9090 share the listener.
        var gateway = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  template:\n    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}}\n---\n"
            + "apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  selector: {istio: ingressgateway}\n  ports: [{name: http2, port: 80, targetPort: 9090}]\n---\n";
        var custom = gateway + Gateway("gw", "  - port: {number: 9090, name: http, protocol: HTTP}\n    hosts: ['*']") + "---\n" + RouteAll("gw", "v2");
        Assert.Equal("v2", Run(custom, "http://x.example.com/", "ingress").Subset);
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(gateway + Gateway("gw", "  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: ['*']") + "---\n" + RouteAll("gw", "v2"), "http://x.example.com/", "ingress").Outcome);
    }

    [Fact]
    public void A_gateway_service_can_opt_out_of_port_translation()
    {
        // resolvePorts skips a Service labelled experimental.istio.io/disable-gateway-port-translation: a server on 80
        // then listens on the pod's port 80, which the Service's port 80 (targetPort 9090) does not reach; a server on
        // 9090 is what serves it (gateway_simulation_test.go "multiple target port").
        var gateway = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  template:\n    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}}\n---\n"
            + "apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  labels: {experimental.istio.io/disable-gateway-port-translation: 'true'}\n"
            + "spec:\n  selector: {istio: ingressgateway}\n  ports: [{name: http2, port: 80, targetPort: 9090}]\n---\n";
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(gateway + Gateway("gw", HttpAll) + "---\n" + RouteAll("gw", "v1"), "http://x.example.com/", "ingress").Outcome);
        var on9090 = gateway + Gateway("gw", "  - port: {number: 9090, name: http, protocol: HTTP}\n    hosts: ['*']") + "---\n" + RouteAll("gw", "v2");
        Assert.Equal("v2", Run(on9090, "http://x.example.com/", "ingress").Subset);

        // Without the label the server on 80 is translated to 9090 and serves the request.
        var translated = gateway.Replace("  labels: {experimental.istio.io/disable-gateway-port-translation: 'true'}\n", string.Empty, StringComparison.Ordinal);
        Assert.Equal("v1", Run(translated + Gateway("gw", HttpAll) + "---\n" + RouteAll("gw", "v1"), "http://x.example.com/", "ingress").Subset);
    }

    [Fact]
    public void A_mutual_server_routes_a_request_whose_client_certificate_has_a_listed_san()
    {
        // gateway_test.go "credential name subject alternative name key and cert tls MUTUAL": a MUTUAL server's
        // DownstreamTlsContext requires a client certificate and matches its SANs exactly against subjectAltNames
        // (security/model/authentication.go ApplyCredentialSDSToServerCommonTLSContext).
        var server = "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: MUTUAL, credentialName: ingress-sds-resource-name, subjectAltNames: [subject.name.a.com, subject.name.b.com]}";
        var config = Gateway("gw", server) + "---\n" + RouteAll("gw", "v1");
        var none = Run(config, "https://x.example.com/", "ingress");
        Assert.Equal(RequestOutcome.ConnectionReset, none.Outcome);
        Assert.Equal("TLS without a client certificate", none.ClientTls);

        var wrong = Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["subject.name.c.com"], "CN=c"));
        Assert.Equal(RequestOutcome.ConnectionReset, wrong.Outcome);
        Assert.Contains(wrong.Steps, s => s.Detail.Contains("subject.name.a.com, subject.name.b.com", StringComparison.Ordinal));

        // Envoy's exact match is case-sensitive; a certificate without SANs matches none.
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["SUBJECT.NAME.A.COM"])).Outcome);
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate([], "CN=subject.name.a.com")).Outcome);

        var right = Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["other.example.com", "subject.name.b.com"]));
        Assert.Equal(RequestOutcome.Delivered, right.Outcome);
        Assert.Equal("v1", right.Subset);
        Assert.Contains(right.Steps, s => s.Detail.Contains("handshake completes", StringComparison.Ordinal));

        // gateway_test.go "no credential name key and cert tls MUTUAL": without subjectAltNames any certificate the CA trusts passes.
        var anyCert = Gateway("gw", "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: MUTUAL, credentialName: cert}") + "---\n" + RouteAll("gw", "v1");
        Assert.Equal(RequestOutcome.Delivered, Run(anyCert, "https://x.example.com/", "ingress", certificate: new ClientCertificate([])).Outcome);

        // ISTIO_MUTUAL wants the mesh's own certificate: a presented one is not taken as signed by the mesh CA.
        var istio = Gateway("gw", "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: ISTIO_MUTUAL}") + "---\n" + RouteAll("gw", "v1");
        Assert.Equal(RequestOutcome.ConnectionReset, Run(istio, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["x"])).Outcome);
    }

    [Fact]
    public void A_service_entry_that_selects_the_gateway_pod_translates_its_server_ports()
    {
        // gateway_simulation_test.go TestTargetPort "basic": a ServiceEntry port 80 (targetPort 8080) whose instance is
        // the gateway: the server on 80 listens on 8080, merged with the server on 8080. Here the entry selects the
        // gateway pod by workloadSelector, which makes the pod its instance.
        var gateway = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  template:\n    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}}\n---\n";
        var entry = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: service-instance, namespace: istio-system}\nspec:\n  hosts: [istio-ingressgateway.istio-system.svc.cluster.local]\n"
            + "  ports: [{number: 80, targetPort: 8080, name: http, protocol: HTTP}]\n  resolution: STATIC\n  location: MESH_INTERNAL\n  workloadSelector: {labels: {istio: ingressgateway}}\n---\n";
        var on8080 = Gateway("gw", "  - port: {number: 8080, name: http, protocol: HTTP}\n    hosts: ['*']") + "---\n" + RouteAll("gw", "v1");
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(gateway + on8080, "http://example.com/", "ingress").Outcome);
        var r = Run(gateway + entry + on8080, "http://example.com/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Contains(r.Steps, s => s.Detail.Contains("targetPort 8080", StringComparison.Ordinal));

        // A server on 80 is translated to 8080 too, and the request on 80 still reaches it.
        Assert.Equal("v2", Run(gateway + entry + Gateway("gw", HttpAll) + "---\n" + RouteAll("gw", "v2"), "http://example.com/", "ingress").Subset);

        // An entry that selects other workloads does not count.
        Assert.Equal(RequestOutcome.ConnectionRefused, Run(gateway + entry.Replace("{istio: ingressgateway}", "{app: other}", StringComparison.Ordinal) + on8080, "http://example.com/", "ingress").Outcome);
    }

    [Fact]
    public void A_gateway_authorization_policy_sees_an_accepted_client_certificates_spiffe_san_as_the_principal()
    {
        // authz builder: principals become RBAC principal_name matches of spiffe://..., which Envoy takes from the
        // peer certificate's URI SAN; on a MUTUAL server that is the client certificate.
        var server = "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: MUTUAL, credentialName: cert}";
        var policy = "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: partners, namespace: istio-system}\nspec:\n  selector: {matchLabels: {istio: ingressgateway}}\n  action: ALLOW\n"
            + "  rules:\n  - from:\n    - source: {principals: ['cluster.local/ns/partner/sa/client']}\n";
        var config = Gateway("gw", server) + "---\n" + RouteAll("gw", "v1") + "---\n" + policy;
        Assert.Equal(RequestOutcome.Delivered, Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["client.example.com", "spiffe://cluster.local/ns/partner/sa/client"])).Outcome);
        var other = Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["spiffe://cluster.local/ns/partner/sa/other"]));
        Assert.Equal(403, other.Status);
        Assert.Equal(403, Run(config, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["client.example.com"])).Status);

        // namespaces match the principal's /ns/ segment.
        var byNamespace = config.Replace("principals: ['cluster.local/ns/partner/sa/client']", "namespaces: [partner]", StringComparison.Ordinal);
        Assert.Equal(RequestOutcome.Delivered, Run(byNamespace, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["spiffe://cluster.local/ns/partner/sa/other"])).Outcome);
        Assert.Equal(403, Run(byNamespace, "https://x.example.com/", "ingress", certificate: new ClientCertificate(["spiffe://cluster.local/ns/elsewhere/sa/other"])).Status);
    }

    [Fact]
    public void Repeating_requests_keeps_each_ones_client_certificate_decision()
    {
        // DecisionPlans memoize per request object: one with a certificate and one without, each simulated three times
        // on one simulator, keep their own outcomes.
        var server = "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: MUTUAL, credentialName: cert, subjectAltNames: [client.example.com]}";
        var resources = ManifestSerializer.Deserialize(World + "\n---\n" + Gateway("gw", server) + "---\n" + RouteAll("gw", "v1"));
        var simulator = new RequestSimulator(MeshModel.Build(resources));
        var source = simulator.ResolveSource("ingress");
        var with = new RequestSpec { Scheme = "https", Host = "x.example.com", Port = 443, ClientCertificate = new ClientCertificate(["client.example.com"]) };
        var without = new RequestSpec { Scheme = "https", Host = "x.example.com", Port = 443 };
        var random = new Random(1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RequestOutcome.Delivered, simulator.Simulate(source, with, random).Outcome);
            Assert.Equal(RequestOutcome.ConnectionReset, simulator.Simulate(source, without, random).Outcome);
        }
    }

    [Fact]
    public void An_istio_mutual_server_needs_a_mesh_client_certificate()
    {
        // buildGatewayListenerTLSContext: ISTIO_MUTUAL requires a client certificate signed by the mesh CA.
        var config = Gateway("gw", "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: ISTIO_MUTUAL}") + "---\n" + RouteAll("gw", "v1");
        var r = Run(config, "https://x.example.com/", "ingress");
        Assert.Equal(RequestOutcome.ConnectionReset, r.Outcome);
        Assert.Contains(r.Steps, s => s.Detail.Contains("ISTIO_MUTUAL", StringComparison.Ordinal));

        // MUTUAL also requires a client certificate (signed by its caCertificates), which a simulated request does not present.
        var mutual = Gateway("gw", "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: MUTUAL, credentialName: cert}") + "---\n" + RouteAll("gw", "v1");
        var m = Run(mutual, "https://x.example.com/", "ingress");
        Assert.Equal(RequestOutcome.ConnectionReset, m.Outcome);
        Assert.Contains(m.Steps, s => s.Detail.Contains("is MUTUAL", StringComparison.Ordinal));

        // The same server with SIMPLE terminates and routes.
        var simple = Gateway("gw", "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ['*']\n    tls: {mode: SIMPLE, credentialName: cert}") + "---\n" + RouteAll("gw", "v1");
        Assert.Equal(RequestOutcome.Delivered, Run(simple, "https://x.example.com/", "ingress").Outcome);
    }

    [Fact]
    public void Auto_passthrough_routes_by_the_sni_of_a_cluster_without_a_virtual_service()
    {
        // builtAutoPassthroughFilterChains: a chain per service port (and DestinationRule subset) whose host the
        // server's hosts hold, matched by the SNI outbound_.port_.subset_.host.
        var config = Gateway("cross", "  - port: {number: 15443, name: tls, protocol: TLS}\n    hosts: ['*.local']\n    tls: {mode: AUTO_PASSTHROUGH}");
        var r = Run(config, "https://outbound_.80_._.web.default.svc.cluster.local:15443/", "ingress");
        Assert.Equal(RequestOutcome.Delivered, r.Outcome);
        Assert.Equal("outbound|80||web.default.svc.cluster.local", r.Cluster);
        Assert.Null(r.VirtualService);

        var v2 = Run(config, "https://outbound_.80_.v2_.web.default.svc.cluster.local:15443/", "ingress");
        Assert.Equal("default/web-v2", v2.Endpoint);

        // An SNI that is not a cluster name, or a subset no DestinationRule has, matches no chain.
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://web.default.svc.cluster.local:15443/", "ingress").Outcome);
        Assert.Equal(RequestOutcome.ConnectionReset, Run(config, "https://outbound_.80_.v9_.web.default.svc.cluster.local:15443/", "ingress").Outcome);

        // Hosts the server does not hold get no chain.
        var narrow = Gateway("cross", "  - port: {number: 15443, name: tls, protocol: TLS}\n    hosts: ['*.team.svc.cluster.local']\n    tls: {mode: AUTO_PASSTHROUGH}");
        Assert.Equal(RequestOutcome.ConnectionReset, Run(narrow, "https://outbound_.80_._.web.default.svc.cluster.local:15443/", "ingress").Outcome);
        Assert.Equal("outbound|80||api.team.svc.cluster.local", Run(narrow, "https://outbound_.80_._.api.team.svc.cluster.local:15443/", "ingress").Cluster);
    }

    // ------------------------------------------------------------------ 9. exportTo (pilot/pkg/model/push_context.go) and delegates (pilot/pkg/model/virtualservice.go)

    private static string ScopedVs(string name, string ns, string exportTo, string subset, string? created = null, string hosts = "[web.default.svc.cluster.local]", string? gateways = null) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n{Meta(name, created, ns)}spec:\n  hosts: {hosts}\n"
        + (gateways is null ? string.Empty : $"  gateways: {gateways}\n")
        + (exportTo.Length == 0 ? string.Empty : $"  exportTo: {exportTo}\n")
        + $"  http:\n  - route: [{{destination: {{host: web.default.svc.cluster.local, port: {{number: 80}}, subset: {subset}}}}}]\n";

    [Fact]
    public void A_virtual_service_is_seen_only_in_the_namespaces_it_is_exported_to()
    {
        // initVirtualServices: '.' is its own namespace; a list of names is those namespaces (not its own unless named).
        var own = ScopedVs("web", "team", "['.']", "v2");
        Assert.Null(Run(own, "http://web/").VirtualService);
        Assert.Equal("team/web", Run(own, "http://web.default/", "team/api").VirtualService);

        var toTeam = ScopedVs("web", "default", "[team]", "v2");
        Assert.Null(Run(toTeam, "http://web/").VirtualService);
        Assert.Equal("v2", Run(toTeam, "http://web.default/", "team/api").Subset);
        Assert.Null(Run(ScopedVs("web", "default", "['~']", "v2"), "http://web/").VirtualService);
    }

    [Fact]
    public void A_private_virtual_service_comes_before_an_older_public_one()
    {
        // SelectVirtualServices appends the namespace's private VirtualServices, then those exported to it, then the
        // public ones; the first for a host wins on a sidecar.
        var config = ScopedVs("old-public", "default", string.Empty, "v1", "2024-01-01T00:00:00Z") + "---\n" + ScopedVs("new-private", "default", "['.']", "v2", "2024-06-01T00:00:00Z");
        Assert.Equal("default/new-private", Run(config, "http://web/").VirtualService);
        Assert.Equal("default/old-public", Run(config, "http://web.default/", "team/api").VirtualService);
    }

    [Fact]
    public void A_gateway_sees_only_virtual_services_exported_to_its_own_namespace()
    {
        // VirtualServicesForGateway(proxyNamespace = the gateway pod's namespace, istio-system).
        var gateway = Gateway("gw", HttpAll);
        var hidden = gateway + "---\n" + ScopedVs("web", "default", "['.']", "v2", hosts: "['*']", gateways: "[gw]");
        Assert.Equal(404, Run(hidden, "http://x.example.com/", "ingress").Status);
        var shown = gateway + "---\n" + ScopedVs("web", "default", "[istio-system]", "v2", hosts: "['*']", gateways: "[gw]");
        Assert.Equal("v2", Run(shown, "http://x.example.com/", "ingress").Subset);
    }

    [Fact]
    public void Destination_rules_and_services_are_seen_only_where_they_are_exported()
    {
        // destinationRule: the proxy's namespace's rules, then the service's namespace's exported ones.
        var privateRule = "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: web}\nspec:\n  host: web\n  exportTo: ['.']\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n";
        var replaced = Run(privateRule + "---\n" + ScopedVs("web", "team", string.Empty, "v2"), "http://web.default/", "team/api");
        Assert.Equal(503, replaced.Status);
        Assert.Equal("NC", replaced.ResponseFlag);
        Assert.Equal("v2", Run(privateRule + "---\n" + ScopedVs("web", "team", string.Empty, "v2"), "http://web/").Subset);

        // IsServiceVisible: a Service annotated networking.istio.io/exportTo: '.' is unknown to other namespaces.
        var secret = "apiVersion: v1\nkind: Service\nmetadata:\n  name: secret\n  namespace: team\n  annotations: {networking.istio.io/exportTo: '.'}\nspec:\n  selector: {app: api}\n  ports: [{name: http, port: 80}]\n";
        Assert.Equal("PassthroughCluster", Run(secret, "http://secret.team/").Cluster);
        Assert.Equal("outbound|80||secret.team.svc.cluster.local", Run(secret, "http://secret/", "team/api").Cluster);
    }

    private const string PrivateByDefault =
        "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: mesh, namespace: istio-system}\nspec:\n  meshConfig:\n"
        + "    defaultServiceExportTo: ['.']\n    defaultVirtualServiceExportTo: ['.']\n    defaultDestinationRuleExportTo: ['.']\n---\n";

    [Fact]
    public void The_mesh_configs_export_defaults_apply_to_what_sets_no_export_to()
    {
        // initDefaultExportMaps: defaultServiceExportTo, defaultVirtualServiceExportTo, defaultDestinationRuleExportTo.
        var team = ScopedVs("web", "team", string.Empty, "v2");
        Assert.Equal("team/web", Run(team, "http://web.default/", "team/api").VirtualService);
        Assert.Null(Run(PrivateByDefault + team, "http://web.default/").VirtualService);
        Assert.Equal("team/web", Run(PrivateByDefault + team, "http://web.default/", "team/api").VirtualService);

        // A resource's own exportTo still wins over the default.
        Assert.Equal("team/web", Run(PrivateByDefault + ScopedVs("web", "team", "['*']", "v2"), "http://web.default/").VirtualService);

        var service = "apiVersion: v1\nkind: Service\nmetadata: {name: secret, namespace: team}\nspec:\n  selector: {app: api}\n  ports: [{name: http, port: 80}]\n";
        Assert.Equal("outbound|80||secret.team.svc.cluster.local", Run(service, "http://secret.team/").Cluster);
        Assert.Equal("PassthroughCluster", Run(PrivateByDefault + service, "http://secret.team/").Cluster);

        // A rule of the service's namespace that is private by default does not reach other namespaces' proxies.
        var rule = "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: web}\nspec:\n  host: web\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n";
        var exported = "---\n" + ScopedVs("web", "team", "['*']", "v2");
        Assert.Equal("v2", Run(rule + exported, "http://web.default/", "team/api").Subset);
        Assert.Equal("NC", Run(PrivateByDefault.Replace("    defaultServiceExportTo: ['.']\n", string.Empty, System.StringComparison.Ordinal) + rule + exported, "http://web.default/", "team/api").ResponseFlag);
    }

    private const string RootVs = """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: root}
        spec:
          hosts: [web]
          http:
          - name: api
            match: [{uri: {prefix: /api}}]
            delegate: {name: web-api, namespace: team}
          - route: [{destination: {host: web, subset: v1}}]
        """;

    private static string DelegateVs(string exportTo) => $$$"""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: web-api, namespace: team}
        spec:
        {{{exportTo}}}
          http:
          - name: v2
            match: [{uri: {prefix: /api/v2}}]
            route: [{destination: {host: web.default.svc.cluster.local, subset: v2}}]
          - match: [{uri: {prefix: /other}}]
            route: [{destination: {host: api}}]
          - match: [{uri: {prefix: /api/team}}]
            route: [{destination: {host: api}}]
        """;

    [Fact]
    public void A_delegate_virtual_services_routes_are_merged_into_the_root()
    {
        // mergeVirtualServicesIfNeeded / mergeHTTPRoute: the delegate's matches must be narrower than the root's
        // (/other conflicts with /api and is dropped); names join root-delegate; short hosts resolve in the delegate's namespace.
        var config = RootVs + "\n---\n" + DelegateVs(string.Empty);
        var v2 = Run(config, "http://web/api/v2/x");
        Assert.Equal("v2", v2.Subset);
        Assert.Equal("http[0] api-v2", v2.Route);
        Assert.Equal("team/api", Run(config, "http://web/api/team").Endpoint);
        Assert.Equal("v1", Run(config, "http://web/other").Subset);
        Assert.Equal("v1", Run(config, "http://web/api/v1").Subset);
        Assert.Contains(v2.Steps, s => s.Stage == "delegate");

        // A delegate not exported to the root's namespace, or missing, drops the delegating route.
        var hidden = RootVs + "\n---\n" + DelegateVs("  exportTo: ['.']");
        Assert.Equal("v1", Run(hidden, "http://web/api/v2/x").Subset);
        Assert.Equal("v1", Run(RootVs, "http://web/api/v2/x").Subset);
    }

    // ------------------------------------------------------------------ 10. DNS auto-allocation (serviceentry/controller.go autoAllocateIPs, model/service.go GetAddressForProxy)

    private const string DnsProxy = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    defaultConfig:\n      proxyMetadata: {ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true'}\n";

    private static string DbEntry(string name, string created) =>
        $"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n{Meta(name, created)}spec:\n  hosts: [{name}.internal]\n  ports: [{{number: 5432, name: tcp, protocol: TCP}}]\n  resolution: DNS\n---\n";

    [Fact]
    public void Service_entries_without_addresses_get_istios_allocated_address()
    {
        // serviceentry_simulation_test.go TestServiceEntryDuplicatedHostname: two entries of istio.io share 240.240.21.222.
        var config = """
            apiVersion: networking.istio.io/v1alpha3
            kind: ServiceEntry
            metadata: {name: istio-http}
            spec:
              hosts: [istio.io]
              location: MESH_EXTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: ServiceEntry
            metadata: {name: istio-https}
            spec:
              hosts: [istio.io]
              location: MESH_EXTERNAL
              ports: [{number: 443, name: https, protocol: HTTPS}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: ServiceEntry
            metadata: {name: passthrough}
            spec:
              hosts: [none.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
            """;
        var model = MeshModel.Build(ManifestSerializer.Deserialize(config + "\n---\n" + DnsProxy));
        Assert.True(model.DnsAutoAllocate);
        Assert.All(model.Services.Where(s => s.Host == "istio.io"), s => Assert.Equal("240.240.21.222", s.AutoAllocatedAddress));

        // Resolution NONE (the default) gets none: the original destination is not known.
        Assert.Null(model.Services.Single(s => s.Host == "none.example.com").AutoAllocatedAddress);
        Assert.False(MeshModel.Build(ManifestSerializer.Deserialize(config)).DnsAutoAllocate);
    }

    [Fact]
    public void Without_auto_allocation_tcp_entries_without_addresses_share_one_listener()
    {
        // listener.go: both entries listen on 0.0.0.0:5432 (TCPOverTCP) and the older keeps the filter chain; with DNS
        // capture and auto-allocation each has its own 240.240.x.y listener.
        var entries = DbEntry("orders", "2024-01-01T00:00:00Z") + DbEntry("users", "2024-02-01T00:00:00Z");
        var shared = Run(entries, "tcp://users.internal:5432");
        Assert.Equal("orders.internal", shared.DestinationService);
        Assert.Contains(shared.Steps, s => s.Detail.Contains("already holds", StringComparison.Ordinal));
        Assert.Equal("orders.internal", Run(entries, "tcp://10.1.2.3:5432").DestinationService);

        var allocated = Run(entries + DnsProxy, "tcp://users.internal:5432");
        Assert.Equal("users.internal", allocated.DestinationService);
        Assert.Contains(allocated.Steps, s => s.Detail.Contains("DNS auto-allocation", StringComparison.Ordinal));

        // A connection to another IP is no longer caught by an entry's 0.0.0.0 listener.
        var model = MeshModel.Build(ManifestSerializer.Deserialize(World + "\n---\n" + entries + DnsProxy));
        var vip = model.Services.Single(s => s.Host == "users.internal").AutoAllocatedAddress!;
        Assert.Equal("users.internal", Run(entries + DnsProxy, $"tcp://{vip}:5432").DestinationService);
        Assert.Equal("PassthroughCluster", Run(entries + DnsProxy, "tcp://10.1.2.3:5432").Cluster);
    }
}
