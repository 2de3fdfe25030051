using System;
using System.Management.Automation;
using GuestbookLab.Commands.Cluster;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Live;

/// <summary>Starts one of the codelab's throw-away client pods (curl or ubuntu) and waits until it runs.</summary>
/// <remarks>
/// Applies the pod (labelled app.kubernetes.io/managed-by=guestbooklab and run=NAME): 'curl' is curlimages/curl running
/// sleep infinity; 'ubuntu' is ubuntu that installs curl with apt-get and then sleeps, and is ready only once curl is
/// installed (a readiness probe runs command -v curl). It then watches the pod until it is Running with every container
/// ready, 2/2 in a namespace with istio-injection=enabled where the sidecar was injected (a warning says so when the
/// namespace is labelled but the pod came without a sidecar), and returns it as Get-LabPod shows it, so it pipes into
/// Invoke-LabCommand. A pod that ends instead is the error ClientPodFailed; after -Timeout (5 minutes) the error
/// WaitTimedOut says what was last seen. A manifest folder gets the pod written and a warning instead of a wait.
/// Stop-LabClientPod removes it.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Start-LabClientPod -Name curl -WarningAction SilentlyContinue).Object | ConvertTo-LabYaml</code>
/// <para>The codelab's curl pod, written to a manifest folder; on a cluster the command returns once the pod is Running and ready.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Start-LabClientPod ubuntu -Namespace noistio -Timeout 3m -WarningAction SilentlyContinue | Format-Table</code>
/// <para>The ubuntu pod in the codelab's noistio namespace (outside the mesh); on a cluster it is ready once apt-get has installed curl.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "LabClientPod", SupportsShouldProcess = true)]
[OutputType(typeof(LabPod))]
public sealed class StartLabClientPodCommand : TargetCmdlet
{
    /// <summary>The client pod: curl or ubuntu.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("curl", "ubuntu")]
    public string Name { get; set; } = null!;

    /// <summary>The namespace (the connection's when left out), e.g. the codelab's noistio.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>How long to wait until the pod runs: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var options = new ClientPodOptions { Name = Name, Namespace = Namespace ?? connection.DefaultNamespace };
        ThrowIfInvalid(ClientPodBuilder.Validate(options), Name);
        var pod = ClientPodBuilder.Build(options);
        if (!ShouldProcess($"Pod {options.Namespace}/{Name} ({ClientPodBuilder.Find(Name)!.Image})", $"Apply to {connection}"))
        {
            return;
        }

        var progress = new ProgressRecord(1, $"Waiting for the client pod {options.Namespace}/{Name} on {connection}", "nothing read yet");
        ClientPodStart started;
        try
        {
            started = Pump(post => ClientPods.StartAsync(target, options, Timeout, applied => post(() => WriteVerbose($"{applied} ({applied.Location})")), state => post(() =>
            {
                progress.StatusDescription = state.Message;
                ShowProgress(progress);
                WriteVerbose(state.Message);
            }), CancellationToken));
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, pod));
            return;
        }

        progress.RecordType = ProgressRecordType.Completed;
        ShowProgress(progress);
        var summary = PodStatus.From(started.Pod, DateTimeOffset.UtcNow);
        if (started.TimedOut)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut($"the client pod {options.Namespace}/{Name}", Timeout, started.Last.Message), Name));
        }
        else if (started.NotWaited is { } reason)
        {
            WriteWarning(Messages.ClientPodNotWaited($"Pod {options.Namespace}/{Name}", reason));
        }
        else if (started.Last.Failure is { } failure)
        {
            WriteError(LabErrors.Create(ErrorIds.ClientPodFailed, Messages.ClientPodFailed(options.Namespace, Name, failure), summary));
            return;
        }
        else if (started.Injected && !summary.SidecarInjected)
        {
            WriteWarning(Messages.ClientPodNotInjected(options.Namespace, Name));
        }

        WriteObject(summary);
    }
}

/// <summary>Removes a client pod that Start-LabClientPod made, as the codelab's kubectl delete pod.</summary>
/// <remarks>
/// Deletes the pod if it carries the lab's ownership label (a pod of the same name that the lab did not make is the
/// error ClientPodNotOwned and stays); nothing happens when it is not there. Asks first (ConfirmImpact Medium);
/// -WhatIf says what it would remove. Pods from Get-LabPod or Start-LabClientPod can be piped in.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Start-LabClientPod curl -WarningAction SilentlyContinue | Stop-LabClientPod -Confirm:$false -Verbose</code>
/// <para>Removes the curl pod that Start-LabClientPod applied.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "LabClientPod", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class StopLabClientPodCommand : TargetCmdlet
{
    /// <summary>The client pod's name: curl or ubuntu.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>The namespace (the connection's when left out).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var (connection, target) = OpenTarget();
        var ns = Namespace ?? connection.DefaultNamespace;
        var found = Call(target.ListAsync("Pod", ns, Name, null, CancellationToken), $"Pod {ns}/{Name}");
        if (found.Count == 0)
        {
            WriteVerbose($"Pod {ns}/{Name} was not there.");
            return;
        }

        if (!Ownership.IsOwned(found[0]))
        {
            WriteError(LabErrors.Create(ErrorIds.ClientPodNotOwned, Messages.ClientPodNotOwned(ns, Name), found[0]));
            return;
        }

        if (ShouldProcess($"Pod {ns}/{Name}", $"Delete from {connection}"))
        {
            var removed = Call(target.DeleteAsync(found[0], CancellationToken), found[0]);
            WriteVerbose(removed ? $"Pod {ns}/{Name} deleted." : $"Pod {ns}/{Name} was not there.");
        }
    }
}
