using System.Collections.Generic;

namespace GuestbookLab.Model;

// Typed models of networking.istio.io (v1beta1; v1alpha3 reads into the same types). Property names follow the API
// fields; fields not modelled here are kept in AdditionalFields, so nothing is lost on a round trip.

/// <summary>A string matcher: one of exact, prefix or regex (RE2, full match).</summary>
public sealed class StringMatch : ApiObject
{
    [ApiField("exact")] public string? Exact { get; set; }

    [ApiField("prefix")] public string? Prefix { get; set; }

    [ApiField("regex")] public string? Regex { get; set; }
}

/// <summary>A percentage, 0 to 100.</summary>
public sealed class Percent : ApiObject
{
    public Percent()
    {
    }

    public Percent(double value) => Value = value;

    [ApiField("value")] public double? Value { get; set; }
}

public sealed class PortSelector : ApiObject
{
    [ApiField("number")] public int? Number { get; set; }
}

public sealed class Destination : ApiObject
{
    [ApiField("host")] public string? Host { get; set; }

    [ApiField("subset")] public string? Subset { get; set; }

    [ApiField("port")] public PortSelector? Port { get; set; }
}

/// <summary>istio.type.v1beta1.WorkloadSelector (DestinationRule, the security kinds): <c>matchLabels</c>.</summary>
public sealed class WorkloadSelector : ApiObject
{
    [ApiField("matchLabels")] public Dictionary<string, string>? MatchLabels { get; set; }
}

/// <summary>istio.networking.v1alpha3.WorkloadSelector (ServiceEntry, Sidecar): <c>labels</c>, not matchLabels.</summary>
public sealed class NetworkingWorkloadSelector : ApiObject
{
    [ApiField("labels")] public Dictionary<string, string>? Labels { get; set; }
}

// ---------------------------------------------------------------------------------------------- Gateway

public sealed class Gateway : LabResource<GatewaySpec>
{
    public const string KindName = "Gateway";

    public Gateway()
        : base(ResourceKinds.NetworkingV1Beta1, KindName)
    {
    }
}

public sealed class GatewaySpec : ApiObject
{
    [ApiField("selector")] public Dictionary<string, string>? Selector { get; set; }

    [ApiField("servers")] public List<Server>? Servers { get; set; }
}

public sealed class Server : ApiObject
{
    [ApiField("port")] public ServerPort? Port { get; set; }

    [ApiField("bind")] public string? Bind { get; set; }

    [ApiField("hosts")] public List<string>? Hosts { get; set; }

    [ApiField("tls")] public ServerTlsSettings? Tls { get; set; }

    [ApiField("name")] public string? Name { get; set; }

    [ApiField("defaultEndpoint")] public string? DefaultEndpoint { get; set; }
}

public sealed class ServerPort : ApiObject
{
    [ApiField("number")] public int? Number { get; set; }

    [ApiField("protocol")] public string? Protocol { get; set; }

    [ApiField("name")] public string? Name { get; set; }

    [ApiField("targetPort")] public int? TargetPort { get; set; }
}

public sealed class ServerTlsSettings : ApiObject
{
    [ApiField("httpsRedirect")] public bool? HttpsRedirect { get; set; }

    [ApiField("mode")] public string? Mode { get; set; }

    [ApiField("serverCertificate")] public string? ServerCertificate { get; set; }

    [ApiField("privateKey")] public string? PrivateKey { get; set; }

    [ApiField("caCertificates")] public string? CaCertificates { get; set; }

    [ApiField("credentialName")] public string? CredentialName { get; set; }

    [ApiField("subjectAltNames")] public List<string>? SubjectAltNames { get; set; }

    [ApiField("minProtocolVersion")] public string? MinProtocolVersion { get; set; }

    [ApiField("maxProtocolVersion")] public string? MaxProtocolVersion { get; set; }

    [ApiField("cipherSuites")] public List<string>? CipherSuites { get; set; }
}

// ---------------------------------------------------------------------------------------------- VirtualService

public sealed class VirtualService : LabResource<VirtualServiceSpec>
{
    public const string KindName = "VirtualService";

    public VirtualService()
        : base(ResourceKinds.NetworkingV1Beta1, KindName)
    {
    }
}

public sealed class VirtualServiceSpec : ApiObject
{
    [ApiField("hosts")] public List<string>? Hosts { get; set; }

    [ApiField("gateways")] public List<string>? Gateways { get; set; }

