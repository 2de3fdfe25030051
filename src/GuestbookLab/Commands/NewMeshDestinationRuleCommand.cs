using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Creates an Istio DestinationRule for a host.</summary>
/// <remarks>
/// Emits a networking.istio.io/v1beta1 DestinationRule. Pipe it to Add-MeshSubset to define subsets (versions) and
/// to Set-MeshCircuitBreaker for connection limits and outlier detection.
/// </remarks>
/// <example>
/// <code>New-MeshDestinationRule -Name ui -Host ui | Add-MeshSubset -Name v1 -Labels @{ version = '1.0' } | ConvertTo-LabYaml</code>
/// <para>The codelab's ui rule with the subset v1 (pods labelled version=1.0).</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MeshDestinationRule")]
[OutputType(typeof(DestinationRule))]
public sealed class NewMeshDestinationRuleCommand : LabCmdlet
{
    /// <summary>The DestinationRule's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The host the rule applies to (alias -Host): a service name, an FQDN or a wildcard ('*.default.svc.cluster.local').</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Host")]
    public string HostName { get; set; } = null!;

    /// <summary>The namespace; omitted from the manifest when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var options = new DestinationRuleOptions { Name = Name, Host = HostName, Namespace = Namespace };
        ThrowIfInvalid(DestinationRuleBuilder.Validate(options), Name);
        var rule = DestinationRuleBuilder.Build(options);
        ThrowIfInvalid(rule);
        WriteObject(rule);
    }
}
