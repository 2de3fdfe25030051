using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>
/// A dashboard the codelab opens: the pods its exposed-monitoring-lb Service selects, the port they serve, the label
/// istioctl dashboard finds its pod by (in istio-system), and the path of its UI.
/// </summary>
public sealed record DashboardInfo(string Name, IReadOnlyList<(string Key, string Value)> Selector, int TargetPort, string IstioctlSelector, string Path);

/// <summary>Which dashboard Open-LabDashboard exposes.</summary>
public sealed record DashboardOptions
{
    public string Name { get; init; } = "grafana";
}

/// <summary>
/// The codelab's exposed-monitoring-lb Service in istio-system: a LoadBalancer on port 80 with the selector and target
/// port of one dashboard (re-applied with another dashboard's, it moves in place).
/// </summary>
public static class DashboardBuilder
{
    public const string ServiceName = "exposed-monitoring-lb";
    public const string Namespace = "istio-system";

    /// <summary>The codelab's four Service manifests, as it writes them.</summary>
    public static IReadOnlyList<DashboardInfo> All { get; } =
    [
        new("grafana", [("app.kubernetes.io/instance", "grafana"), ("app.kubernetes.io/name", "grafana")], 3000, "app=grafana", "/"),
        new("prometheus", [("app", "prometheus"), ("component", "server"), ("release", "prometheus")], 9090, "app=prometheus", "/"),
        new("kiali", [("app.kubernetes.io/instance", "kiali"), ("app.kubernetes.io/name", "kiali")], 20001, "app=kiali", "/kiali"),
        new("zipkin", [("app", "zipkin")], 9411, "app=zipkin", "/"),
    ];

    public static ParameterMap Parameters { get; } = new();

    public static DashboardInfo? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    public static ValidationResult Validate(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        if (Find(options.Name) is null)
        {
            result.Error(ErrorIds.InvalidAddon, nameof(options.Name), options.Name, $"{ValidationResult.Show(options.Name)} is not a dashboard of the codelab: use {string.Join(", ", All.Select(d => d.Name))}", "codelab Monitoring");
        }

        return result;
    }

    public static Service Build(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dashboard = Find(options.Name) ?? throw new ArgumentException($"Unknown dashboard {options.Name}.", nameof(options));
        var service = new Service { Name = ServiceName, Namespace = Namespace };
        service.Spec.Ports = [new ServicePortSpec { Port = 80, Protocol = "TCP", TargetPort = (long)dashboard.TargetPort }];
        service.Spec.Selector = dashboard.Selector.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        service.Spec.Type = "LoadBalancer";
        return service;
    }
}