    [ApiField("http")] public List<HttpRoute>? Http { get; set; }

    [ApiField("tls")] public List<TlsRoute>? Tls { get; set; }

    [ApiField("tcp")] public List<TcpRoute>? Tcp { get; set; }

    [ApiField("exportTo")] public List<string>? ExportTo { get; set; }
}

public sealed class HttpRoute : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("match")] public List<HttpMatchRequest>? Match { get; set; }

    [ApiField("route")] public List<HttpRouteDestination>? Route { get; set; }

    [ApiField("redirect")] public HttpRedirect? Redirect { get; set; }

    [ApiField("directResponse")] public HttpDirectResponse? DirectResponse { get; set; }

    [ApiField("delegate")] public DelegateTarget? Delegate { get; set; }

    [ApiField("rewrite")] public HttpRewrite? Rewrite { get; set; }

    [ApiField("timeout")] public string? Timeout { get; set; }

    [ApiField("retries")] public HttpRetry? Retries { get; set; }

    [ApiField("fault")] public HttpFaultInjection? Fault { get; set; }

    [ApiField("mirror")] public Destination? Mirror { get; set; }

    [ApiField("mirrorPercentage")] public Percent? MirrorPercentage { get; set; }

    [ApiField("mirrorPercent")] public int? MirrorPercent { get; set; }
}

public sealed class HttpMatchRequest : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("uri")] public StringMatch? Uri { get; set; }

    [ApiField("scheme")] public StringMatch? Scheme { get; set; }

    [ApiField("method")] public StringMatch? Method { get; set; }

    [ApiField("authority")] public StringMatch? Authority { get; set; }

    [ApiField("headers")] public Dictionary<string, StringMatch>? Headers { get; set; }

    [ApiField("port")] public int? Port { get; set; }

    [ApiField("sourceLabels")] public Dictionary<string, string>? SourceLabels { get; set; }

    [ApiField("gateways")] public List<string>? Gateways { get; set; }

    [ApiField("queryParams")] public Dictionary<string, StringMatch>? QueryParams { get; set; }

    [ApiField("ignoreUriCase")] public bool? IgnoreUriCase { get; set; }

    [ApiField("withoutHeaders")] public Dictionary<string, StringMatch>? WithoutHeaders { get; set; }

    [ApiField("sourceNamespace")] public string? SourceNamespace { get; set; }

    [ApiField("statPrefix")] public string? StatPrefix { get; set; }
}

public sealed class HttpRouteDestination : ApiObject
{
    [ApiField("destination")] public Destination? Destination { get; set; }

    [ApiField("weight")] public int? Weight { get; set; }
}

public sealed class HttpRedirect : ApiObject
{
    [ApiField("uri")] public string? Uri { get; set; }

    [ApiField("authority")] public string? Authority { get; set; }

    [ApiField("port")] public int? Port { get; set; }

    [ApiField("scheme")] public string? Scheme { get; set; }

    [ApiField("redirectCode")] public int? RedirectCode { get; set; }
}

public sealed class HttpDirectResponse : ApiObject
{
    [ApiField("status")] public int? Status { get; set; }
}

public sealed class DelegateTarget : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("namespace")] public string? Namespace { get; set; }
}

public sealed class HttpRewrite : ApiObject
{
    [ApiField("uri")] public string? Uri { get; set; }

    [ApiField("authority")] public string? Authority { get; set; }
}

public sealed class HttpRetry : ApiObject
{
    [ApiField("attempts")] public int? Attempts { get; set; }

    [ApiField("perTryTimeout")] public string? PerTryTimeout { get; set; }

    [ApiField("retryOn")] public string? RetryOn { get; set; }

    [ApiField("retryRemoteLocalities")] public bool? RetryRemoteLocalities { get; set; }
}

public sealed class HttpFaultInjection : ApiObject
{
    [ApiField("delay")] public FaultDelay? Delay { get; set; }

    [ApiField("abort")] public FaultAbort? Abort { get; set; }
}

public sealed class FaultDelay : ApiObject
{
    [ApiField("fixedDelay")] public string? FixedDelay { get; set; }

    [ApiField("exponentialDelay")] public string? ExponentialDelay { get; set; }

    [ApiField("percentage")] public Percent? Percentage { get; set; }

    [ApiField("percent")] public int? Percent { get; set; }
}

public sealed class FaultAbort : ApiObject
{
    [ApiField("httpStatus")] public int? HttpStatus { get; set; }

