using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Removes resources from the connected target: piped objects, one by kind and name, or everything the lab applied.</summary>
/// <remarks>
/// -All -Owned removes exactly the objects labelled app.kubernetes.io/managed-by=guestbooklab (everything
/// Publish-LabResource applied), in reverse dependency order (mesh configuration and workloads before services,
/// namespaces and CRDs). Objects that are already gone are reported, not errors. Supports -WhatIf and -Confirm.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// New-MeshVirtualService -Name guestbook-service -Hosts guestbook-service | Add-MeshRoute guestbook-service | Publish-LabResource | Out-Null
/// Remove-LabResource -Kind VirtualService -Name guestbook-service</code>
/// <para>The codelab's 'kubectl delete virtualservice guestbook-service'.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Remove-LabResource -All -Owned -Confirm:$false</code>
/// <para>Tears down everything the lab applied.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "LabResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(void))]
public sealed class RemoveLabResourceCommand : TargetCmdlet
{
    private const string ObjectSet = "Object";
    private const string NameSet = "Name";
    private const string OwnedSet = "Owned";

    private readonly List<LabResource> targets = [];

    /// <summary>Resources to remove (their kind, namespace and name are used).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>The kind of the object to remove (VirtualService, vs...).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(KindCompleter))]
    public string Kind { get; set; } = null!;

    /// <summary>The name of the object to remove.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>The namespace of the object ('default' when left out).</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>With -Owned: every object the lab applied.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OwnedSet)]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: only objects labelled as the lab's (the only choice: -All never removes objects the lab did not make).</summary>
    [Parameter(Mandatory = true, ParameterSetName = OwnedSet)]
    public SwitchParameter Owned { get; set; }

    /// <summary>Waits until each removed object is gone (finalizers done).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: how long to wait for each object: a duration (90s, 10m), a TimeSpan or a number of seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public System.TimeSpan Timeout { get; set; } = System.TimeSpan.FromMinutes(5);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ObjectSet)
        {
            targets.AddRange(InputObject);
        }
    }

    protected override void EndProcessing()
    {
        var (connection, target) = OpenTarget();
        var found = ParameterSetName switch
        {
            OwnedSet => Call(target.ListAllAsync(CancellationToken), connection).Where(Ownership.IsOwned).ToList(),
            NameSet => Call(target.ListAsync(Kind, Namespace ?? connection.DefaultNamespace, Name, null, CancellationToken), connection).ToList(),
            _ => targets,
        };
        if (ParameterSetName == NameSet && found.Count == 0)
        {
            WriteError(LabErrors.Create(ErrorIds.ResourceNotFound, Messages.ResourceNotFound(Kind, Name, Namespace ?? connection.DefaultNamespace), Name));
            return;
        }

        foreach (var resource in found.OrderByDescending(r => KindInfo.Rank(r.Kind)).Where(r => ShouldProcess(r.DisplayName, $"Remove from {connection}")))
        {
            try
            {
                WriteVerbose(Await(target.DeleteAsync(resource, CancellationToken)) ? $"{resource.DisplayName} removed." : $"{resource.DisplayName} is already gone.");
                if (Wait)
                {
                    var ns = KindInfo.IsClusterScoped(resource.Kind) ? null : resource.Namespace ?? connection.DefaultNamespace;
                    Await(target.WaitForAsync(resource.Kind, ns, resource.Name, r => r is null, Timeout, CancellationToken));
                }
            }
            catch (System.TimeoutException)
            {
                WriteError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.StillThere(resource.DisplayName, Timeout), resource));
            }
            catch (System.Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException or System.IO.IOException)
            {
                WriteError(LabErrors.FromTarget(ex, resource));
            }
        }
    }
}
