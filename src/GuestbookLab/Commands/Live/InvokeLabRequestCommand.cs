using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Simulation;

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
        var results = LiveSending.Send(this, new LiveRequestOptions { From = From, Request = options, IngressAddress = IngressAddress, Container = Container, Timeout = Timeout, SkipCertificateCheck = SkipCertificateCheck }).Results;
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
/// Runs the engine's LiveRequestSender on behalf of a cmdlet (Invoke-LabRequest, Compare-MeshRequest): its reports on
/// the cmdlet's streams from the pipeline thread, its failures through the error factory.
/// </summary>
internal static class LiveSending
{
    public static LiveRequestRun Send(TargetCmdlet cmdlet, LiveRequestOptions options)
    {
        var (connection, target) = cmdlet.OpenTarget();
        options = options with { DefaultNamespace = connection.DefaultNamespace, Connection = connection.ToString() };
        var progress = new ProgressRecord(1, $"Sending {options.Request.Method} {options.Request.Uri} from {options.From}", "starting");
        try
        {
            return cmdlet.PumpWork(post => new LiveRequestSender(target, new Report(cmdlet, post, progress)).SendAsync(options, cmdlet.Cancellation));
        }
        catch (LiveRequestException ex)
        {
            cmdlet.ThrowTerminatingError(LabErrors.FromLiveRequest(ex));
            throw;
        }
    }

    private sealed class Report(TargetCmdlet cmdlet, Action<Action> post, ProgressRecord progress) : ILiveRequestReport
    {
        public void Verbose(string message) => post(() => cmdlet.WriteVerbose(message));

        public void Warning(string message) => post(() => cmdlet.WriteWarning(message));

        public void Error(LiveRequestException error) => post(() => cmdlet.WriteError(LabErrors.FromLiveRequest(error)));

        public void Progress(int sent, int count) => post(() =>
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, $"{sent.ToString(CultureInfo.InvariantCulture)} of {count.ToString(CultureInfo.InvariantCulture)} sent")
            {
                PercentComplete = sent * 100 / count,
                RecordType = sent >= count ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            cmdlet.WriteProgress(record);
        });
    }
}
