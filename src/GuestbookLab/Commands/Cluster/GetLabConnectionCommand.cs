using System.Management.Automation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets the session's default connection: the target Connect-LabCluster set.</summary>
/// <remarks>
/// Emits the LabConnection the cmdlets use when they are given no -Connection (its Kind is Directory or Cluster), or
/// nothing when the session has none (after Disconnect-LabCluster, or before any Connect-LabCluster). It reads
/// nothing from the target. The lab script uses it to tell a cluster from a manifest folder.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Get-LabConnection).Kind</code>
/// <para>Directory.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabConnection")]
[OutputType(typeof(LabConnection))]
public sealed class GetLabConnectionCommand : LabCmdlet
{
    protected override void EndProcessing()
    {
        if (LabSession.Current is { } connection)
        {
            WriteObject(connection);
        }
    }
}
