using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using GuestbookLab.Mesh.Validation;
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

    /// <summary>Pod labels that narrow the policy to some workloads.</summary>
    [Parameter]
    public Hashtable? Selector { get; set; }

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
        var mode = Mode.ToUpperInvariant();
        var check = new ValidationResult();
        Rules.ResourceName(check, "-Name", Name);
        Rules.Dns1123Label(check, "-Namespace", Namespace, ErrorIds.InvalidName, "namespace", "metadata.namespace");
        SecurityRules.MtlsMode(check, "-Mode", mode);
        Rules.Selector(check, "-Selector", ToStringMap(Selector));
        if (PortLevelMtls is not null && Selector is null)
        {
            check.Error(ErrorIds.InvalidPortLevelMtls, "-PortLevelMtls", null, "port-level mTLS needs -Selector: a namespace-wide policy cannot set it", "ValidatePeerAuthentication");
        }

        ThrowIfInvalid(check, Name);

        var pa = new PeerAuthentication { Name = Name, Namespace = Namespace };
        pa.Spec.Mtls = new MutualTls { Mode = mode };
        if (Selector is not null)
        {
            pa.Spec.Selector = new WorkloadSelector { MatchLabels = ToStringMap(Selector) };
        }

        if (PortLevelMtls is not null)
        {
            pa.Spec.PortLevelMtls = new Dictionary<string, MutualTls>(StringComparer.Ordinal);
            foreach (var (port, portMode) in Entries(PortLevelMtls))
            {
                pa.Spec.PortLevelMtls[port] = new MutualTls { Mode = ToText(portMode).ToUpperInvariant() };
            }
        }

        ThrowIfInvalid(pa);
        WriteObject(pa);

        if (Selector is null && !SkipDestinationRule && mode != "UNSET")
        {
            var dr = new DestinationRule { Name = "default", Namespace = Namespace };
            dr.Spec.Host = $"*.{Namespace}.svc.cluster.local";
            dr.Spec.TrafficPolicy = new TrafficPolicy { Tls = new ClientTlsSettings { Mode = mode == "DISABLE" ? "DISABLE" : "ISTIO_MUTUAL" } };
            ThrowIfInvalid(dr);
            WriteObject(dr);
        }
    }
}
