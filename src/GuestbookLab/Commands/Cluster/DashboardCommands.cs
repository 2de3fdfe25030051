using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Opens an Istio dashboard (Grafana, Prometheus, Kiali, Zipkin): a port-forward as istioctl dashboard, or the codelab's load balancer.</summary>
/// <remarks>
/// By default, as istioctl dashboard does: finds a Running pod of the dashboard in istio-system by istioctl's label
/// (app=grafana, app=prometheus, app=kiali, app=zipkin) and forwards a local port on 127.0.0.1 to the dashboard's port
/// (grafana 3000, prometheus 9090, kiali 20001, zipkin 9411) through the API server's port-forward (a WebSocket).
/// The local port is -LocalPort, else the dashboard's own port when it is free, else any free port. It writes the
/// dashboard with its URL (http://localhost:PORT/, Kiali's /kiali), opens it in the browser unless -NoBrowser, and
/// keeps forwarding until Ctrl+C, which closes the listener; nothing is exposed beyond this machine. When the pod goes
/// away (deleted, or replaced by a rollout) the forward ends with the error PortForwardFailed, as kubectl port-forward's does. Each forwarded
/// connection and each error is written to the verbose stream. A manifest folder has no pods: there the error is
/// PortForwardNotAvailable; no Running pod is DashboardPodNotFound.
///
/// With -AsJob the prompt comes back at once: the pod is found and the listener opened, then the command returns a
/// background job (Get-Job lists it, type LabDashboardJob) that keeps forwarding until Stop-Job, which closes the
/// listener and every forwarded connection; Receive-Job gives the dashboard with its URL (and the job's Dashboard
/// property holds it), the job's Verbose stream each connection and error; Remove-Job cleans up. The job uses the
/// connection it was started with: Disconnect-LabCluster ends its new connections, so stop it first.
///
/// With -Expose LoadBalancer, the codelab's way: applies the exposed-monitoring-lb Service in istio-system (type
/// LoadBalancer, port 80, the dashboard's selector and target port). Opening another dashboard changes that one
/// Service in place, as the codelab re-applies it. It then watches the Service until the cloud has assigned its load
/// balancer a hostname (or IP) and returns the dashboard with its URL, http://HOSTNAME (Kiali's UI is under /kiali),
/// opening it in the browser unless -NoBrowser.
/// The Service is open to the internet: Close-LabDashboard removes it. After -Timeout (5 minutes) the error
/// WaitTimedOut says the Service is still pending. A manifest folder target gets the Service written and a warning
/// instead of a URL.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Open-LabDashboard -Name grafana -Expose LoadBalancer -WarningAction SilentlyContinue).Service | ConvertTo-LabYaml</code>
/// <para>The codelab's Service for Grafana, written to a manifest folder; on a cluster the result's Url is the ELB's address.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { Open-LabDashboard -Name kiali -NoBrowser -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster, forwards http://localhost:20001/kiali to the Kiali pod until Ctrl+C; a folder says PortForwardNotAvailable.</para>
/// </example>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// try { $job = Open-LabDashboard -Name grafana -AsJob -NoBrowser -ErrorAction Stop; ($job | Receive-Job).Url; $job | Stop-Job -PassThru | Remove-Job }
/// catch { $_.FullyQualifiedErrorId }</code>
/// <para>On a cluster: forwards Grafana in the background and prints http://localhost:3000/ until Stop-Job; a folder says PortForwardNotAvailable.</para>
/// </example>
[Cmdlet(VerbsCommon.Open, "LabDashboard", SupportsShouldProcess = true, DefaultParameterSetName = PortForwardSet)]
[OutputType(typeof(LabDashboard))]
[OutputType(typeof(DashboardForwardJob), ParameterSetName = [PortForwardSet])]
public sealed class OpenLabDashboardCommand : TargetCmdlet
{
    private const string PortForwardSet = "PortForward";
    private const string LoadBalancerSet = "LoadBalancer";

    /// <summary>The dashboard.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("grafana", "prometheus", "kiali", "zipkin")]
    public string Name { get; set; } = null!;

