using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Removes resources from the connected target: piped objects, one by kind and name, or everything the lab applied.</summary>
/// <remarks>
/// -All removes exactly what Publish-LabResource applied: the objects labelled app.kubernetes.io/managed-by=guestbooklab
/// that, on a cluster, the field manager guestbooklab wrote (metadata.managedFields), in reverse dependency order (mesh
/// configuration and workloads before services, namespaces and CRDs); -Owned may be added and changes nothing, since
/// -All never removes objects the lab did not make. An object that carries the label but that only other managers
/// wrote is left, with a warning naming them; the verbose stream says how many objects were left. Each removal writes a RemoveResult, as kubectl delete prints a line: Deleted, or NotFound for an object that
/// is already gone (piped, or named by -Kind and -Name), which is not an error. -Kind takes short names, plurals and
/// kind/name (deploy/ui). Supports -WhatIf and -Confirm (nothing is written for what is not removed).
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
[OutputType(typeof(RemoveResult))]
public sealed class RemoveLabResourceCommand : TargetCmdlet
{
    private const string ObjectSet = "Object";
    private const string NameSet = "Name";
    private const string OwnedSet = "Owned";

    private readonly List<LabResource> targets = [];

    /// <summary>Resources to remove (their kind, namespace and name are used): objects, Get-LabPod's pods, Publish-LabResource's results.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ResourceTransformation]
    public LabResource[] InputObject { get; set; } = null!;

    /// <summary>The kind of the object to remove (VirtualService, virtualservices, vs), or kind/name (vs/guestbook-ui).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(KindCompleter))]
    public string Kind { get; set; } = null!;

    /// <summary>The name of the object to remove (left out when -Kind is kind/name).</summary>
    [Parameter(Position = 1, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    /// <summary>The namespace of the object ('default' when left out).</summary>
    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>Every object the lab applied (labelled app.kubernetes.io/managed-by=guestbooklab), and nothing else.</summary>
    [Parameter(Mandatory = true, ParameterSetName = OwnedSet)]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: says so (-All removes only objects labelled as the lab's, with or without it).</summary>
    [Parameter(ParameterSetName = OwnedSet)]
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
        var slash = Kind?.IndexOf('/', System.StringComparison.Ordinal) ?? -1;
        var (kind, name) = slash < 0 ? (Kind, Name) : (Kind![..slash], Kind[(slash + 1)..]);
        if (ParameterSetName == NameSet && string.IsNullOrEmpty(name))
        {
            ThrowInvalid(ErrorIds.InvalidName, "-Name", Kind, "give the name of the object to remove: -Kind KIND -Name NAME, or -Kind KIND/NAME");
        }

        var ns = Namespace ?? connection.DefaultNamespace;
        List<LabResource> found;
        try
        {
            found = ParameterSetName switch
            {
                OwnedSet => LabObjects(Call(target.ListAllAsync(CancellationToken), connection)),
                NameSet => Call(target.ListAsync(kind, ns, name, null, CancellationToken), connection).ToList(),
                _ => targets,
            };
        }
        catch (UnknownKindException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.UnknownResourceType, Messages.UnknownResourceType(ex.Kind, ex.Suggestions), Kind, ex));
            return;
        }

        if (ParameterSetName == NameSet && found.Count == 0)
        {
            var canonical = KindInfo.Known.Concat(ResourceKinds.Modelled.Select(k => k[(k.IndexOf('/', System.StringComparison.Ordinal) + 1)..])).FirstOrDefault(k => KindInfo.Names(kind!, k)) ?? kind!;
            WriteObject(new RemoveResult { Kind = canonical, Namespace = KindInfo.IsClusterScoped(canonical) ? null : ns, Name = name!, Result = RemoveOutcome.NotFound });
            return;
        }

        foreach (var resource in found.OrderByDescending(r => KindInfo.Rank(r.Kind)).Where(r => ShouldProcess(r.DisplayName, $"Remove from {connection}")))
        {
            try
            {
                var deleted = Await(target.DeleteAsync(resource, CancellationToken));
                var scoped = KindInfo.IsClusterScoped(resource.Kind) ? null : resource.Namespace ?? connection.DefaultNamespace;
                if (Wait && deleted)
                {
                    Await(target.WaitForAsync(resource.Kind, scoped, resource.Name, r => r is null, Timeout, CancellationToken));
                }

                WriteObject(new RemoveResult { Kind = resource.Kind, Namespace = scoped, Name = resource.Name, Result = deleted ? RemoveOutcome.Deleted : RemoveOutcome.NotFound });
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

    // What -All removes: the lab's own objects; it says what it leaves that carries the lab's label all the same.
    private List<LabResource> LabObjects(IReadOnlyList<LabResource> all)
    {
        foreach (var foreign in all.Where(r => Ownership.LabelledByOthers(r) is not null))
        {
            WriteWarning(Messages.LabelledByOthers(foreign.DisplayName, Ownership.LabelledByOthers(foreign)!));
        }

        var owned = all.Where(Ownership.IsOwned).ToList();
        WriteVerbose(Messages.LeftInPlace(owned.Count, all.Count - owned.Count));
        return owned;
    }
}
