using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Requires mutual TLS for a namespace (or a workload): a PeerAuthentication and the matching DestinationRule.</summary>
/// <remarks>
/// Emits the codelab's two objects: the PeerAuthentication 'default' (mtls mode STRICT) in -Namespace, then the
/// DestinationRule 'default' for '*.NAMESPACE.svc.cluster.local' with trafficPolicy.tls.mode ISTIO_MUTUAL, so clients
/// in the mesh send Istio mTLS. Under STRICT, plaintext from pods without a sidecar is refused (connection reset).
///
/// -Mode PERMISSIVE accepts both mTLS and plaintext; -Mode DISABLE accepts plaintext only (the DestinationRule then
/// sets tls.mode DISABLE). With -Selector the PeerAuthentication applies to the selected workloads only, may set
/// -PortLevelMtls, and no DestinationRule is emitted. -SkipDestinationRule emits the PeerAuthentication alone.
/// </remarks>
/// <example>
/// <code>Enable-MeshStrictMtls -Namespace default | ConvertTo-LabYaml</code>
/// <para>The codelab's strict mTLS for the default namespace.</para>
/// </example>
/// <example>
/// <code>Enable-MeshStrictMtls -Name ui-strict -Namespace default -Selector @{ app = 'ui' } -PortLevelMtls @{ 9000 = 'PERMISSIVE' }</code>
/// <para>Strict mTLS for the ui pods, except their metrics port 9000, which also accepts plaintext.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Enable, "MeshStrictMtls")]
[OutputType(typeof(PeerAuthentication), typeof(DestinationRule))]
public sealed class EnableMeshStrictMtlsCommand : LabCmdlet
{
    /// <summary>The namespace the policy applies to.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = "default";

    /// <summary>The mTLS mode: STRICT, PERMISSIVE, DISABLE or UNSET (inherit).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MtlsModeCompleter))]
    public string Mode { get; set; } = "STRICT";

    /// <summary>Pod labels that narrow the policy to some workloads (matchLabels): a hashtable (@{ app = 'ui' }) or the same -Selector text the cluster cmdlets take, with labels only ('app=ui,version=v1').</summary>
    [Parameter]
    [SelectorTransformation(LabelsOnly = true)]
    public LabelQuery? Selector { get; set; }

    /// <summary>Port to mode for the selected workloads, e.g. @{ 9000 = 'PERMISSIVE' }; needs -Selector.</summary>
    [Parameter]
    public Hashtable? PortLevelMtls { get; set; }

    /// <summary>The PeerAuthentication's name; 'default' for a namespace-wide policy.</summary>
    [Parameter]
    public string Name { get; set; } = "default";

    /// <summary>Emits the PeerAuthentication only.</summary>
    [Parameter]
    public SwitchParameter SkipDestinationRule { get; set; }

    protected override void ProcessRecord()
    {
        var options = new MtlsOptions
        {
            Namespace = Namespace, Mode = Mode, Selector = Binding.Labels(Selector), PortLevelMtls = Binding.PairsOrNull(PortLevelMtls),
            Name = Name, SkipDestinationRule = SkipDestinationRule,
        };
        ThrowIfInvalid(MtlsBuilder.Validate(options), Name);
        foreach (var resource in MtlsBuilder.Build(options))
        {
            ThrowIfInvalid(resource);
            WriteObject(resource);
        }
    }
}
