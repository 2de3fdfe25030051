using System;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets pods as kubectl get pods shows them, with whether Istio's sidecar is injected.</summary>
/// <remarks>
/// Each pod comes out with READY (ready/total containers, 2/2 once the istio-proxy sidecar runs beside the app),
/// STATUS (Running, Pending, Init:0/1, CrashLoopBackOff, Terminating, ... computed as kubectl 1.35 does), RESTARTS,
/// AGE and SidecarInjected; the pod object itself is in the Object property. Without -AllNamespaces only the
/// connection's namespace (or -Namespace) is read. -Selector is a label selector in its full syntax, 'app=guestbook-service' or 'app in (ui,redis)'. The codelab's
/// 'kubectl get pods -l app=guestbook-service' is Get-LabPod -Selector app=guestbook-service.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Get-LabPod -Selector app=guestbook-service</code>
/// <para>The guestbook-service pods in the default namespace (none in a fresh folder: pods are made by a cluster).</para>
/// </example>
/// <example>
/// <code>Get-LabPod -AllNamespaces | Where-Object { -not $_.SidecarInjected -and $_.Namespace -eq 'default' }</code>
/// <para>Pods of the default namespace that run without a sidecar, which strict mTLS would cut off.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabPod")]
[OutputType(typeof(LabPod))]
public sealed class GetLabPodCommand : TargetCmdlet
{
    /// <summary>The name of one pod, or a wildcard pattern (ui-*).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(NameCompleter))]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>The namespace to read ('default' when left out).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Reads every namespace.</summary>
    [Parameter]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>A label selector: 'app=ui,version=2.0', 'app in (ui,redis)', '!canary', or a hashtable of labels.</summary>
    [Parameter]
    [SelectorTransformation]
    public LabelQuery? Selector { get; set; }

    protected override void EndProcessing()
    {
        var now = DateTimeOffset.UtcNow;
        var pods = ListFromTarget(["Pod"], Name, Namespace, AllNamespaces, Selector);
        WriteObject(pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => PodStatus.From(p, now)), enumerateCollection: true);
    }
}
