using System.Management.Automation;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Forgets the session's default connection.</summary>
/// <remarks>
/// After it, the cmdlets that read or write a target need -Connection (or a new Connect-LabCluster). Nothing in the
/// target changes.
/// </remarks>
/// <example>
/// <code>Disconnect-LabCluster</code>
/// <para>The session has no default target any more.</para>
/// </example>
[Cmdlet(VerbsCommunications.Disconnect, "LabCluster")]
[OutputType(typeof(void))]
public sealed class DisconnectLabClusterCommand : LabCmdlet
{
    protected override void EndProcessing()
    {
        if (LabSession.Current is { } connection)
        {
            WriteVerbose($"Disconnected from {connection}.");
        }

        LabSession.Current = null;
    }
}
