using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Mesh.Live;
using GuestbookLab.Mesh.Simulation;

namespace GuestbookLab.Commands.Live;

/// <summary>Asks the same request of the offline model (Test-MeshRequest) and of the mesh (Invoke-LabRequest), and lists where they disagree.</summary>
/// <remarks>
/// The prediction is Test-MeshRequest's over the configuration (pipeline objects, -Directory, or the connected target
/// when neither is given); the observation is Invoke-LabRequest's against the connected cluster. The result holds both
/// and its Differences: for one request the outcome (an observed TlsError agrees with a predicted ConnectionReset: a
/// TLS handshake reset by the proxy is curl's exit code 35), then the HTTP status, then the response flag where the
/// live answer names one; with -Count, the share of each outcome and status, a difference where it lies further from
/// the predicted share than three standard errors of the live sample (and at least one request). Agree is true when
/// there is none. Which subset answered is not compared: a live answer names the application's version, not the
/// DestinationRule's subset.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// $app = ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml')
/// $c = $app | Compare-MeshRequest -From ingress -Uri http://guestbook.example.com/ -IngressAddress 127.0.0.1:9 -Timeout 2s
/// $c.Agree</code>
/// <para>Before any Gateway the model predicts ConnectionRefused; where nothing listens at the ingress address the live
/// answer is refused too, so they agree. With the codelab's INGRESS_IP the live answer is the gateway's.</para>
/// </example>
[Cmdlet(VerbsData.Compare, "MeshRequest")]
[OutputType(typeof(MeshRequestComparison))]
public sealed class CompareMeshRequestCommand : MeshConfigurationCmdlet
{
    /// <summary>Who sends: ingress, namespace/pod, or a workload name (ui).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(Cluster.SourceCompleter))]
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

    /// <summary>How many requests to predict and to send; more than one compares the spreads.</summary>
    [Parameter]
    public int Count { get; set; } = 1;

    /// <summary>The seed of the prediction's random source, for repeatable samples.</summary>
    [Parameter]
    public int? Seed { get; set; }

    /// <summary>Whether the source pod has a sidecar in the prediction (by default its namespace's injection label decides).</summary>
    [Parameter]
    public SwitchParameter Sidecar { get; set; }

    /// <summary>The source pod's service account in the prediction (its identity under mTLS).</summary>
    [Parameter]
    public string? ServiceAccount { get; set; }

    /// <summary>The ingress gateway's address for the live request, HOST or HOST:PORT (by default the istio-ingressgateway Service's).</summary>
    [Parameter]
    public string? IngressAddress { get; set; }

    /// <summary>The container curl runs in for the live request (by default the pod's application container).</summary>
    [Parameter]
    public string? Container { get; set; }

    /// <summary>How long each live request may take: a duration (5s, 1m), a TimeSpan or seconds; 10 seconds when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Accepts any server certificate in the live request (curl -k).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    protected override void EndProcessing()
    {
        var options = new RequestOptions { Uri = Uri, Method = Method, Headers = Binding.Pairs(Header), Token = Token, Count = Count };
        var (request, predicted) = Predict(options, From, MyInvocation.BoundParameters.ContainsKey(nameof(Sidecar)) ? Sidecar.IsPresent : null, ServiceAccount, Seed);
        var run = LiveSending.Send(this, new Engine.LiveRequestOptions { From = From, Request = options, IngressAddress = IngressAddress, Container = Container, Timeout = Timeout, SkipCertificateCheck = SkipCertificateCheck });
        var observed = run.Results;
        if (observed.Count == 0)
        {
            return;
        }

        var sourcesDiffer = new List<RequestDifference>();
        if (run.InPlaceOf is { } asked)
        {
            // The client pod sent it, not the workload: compare with the prediction for the client pod, where the model has it.
            if (TryPredict(options, run.Sender, Seed, out var unknown) is { } instead)
            {
                WriteVerbose($"Compared with the prediction for {run.Sender}, the pod that sent the request in place of {asked}.");
                predicted = instead.Prediction;
            }
            else
            {
                sourcesDiffer.Add(new RequestDifference("Source", asked, run.Sender, $"the client pod sent the request, the prediction is for {asked}: {unknown}"));
            }
        }

        if (predicted is RequestResult one)
        {
            WriteObject(new MeshRequestComparison { Source = observed[0].Source, Request = request.ToString(), Predicted = one, Observed = observed[0], Differences = [.. sourcesDiffer, .. RequestComparison.Compare(one, observed[0])] });
        }
        else if (predicted is RequestSample sample)
        {
            var live = RequestSampler.Group(observed);
            WriteObject(new MeshRequestComparison { Source = live.Source, Request = request.ToString(), Predicted = sample, Observed = live, Differences = [.. sourcesDiffer, .. RequestComparison.Compare(sample, live)] });
        }
    }
}
