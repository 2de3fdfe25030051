using System;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Live;

/// <summary>Makes a pod misbehave or behave again: the codelab's circuit-breaker demo, curl http://POD_IP:8080/misbehave from the curl pod.</summary>
/// <remarks>
/// Sends GET http://POD_IP:PORT/misbehave (-Misbehave) or /behave (-Behave) from the pod's namespace's curl client pod
/// (Start-LabClientPod curl's pod, started if it is not there and left for reuse), as the codelab's
/// kubectl exec curl -c curl -- curl http://${MESSAGE_POD_IP}:8080/misbehave does, and returns the pod's answer: the
/// guestbook's message service says "Next request to /hello/{name} will return a 503". -WhatIf says the exact request
/// and sends nothing. Pods from Get-LabPod can be piped in. A pod that is not Running is PodNotRunning, one without an
/// IP PodHasNoIP, a curl that fails RequestFailed; each is about that pod and the others go on. Ctrl+C stops it.
/// Get-LabLog -Follow on the pod shows the 503s it then answers with.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Get-LabPod -Selector app=message-service | Select-Object -First 1 | Set-LabPodBehavior -Misbehave -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, the first message-service pod answers every /hello/{name} with a 503 until Set-LabPodBehavior -Behave; a folder runs nothing (ExecNotAvailable).</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Set-LabPodBehavior message-service-v1-7d9 -Behave -Port 8080 -WhatIf -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>-WhatIf names the exact request (GET http://POD_IP:8080/behave from default/curl) without sending it.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "LabPodBehavior", SupportsShouldProcess = true, DefaultParameterSetName = "Misbehave")]
[OutputType(typeof(LabPodBehavior))]
public sealed class SetLabPodBehaviorCommand : TargetCmdlet
{
    /// <summary>The pod to tell (a message-service pod in the codelab).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Pod { get; set; } = null!;

    /// <summary>The pod's namespace (the connection's when left out); the curl client pod runs there.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Sends /misbehave: the pod answers its next requests with 503.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Misbehave")]
    public SwitchParameter Misbehave { get; set; }

    /// <summary>Sends /behave: the pod answers normally again.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Behave")]
    public SwitchParameter Behave { get; set; }

    /// <summary>The application's port (the message service listens on 8080).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>How long the request may take: a duration (5s, 1m), a TimeSpan or seconds; 10 seconds when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        if (target is not IExecTarget)
        {
            WriteError(LabErrors.Create(ErrorIds.ExecNotAvailable, Messages.ExecNotAvailable(connection.ToString()), $"{ns}/{Pod}"));
            return;
        }

        var options = new PodBehaviorOptions { Namespace = ns, Pod = Pod, Misbehave = Misbehave.IsPresent, Port = Port, Timeout = Timeout };
        try
        {
            var (_, ip) = Await(PodBehavior.ResolveAsync(target, ns, Pod, CancellationToken));
            if (ShouldProcess($"Pod {ns}/{Pod} ({ip})", $"GET {PodBehavior.Uri(ip, Port, options.Misbehave)} from the client pod {ns}/curl"))
            {
                WriteObject(Pump(post => PodBehavior.SendAsync(target, options, ip, message => post(() => WriteVerbose(message)), CancellationToken)));
            }
        }
        catch (LiveRequestException ex) when (!ex.Terminating)
        {
            WriteError(LabErrors.FromLiveRequest(ex));
        }
        catch (LiveRequestException ex)
        {
            ThrowTerminatingError(LabErrors.FromLiveRequest(ex));
        }
    }
}
