using System;
using System.Linq;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Simulation;

// long: ConvertTo-Json writes a long-based enum by name (PowerShell writes other enums as numbers).
public enum RequestOutcome : long
{
    /// <summary>The application answered.</summary>
    Delivered,

    /// <summary>A proxy answered by itself (404, 403, 502, 503, fault abort...).</summary>
    ProxyResponse,

    /// <summary>The connection was reset (e.g. plaintext into STRICT mTLS, TLS to a blocked host).</summary>
    ConnectionReset,

    /// <summary>Nothing listens (e.g. no Gateway server on the port).</summary>
    ConnectionRefused,

    /// <summary>The connection was accepted, then closed (TCP authorization deny).</summary>
    ConnectionClosed,

    /// <summary>The client's DNS lookup of the host failed, so nothing was sent (curl's exit code 6, Could not resolve host).</summary>
    HostNotResolved,

    /// <summary>No answer within the time allowed (live requests only: curl's exit code 28, an HTTP time-out).</summary>
    TimedOut,

    /// <summary>The TLS handshake failed (live requests only: curl's exit codes 35 and 60, an authentication failure).</summary>
    TlsError,
}

/// <summary>Who sends the request.</summary>
public sealed class RequestSource
{
    /// <summary>ingress, kubelet, or a pod.</summary>
    public required string Kind { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public string ServiceAccount { get; init; } = "default";

    public bool HasSidecar { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public WorkloadInfo? Workload { get; init; }

    public override string ToString() => Kind == "pod" ? $"{Namespace}/{Name}{(HasSidecar ? string.Empty : " (no sidecar)")}" : Kind;
}

/// <summary>The request: scheme says the protocol (http, https, tcp), host and port the destination.</summary>
public sealed class RequestSpec
{
    public required string Scheme { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    public string Path { get; init; } = "/";

    public string Query { get; init; } = string.Empty;

    public string Method { get; init; } = "GET";

    /// <summary>Request headers, names in lower case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The bearer token, decoded, when the request carries one that parses.</summary>
    public JwtPrincipal? Token { get; init; }

    /// <summary>True when the request carries a token, whether or not it parses.</summary>
    public bool HasToken { get; init; }

    /// <summary>The client's DNS resolves the host whatever the configuration says (Test-MeshRequest -AssumeResolved).</summary>
    public bool AssumeResolved { get; init; }

    /// <summary>The client certificate the request presents in a TLS handshake (Test-MeshRequest -ClientCertificate), or null for none.</summary>
    public ClientCertificate? ClientCertificate { get; init; }

    public bool IsHttp => Scheme == "http";

    /// <summary>The Host/:authority header (the URI host unless -Header Host says otherwise).</summary>
    public string Authority => Headers.TryGetValue("host", out var host) ? host : Host;

    public override string ToString() => $"{Method} {Scheme}://{Host}:{Port}{Path}";

    // The decisions already taken for this request object (DecisionPlans), per simulator and source.
#pragma warning disable SA1401, CA1051 // A field, for Interlocked: set once, by the simulator only.
    internal object? Plans;
#pragma warning restore SA1401, CA1051
}

/// <summary>
/// A client certificate a simulated request presents (Test-MeshRequest -ClientCertificate): its subject alternative
/// names (DNS names, URIs such as spiffe://..., e-mail addresses or IP addresses, as written) and its subject. Nothing
/// is signed or checked against a CA: the simulation takes it as trusted by the server's caCertificates and checks
/// only what Envoy's match_subject_alt_names checks, the SANs.
/// </summary>
public sealed record ClientCertificate(IReadOnlyList<string> SubjectAltNames, string? Subject = null)
{
    public override string ToString() =>
        $"{(Subject is null ? "a client certificate" : $"the client certificate {Subject}")}{(SubjectAltNames.Count == 0 ? " without SANs" : $" (SAN {string.Join(", ", SubjectAltNames)})")}";
}

/// <summary>One step of the request's way, in words: what decided, on which resource.</summary>
public sealed record SimulationStep(string Stage, string Detail, string? Resource = null)
{
    public override string ToString() => Resource is null ? $"{Stage}: {Detail}" : $"{Stage}: {Detail} [{Resource}]";
}

/// <summary>
/// The retry policy Envoy gets for a route, as Istio 1.17 converts a VirtualService's <c>retries</c>
/// (pilot/pkg/networking/core/v1alpha3/route/retry/retry.go): no <c>retries</c> is Istio's default (2 retries on
/// connect-failure, refused-stream, unavailable, cancelled and retriable status code 503); <c>attempts: 0</c> turns
/// retries off; otherwise the attempts, the per-try timeout and <c>retryOn</c> split into conditions and status codes.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Envoy's retry_on when the VirtualService gives no retryOn.</summary>
    public static readonly IReadOnlyList<string> DefaultRetryOn = ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"];

    /// <summary>Retries after the first try (0: none).</summary>
    public int Attempts { get; init; }

    /// <summary>The timeout of each try, when the route sets one.</summary>
    public TimeSpan? PerTryTimeout { get; init; }

    /// <summary>Envoy's retry conditions (5xx, gateway-error, connect-failure, ...).</summary>
    public IReadOnlyList<string> RetryOn { get; init; } = [];

    /// <summary>The HTTP status codes retried (with retriable-status-codes).</summary>
    public IReadOnlyList<int> RetriableStatusCodes { get; init; } = [];

    /// <summary>True when the route has no <c>retries</c> and Istio's default applies.</summary>
    public bool IsDefault { get; init; }

    /// <summary>The default policy Istio gives a route without <c>retries</c>.</summary>
    public static RetryPolicy Default { get; } = new() { Attempts = 2, RetryOn = DefaultRetryOn, RetriableStatusCodes = [503], IsDefault = true };

    /// <summary>No retries (<c>attempts: 0</c>).</summary>
    public static RetryPolicy None { get; } = new();

    public override string ToString()
    {
        if (IsDefault)
        {
            return $"default: {Attempts} retries on {string.Join(',', RetryOn)} ({string.Join(',', RetriableStatusCodes)})";
        }

        if (Attempts == 0)
        {
            return "none (attempts: 0)";
        }

        var timeout = PerTryTimeout is { } t ? $", {MeshDuration.FromTimeSpan(t)} per try" : string.Empty;
        var codes = RetriableStatusCodes.Count > 0 ? $" ({string.Join(',', RetriableStatusCodes)})" : string.Empty;
        return $"{Attempts} attempt(s){timeout}, retry on {string.Join(',', RetryOn)}{codes}";
    }
}

/// <summary>A mirrored copy: fire-and-forget, its answer discarded.</summary>
public sealed record MirrorCopy(string Cluster, string Host, double Percentage);

/// <summary>The authorization decision at the server (or gateway) and what decided it.</summary>
public sealed record AuthorizationDecision(string Decision, string? Policy, int? Rule, string? Action)
{
    public override string ToString() => Policy is null ? Decision : $"{Decision} by {Policy}{(Rule is null ? string.Empty : $" rule[{Rule}]")}";
}

/// <summary>What happens to one request: the outcome and every decision on its way.</summary>
/// <remarks>
/// A simulator makes one per first-time decision, so its fields are kept few: the source and request are the objects
/// until their text is read, the explanation is the simulator (with the decision's draws) until its steps are read,
/// optional numbers are stored without a nullable's flag, and what only a live answer has is kept apart.
/// </remarks>
public sealed class RequestResult
{
    // An optional number's absence (no HTTP status, port or delay is this).
    private const int NoNumber = int.MinValue;

    private const long NoTicks = long.MinValue;

    // The source and request: their text, or for a simulator's result the RequestSource and RequestSpec themselves.
    private object? source;

    private object? request;

    // The steps: written (a list), or a simulated result's explanation until it is asked for, which replays the same
    // decisions with their steps written out (RequestSimulator.Explain): the simulator, the draws packed in
    // packedDraws, or a PendingExplanation with draws that do not pack.
    private object? explanation;

    private long packedDraws;

    private int status = NoNumber;

    private int destinationPort = NoNumber;

    private long injectedDelayTicks = NoTicks;

    private object? mirrors;

    private LiveAnswer? live;

    /// <summary>A simulator's result: the source's and request's text are written when first read.</summary>
    internal static RequestResult Simulated(RequestSource source, RequestSpec request) =>
        new() { Source = null!, Request = null!, source = source, request = request };

    public required string Source { get => source as string ?? source?.ToString() ?? string.Empty; init => source = value; }

    public required string Request { get => request as string ?? request?.ToString() ?? string.Empty; init => request = value; }

    public RequestOutcome Outcome { get; set; }

    /// <summary>The HTTP status the caller sees (none for resets and TCP).</summary>
    public int? Status { get => status == NoNumber ? null : status; set => status = value ?? NoNumber; }

    /// <summary>Envoy's response flag (NR, NC, UH, FI, DI, UC, ...).</summary>
    public string? ResponseFlag { get; set; }

    /// <summary>The body a proxy answers with ('RBAC: access denied', 'no healthy upstream', 'fault filter abort'...).</summary>
    public string? Body { get; set; }

    public string? Gateway { get; set; }

    public string? VirtualService { get; set; }

    /// <summary>The matched HTTP route (index, and name when it has one).</summary>
    public string? Route { get; set; }

    /// <summary>The Envoy cluster: outbound|port|subset|host.</summary>
    public string? Cluster { get; set; }

    public string? DestinationService { get; set; }

    public string? Subset { get; set; }

    public int? DestinationPort { get => destinationPort == NoNumber ? null : destinationPort; set => destinationPort = value ?? NoNumber; }

    /// <summary>The workload whose pod answered.</summary>
    public string? Endpoint { get; set; }

    public TimeSpan? InjectedDelay
    {
        get => injectedDelayTicks == NoTicks ? null : TimeSpan.FromTicks(injectedDelayTicks);
        set => injectedDelayTicks = value?.Ticks ?? NoTicks;
    }

    /// <summary>The matched route's retry policy (attempts, per-try timeout, conditions), or null when no route was matched.</summary>
    public RetryPolicy? RetryPolicy { get; set; }

    /// <summary>The mirrored copies the route sends (made when first read or added to).</summary>
    public List<MirrorCopy> Mirrors
    {
        get
        {
            switch (mirrors)
            {
                case List<MirrorCopy> list:
                    return list;
                case MirrorCopy one:
                    List<MirrorCopy> made = [one];
                    mirrors = made;
                    return made;
                default:
                    List<MirrorCopy> none = [];
                    mirrors = none;
                    return none;
            }
        }
    }

    public AuthorizationDecision? Authorization { get; set; }

    /// <summary>The TLS on the wire between the last proxy (or client) and the server: ISTIO_MUTUAL, SIMPLE or plaintext.</summary>
    public string? ClientTls { get; set; }

    /// <summary>
    /// The server sidecar's inbound cluster: inbound|PORT|| for a port of its Services or of its Sidecar's ingress
    /// listeners, InboundPassthroughClusterIpv4 for a port its Sidecar's ingress listeners leave out.
    /// </summary>
    public string? InboundCluster { get; set; }

    /// <summary>The server's effective PeerAuthentication mode for the port.</summary>
    public string? ServerMtlsMode { get; set; }

    /// <summary>The client's SPIFFE ID as the server sees it (mTLS only).</summary>
    public string? PeerPrincipal { get; set; }

    /// <summary>The SPIFFE ID of the server's certificate (mTLS only).</summary>
    public string? ServerIdentity { get; set; }

    /// <summary>iss/sub of a verified JWT.</summary>
    public string? RequestPrincipal { get; set; }

    /// <summary>True for an answer of the mesh itself (Invoke-LabRequest); false for a simulation (Test-MeshRequest).</summary>
    public bool Live { get => live?.Live ?? false; set => Answer.Live = value; }

    /// <summary>The response headers, names in lower case (live requests only).</summary>
    public IReadOnlyDictionary<string, string>? ResponseHeaders { get => live?.ResponseHeaders; set => Answer.ResponseHeaders = value; }

    /// <summary>How long the request took (live requests only: curl's time_total, or this machine's clock).</summary>
    public TimeSpan? Duration { get => live?.Duration; set => Answer.Duration = value; }

    /// <summary>The pod that answered, where the application says it (the guestbook message service's hostname).</summary>
    public string? AnsweringPod { get => live?.AnsweringPod; set => Answer.AnsweringPod = value; }

    /// <summary>The application's version, where it says it (the message service's version: 1.0, 2.0).</summary>
    public string? AnsweringVersion { get => live?.AnsweringVersion; set => Answer.AnsweringVersion = value; }

    private LiveAnswer Answer => live ??= new();

    /// <summary>
    /// Every decision on the request's way, in order. A simulated result writes them out the first time they are
    /// read, by replaying its decisions (a decision taken without being explained costs no text).
    /// </summary>
    public List<SimulationStep> Steps
    {
        get
        {
            var known = System.Threading.Volatile.Read(ref explanation);
            if (known is List<SimulationStep> written)
            {
                return written;
            }

            var made = known switch
            {
                RequestSimulator simulator => simulator.Explain((RequestSource)source!, (RequestSpec)request!, PackedDraws.Unpack(packedDraws)),
                PendingExplanation pending => pending.Simulator.Explain((RequestSource)source!, (RequestSpec)request!, pending.Draws),
                _ => [],
            };
            var prior = System.Threading.Interlocked.CompareExchange(ref explanation, made, known);
            return ReferenceEquals(prior, known) ? made : (List<SimulationStep>)prior!;
        }
    }

    /// <summary>True while steps are written as the simulation goes; false while a decision is taken unexplained.</summary>
    internal bool Explaining { get; set; } = true;

    /// <summary>Adds a step (while explaining): its text is formatted only then.</summary>
    internal void Step(string stage, [InterpolatedStringHandlerArgument("")] ref StepText detail, string? resource = null)
    {
        if (Explaining)
        {
            WrittenSteps.Add(new(stage, detail.Take()!, resource));
        }
    }

    /// <summary>Adds a step about a resource (while explaining): its text and the resource's name are written only then.</summary>
    internal void Step(string stage, [InterpolatedStringHandlerArgument("")] ref StepText detail, LabResource? resource)
    {
        if (Explaining)
        {
            WrittenSteps.Add(new(stage, detail.Take()!, resource?.DisplayName));
        }
    }

    /// <summary>Adds a step about a workload (while explaining).</summary>
    internal void Step(string stage, [InterpolatedStringHandlerArgument("")] ref StepText detail, WorkloadInfo? resource)
    {
        if (Explaining)
        {
            WrittenSteps.Add(new(stage, detail.Take()!, resource?.DisplayName));
        }
    }

    /// <summary>Adds a step about a service (while explaining).</summary>
    internal void Step(string stage, [InterpolatedStringHandlerArgument("")] ref StepText detail, ServiceInfo? resource)
    {
        if (Explaining)
        {
            WrittenSteps.Add(new(stage, detail.Take()!, resource?.DisplayName));
        }
    }

    /// <summary>Adds a step whose text is made already (while explaining).</summary>
    internal void Step(string stage, string detail, string? resource = null)
    {
        if (Explaining)
        {
            WrittenSteps.Add(new(stage, detail, resource));
        }
    }

    /// <summary>Adds a step made already (while explaining).</summary>
    internal void Step(SimulationStep step)
    {
        if (Explaining)
        {
            WrittenSteps.Add(step);
        }
    }

    /// <summary>Adds steps made already (while explaining).</summary>
    internal void Step(IEnumerable<SimulationStep> made)
    {
        if (Explaining)
        {
            WrittenSteps.AddRange(made);
        }
    }

    /// <summary>The steps written so far (the simulator's own view while it explains; an explanation not yet written is written first).</summary>
    internal List<SimulationStep> WrittenSteps => explanation is null ? (List<SimulationStep>)(explanation = new List<SimulationStep>()) : Steps;

    /// <summary>Marks an unexplained result: its steps are written when read, by replaying its draws (packed, else <paramref name="unpacked"/>).</summary>
    internal void ExplainLater(RequestSimulator simulator, long packed, double[]? unpacked)
    {
        Explaining = true;
        explanation = unpacked is null ? simulator : new PendingExplanation(simulator, unpacked);
        packedDraws = packed;
    }

    /// <summary>Adds a mirrored copy (one is kept without a list until the list is read).</summary>
    internal void AddMirror(MirrorCopy copy)
    {
        if (mirrors is null)
        {
            mirrors = copy;
        }
        else
        {
            Mirrors.Add(copy);
        }
    }

    // An explanation whose draws do not pack into a long.
    private sealed record PendingExplanation(RequestSimulator Simulator, double[] Draws);

    // What only an answer of the mesh itself has.
    private sealed class LiveAnswer
    {
        public bool Live { get; set; }

        public IReadOnlyDictionary<string, string>? ResponseHeaders { get; set; }

        public TimeSpan? Duration { get; set; }

        public string? AnsweringPod { get; set; }

        public string? AnsweringVersion { get; set; }
    }

    public string Explanation => string.Join(Environment.NewLine, Steps);

    public override string ToString() => Outcome switch
    {
        RequestOutcome.Delivered => $"{Status} from {Endpoint ?? AnsweringPod ?? "the application"}",
        RequestOutcome.ProxyResponse => $"{Status} {ResponseFlag} {Body}".Trim(),
        RequestOutcome.HostNotResolved => "could not resolve host",
        _ => Outcome.ToString(),
    };
}

/// <summary>The spread of outcomes over many requests (-Count).</summary>
/// <summary>The requests of a sample that ended the same way: outcome, status, response flag, body and destination.</summary>
public sealed record RequestSampleGroup(RequestOutcome Outcome, int? Status, string? Destination, int Count, double Fraction)
{
    /// <summary>Envoy's response flag (UF, UH, FI, NR, ...) when a proxy answered.</summary>
    public string? ResponseFlag { get; init; }

    /// <summary>The body a proxy answered with (fault aborts, RBAC: access denied, ...).</summary>
    public string? Body { get; init; }

    public override string ToString() =>
        string.Join(' ', new object?[] { Fraction.ToString("P1", System.Globalization.CultureInfo.InvariantCulture), Outcome, Status, ResponseFlag, Destination }.Where(v => v is not null));
}

public sealed class RequestSample
{
    public required string Source { get; init; }

    public required string Request { get; init; }

    public required int Count { get; init; }

    /// <summary>The groups of requests that ended the same way, largest first.</summary>
    public required IReadOnlyList<RequestSampleGroup> Outcomes { get; init; }

    /// <summary>The same as <see cref="Outcomes"/> (its name before 0.2.0).</summary>
    public IReadOnlyList<RequestSampleGroup> Groups => Outcomes;

    /// <summary>The share of requests answered by a destination ('ui/v2', 'ui') or with a status.</summary>
    public double FractionTo(string destination) => Outcomes.Where(g => g.Destination == destination).Sum(g => g.Fraction);

    public double FractionWithStatus(int status) => Outcomes.Where(g => g.Status == status).Sum(g => g.Fraction);
}
