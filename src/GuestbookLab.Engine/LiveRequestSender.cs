using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Engine;

/// <summary>What Invoke-LabRequest (and Compare-MeshRequest) asks to send, and from where.</summary>
public sealed record LiveRequestOptions
{
    /// <summary>ingress, namespace/pod, or a workload name.</summary>
    public required string From { get; init; }

    /// <summary>The request, as Test-MeshRequest takes it (Count is how many to send).</summary>
    public required RequestOptions Request { get; init; }

    /// <summary>The connection's namespace, for a source without one.</summary>
    public string DefaultNamespace { get; init; } = "default";

    /// <summary>What the connection is, for the error that says exec needs a cluster.</summary>
    public string Connection { get; init; } = "a manifest folder";

    /// <summary>HOST or HOST:PORT of the ingress gateway; by default istio-ingressgateway's load-balancer address.</summary>
    public string? IngressAddress { get; init; }

    /// <summary>The container curl runs in; by default the pod's application container.</summary>
    public string? Container { get; init; }

    /// <summary>How long each request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool SkipCertificateCheck { get; init; }

    /// <summary>How long a client pod started for a workload without curl may take to run.</summary>
    public TimeSpan ClientPodTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A live request that could not be sent, with the ErrorId the module's error factory files it under; Target names
/// the source (or the object a failed call was about). A failed call to the API server keeps its exception as the
/// inner exception (ApiStatusException, HttpRequestException). Terminating says whether the command should end.
/// </summary>
public sealed class LiveRequestException : Exception
{
    public LiveRequestException(string errorId, string message, string target, bool terminating = true, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Target = target;
        Terminating = terminating;
    }

    public LiveRequestException()
        : this(ErrorIds.RequestFailed, "the request could not be sent", string.Empty)
    {
    }

    public LiveRequestException(string message)
        : this(ErrorIds.RequestFailed, message, string.Empty)
    {
    }

    public LiveRequestException(string message, Exception innerException)
        : this(ErrorIds.RequestFailed, message, string.Empty, true, innerException)
    {
    }

    public string ErrorId { get; }

    public string Target { get; }

    public bool Terminating { get; }

    /// <summary>Whether this is a failed call to the target (the inner exception says how), not a refusal of the sender's own.</summary>
    public bool FromTarget => InnerException is ApiStatusException or System.Net.Http.HttpRequestException;
}

/// <summary>Where a sender reports as it goes (the cmdlet shows it on its streams, from the pipeline thread).</summary>
public interface ILiveRequestReport
{
    void Verbose(string message);

    void Warning(string message);

    /// <summary>How many of how many requests have been sent (only for more than one); sent == count when done.</summary>
    void Progress(int sent, int count);

    /// <summary>One request failed in a way that is no outcome (curl's own failures); the others go on.</summary>
    void Error(LiveRequestException error);
}

/// <summary>What was sent: the request as built, each answer, and the pod that sent them (when it is not the one asked for, the client pod that stood in).</summary>
public sealed record LiveRequestRun(RequestSpec Request, IReadOnlyList<RequestResult> Results, string Sender, string? InPlaceOf);

/// <summary>
/// Sends a request for real (Invoke-LabRequest, Compare-MeshRequest): from the ingress over HTTP(S) from this machine,
/// or by curl exec'd in a pod, each answer a live RequestResult. A workload whose container has no curl is sent from
/// its namespace's curl client pod instead (started if missing, left for reuse), with a warning.
/// </summary>
public sealed class LiveRequestSender(ILabTarget target, ILiveRequestReport report)
{
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet"];

