using System;
using System.Management.Automation;
using GuestbookLab.Errors;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Gets a container's log from the connected cluster, as kubectl logs does.</summary>
/// <remarks>
/// Each log line comes out as a string, as it arrives. A pod with more than one container (the app and its istio-proxy
/// sidecar) reads the container its kubectl.kubernetes.io/default-container annotation names, else its first container
/// (the app, before istio-proxy), as kubectl 1.35 does; -Container names another. -Tail gives only the last lines; -Follow keeps streaming new lines until the pod goes
/// or Ctrl+C. Pods from Get-LabPod can be piped in. A manifest folder has no running containers: there the error
/// is LogNotAvailable.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Get-LabLog -Pod guestbook-service-7ff64d7f45-tbrk8 -Container istio-proxy -Tail 20 -ErrorAction Stop }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, the sidecar's last 20 lines (kubectl logs POD -c istio-proxy --tail=20); a folder says
/// LogNotAvailable.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Get-LabPod -Selector app=guestbook-service | Get-LabLog -Container guestbook-service -Tail 5</code>
/// <para>The last lines of every guestbook-service pod (none in a folder, where no pods run).</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "LabLog")]
[OutputType(typeof(string))]
public sealed class GetLabLogCommand : TargetCmdlet
{
    /// <summary>The pod's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Pod { get; set; } = null!;

    /// <summary>The pod's namespace ('default' when left out).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>The container; by default the one the pod's kubectl.kubernetes.io/default-container annotation names, else the first.</summary>
    [Parameter]
    public string? Container { get; set; }

    /// <summary>Only the last lines.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Keeps streaming new lines until the pod goes or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    // The container kubectl 1.35 would pick (its default-container annotation, else the first), said on the verbose
    // stream as kubectl says it; null (the server decides) when the pod cannot be read.
    private string? DefaultContainer(Engine.ILabTarget target, string ns)
    {
        var pods = Await(target.ListAsync("Pod", ns, Pod, null, CancellationToken));
        if (pods.Count == 0 || Mesh.Status.PodStatus.DefaultContainer(pods[0], out var all, out var byAnnotation) is not { } container)
        {
            return null;
        }


        if (all.Count > 1 && !byAnnotation)
        {
            WriteVerbose($"Defaulted container \"{container}\" out of: {string.Join(", ", all)}");
        }

        return container;
    }

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        var pod = $"{ns}/{Pod}";
        try
        {
            var lines = target.ReadLogAsync(ns, Pod, Container ?? DefaultContainer(target, ns), Tail, Follow, CancellationToken).GetAsyncEnumerator(CancellationToken);
            try
            {
                while (Await(lines.MoveNextAsync().AsTask()))
                {
                    WriteObject(lines.Current);
                }
            }
            finally
            {
                lines.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (NotSupportedException ex)
        {
            WriteError(LabErrors.Create(ErrorIds.LogNotAvailable, ex.Message, pod, ex));
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException or System.IO.IOException)
        {
            WriteError(LabErrors.FromTarget(ex, $"Pod {pod}"));
        }
    }
}
