using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Sets the mesh's outbound traffic policy in an IstioOperator from the pipeline.</summary>
/// <remarks>
/// REGISTRY_ONLY blocks traffic to hosts no service or ServiceEntry declares (HTTP gets 502, TLS is reset); ALLOW_ANY,
/// Istio's default, lets it through. Apply the changed configuration with 'istioctl install -f'. Objects of other
/// kinds pass through unchanged.
/// </remarks>
/// <example>
/// <code>New-MeshInstallConfig | Set-MeshOutboundPolicy -Mode REGISTRY_ONLY | ConvertTo-LabYaml</code>
/// <para>The codelab's egress lock-down.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshOutboundPolicy")]
[OutputType(typeof(IstioOperator), typeof(LabResource))]
public sealed class SetMeshOutboundPolicyCommand : ModifyResourceCmdlet<IstioOperator>
{
    /// <summary>REGISTRY_ONLY or ALLOW_ANY.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OutboundModeCompleter))]
    public string Mode { get; set; } = null!;

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(OutboundPolicyBuilder.Validate(Mode).Issues);

    protected override void Modify(IstioOperator resource) => OutboundPolicyBuilder.Apply(resource, Mode);
}
