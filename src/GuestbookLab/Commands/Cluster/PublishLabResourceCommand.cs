using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Applies resources to the connected target: created, configured or unchanged, one result per object.</summary>
/// <remarks>
/// Every object is validated first (Istio 1.17's rules, as Test-MeshResource); if one is invalid, each problem is
/// reported and nothing is applied. Objects are then applied in dependency order (CRDs and namespaces first, then
/// accounts and configuration, services, workloads, mesh configuration), each labelled
/// app.kubernetes.io/managed-by=guestbooklab so that Remove-LabResource -All -Owned removes exactly what the lab
/// made; objects of one rank are independent and go to a cluster eight at a time. Namespaced objects without a
/// namespace go to 'default'. Objects come from the pipeline, from manifest
/// files and folders (-Path, -LiteralPath) or from http(s) URLs (-Uri), like the kpack release and the Istio addons the codelab applies; every
/// source is read before anything is applied. Each result says whether the object was Created, Configured (changed)
/// or Unchanged. -WhatIf names each object it would apply; Compare-LabResource shows what applying would change
/// (kubectl diff, a server-side dry run on a cluster).
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Set-MeshTrafficSplit -Service ui -Weight @{ v1 = 20; v2 = 80 } | Publish-LabResource</code>
/// <para>Applies the DestinationRule and the VirtualService; run it again and both are Unchanged.</para>
/// </example>
[Cmdlet(VerbsData.Publish, "LabResource", SupportsShouldProcess = true, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(ApplyResult))]
public sealed class PublishLabResourceCommand : ApplyInputCmdlet
{
    /// <summary>Takes ownership of fields another field manager owns (server-side apply's force).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        if (!AllValid())
        {
            return;
        }

        var (connection, target) = OpenTarget();
        foreach (var attempt in ApplyInRanks(target, Resources, Force, r => ShouldProcess(r.DisplayName, $"Apply to {connection}")))
        {
            if (attempt.Result is { } result)
            {
                WriteVerbose($"{result} ({result.Location})");
                WriteObject(result);
            }
            else
            {
                WriteError(LabErrors.FromTarget(attempt.Error!, attempt.Resource));
            }
        }
    }
}
