using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Simulation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Live;

/// <summary>Sends a request for real, from the ingress or from a pod, and says what the mesh did, in Test-MeshRequest's terms.</summary>
/// <remarks>
/// Takes Test-MeshRequest's request parameters (-From, -Uri, -Method, -Header, -Token, -Count) and returns the same
/// type (RequestResult, or RequestSample with -Count), with Live set, the response headers, the time taken and, where
/// the application says it, the pod and version that answered (the guestbook message service names its hostname and
/// version).
///
/// -From ingress sends from this machine over HTTP(S) to the ingress address (-IngressAddress HOST[:PORT], else the
/// load-balancer address of the Service istio-system/istio-ingressgateway, as Get-LabIngressAddress reads it) with the
/// URI's host as the Host header and TLS server name, as curl -H "Host: ..." $INGRESS_IP does. Socket and TLS errors
/// become outcomes: ConnectionRefused, ConnectionReset, ConnectionClosed, TimedOut, TlsError, HostNotResolved.
///
/// -From namespace/pod, or a workload (ui: a ready pod of the Deployment, StatefulSet or DaemonSet of that name, else
/// a pod labelled app=ui, in the connection's namespace) runs curl in the pod's application container (kubectl exec
/// POD -- curl ...; -Container picks another) and maps curl's exit code: 6 HostNotResolved, 7 ConnectionRefused,
/// 28 TimedOut, 35 and 60 TlsError, 52 ConnectionClosed, 55 and 56 ConnectionReset, 0 an HTTP answer. An HTTP answer is
/// ProxyResponse when Envoy answered by itself (server: envoy or istio-envoy without x-envoy-upstream-service-time),
/// else Delivered. A pod without curl is the error RequestFailed: send from a client pod (Start-LabClientPod curl).
/// tcp:// requests are not sent live. -Timeout bounds each request (10 seconds).
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// $r = Invoke-LabRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress 127.0.0.1:9 -Timeout 2s
/// $r.Outcome</code>
/// <para>From this machine to an ingress address where nothing listens: ConnectionRefused. With the codelab's INGRESS_IP
/// the same command returns the gateway's answer.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Invoke-LabRequest -From default/curl -Uri http://message-service/hello/test -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, curl runs in the curl pod and the result names the message-service pod and version that
/// answered; a manifest folder runs nothing and says ExecNotAvailable.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "LabRequest")]
[OutputType(typeof(RequestResult), typeof(RequestSample))]
public sealed class InvokeLabRequestCommand : TargetCmdlet
{
    /// <summary>Who sends: ingress (this machine, through the ingress gateway), namespace/pod, or a workload name (ui).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(SourceCompleter))]
    public string From { get; set; } = null!;

    /// <summary>The request: http://host[:port]/path or https://host[:port]/path.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Uri { get; set; } = null!;

    /// <summary>The HTTP method.</summary>
    [Parameter]
    public string Method { get; set; } = "GET";

    /// <summary>Request headers, e.g. @{ 'user-agent' = 'Mozilla/5.0 Chrome/120' }; Host overrides the URI's host.</summary>
    [Parameter]
    public IDictionary? Header { get; set; }

    /// <summary>A JWT sent as 'Authorization: Bearer TOKEN'.</summary>
    [Parameter]
    public string? Token { get; set; }

    /// <summary>How many requests to send; more than one returns their spread, grouped as Test-MeshRequest -Count groups.</summary>
    [Parameter]
    public int Count { get; set; } = 1;

    /// <summary>The ingress gateway's address, HOST or HOST:PORT (by default the istio-ingressgateway Service's load-balancer address and the URI's port).</summary>
    [Parameter]
    public string? IngressAddress { get; set; }

    /// <summary>The container curl runs in (by default the pod's application container, as kubectl exec chooses it).</summary>
    [Parameter]
    public string? Container { get; set; }

    /// <summary>How long each request may take: a duration (5s, 1m), a TimeSpan or seconds; 10 seconds when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Accepts any server certificate (curl -k).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    protected override void ProcessRecord()
    {
        var options = new RequestOptions { Uri = Uri, Method = Method, Headers = Binding.Pairs(Header), Token = Token, Count = Count };
        ThrowIfInvalid(RequestBuilder.Validate(options), options.Count < 1 ? Count : Uri);
        var sender = new LiveRequestSender(this, From, options, IngressAddress, Container, Timeout, SkipCertificateCheck);
        var results = sender.SendAll();
        if (Count == 1)
        {
            if (results.Count == 1)
            {
                WriteObject(results[0]);
            }
        }
        else if (results.Count > 0)
        {
            WriteObject(RequestSampler.Group(results));
        }
    }
}