    /// <summary>How to reach it instead of a port-forward: LoadBalancer, the codelab's exposed-monitoring-lb Service.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LoadBalancerSet)]
    [ValidateSet("LoadBalancer")]
    public string Expose { get; set; } = null!;

    /// <summary>How long to wait for the load balancer's address: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter(ParameterSetName = LoadBalancerSet)]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The local port to listen on (the dashboard's own port when left out, or any free port when that is taken).</summary>
    [Parameter(ParameterSetName = PortForwardSet)]
    [ValidateRange(1, 65535)]
    public int? LocalPort { get; set; }

    /// <summary>Does not open the dashboard in a browser.</summary>
    [Parameter(ParameterSetName = PortForwardSet)]
    [Parameter(ParameterSetName = LoadBalancerSet)]
    public SwitchParameter NoBrowser { get; set; }

    /// <summary>Forwards in a background job (Get-Job lists it) and returns the job at once; its output is the dashboard with the URL; Stop-Job closes the listener.</summary>
    [Parameter(ParameterSetName = PortForwardSet)]
    public SwitchParameter AsJob { get; set; }

    protected override void EndProcessing()
    {
        var options = new DashboardOptions { Name = Name };
        ThrowIfInvalid(DashboardBuilder.Validate(options), Name);
        if (ParameterSetName == PortForwardSet)
        {
            Forward(DashboardBuilder.Find(Name)!);
            return;
        }

        var service = DashboardBuilder.Build(options);
        var (connection, target) = OpenTarget();
        if (!ShouldProcess($"Service {DashboardBuilder.Namespace}/{DashboardBuilder.ServiceName} (type LoadBalancer, open to the internet) for {Name}", $"Apply to {connection}"))
        {
            return;
        }

        var applied = Call(target.ApplyAsync(service, false, CancellationToken), service);
        WriteVerbose($"{applied} ({applied.Location})");
        var last = new WaitState(false, "nothing read yet");
        var progress = new ProgressRecord(1, $"Waiting for the load balancer of {Name} on {connection}", last.Message);
        try
        {
            var found = Watch(target, progress, "Service", DashboardBuilder.Namespace, DashboardBuilder.ServiceName, resource => LoadBalancerStatus.Assigned(resource, DashboardBuilder.Namespace, DashboardBuilder.ServiceName), Timeout, state => last = state);
            var (hostname, ip) = LoadBalancerStatus.Address(found);
            var url = "http://" + (hostname ?? ip);
            WriteObject(new LabDashboard { Name = Name, Expose = Expose, Url = url, Service = found ?? applied.Object });
            if (!NoBrowser && Browser.Open(url) is { } problem)
            {
                WriteWarning(Messages.BrowserNotOpened(url, problem));
            }
        }
        catch (TimeoutException)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.WaitTimedOut, Messages.WaitTimedOut($"the load balancer of {Name}", Timeout, last.Message), Name));
        }
        catch (NotSupportedException ex)
        {
            WriteWarning(Messages.AddonNotWaited(Name, ex.Message));
            WriteObject(new LabDashboard { Name = Name, Expose = Expose, Url = string.Empty, Service = applied.Object });
        }
        catch (Exception ex) when (ex is ApiStatusException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(LabErrors.FromTarget(ex, service));
        }
    }

    // istioctl dashboard: a Running pod by istioctl's label, a local listener, forwarding until Ctrl+C.
    private void Forward(DashboardInfo dashboard)
    {
        var (connection, target) = OpenTarget();
        if (target is not IPortForwardTarget forwarder)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.PortForwardNotAvailable, Messages.PortForwardNotAvailable(connection.ToString()), Name));
            return;
        }

        var pods = Call(target.ListAsync("Pod", DashboardBuilder.Namespace, null, LabelQuery.Parse(dashboard.IstioctlSelector), CancellationToken), Name);
        var pod = pods.FirstOrDefault(p => PodStatus.From(p, DateTimeOffset.UtcNow).Status == "Running");
        if (pod is null)
        {
            ThrowTerminatingError(LabErrors.Create(ErrorIds.DashboardPodNotFound, Messages.DashboardPodNotFound(Name, dashboard.IstioctlSelector, DashboardBuilder.Namespace), Name));
            return;
        }

        var localPort = LocalPort ?? dashboard.TargetPort;
        if (!ShouldProcess($"localhost port {localPort} to pod {DashboardBuilder.Namespace}/{pod.Name} port {dashboard.TargetPort} ({Name})", AsJob ? "Port-forward in a background job (until Stop-Job)" : "Port-forward"))
        {
            return;
        }

        LabDashboard Describe(int port) => new() { Name = Name, Expose = PortForwardSet, Url = $"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}{dashboard.Path}", Pod = $"{DashboardBuilder.Namespace}/{pod.Name}", LocalPort = port };
        if (AsJob)
        {
            var job = new DashboardForwardJob($"Open-LabDashboard -Name {Name} -AsJob", forwarder, DashboardBuilder.Namespace, pod.Name, dashboard.TargetPort, localPort, Describe);
            JobRepository.Add(job);
            OpenBrowser(job.Dashboard.Url);
            WriteObject(job);
            return;
        }

        try
        {
            Pump(async post =>
            {
                var forward = forwarder.Forward(DashboardBuilder.Namespace, pod.Name, dashboard.TargetPort, localPort, message => post(() => WriteVerbose(message)), CancellationToken);
                var found = Describe(forward.LocalPort);
                post(() =>
                {
                    WriteVerbose($"Forwarding from 127.0.0.1:{forward.LocalPort.ToString(CultureInfo.InvariantCulture)} -> {dashboard.TargetPort.ToString(CultureInfo.InvariantCulture)} (pod {found.Pod}); Ctrl+C stops it");
                    WriteObject(found);
                    OpenBrowser(found.Url);
                });
                await forward.Completion.ConfigureAwait(false);
                return true;
            });
        }
        catch (PortForwardLostException ex)
        {
            // The pod went away (deleted, or replaced by a rollout): the forward ends, as kubectl port-forward's does.
            ThrowTerminatingError(LabErrors.Create(ErrorIds.PortForwardFailed, Messages.PortForwardFailed(Name, ex.Message), Name, ex));
        }
    }

    private void OpenBrowser(string url)
    {
        if (!NoBrowser && Browser.Open(url) is { } problem)
        {
            WriteWarning(Messages.BrowserNotOpened(url, problem));
        }
    }
}

