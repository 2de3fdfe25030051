using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Cluster;

/// <summary>Builds the codelab's exposed-monitoring-lb Service for one dashboard (Grafana, Prometheus, Kiali, Zipkin), without applying it.</summary>
/// <remarks>
/// Emits the Service the codelab applies to open a dashboard: exposed-monitoring-lb in istio-system, type
/// LoadBalancer, port 80 to the dashboard's target port (grafana 3000, prometheus 9090, kiali 20001, zipkin 9411)
/// with the codelab's selector for that dashboard. Every dashboard's Service has the same name, so applying another
/// replaces the previous one, as the codelab re-applies it. It reads and writes nothing: Open-LabDashboard -Expose
/// LoadBalancer applies the same Service and waits for its address; Close-LabDashboard deletes it.
/// </remarks>
/// <example>
/// <code>New-LabDashboardService -Name grafana | ConvertTo-LabYaml</code>
/// <para>The codelab's Service for the Grafana dashboard.</para>
/// </example>
/// <example>
/// <code>'grafana', 'kiali' | ForEach-Object { (New-LabDashboardService -Name $_).Spec.Ports[0].TargetPort }</code>
/// <para>The dashboards' target ports: 3000 and 20001.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "LabDashboardService")]
[OutputType(typeof(Service))]
public sealed class NewLabDashboardServiceCommand : LabCmdlet
{
    /// <summary>The dashboard the Service exposes.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateSet("grafana", "prometheus", "kiali", "zipkin")]
    public string Name { get; set; } = null!;

    protected override void ProcessRecord()
    {
        var options = new DashboardOptions { Name = Name };
        ThrowIfInvalid(DashboardBuilder.Validate(options), Name);
        var service = DashboardBuilder.Build(options);
        ThrowIfInvalid(service);
        WriteObject(service);
    }
}