/// <summary>
/// Sends a request for real on behalf of a cmdlet (Invoke-LabRequest, Compare-MeshRequest): from the ingress over HTTP
/// from this machine, or by curl exec'd in a pod; each answer becomes a live RequestResult.
/// </summary>
internal sealed class LiveRequestSender(TargetCmdlet cmdlet, string from, RequestOptions options, string? ingressAddress, string? containerName, TimeSpan timeout, bool skipCertificateCheck)
{
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet"];

    private string From => from;

    private System.Threading.CancellationToken CancellationToken => cmdlet.Cancellation;

    /// <summary>Sends options.Count requests, one after the other, with a progress bar for more than one.</summary>
    public List<RequestResult> SendAll()
    {
        var send = Prepare(out var spec);
        var count = options.Count;
        var results = new List<RequestResult>();
        var progress = new ProgressRecord(1, $"Sending {spec} from {From}", "starting");
        for (var i = 0; i < count; i++)
        {
            if (count > 1)
            {
                progress.StatusDescription = $"{i.ToString(CultureInfo.InvariantCulture)} of {count.ToString(CultureInfo.InvariantCulture)} sent";
                progress.PercentComplete = i * 100 / count;
                cmdlet.WriteProgress(progress);
            }

            if (send() is { } result)
            {
                results.Add(result);
            }
        }

        if (count > 1)
        {
            progress.RecordType = ProgressRecordType.Completed;
            cmdlet.WriteProgress(progress);
        }

        return results;
    }

