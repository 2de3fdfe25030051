using System.IO;
using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Connects the session to a target for the lab's objects: a manifest folder (offline).</summary>
/// <remarks>
/// With -Directory the target is a folder in which Publish-LabResource stores each applied object as one file,
/// NAMESPACE/kind-name.yaml (cluster-scoped kinds under _cluster/), readable later by 'kubectl apply -f' (recursively)
/// or a GitOps tool. The folder is created when missing. The connection becomes the session's default for
/// Publish-LabResource, Get-LabResource, Remove-LabResource, Test-MeshRequest and Test-MeshConfiguration; each of
/// them also takes -Connection.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster
/// New-MeshGateway -Name guestbook-ui-gateway | Publish-LabResource</code>
/// <para>Applies the Gateway to the folder: ./cluster/default/gateway-guestbook-ui-gateway.yaml.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "LabCluster")]
[OutputType(typeof(LabConnection))]
public sealed class ConnectLabClusterCommand : LabCmdlet
{
    /// <summary>The manifest folder to use as the target.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Directory { get; set; } = null!;

    protected override void EndProcessing()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(Directory);
        System.IO.Directory.CreateDirectory(folder);
        var connection = new LabConnection("Directory", Path.GetFullPath(folder));
        LabSession.Current = connection;
        WriteVerbose($"Connected to the manifest folder {connection.Target}.");
        WriteObject(connection);
    }
}
