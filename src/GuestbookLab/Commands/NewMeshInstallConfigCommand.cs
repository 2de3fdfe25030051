using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Creates the IstioOperator configuration for istioctl install (the codelab's istio.yaml).</summary>
/// <remarks>
/// Emits an install.istio.io/v1alpha1 IstioOperator with the profile, the Zipkin collector the sidecars send spans
/// to (meshConfig.defaultConfig.tracing.zipkin.address) and, when given, the outbound traffic policy. Export it to a
/// file and run 'istioctl install -f FILE'. Change the outbound policy later with Set-MeshOutboundPolicy.
/// </remarks>
/// <example>
/// <code>New-MeshInstallConfig | Export-LabManifest -Path ./istio.yaml</code>
/// <para>The codelab's first istio.yaml: the demo profile, traces to zipkin.istio-system:9411.</para>
/// </example>
/// <example>
/// <code>New-MeshInstallConfig -OutboundTrafficPolicy REGISTRY_ONLY | ConvertTo-LabYaml</code>
/// <para>The egress section's istio.yaml: only registered hosts are reachable.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MeshInstallConfig")]
[OutputType(typeof(IstioOperator))]
public sealed class NewMeshInstallConfigCommand : LabCmdlet
{
    /// <summary>The istioctl profile: demo, default, minimal...</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string Profile { get; set; } = "demo";

    /// <summary>Where sidecars send Zipkin spans (host:port); an empty string leaves it out.</summary>
    [Parameter]
    [AllowEmptyString]
    public string ZipkinAddress { get; set; } = "zipkin.istio-system:9411";

    /// <summary>ALLOW_ANY (Istio's default: any external host) or REGISTRY_ONLY (only registered hosts).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(OutboundModeCompleter))]
    public string? OutboundTrafficPolicy { get; set; }

    /// <summary>A name for the IstioOperator; istioctl does not need one.</summary>
    [Parameter]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        var options = new InstallConfigOptions { Profile = Profile, ZipkinAddress = ZipkinAddress, OutboundTrafficPolicy = OutboundTrafficPolicy, Name = Name };
        ThrowIfInvalid(InstallConfigBuilder.Validate(options), Name);
        var config = InstallConfigBuilder.Build(options);
        ThrowIfInvalid(config);
        WriteObject(config);
    }
}