    private Func<RequestResult?> Prepare(out RequestSpec spec)
    {
        var token = options.Token;
        spec = RequestBuilder.Build(options, _ => null);
        var request = spec;
        if (request.Scheme == "tcp")
        {
            cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidUri, Messages.ForParameter("-Uri", $"'{options.Uri}' is a TCP request: Invoke-LabRequest sends http:// and https:// requests only (Test-MeshRequest predicts tcp://)"), options.Uri));
        }

        var (connection, target) = cmdlet.OpenTarget();
        Func<RequestResult?> send;
        if (From.Trim().Equals("ingress", StringComparison.OrdinalIgnoreCase))
        {
            var (host, port) = IngressEndpoint(target, request.Port);
            var uri = new System.Uri(options.Uri, UriKind.Absolute);
            send = () =>
            {
                var exchange = cmdlet.AwaitTask(IngressRequest.SendAsync(uri, request.Method, options.Headers.Concat(token is null ? [] : [new KeyValuePair<string, string>("Authorization", $"Bearer {token}")]).ToList(), host, port, timeout, skipCertificateCheck, CancellationToken));
                var how = $"sent from this machine to the ingress {host}:{port.ToString(CultureInfo.InvariantCulture)} with Host {request.Authority}";
                var failure = LiveRequest.FromTransport(exchange.Failure) is { } outcome ? (outcome, exchange.Error ?? outcome.ToString()) : ((RequestOutcome, string)?)null;
                return LiveRequest.Result("ingress", request.ToString(), how, exchange.Status, exchange.Headers, exchange.Body, exchange.Elapsed, failure);
            };
        }
        else if (From.Trim().Equals("kubelet", StringComparison.OrdinalIgnoreCase))
        {
            cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.InvalidSource, Messages.ForParameter("-From", "the kubelet's probes cannot be sent live: give ingress, namespace/pod or a workload"), From));
            return () => null;
        }
        else
        {
            if (target is not IExecTarget exec)
            {
                cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.ExecNotAvailable, Messages.ExecNotAvailable(connection.ToString()), From));
                return () => null;
            }

            var (ns, pod) = SourcePod(target, connection.DefaultNamespace);
            var (container, notice, problem) = ExecPlan.Container(pod, containerName);
            if (container is null)
            {
                cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.ContainerNotFound, problem ?? string.Empty, $"{ns}/{pod.Name}"));
                return () => null;
            }

            if (notice is not null)
            {
                cmdlet.WriteVerbose(notice);
            }

            var command = LiveRequest.CurlCommand(options, timeout, skipCertificateCheck);
            var source = $"{ns}/{pod.Name}";
            send = () =>
            {
                ExecResult ran;
                try
                {
                    ran = cmdlet.AwaitTask(exec.ExecAsync(ns, pod.Name, container, command, null, null, CancellationToken));
                }
                catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
                {
                    cmdlet.ThrowTerminatingError(LabErrors.FromTarget(ex, $"Pod {source}"));
                    return null;
                }

                var how = $"curl in {source} (container {container})";
                if (ran.ExitCode is null or 126 or 127)
                {
                    cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.RequestFailed, Messages.CurlMissing(source, container, ran.Failure ?? string.Join(" ", ran.ErrorLines)), source));
                    return null;
                }

                var exit = ran.ExitCode.Value;
                var answer = LiveRequest.ParseCurl(ran.StandardOutput);
                if (exit == 0 && answer.Status is not null)
                {
                    return LiveRequest.Result(source, request.ToString(), how, answer.Status, answer.Headers, answer.Body, answer.Duration ?? ran.Elapsed, null);
                }

                if (LiveRequest.FromCurlExit(exit) is { } mapped)
                {
                    var error = string.Join(" ", ran.ErrorLines);
                    return LiveRequest.Result(source, request.ToString(), how, null, null, null, answer.Duration ?? ran.Elapsed, (mapped.Outcome, $"curl exit code {exit.ToString(CultureInfo.InvariantCulture)}, {mapped.Meaning}{(error.Length > 0 ? $" ({error})" : string.Empty)}"));
                }

                cmdlet.WriteError(LabErrors.Create(ErrorIds.RequestFailed, Messages.CurlFailed(request.ToString(), exit, string.Join(" ", ran.ErrorLines)), source));
                return null;
            };
        }

        return send;
    }

    // -IngressAddress, else the load balancer of istio-ingressgateway (as Get-LabIngressAddress reads it), with the URI's port.
    private (string Host, int Port) IngressEndpoint(ILabTarget target, int uriPort)
    {
        if (ingressAddress is { Length: > 0 } given)
        {
            var colon = given.LastIndexOf(':');
            if (colon > 0 && given.IndexOf(']', StringComparison.Ordinal) < colon && int.TryParse(given[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && given.Count(c => c == ':') == 1)
            {
                return (given[..colon], port);
            }

            return (given.Trim('[', ']'), uriPort);
        }

        var services = cmdlet.CallTarget(target.ListAsync("Service", "istio-system", "istio-ingressgateway", null, CancellationToken), "Service istio-system/istio-ingressgateway");
        var (hostname, ip) = services.Count > 0 ? LoadBalancerStatus.Address(services[0]) : (null, null);
        if ((hostname ?? ip) is not { } address)
        {
            cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.IngressAddressUnknown, Messages.IngressAddressUnknown, From));
            throw new InvalidOperationException();
        }

        return (address, uriPort);
    }

    // namespace/pod or a workload: the pod of that name, else a ready pod of the workload of that name, else of app=NAME.
    private (string Namespace, LabResource Pod) SourcePod(ILabTarget target, string defaultNamespace)
    {
        var text = From.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? defaultNamespace : text[..slash];
        var name = slash < 0 ? text : text[(slash + 1)..];
        var pods = cmdlet.CallTarget(target.ListAsync("Pod", ns, name, null, CancellationToken), $"Pod {ns}/{name}");
        if (pods.Count == 0)
        {
            foreach (var kind in WorkloadKinds)
            {
                var workloads = cmdlet.CallTarget(target.ListAsync(kind, ns, name, null, CancellationToken), $"{kind} {ns}/{name}");
                if (workloads.Count > 0 && workloads[0] is Workload { Spec.Selector.MatchLabels: { Count: > 0 } labels })
                {
                    pods = cmdlet.CallTarget(target.ListAsync("Pod", ns, null, LabelQuery.FromLabels(labels), CancellationToken), $"{kind} {ns}/{name}");
                    break;
                }
            }
        }

        if (pods.Count == 0)
        {
            pods = cmdlet.CallTarget(target.ListAsync("Pod", ns, null, LabelQuery.FromLabels(new Dictionary<string, string> { ["app"] = name }), CancellationToken), $"Pod {ns}/app={name}");
        }

        var now = DateTimeOffset.UtcNow;
        var chosen = pods.OrderBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(p => Readiness.Pod(p, p.Name, now) is { Done: true, Failure: null })
            ?? pods.FirstOrDefault(p => ExecPlan.Refusal(p) is null);
        if (chosen is null)
        {
            cmdlet.ThrowTerminatingError(LabErrors.Create(ErrorIds.ResourceNotFound, Messages.NoSourcePod(From, pods.Count == 0
                ? $"no pod {name}, no workload {name} and no pod labelled app={name} in namespace {ns} (Start-LabClientPod curl makes a client pod)"
                : $"no pod of {name} in namespace {ns} is running"), From));
            throw new InvalidOperationException();
        }

        cmdlet.WriteVerbose($"Sending from pod {ns}/{chosen.Name}.");
        return (ns, chosen);
    }
}