    [ApiField("grpcStatus")] public string? GrpcStatus { get; set; }

    [ApiField("http2Error")] public string? Http2Error { get; set; }

    [ApiField("percentage")] public Percent? Percentage { get; set; }
}

public sealed class TlsRoute : ApiObject
{
    [ApiField("match")] public List<TlsMatchAttributes>? Match { get; set; }

    [ApiField("route")] public List<RouteDestination>? Route { get; set; }
}

public sealed class TcpRoute : ApiObject
{
    [ApiField("match")] public List<L4MatchAttributes>? Match { get; set; }

    [ApiField("route")] public List<RouteDestination>? Route { get; set; }
}

public sealed class RouteDestination : ApiObject
{
    [ApiField("destination")] public Destination? Destination { get; set; }

    [ApiField("weight")] public int? Weight { get; set; }
}

public sealed class TlsMatchAttributes : ApiObject
{
    [ApiField("sniHosts")] public List<string>? SniHosts { get; set; }

    [ApiField("destinationSubnets")] public List<string>? DestinationSubnets { get; set; }

    [ApiField("port")] public int? Port { get; set; }

    [ApiField("sourceLabels")] public Dictionary<string, string>? SourceLabels { get; set; }

    [ApiField("gateways")] public List<string>? Gateways { get; set; }

    [ApiField("sourceNamespace")] public string? SourceNamespace { get; set; }
}

public sealed class L4MatchAttributes : ApiObject
{
    [ApiField("destinationSubnets")] public List<string>? DestinationSubnets { get; set; }

    [ApiField("port")] public int? Port { get; set; }

    [ApiField("sourceLabels")] public Dictionary<string, string>? SourceLabels { get; set; }

    [ApiField("gateways")] public List<string>? Gateways { get; set; }

    [ApiField("sourceNamespace")] public string? SourceNamespace { get; set; }
}

// ---------------------------------------------------------------------------------------------- DestinationRule

public sealed class DestinationRule : LabResource<DestinationRuleSpec>
{
    public const string KindName = "DestinationRule";

    public DestinationRule()
        : base(ResourceKinds.NetworkingV1Beta1, KindName)
    {
    }
}

public sealed class DestinationRuleSpec : ApiObject
{
    [ApiField("host")] public string? Host { get; set; }

    [ApiField("trafficPolicy")] public TrafficPolicy? TrafficPolicy { get; set; }

    [ApiField("subsets")] public List<Subset>? Subsets { get; set; }

    [ApiField("exportTo")] public List<string>? ExportTo { get; set; }

    [ApiField("workloadSelector")] public WorkloadSelector? WorkloadSelector { get; set; }
}

public sealed class Subset : ApiObject
{
    [ApiField("name")] public string? Name { get; set; }

    [ApiField("labels")] public Dictionary<string, string>? Labels { get; set; }

    [ApiField("trafficPolicy")] public TrafficPolicy? TrafficPolicy { get; set; }
}

public sealed class TrafficPolicy : ApiObject
{
    [ApiField("connectionPool")] public ConnectionPoolSettings? ConnectionPool { get; set; }

    [ApiField("outlierDetection")] public OutlierDetection? OutlierDetection { get; set; }

    [ApiField("loadBalancer")] public object? LoadBalancer { get; set; }

    [ApiField("tls")] public ClientTlsSettings? Tls { get; set; }

    [ApiField("portLevelSettings")] public List<PortTrafficPolicy>? PortLevelSettings { get; set; }

    [ApiField("tunnel")] public object? Tunnel { get; set; }
}

public sealed class PortTrafficPolicy : ApiObject
{
    [ApiField("port")] public PortSelector? Port { get; set; }

    [ApiField("connectionPool")] public ConnectionPoolSettings? ConnectionPool { get; set; }

    [ApiField("outlierDetection")] public OutlierDetection? OutlierDetection { get; set; }

    [ApiField("loadBalancer")] public object? LoadBalancer { get; set; }

    [ApiField("tls")] public ClientTlsSettings? Tls { get; set; }
}

public sealed class ConnectionPoolSettings : ApiObject
{
    [ApiField("tcp")] public TcpSettings? Tcp { get; set; }

    [ApiField("http")] public HttpSettings? Http { get; set; }
}

public sealed class TcpSettings : ApiObject
{
    [ApiField("maxConnections")] public int? MaxConnections { get; set; }

