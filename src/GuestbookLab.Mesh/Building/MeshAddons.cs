using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>One of Istio 1.17's telemetry addons (samples/addons): its manifest, Deployment and UI Service.</summary>
public sealed record AddonInfo(string Name, string File, string Deployment, string Service, int Port, string Selector, string? UiPath);

/// <summary>What Install-LabMeshAddon installs: the addons by name, and where their manifests come from.</summary>
public sealed record AddonOptions
{
    public IReadOnlyList<string> Name { get; init; } = [];

    /// <summary>Manifest URLs instead of the shipped copies, one per name, in the same order.</summary>
    public IReadOnlyList<Uri> Uri { get; init; } = [];

    /// <summary>Addons the target already runs (their Deployments in istio-system).</summary>
    public IReadOnlyList<string> Installed { get; init; } = [];
}

/// <summary>Istio 1.17.8's addon manifests: which to apply, and which may not be applied together.</summary>
public static class MeshAddons
{
    public const string IstioVersion = "1.17.8";
    public const string Namespace = "istio-system";

    /// <summary>Where istio/istio keeps the manifests of the codelab's release line.</summary>
    public const string OfficialBase = "https://raw.githubusercontent.com/istio/istio/release-1.17/samples/addons/";

    /// <summary>The addons, their files under Addons/istio-1.17.8, Deployments and UI Services (istioctl dashboard's ports).</summary>
    public static IReadOnlyList<AddonInfo> All { get; } =
    [
        new("prometheus", "prometheus.yaml", "prometheus", "prometheus", 9090, "app=prometheus", null),
        new("grafana", "grafana.yaml", "grafana", "grafana", 3000, "app.kubernetes.io/name=grafana", null),
        new("kiali", "kiali.yaml", "kiali", "kiali", 20001, "app=kiali", "/kiali"),
        new("zipkin", "extras/zipkin.yaml", "zipkin", "zipkin", 9411, "app=zipkin", null),
        new("jaeger", "jaeger.yaml", "jaeger", "tracing", 80, "app=jaeger", null),
    ];

    /// <summary>The Services that jaeger.yaml and extras/zipkin.yaml both define.</summary>
    public static IReadOnlyList<string> SharedTracingServices { get; } = ["tracing", "zipkin"];

    public static ParameterMap Parameters { get; } = new();

    public static AddonInfo? Find(string name) => All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The official URL of an addon's manifest.</summary>
    public static Uri OfficialUri(AddonInfo addon) => new(OfficialBase + (addon ?? throw new ArgumentNullException(nameof(addon))).File);

    public static ValidationResult Validate(AddonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        foreach (var name in options.Name.Where(n => Find(n) is null))
        {
            result.Error(ErrorIds.InvalidAddon, nameof(options.Name), name, $"{ValidationResult.Show(name)} is not an Istio 1.17 addon: use {string.Join(", ", All.Select(a => a.Name))}", "samples/addons");
        }

        if (options.Uri.Count > 0 && options.Uri.Count != options.Name.Count)
        {
            result.Error(ErrorIds.InvalidAddon, nameof(options.Uri), options.Uri.Count, $"give one URL per addon name ({options.Name.Count} names, {options.Uri.Count} URLs)", "Install-LabMeshAddon");
        }

        var tracing = options.Name.Concat(options.Installed).Select(n => n.ToLowerInvariant()).Where(n => n is "jaeger" or "zipkin").Distinct().ToList();
        if (tracing.Count > 1)
        {
            var already = options.Installed.FirstOrDefault(n => n.ToLowerInvariant() is "jaeger" or "zipkin");
            var why = already is null ? "jaeger and zipkin were both asked for" : $"{already.ToLowerInvariant()} is already installed";
            result.Error(ErrorIds.AddonConflict, nameof(options.Name), string.Join(", ", tracing), $"{why}: jaeger.yaml and extras/zipkin.yaml both define the Services {string.Join(" and ", SharedTracingServices.Select(s => $"{Namespace}/{s}"))}; install only one of them", "samples/addons/README.md");
        }

        return result;
    }
}
