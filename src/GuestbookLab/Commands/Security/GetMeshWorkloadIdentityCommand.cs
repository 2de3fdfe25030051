using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands.Security;

/// <summary>Gets a workload's mesh identity: its SPIFFE ID and the principal AuthorizationPolicies match.</summary>
/// <remarks>
/// Istio gives every pod a certificate whose URI SAN is spiffe://TRUST-DOMAIN/ns/NAMESPACE/sa/SERVICE-ACCOUNT; policies
/// name it without the scheme (Principal). Give the service account, or pipe in a Deployment, StatefulSet or
/// DaemonSet to use its pods' service account ('default' when the template names none).
/// </remarks>
/// <example>
/// <code>(Get-MeshWorkloadIdentity -ServiceAccount ui-sa).Principal</code>
/// <para>cluster.local/ns/default/sa/ui-sa, as the codelab's policies write it.</para>
/// </example>
/// <example>
/// <code>Get-MeshWorkloadIdentity -ServiceAccount message-sa -Namespace shop -TrustDomain example.org | Select-Object SpiffeId</code>
/// <para>spiffe://example.org/ns/shop/sa/message-sa.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MeshWorkloadIdentity")]
[OutputType(typeof(WorkloadIdentity))]
public sealed class GetMeshWorkloadIdentityCommand : LabCmdlet
{
    /// <summary>The service account the workload's pods run as (needed unless a workload is piped in).</summary>
    [Parameter(Position = 0)]
    public string? ServiceAccount { get; set; }

    /// <summary>A workload whose pod template gives the service account and namespace.</summary>
    [Parameter(ValueFromPipeline = true)]
    public Workload? InputObject { get; set; }

    /// <summary>The namespace of the workload (for a piped workload, its own namespace when it has one).</summary>
    [Parameter]
    public string Namespace { get; set; } = "default";

    /// <summary>The mesh's trust domain.</summary>
    [Parameter]
    public string TrustDomain { get; set; } = "cluster.local";

    protected override void ProcessRecord()
    {
        var options = new WorkloadIdentityOptions { ServiceAccount = ServiceAccount, Workload = InputObject, Namespace = Namespace, TrustDomain = TrustDomain };
        ThrowIfInvalid(WorkloadIdentityBuilder.Validate(options), ServiceAccount);
        WriteObject(WorkloadIdentityBuilder.Build(options));
    }
}
