using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets resources from the connected target, typed for the kinds the module models.</summary>
/// <remarks>
/// -Kind takes the kind as written in manifests (VirtualService), its plural (virtualservices) or its short name (vs).
/// Without -AllNamespaces only the 'default' namespace (or -Namespace) is read; cluster-scoped kinds are always read.
/// -Selector is a label selector, 'app=ui,version=v1'.
/// </remarks>
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
    /// <summary>The kind: VirtualService, virtualservices or vs.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(KindCompleter))]
    public string Kind { get; set; } = null!;

    /// <summary>The name of one object.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    /// <summary>The namespace to read ('default' when left out).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Reads every namespace.</summary>
    [Parameter]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>A label selector: 'key=value' pairs separated by commas.</summary>
    [Parameter]
    public string? Selector { get; set; }

    protected override void EndProcessing()
        => WriteObject(ListFromTarget(Kind, Name, Namespace, AllNamespaces, Selector), enumerateCollection: true);
}
