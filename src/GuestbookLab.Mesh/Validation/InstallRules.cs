using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Validation;

/// <summary>Rules for the IstioOperator, namespaces and workloads the mesh cmdlets write.</summary>
public static class InstallRules
{
    /// <summary>The profiles istioctl 1.17 ships (manifests/profiles).</summary>
    public static readonly IReadOnlyList<string> Profiles = ["ambient", "default", "demo", "empty", "external", "minimal", "openshift", "preview", "remote"];

    public static readonly IReadOnlyList<string> OutboundModes = ["ALLOW_ANY", "REGISTRY_ONLY"];

    public const string RewriteProbesAnnotation = "sidecar.istio.io/rewriteAppHTTPProbers";
    public const string InjectionLabel = "istio-injection";

    public static bool Profile(ValidationResult result, string field, string? profile)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (profile is not null && !Profiles.Contains(profile, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidInstallConfig, field, profile, $"{ValidationResult.Show(profile)} is not a profile istioctl 1.17 ships: use {string.Join(", ", Profiles)}", "istioctl profiles");
            return false;
        }

        return true;
    }

    public static bool OutboundMode(ValidationResult result, string field, string? mode)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (mode is not null && !OutboundModes.Contains(mode, StringComparer.Ordinal))
        {
            result.Error(ErrorIds.InvalidOutboundPolicy, field, mode, $"{ValidationResult.Show(mode)} is not an outbound traffic policy: use ALLOW_ANY or REGISTRY_ONLY", "MeshConfig.OutboundTrafficPolicy.Mode");
            return false;
        }

        return true;
    }

    /// <summary>ValidateZipkinCollector: host:port, the host an FQDN or IP (or $(HOST_IP)), the port 1..65535.</summary>
    public static bool ZipkinAddress(ValidationResult result, string field, string? address)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (address is null)
        {
            return true;
        }

        var colon = address.LastIndexOf(':');
        var host = colon < 0 ? address : address[..colon].Replace("$(HOST_IP)", "127.0.0.1", StringComparison.Ordinal);
        var portOk = colon >= 0 && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
        var hostOk = host.Length > 0 && (Rules.IsIpAddress(host.Trim('[', ']')) || (Rules.WildcardDomainProblem(host) is null && !host.Contains('*', StringComparison.Ordinal)));
        if (!portOk || !hostOk)
        {
            result.Error(ErrorIds.InvalidInstallConfig, field, address, $"{ValidationResult.Show(address)} is not a collector address: write host:port, e.g. zipkin.istio-system:9411", "ValidateZipkinCollector");
            return false;
        }

        return true;
    }

    internal static void IstioOperator(ValidationResult result, IstioOperator config)
    {
        var spec = config.Spec;
        Profile(result, "spec.profile", spec.Profile);
        var mesh = spec.MeshConfig;
        OutboundMode(result, "spec.meshConfig.outboundTrafficPolicy.mode", mesh?.OutboundTrafficPolicy?.Mode);
        ZipkinAddress(result, "spec.meshConfig.defaultConfig.tracing.zipkin.address", mesh?.DefaultConfig?.Tracing?.Zipkin?.Address);
        Rules.Percentage(result, "spec.meshConfig.defaultConfig.tracing.sampling", mesh?.DefaultConfig?.Tracing?.Sampling);
        if (mesh?.TrustDomain is { } trustDomain)
        {
            Rules.WildcardDomain(result, "spec.meshConfig.trustDomain", trustDomain, "ValidateTrustDomain");
        }
    }

    internal static void Namespace(ValidationResult result, KubernetesNamespace ns)
    {
        Rules.Dns1123Label(result, "metadata.name", ns.Metadata.Name, ErrorIds.InvalidName, "namespace name", "ValidateNamespaceName");
        Rules.Labels(result, "metadata.labels", ns.Metadata.Labels);
    }

    internal static void Workload(ValidationResult result, Workload workload)
    {
        var template = workload.Spec.Template;
        Rules.Labels(result, "spec.template.metadata.labels", template?.Metadata?.Labels);
        if (template?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(RewriteProbesAnnotation, out var rewrite) && rewrite is not ("true" or "false"))
        {
            result.Error(ErrorIds.InvalidAnnotation, $"spec.template.metadata.annotations[{RewriteProbesAnnotation}]", rewrite, $"{ValidationResult.Show(rewrite)} is not a boolean: use \"true\" or \"false\"", "sidecar annotations");
        }
    }
}