    [ApiField("connectTimeout")] public string? ConnectTimeout { get; set; }

    [ApiField("maxConnectionDuration")] public string? MaxConnectionDuration { get; set; }
}

public sealed class HttpSettings : ApiObject
{
    [ApiField("http1MaxPendingRequests")] public int? Http1MaxPendingRequests { get; set; }

    [ApiField("http2MaxRequests")] public int? Http2MaxRequests { get; set; }

    [ApiField("maxRequestsPerConnection")] public int? MaxRequestsPerConnection { get; set; }

    [ApiField("maxRetries")] public int? MaxRetries { get; set; }

    [ApiField("idleTimeout")] public string? IdleTimeout { get; set; }

    [ApiField("h2UpgradePolicy")] public string? H2UpgradePolicy { get; set; }

    [ApiField("useClientProtocol")] public bool? UseClientProtocol { get; set; }
}

public sealed class OutlierDetection : ApiObject
{
    [ApiField("consecutiveErrors")] public int? ConsecutiveErrors { get; set; }

    [ApiField("splitExternalLocalOriginErrors")] public bool? SplitExternalLocalOriginErrors { get; set; }

    [ApiField("consecutiveLocalOriginFailures")] public int? ConsecutiveLocalOriginFailures { get; set; }

    [ApiField("consecutiveGatewayErrors")] public int? ConsecutiveGatewayErrors { get; set; }

    [ApiField("consecutive5xxErrors")] public int? Consecutive5xxErrors { get; set; }

    [ApiField("interval")] public string? Interval { get; set; }

    [ApiField("baseEjectionTime")] public string? BaseEjectionTime { get; set; }

    [ApiField("maxEjectionPercent")] public int? MaxEjectionPercent { get; set; }

    [ApiField("minHealthPercent")] public int? MinHealthPercent { get; set; }
}

public sealed class ClientTlsSettings : ApiObject
{
    [ApiField("mode")] public string? Mode { get; set; }

    [ApiField("clientCertificate")] public string? ClientCertificate { get; set; }

    [ApiField("privateKey")] public string? PrivateKey { get; set; }

    [ApiField("caCertificates")] public string? CaCertificates { get; set; }

    [ApiField("credentialName")] public string? CredentialName { get; set; }

    [ApiField("subjectAltNames")] public List<string>? SubjectAltNames { get; set; }

    [ApiField("sni")] public string? Sni { get; set; }

    [ApiField("insecureSkipVerify")] public bool? InsecureSkipVerify { get; set; }
}

// ---------------------------------------------------------------------------------------------- ServiceEntry

public sealed class ServiceEntry : LabResource<ServiceEntrySpec>
{
    public const string KindName = "ServiceEntry";

    public ServiceEntry()
        : base(ResourceKinds.NetworkingV1Beta1, KindName)
    {
    }
}

public sealed class ServiceEntrySpec : ApiObject
{
    [ApiField("hosts")] public List<string>? Hosts { get; set; }

    [ApiField("addresses")] public List<string>? Addresses { get; set; }

    [ApiField("ports")] public List<ServicePort>? Ports { get; set; }

    [ApiField("location")] public string? Location { get; set; }

    [ApiField("resolution")] public string? Resolution { get; set; }

    [ApiField("endpoints")] public List<WorkloadEntrySpec>? Endpoints { get; set; }

    [ApiField("workloadSelector")] public NetworkingWorkloadSelector? WorkloadSelector { get; set; }

    [ApiField("exportTo")] public List<string>? ExportTo { get; set; }

    [ApiField("subjectAltNames")] public List<string>? SubjectAltNames { get; set; }
}

public sealed class ServicePort : ApiObject
{
    [ApiField("number")] public int? Number { get; set; }

    [ApiField("protocol")] public string? Protocol { get; set; }

    [ApiField("name")] public string? Name { get; set; }

    [ApiField("targetPort")] public int? TargetPort { get; set; }
}

public sealed class WorkloadEntrySpec : ApiObject
{
    [ApiField("address")] public string? Address { get; set; }

    [ApiField("ports")] public Dictionary<string, int>? Ports { get; set; }

    [ApiField("labels")] public Dictionary<string, string>? Labels { get; set; }

    [ApiField("network")] public string? Network { get; set; }

    [ApiField("locality")] public string? Locality { get; set; }

    [ApiField("weight")] public int? Weight { get; set; }

    [ApiField("serviceAccount")] public string? ServiceAccount { get; set; }
}
