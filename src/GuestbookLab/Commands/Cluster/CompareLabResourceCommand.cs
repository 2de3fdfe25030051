using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Shows what applying resources would change on the connected target, as kubectl diff does.</summary>
/// <remarks>
/// For each object, what Publish-LabResource would do (Created, Configured or Unchanged), the fields it would add,
/// change or remove (Fields: spec.http[0].route[1].weight 80 -> 50), and a unified diff of the stored object's YAML
/// against the applied one's (Diff; -Unified writes only those lines, as kubectl diff prints them). On a cluster the
/// applied object comes from a server-side dry run (dryRun=All), so defaults, admission and field ownership are the
/// API server's own; on a manifest folder it is the object as the folder would store it. Nothing is changed. The
/// API server's bookkeeping (managedFields, resourceVersion, uid, creationTimestamp, generation) and status are left
/// out of the comparison. A Secret's values are compared but shown as (hidden), and redacted in the diff. Objects
/// are validated first, as Publish-LabResource does; an object the target cannot preview (a kind it does not serve)
/// is a non-terminating error and the others go on.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } | Publish-LabResource | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 50; v2 = 50 } | Compare-LabResource</code>
/// <para>The DestinationRule is Unchanged; the VirtualService is Configured, with the two weights changed.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 0; v2 = 100 } | Compare-LabResource -Unified</code>
/// <para>The unified diff (--- LIVE, +++ APPLIED, @@ hunks) of every object that would change.</para>
/// </example>
[Cmdlet(VerbsData.Compare, "LabResource", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ResourceDifference), typeof(string))]
public sealed class CompareLabResourceCommand : ApplyInputCmdlet
{
    /// <summary>Writes the unified diff's lines (as kubectl diff prints them) instead of one result per object.</summary>
    [Parameter]
    public SwitchParameter Unified { get; set; }

    protected override void EndProcessing()
    {
        if (!AllValid())
        {
            return;
        }

        var (_, target) = OpenTarget();
        foreach (var resource in Resources)
        {
            ResourceDifference difference;
            try
            {
                difference = Await(ResourceComparer.CompareAsync(target, resource, CancellationToken));
            }
            catch (ApiStatusException ex)
            {
                WriteError(LabErrors.FromTarget(ex, resource));
                continue;
            }
            catch (ManifestFormatException ex)
            {
                WriteError(LabErrors.Create(ErrorIds.InvalidManifest, ex, resource));
                continue;
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                ThrowTerminatingError(LabErrors.FromTarget(ex, resource));
                throw;
            }

            WriteVerbose($"{difference}: {difference.Fields.Count} field(s) ({difference.Location})");
            if (Unified)
            {
                foreach (var line in difference.Diff)
                {
                    WriteObject(line);
                }
            }
            else
            {
                WriteObject(difference);
            }
        }
    }
}