/// <summary>Removes the dashboards' load balancer, as the codelab's kubectl delete svc exposed-monitoring-lb.</summary>
/// <remarks>
/// Deletes the exposed-monitoring-lb Service in istio-system (its cloud load balancer goes with it). Nothing happens
/// when it is not there. Asks first (ConfirmImpact Medium); -WhatIf says what it would remove.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// Open-LabDashboard -Name zipkin -Expose LoadBalancer -WarningAction SilentlyContinue | Out-Null
/// Close-LabDashboard -Confirm:$false -Verbose</code>
/// <para>Removes the Service Open-LabDashboard applied.</para>
/// </example>
[Cmdlet(VerbsCommon.Close, "LabDashboard", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class CloseLabDashboardCommand : TargetCmdlet
{
    protected override void EndProcessing()
    {
        var (connection, target) = OpenTarget();
        var service = new Service { Name = DashboardBuilder.ServiceName, Namespace = DashboardBuilder.Namespace };
        if (ShouldProcess($"Service {DashboardBuilder.Namespace}/{DashboardBuilder.ServiceName}", $"Delete from {connection}"))
        {
            var removed = Call(target.DeleteAsync(service, CancellationToken), service);
            WriteVerbose(removed ? $"Service {DashboardBuilder.Namespace}/{DashboardBuilder.ServiceName} deleted." : $"Service {DashboardBuilder.Namespace}/{DashboardBuilder.ServiceName} was not there.");
        }
    }
}
