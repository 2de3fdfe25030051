using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Sets connection-pool limits and outlier detection (circuit breaking) on a DestinationRule.</summary>
/// <remarks>
/// Sets spec.trafficPolicy.connectionPool and outlierDetection; only the given settings change. Requests over the
/// limits fail fast with 503 (Envoy flag UO); hosts that return -Consecutive5xxErrors errors in a row are ejected
/// from the pool for -BaseEjectionTime, checked every -Interval.
/// </remarks>
/// <example>
/// <code>New-MeshDestinationRule -Name message-service -Host message-service |
///     Set-MeshCircuitBreaker -MaxConnections 100 -MaxRequestsPerConnection 10 -MaxPendingRequests 1024 -Consecutive5xxErrors 7 -Interval 5m -BaseEjectionTime 15m</code>
/// <para>The codelab's circuit breaker for message-service.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshCircuitBreaker")]
[OutputType(typeof(DestinationRule), typeof(LabResource))]
public sealed class SetMeshCircuitBreakerCommand : ModifyResourceCmdlet<DestinationRule>
{
    /// <summary>Most TCP connections to a host (connectionPool.tcp.maxConnections).</summary>
    [Parameter]
    public int? MaxConnections { get; set; }

    /// <summary>Most requests per connection; 1 turns keep-alive off (connectionPool.http.maxRequestsPerConnection).</summary>
    [Parameter]
    public int? MaxRequestsPerConnection { get; set; }

    /// <summary>Most requests waiting for a connection (connectionPool.http.http1MaxPendingRequests).</summary>
    [Parameter]
    public int? MaxPendingRequests { get; set; }

    /// <summary>Most concurrent requests to a host (connectionPool.http.http2MaxRequests).</summary>
    [Parameter]
    public int? MaxRequests { get; set; }

    /// <summary>5xx answers in a row that eject a host (outlierDetection.consecutive5xxErrors).</summary>
    [Parameter]
    public int? Consecutive5xxErrors { get; set; }

    /// <summary>502, 503 and 504 answers in a row that eject a host (outlierDetection.consecutiveGatewayErrors).</summary>
    [Parameter]
    public int? ConsecutiveGatewayErrors { get; set; }

    /// <summary>How often hosts are checked: an Istio duration ('5m') or a [TimeSpan].</summary>
    [Parameter]
    [MeshDurationTransformation]
    public MeshDuration? Interval { get; set; }

    /// <summary>How long an ejected host stays out, times the number of ejections: '15m' or a [TimeSpan].</summary>
    [Parameter]
    [MeshDurationTransformation]
    public MeshDuration? BaseEjectionTime { get; set; }

    /// <summary>The largest share of hosts that may be ejected at once, 0 to 100.</summary>
    [Parameter]
    public int? MaxEjectionPercent { get; set; }

    private CircuitBreakerOptions Options => new()
    {
        MaxConnections = MaxConnections, MaxRequestsPerConnection = MaxRequestsPerConnection, MaxPendingRequests = MaxPendingRequests,
        MaxRequests = MaxRequests, Consecutive5xxErrors = Consecutive5xxErrors, ConsecutiveGatewayErrors = ConsecutiveGatewayErrors,
        Interval = Interval, BaseEjectionTime = BaseEjectionTime, MaxEjectionPercent = MaxEjectionPercent,
    };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(CircuitBreakerBuilder.Validate(Options).Issues);

    protected override void Modify(DestinationRule resource) => CircuitBreakerBuilder.Apply(resource, Options);
}
