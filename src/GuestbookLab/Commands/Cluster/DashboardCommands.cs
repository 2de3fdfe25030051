using System;
using System.Management.Automation;
using GuestbookLab.Engine;
using GuestbookLab.Errors;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Status;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Opens an Istio dashboard (Grafana, Prometheus, Kiali, Zipkin) through a load balancer, as the codelab does.</summary>
/// <remarks>
/// With -Expose LoadBalancer, applies the codelab's exposed-monitoring-lb Service in istio-system (type LoadBalancer,
/// port 80, the dashboard's selector and target port: grafana 3000, prometheus 9090, kiali 20001, zipkin 9411).
/// Opening another dashboard changes that one Service in place, as the codelab re-applies it. It then watches the
/// Service until the cloud has assigned its load balancer a hostname (or IP) and returns the dashboard with its URL,
/// http://HOSTNAME (Kiali's UI is under /kiali). The Service is open to the internet: Close-LabDashboard removes it.
/// After -Timeout (5 minutes) the error WaitTimedOut says the Service is still pending. A manifest folder target gets
/// the Service written and a warning instead of a URL. The port-forward way of istioctl dashboard is not a mode of this
/// cmdlet yet.
/// </remarks>
/// <example>
/// <code>Connect-LabCluster -Directory ./cluster | Out-Null
/// (Open-LabDashboard -Name grafana -Expose LoadBalancer -WarningAction SilentlyContinue).Service | ConvertTo-LabYaml</code>
/// <para>The codelab's Service for Grafana, written to a manifest folder; on a cluster the result's Url is the ELB's address.</para>
/// </example>
[Cmdlet(VerbsCommon.Open, "LabDashboard", SupportsShouldProcess = true)]
[OutputType(typeof(LabDashboard))]
public sealed class OpenLabDashboardCommand : TargetCmdlet
{
    /// <summary>The dashboard.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateSet("grafana", "prometheus", "kiali", "zipkin")]
    public string Name { get; set; } = null!;

    /// <summary>How to reach it: LoadBalancer, the codelab's exposed-monitoring-lb Service.</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("LoadBalancer")]
    public string Expose { get; set; } = null!;

    /// <summary>How long to wait for the load balancer's address: a duration (90s, 10m), a TimeSpan or seconds; 5 minutes when left out.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override void EndProcessing()
    {
        var options = new DashboardOptions { Name = Name };
        ThrowIfInvalid(DashboardBuilder.Validate(options), Name);
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
            WriteObject(new LabDashboard { Name = Name, Expose = Expose, Url = "http://" + (hostname ?? ip), Service = found ?? applied.Object });
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
