using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>The session's default connection (set by Connect-LabCluster), and the target a connection opens.</summary>
internal static class LabSession
{
    public static LabConnection? Current { get; set; }

    /// <summary>The connection a cmdlet uses: its -Connection, else the session's; an error when there is none.</summary>
    public static LabConnection Resolve(LabCmdlet cmdlet, LabConnection? given)
    {
        var connection = given ?? Current;
        if (connection is null)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new PSInvalidOperationException("Not connected: run Connect-LabCluster -Directory ./cluster first, or give -Connection."),
                ErrorIds.NotConnected, ErrorCategory.InvalidOperation, null));
        }

        return connection!;
    }

    public static DirectoryTarget Open(LabConnection connection) => new(connection.Target);
}
