using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets resources from the connected target, typed for the kinds the module models.</summary>
/// <remarks>
/// -Kind takes what kubectl get takes: the kind as written in manifests (VirtualService), its plural
/// (virtualservices), its short name (vs), kind/name (deploy/ui), several kinds (-Kind deploy, svc) and all (Pods,
/// Services, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs). A kind the target does not serve
/// is the error UnknownResourceType with the nearest kinds it does ('the server doesn't have a resource type
/// "virtualsrvice": did you mean virtualservice, virtualservices?'). Without -AllNamespaces only the connection's
/// namespace (the kubeconfig context's, else 'default') or -Namespace is read; cluster-scoped kinds are always read.
/// -Name takes wildcards (ui-*). -Selector is a Kubernetes label selector in its full syntax ('app=ui,version!=v1',
/// 'app in (ui,redis)', '!canary') or a hashtable of labels, evaluated by the API server (and by a folder alike).
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// ConvertFrom-LabYaml -Path (Join-Path (Get-Module GuestbookLab).ModuleBase 'Labs/App/guestbook-app.yaml') | Publish-LabResource | Out-Null
/// Get-LabResource deploy, svc -Selector 'app in (ui,redis)'</code>
/// <para>The Deployments and Services of the ui and redis, as kubectl get deploy,svc -l 'app in (ui,redis)'.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// New-MeshGateway -Name guestbook-ui-gateway | Publish-LabResource | Out-Null
/// Get-LabResource -Kind gw</code>
/// <para>The Gateway applied before, read back from the folder.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabResource")]
[OutputType(typeof(LabResource))]
public sealed class GetLabResourceCommand : TargetCmdlet
{
    /// <summary>The kinds: VirtualService, virtualservices, vs, kind/name (deploy/ui), or all.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(KindCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Kind { get; set; } = null!;

    /// <summary>The name of one object, or a wildcard pattern (ui-*).</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(NameCompleter))]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>The namespace to read (the connection's when left out: the kubeconfig context's, else 'default').</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Reads every namespace.</summary>
    [Parameter]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>A label selector: 'app=ui,version!=v1', 'app in (ui,redis)', '!canary', or a hashtable of labels.</summary>
    [Parameter]
    [SelectorTransformation]
    public LabelQuery? Selector { get; set; }

    protected override void EndProcessing()
        => WriteObject(ListFromTarget(Kind, Name, Namespace, AllNamespaces, Selector), enumerateCollection: true);
}