    /// <summary>Sends options.Request.Count requests, one after the other.</summary>
    public async Task<LiveRequestRun> SendAsync(LiveRequestOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var spec = RequestBuilder.Build(options.Request, _ => null);
        var from = options.From.Trim();
        if (spec.Scheme == "tcp")
        {
            throw new LiveRequestException(ErrorIds.InvalidUri, $"-Uri: '{options.Request.Uri}' is a TCP request: Invoke-LabRequest sends http:// and https:// requests only (Test-MeshRequest predicts tcp://)", options.Request.Uri);
        }

        if (from.Equals("kubelet", StringComparison.OrdinalIgnoreCase))
        {
            throw new LiveRequestException(ErrorIds.InvalidSource, "-From: the kubelet's probes cannot be sent live: give ingress, namespace/pod or a workload", from);
        }

        Func<CancellationToken, Task<RequestResult?>> send;
        string sender;
        string? inPlaceOf = null;
        if (from.Equals("ingress", StringComparison.OrdinalIgnoreCase))
        {
            var (host, port) = await IngressEndpointAsync(options, spec.Port, cancellationToken).ConfigureAwait(false);
            sender = "ingress";
            send = token => SendFromIngressAsync(options, spec, host, port, token);
        }
        else
        {
            if (target is not IExecTarget exec)
            {
                throw new LiveRequestException(ErrorIds.ExecNotAvailable, LiveMessages.ExecNotAvailable(options.Connection), from);
            }

            var (ns, pod, direct) = await SourcePodAsync(options, cancellationToken).ConfigureAwait(false);
            var container = Container(pod, options.Container, $"{ns}/{pod.Name}");
            var inPod = new PodSender(exec, ns, pod.Name, container);
            var first = await inPod.RunAsync(options, cancellationToken).ConfigureAwait(false);
            if (!direct && options.Container is null && IsMissingBinary(first))
            {
                report.Warning(LiveMessages.ClientPodFallback($"{ns}/{pod.Name}", container, $"{ns}/curl"));
                inPlaceOf = inPod.Source;
                var client = await ClientPods.EnsureCurlAsync(target, ns, options.ClientPodTimeout, report.Verbose, cancellationToken).ConfigureAwait(false);
                inPod = new PodSender(exec, ns, client.Name, Container(client, "curl", $"{ns}/{client.Name}"));
                first = null;
            }

            sender = inPod.Source;
            var pending = first;
            send = async token =>
            {
                var ran = pending ?? await inPod.RunAsync(options, token).ConfigureAwait(false);
                pending = null;
                return Answer(inPod, ran, spec, inPlaceOf);
            };
        }

        var count = options.Request.Count;
        var results = new List<RequestResult>();
        for (var i = 0; i < count; i++)
        {
            if (count > 1)
            {
                report.Progress(i, count);
            }

            if (await send(cancellationToken).ConfigureAwait(false) is { } result)
            {
                results.Add(result);
            }
        }

        if (count > 1)
        {
            report.Progress(count, count);
        }

        return new(spec, results, sender, inPlaceOf);
    }

    /// <summary>A command the container cannot start: the runtime's 'executable file not found', or a shell's 126/127.</summary>
    public static bool IsMissingBinary(ExecResult ran)
    {
        ArgumentNullException.ThrowIfNull(ran);
        return ran.ExitCode is 126 or 127
            || (ran.ExitCode is null && ran.Failure is { } failure && (failure.Contains("executable file not found", StringComparison.OrdinalIgnoreCase) || failure.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase)));
    }

    private static string Container(LabResource pod, string? requested, string source)
    {
        var (container, _, problem) = ExecPlan.Container(pod, requested);
        return container ?? throw new LiveRequestException(ErrorIds.ContainerNotFound, problem ?? string.Empty, source);
    }

    private static async Task<RequestResult?> SendFromIngressAsync(LiveRequestOptions options, RequestSpec spec, string host, int port, CancellationToken cancellationToken)
    {
        var headers = options.Request.Headers.Concat(options.Request.Token is { } token ? [new KeyValuePair<string, string>("Authorization", $"Bearer {token}")] : []).ToList();
        var uri = new Uri(options.Request.Uri, UriKind.Absolute);
        var exchange = await IngressRequest.SendAsync(uri, spec.Method, headers, host, port, options.Timeout, options.SkipCertificateCheck, cancellationToken).ConfigureAwait(false);
        var how = $"sent from this machine to the ingress {host}:{port.ToString(CultureInfo.InvariantCulture)} with Host {spec.Authority}";
        var failure = LiveRequest.FromTransport(exchange.Failure) is { } outcome ? (outcome, exchange.Error ?? outcome.ToString()) : ((RequestOutcome, string)?)null;
        return LiveRequest.Result("ingress", spec.ToString(), how, exchange.Status, exchange.Headers, exchange.Body, exchange.Elapsed, failure);
    }

    private RequestResult? Answer(PodSender pod, ExecResult ran, RequestSpec spec, string? inPlaceOf)
    {
        var source = pod.Source;
        var how = $"curl in {source} (container {pod.Container}){(inPlaceOf is null ? string.Empty : $", in place of {inPlaceOf}, which has no curl")}";
        if (ran.ExitCode is not { } exit || IsMissingBinary(ran))
        {
            throw new LiveRequestException(ErrorIds.RequestFailed, LiveMessages.CurlMissing(source, pod.Container, ran.Failure ?? string.Join(" ", ran.ErrorLines)), source);
        }

        var answer = LiveRequest.ParseCurl(ran.StandardOutput);
        if (exit == 0 && answer.Status is not null)
        {
            return LiveRequest.Result(source, spec.ToString(), how, answer.Status, answer.Headers, answer.Body, answer.Duration ?? ran.Elapsed, null);
        }

        if (LiveRequest.FromCurlExit(exit) is { } mapped)
        {
            var error = string.Join(" ", ran.ErrorLines);
            return LiveRequest.Result(source, spec.ToString(), how, null, null, null, answer.Duration ?? ran.Elapsed, (mapped.Outcome, $"curl exit code {exit.ToString(CultureInfo.InvariantCulture)}, {mapped.Meaning}{(error.Length > 0 ? $" ({error})" : string.Empty)}"));
        }

        report.Error(new LiveRequestException(ErrorIds.RequestFailed, LiveMessages.CurlFailed(spec.ToString(), exit, string.Join(" ", ran.ErrorLines)), source, terminating: false));
        return null;
    }

