using System;
using System.Collections.Generic;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>The IstioOperator for istioctl install: New-MeshInstallConfig's input.</summary>
public sealed record InstallConfigOptions
{
    public string Profile { get; init; } = "demo";

    /// <summary>Where sidecars send Zipkin spans; empty: left out.</summary>
    public string ZipkinAddress { get; init; } = "zipkin.istio-system:9411";

    /// <summary>ALLOW_ANY or REGISTRY_ONLY (any case); null: Istio's default.</summary>
    public string? OutboundTrafficPolicy { get; init; }

    public string? Name { get; init; }
}

/// <summary>Builds the IstioOperator of the codelab's istio.yaml.</summary>
public static class InstallConfigBuilder
{
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(InstallConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        InstallRules.Profile(result, nameof(options.Profile), options.Profile);
        if (options.ZipkinAddress.Length > 0)
        {
            InstallRules.ZipkinAddress(result, nameof(options.ZipkinAddress), options.ZipkinAddress);
        }

        InstallRules.OutboundMode(result, nameof(options.OutboundTrafficPolicy), options.OutboundTrafficPolicy?.ToUpperInvariant());
        if (options.Name is not null)
        {
            Rules.ResourceName(result, nameof(options.Name), options.Name);
        }

        return result;
    }

    public static IstioOperator Build(InstallConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mode = options.OutboundTrafficPolicy?.ToUpperInvariant();
        var config = new IstioOperator();
        if (options.Name is not null)
        {
            config.Name = options.Name;
        }

        config.Spec.Profile = options.Profile;
        if (options.ZipkinAddress.Length > 0 || mode is not null)
        {
            config.Spec.MeshConfig = new MeshConfig();
        }

        if (mode is not null)
        {
            config.Spec.MeshConfig!.OutboundTrafficPolicy = new OutboundTrafficPolicy { Mode = mode };
        }

        if (options.ZipkinAddress.Length > 0)
        {
            config.Spec.MeshConfig!.DefaultConfig = new ProxyConfig { Tracing = new Tracing { Zipkin = new ZipkinTracer { Address = options.ZipkinAddress } } };
        }

        return config;
    }
}

/// <summary>Sets the mesh's outbound traffic policy in an IstioOperator (Set-MeshOutboundPolicy).</summary>
public static class OutboundPolicyBuilder
{
    /// <summary>The mode is the cmdlet's -Mode.</summary>
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(string mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        var result = new ValidationResult(Parameters);
        InstallRules.OutboundMode(result, "Mode", mode.ToUpperInvariant());
        return result;
    }

    public static void Apply(IstioOperator resource, string mode)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(mode);
        var mesh = resource.Spec.MeshConfig ??= new MeshConfig();
        mesh.OutboundTrafficPolicy = new OutboundTrafficPolicy { Mode = mode.ToUpperInvariant() };
    }
}

/// <summary>Labels namespaces for automatic sidecar injection (Enable-MeshInjection).</summary>
public static class InjectionBuilder
{
    /// <summary>The namespace name is the cmdlet's -Namespace.</summary>
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(string namespaceName)
    {
        var result = new ValidationResult(Parameters);
        Rules.Dns1123Label(result, "Namespace", namespaceName, ErrorIds.InvalidName, "namespace name", "ValidateNamespaceName");
        return result;
    }

    /// <summary>Sets istio-injection=enabled (disabled with <paramref name="disable"/>) on the namespace.</summary>
    public static KubernetesNamespace Label(KubernetesNamespace ns, bool disable)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var labels = ns.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        labels[InstallRules.InjectionLabel] = disable ? "disabled" : "enabled";
        return ns;
    }
}
