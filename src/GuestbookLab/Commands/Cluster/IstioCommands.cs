using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using GuestbookLab.Engine.Istio;
using GuestbookLab.Engine.Kops;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>
/// Base of the cmdlets that run istioctl against the session's cluster: finds it (-IstioctlPath or PATH) and relays
/// what it prints (from its own threads) to the verbose stream on the pipeline thread; Ctrl+C kills it.
/// </summary>
public abstract class IstioctlCmdlet : TargetCmdlet
{
    /// <summary>The istioctl executable; by default the first istioctl on PATH.</summary>
    [Parameter]
    public string? IstioctlPath { get; set; }

    /// <summary>The cluster connection (a Directory connection cannot run istioctl) and a client for its kubeconfig.</summary>
    internal (LabConnection Connection, Engine.ILabTarget Target, IstioctlClient Client, string Path) OpenIstioctl(string version)
    {
        var (connection, target) = OpenTarget();
        if (connection.Kind == "Directory")
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.IstioNeedsCluster, Messages.IstioNeedsCluster(connection.ToString()), connection));
        }

        string path;
        try
        {
            path = IstioctlClient.Find(IstioctlPath is null ? null : GetUnresolvedProviderPathFromPSPath(IstioctlPath), version);
        }
        catch (IstioctlNotFoundException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.IstioctlNotFound, ex, IstioctlPath ?? "istioctl"));
            throw;
        }

        return (connection, target, new IstioctlClient(path, SystemProcessRunner.Instance, connection.KubeConfig, connection.Context), path);
    }

    /// <summary>Runs istioctl on a worker thread; its lines go to the verbose stream of this thread.</summary>
    internal T RunIstioctl<T>(IstioctlClient client, Func<IstioctlClient, T> work)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            return Pump(post =>
            {
                client.Output = line => post(() => WriteVerbose(line));
                client.Command = command => post(() => WriteVerbose("Running " + command));
                return Task.Run(() => work(client));
            });
        }
        catch (IstioctlException ex)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.IstioctlFailed, ex, null));
            throw;
        }
    }
}

/// <summary>Installs (or re-installs) Istio from an IstioOperator with istioctl install, and waits for it to roll out.</summary>
/// <remarks>
/// Takes the IstioOperator from the pipeline (New-MeshInstallConfig, Set-MeshOutboundPolicy), writes it to a temporary
/// file and runs 'istioctl install -f FILE -y' against the session's cluster (its kubeconfig and context), as the
/// codelab does; istioctl comes from -IstioctlPath or PATH, and its output goes to the verbose stream. Before that, it
/// checks istioctl's own version against the Istio release of the configuration (1.17): another minor version is a
/// warning naming both. A failure is the error IstioctlFailed with istioctl's last lines; Ctrl+C stops istioctl. Then it
/// watches istiod and the ingress gateway (and, in the demo profile, the egress gateway) Deployments in istio-system
/// until they have rolled out, and returns the revision, profile, components and the ingress gateway Service.
/// Re-running with a changed configuration (the codelab's REGISTRY_ONLY step) is the same command. -WhatIf says the
/// exact command and runs nothing.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Get-LabError { New-MeshInstallConfig -Profile demo | Install-LabIstio } | Out-Null
/// $Error[0].Exception.Message</code>
/// <para>istioctl needs a cluster: against a manifest folder this is the error IstioNeedsCluster. Connected to a cluster
/// (Connect-LabCluster -Context ...), New-MeshInstallConfig -Profile demo | Install-LabIstio -Verbose installs Istio.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Install, "LabIstio", SupportsShouldProcess = true)]
[OutputType(typeof(LabIstioInstall))]
public sealed class InstallLabIstioCommand : IstioctlCmdlet
{
    /// <summary>The IstioOperator to install.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public IstioOperator InputObject { get; set; } = null!;

    /// <summary>How long to wait for the control plane and gateways to roll out: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void ProcessRecord()
    {
        ThrowIfInvalid(InputObject);
        var wanted = InputObject.Spec.AdditionalFields.TryGetValue("tag", out var tag) && tag is string text ? text : MeshAddons.IstioVersion;
        var (connection, target, client, path) = OpenIstioctl(wanted);
        var file = IstioctlClient.TemporaryFile();
        if (!ShouldProcess(client.InstallCommand(file), $"Install Istio ({InputObject.Spec.Profile ?? "default"} profile) into {connection}"))
        {
            return;
        }

        var version = RunIstioctl(client, c => c.ClientVersion(CancellationToken));
        if (!SameMinor(version, wanted))
        {
            WriteWarning(Messages.IstioctlVersionMismatch(path, version, wanted));
        }

        RunIstioctl(client, c =>
        {
            c.Install(InputObject, file, CancellationToken);
            return true;
        });
        var profile = InputObject.Spec.Profile ?? "default";
        List<string> components = profile == "demo" ? ["istiod", "istio-ingressgateway", "istio-egressgateway"] : ["istiod", "istio-ingressgateway"];
        foreach (var deployment in components)
        {
            WaitForRollout(target, connection, deployment);
        }

        var gateways = Call(target.ListAsync("Service", MeshAddons.Namespace, "istio-ingressgateway", null, CancellationToken), connection);
        var gateway = gateways.Count > 0 ? gateways[0] : null;
        WriteObject(new LabIstioInstall
        {
            Revision = string.IsNullOrEmpty(InputObject.Spec.Revision) ? "default" : InputObject.Spec.Revision,
            Profile = profile,
            Components = components,
            IngressGateway = gateway,
            Istioctl = path,
            IstioctlVersion = version,
        });
    }

    private static bool SameMinor(string? version, string wanted)
    {
        static string Minor(string v) => string.Join('.', v.Split('.').Take(2));
        return version is not null && Minor(version) == Minor(wanted);
    }

    private void WaitForRollout(Engine.ILabTarget target, LabConnection connection, string name)
    {
        var what = $"Deployment {MeshAddons.Namespace}/{name}";
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(1, $"Waiting for {what} on {connection}", last.Message);
        try
        {
            Watch(target, progress, "Deployment", MeshAddons.Namespace, name, resource => Readiness.Rollout(resource, "Deployment", name), Timeout, state => last = state);
        }
        catch (TimeoutException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut(what, Timeout, last.Message), name));
        }
        catch (Exception ex) when (ex is Engine.ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, what));
        }
    }
}

/// <summary>Removes Istio from the cluster: istioctl uninstall --purge -y, the codelab's teardown.</summary>
/// <remarks>
/// Runs 'istioctl uninstall --purge -y' against the session's cluster (its kubeconfig and context): every Istio
/// control plane, gateway and CRD goes. It asks first (ConfirmImpact High; -Confirm:$false to skip the question,
/// -WhatIf says the exact command). istioctl's output goes to the verbose stream; a failure is the error IstioctlFailed
/// with its last lines.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Get-LabError { Uninstall-LabIstio -Confirm:$false }).FullyQualifiedErrorId</code>
/// <para>Against a manifest folder there is nothing istioctl can remove (IstioNeedsCluster); connected to the lab's
/// cluster, Uninstall-LabIstio -Confirm:$false removes Istio.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Uninstall, "LabIstio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class UninstallLabIstioCommand : IstioctlCmdlet
{
    protected override void EndProcessing()
    {
        var (connection, _, client, _) = OpenIstioctl(MeshAddons.IstioVersion);
        if (ShouldProcess(client.UninstallCommand(), $"Remove Istio and its CRDs from {connection}"))
        {
            RunIstioctl(client, c =>
            {
                c.Uninstall(CancellationToken);
                return true;
            });
        }
    }
}
