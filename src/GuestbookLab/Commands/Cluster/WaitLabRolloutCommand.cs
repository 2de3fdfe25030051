using System;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Waits until a Deployment, StatefulSet or DaemonSet has rolled out, as kubectl rollout status does.</summary>
/// <remarks>
/// The workload is watched (not polled) on the connected cluster; each change is judged as kubectl 1.35's rollout
/// status judges it (the new spec observed, every replica updated, old ones gone, the updated ones available) and
/// shown in the progress bar. The workload comes out once rolled out. After -TimeoutSec (300) the error
/// WaitTimedOut says what was last seen, for example "1 of 2 updated replicas are available". A manifest folder has
/// no controllers: waiting there is the error WaitNotPossible unless the stored status already says rolled out.
/// -Kind takes short names and plurals (deploy, statefulsets); piped objects bind by Kind, Name and Namespace, and a
/// piped object of another kind is the non-terminating error NotARolloutKind.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, generation: 1}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: 'True'}]}" |
///     Publish-LabResource | Out-Null
/// Wait-LabRollout Deployment ui -TimeoutSec 120</code>
/// <para>In a folder the stored status is all there is, so a Deployment stored as rolled out comes back at once. Connected
/// to a cluster (Connect-LabCluster -Context ...), the same command watches until the rollout finishes, like
/// kubectl rollout status deployment/ui --timeout=120s.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, generation: 1}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: 'True'}]}" |
///     Publish-LabResource | Out-Null
/// Get-LabResource deploy ui | Wait-LabRollout</code>
/// <para>Objects from Get-LabResource (or Publish-LabResource's results) bind by their Kind, Name and Namespace.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, generation: 1}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: 'True'}]}" |
///     Publish-LabResource | Out-Null
/// Get-LabResource -Kind Deployment | ForEach-Object { Wait-LabRollout Deployment $_.Name -Namespace $_.Namespace }</code>
/// <para>Waits for every Deployment of the default namespace in turn, as after applying the guestbook app.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "LabRollout")]
[OutputType(typeof(LabResource))]
public sealed class WaitLabRolloutCommand : WaitCmdlet
{
    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "DaemonSet"];

    /// <summary>Deployment, StatefulSet or DaemonSet, or their plurals and short names (deploy, sts, ds).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KindCompleter))]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = null!;

    protected override string WaitKind => Array.Find(Workloads, w => KindInfo.Names(Kind, w)) ?? Kind;

    protected override string? CheckKind()
    {
        if (Array.Exists(Workloads, w => KindInfo.Names(Kind, w)))
        {
            return WaitKind;
        }

        // One object of another kind in the pipeline is its own error; the others are still waited for.
        WriteError(LabErrors.Create(ErrorIds.NotARolloutKind, Messages.NotARolloutKind(Kind, Name), Name));
        return null;
    }

    protected override WaitState Test(LabResource? resource) => Readiness.Rollout(resource, WaitKind, Name);
}
