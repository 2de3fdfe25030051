using System.Management.Automation;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Waits until an object has a status condition, as kubectl wait --for=condition does.</summary>
/// <remarks>
/// The object is watched (not polled) on the connected cluster until the condition of type -Condition in its
/// status.conditions has the status -Status (True when left out); the object comes out then. Any kind works: a
/// Deployment's Available, a CRD's Established, a kpack Image's Ready. After -TimeoutSec (300) the error WaitTimedOut
/// says what the condition last was. A manifest folder has no controllers: waiting there is the error WaitNotPossible
/// unless the stored object already meets the condition.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml "apiVersion: apps/v1`nkind: Deployment`nmetadata: {name: ui, generation: 1}`nspec: {replicas: 1, selector: {matchLabels: {app: ui}}, template: {metadata: {labels: {app: ui}}, spec: {containers: [{name: ui, image: ui:1}]}}}`nstatus: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: 'True'}]}" |
///     Publish-LabResource | Out-Null
/// Wait-LabResource -Kind deploy -Name ui -Condition Available -TimeoutSec 120</code>
/// <para>kubectl wait deployment/ui --for=condition=Available --timeout=120s: at once here, since the stored
/// Deployment is Available; on a cluster it watches until the Deployment becomes Available.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Wait-LabResource -Kind CustomResourceDefinition -Name images.kpack.io -Condition Established -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>Waiting until a cluster serves the kpack Image kind, before images are applied. A folder has no API server
/// to establish the CRD, so there the error is WaitNotPossible, saying so.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "LabResource")]
[OutputType(typeof(LabResource))]
public sealed class WaitLabResourceCommand : WaitCmdlet
{
    /// <summary>The kind: Deployment, deploy, customresourcedefinitions, ...</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KindCompleter))]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = null!;

    /// <summary>The condition type: Available, Ready, Established.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Condition { get; set; } = null!;

    /// <summary>The condition status waited for: True (default), False or Unknown.</summary>
    [Parameter]
    [ValidateSet("True", "False", "Unknown")]
    public string Status { get; set; } = "True";

    protected override string WaitKind => Kind;

    protected override WaitState Test(LabResource? resource) => Readiness.Condition(resource, Kind, Name, Condition, Status);
}