    // -IngressAddress, else the load balancer of istio-ingressgateway (as Get-LabIngressAddress reads it), with the URI's port.
    private async Task<(string Host, int Port)> IngressEndpointAsync(LiveRequestOptions options, int uriPort, CancellationToken cancellationToken)
    {
        if (options.IngressAddress is { Length: > 0 } given)
        {
            var colon = given.LastIndexOf(':');
            if (colon > 0 && given.IndexOf(']', StringComparison.Ordinal) < colon && int.TryParse(given[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && given.Count(c => c == ':') == 1)
            {
                return (given[..colon], port);
            }

            return (given.Trim('[', ']'), uriPort);
        }

        var services = await CallAsync(target.ListAsync("Service", "istio-system", "istio-ingressgateway", null, cancellationToken), "Service istio-system/istio-ingressgateway").ConfigureAwait(false);
        var (hostname, ip) = services.Count > 0 ? LoadBalancerStatus.Address(services[0]) : (null, null);
        return (hostname ?? ip) is { } address ? (address, uriPort) : throw new LiveRequestException(ErrorIds.IngressAddressUnknown, LiveMessages.IngressAddressUnknown, options.From);
    }

    // namespace/pod or a workload: the pod of that name (Direct), else a ready pod of the workload of that name, else of app=NAME.
    private async Task<(string Namespace, LabResource Pod, bool Direct)> SourcePodAsync(LiveRequestOptions options, CancellationToken cancellationToken)
    {
        var text = options.From.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? options.DefaultNamespace : text[..slash];
        var name = slash < 0 ? text : text[(slash + 1)..];
        var pods = await CallAsync(target.ListAsync("Pod", ns, name, null, cancellationToken), $"Pod {ns}/{name}").ConfigureAwait(false);
        var direct = pods.Count > 0;
        if (pods.Count == 0)
        {
            foreach (var kind in WorkloadKinds)
            {
                var workloads = await CallAsync(target.ListAsync(kind, ns, name, null, cancellationToken), $"{kind} {ns}/{name}").ConfigureAwait(false);
                if (workloads.Count > 0 && workloads[0] is Workload { Spec.Selector.MatchLabels: { Count: > 0 } labels })
                {
                    pods = await CallAsync(target.ListAsync("Pod", ns, null, LabelQuery.FromLabels(labels), cancellationToken), $"{kind} {ns}/{name}").ConfigureAwait(false);
                    break;
                }
            }
        }

        if (pods.Count == 0)
        {
            pods = await CallAsync(target.ListAsync("Pod", ns, null, LabelQuery.FromLabels(new Dictionary<string, string> { ["app"] = name }), cancellationToken), $"Pod {ns}/app={name}").ConfigureAwait(false);
        }

        var now = DateTimeOffset.UtcNow;
        var chosen = pods.OrderBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(p => Readiness.Pod(p, p.Name, now) is { Done: true, Failure: null })
            ?? pods.FirstOrDefault(p => ExecPlan.Refusal(p) is null);
        if (chosen is null)
        {
            throw new LiveRequestException(ErrorIds.ResourceNotFound, LiveMessages.NoSourcePod(options.From, pods.Count == 0
                ? $"no pod {name}, no workload {name} and no pod labelled app={name} in namespace {ns} (Start-LabClientPod curl makes a client pod)"
                : $"no pod of {name} in namespace {ns} is running"), options.From);
        }

        report.Verbose($"Sending from pod {ns}/{chosen.Name}.");
        if (ExecPlan.Container(chosen, options.Container).Notice is { } notice)
        {
            report.Verbose(notice);
        }

        return (ns, chosen, direct);
    }

    internal static async Task<T> CallAsync<T>(Task<T> call, string what)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            throw new LiveRequestException(ErrorIds.RequestFailed, ex.Message, what, true, ex);
        }
    }

    // curl in one container of one pod.
    private sealed class PodSender(IExecTarget exec, string ns, string pod, string container)
    {
        public string Container => container;

        public string Name => pod;

        public string Source => $"{ns}/{pod}";

        public Task<ExecResult> RunAsync(LiveRequestOptions options, CancellationToken cancellationToken) =>
            CallAsync(exec.ExecAsync(ns, pod, container, LiveRequest.CurlCommand(options.Request, options.Timeout, options.SkipCertificateCheck), null, null, cancellationToken), $"Pod {ns}/{pod}");
    }
}
