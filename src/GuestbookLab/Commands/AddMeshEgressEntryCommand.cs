using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Allows traffic to hosts outside the mesh: a ServiceEntry for an egress destination.</summary>
/// <remarks>
/// With the outbound traffic policy REGISTRY_ONLY (Set-MeshOutboundPolicy), sidecars only reach hosts that a service
/// or ServiceEntry declares: plain HTTP to anything else gets 502 (route block_all) and TLS is reset. This cmdlet
/// declares external hosts. HTTP is matched on the Host header, HTTPS and TLS on the SNI; a wildcard host
/// '*.ubuntu.com' matches archive.ubuntu.com but not ubuntu.com. Resolution is left to Istio (NONE) unless given;
/// wildcard hosts need NONE.
/// </remarks>
/// <example>
/// <code>Add-MeshEgressEntry -Name ubuntu -Hosts '*.ubuntu.com' -Port 80 -Protocol HTTP | ConvertTo-LabYaml</code>
/// <para>The codelab's entry that lets apt reach the Ubuntu mirrors.</para>
/// </example>
/// <example>
/// <code>Add-MeshEgressEntry -Name google -Hosts google.com -Port 443 -Protocol HTTPS</code>
/// <para>The codelab's entry for https://google.com, matched by SNI.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshEgressEntry")]
[OutputType(typeof(ServiceEntry))]
public sealed class AddMeshEgressEntryCommand : LabCmdlet
{
    /// <summary>The ServiceEntry's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The external hosts, e.g. '*.ubuntu.com' or 'google.com'.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    // Plural on purpose: the singular, Host, is reserved in PowerShell ($Host, the session's host object).
    public string[] Hosts { get; set; } = null!;

    /// <summary>The port the hosts are reached on.</summary>
    [Parameter(Mandatory = true)]
    public int Port { get; set; }

    /// <summary>The port's protocol: HTTP, HTTPS, TLS, TCP, GRPC...</summary>
    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(ProtocolCompleter))]
    public string Protocol { get; set; } = null!;

    /// <summary>The port's name; by default the protocol in lower case.</summary>
    [Parameter]
    public string? PortName { get; set; }

    /// <summary>MESH_EXTERNAL (outside the mesh, no mTLS) or MESH_INTERNAL.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(LocationCompleter))]
    public string Location { get; set; } = "MESH_EXTERNAL";

    /// <summary>How the proxy finds the endpoints: NONE, STATIC, DNS or DNS_ROUND_ROBIN; Istio's default (NONE) when left out.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ResolutionCompleter))]
    public string? Resolution { get; set; }

    /// <summary>Virtual IPs or CIDRs of the hosts (needed for plain TCP ports).</summary>
    [Parameter]
    [Alias("Addresses")]
    public string[]? Address { get; set; }

    /// <summary>The namespace; omitted from the manifest when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var options = new EgressEntryOptions
        {
            Name = Name, Hosts = Hosts, Port = Port, Protocol = Protocol, PortName = PortName,
            Location = Location, Resolution = Resolution, Addresses = Address, Namespace = Namespace,
        };
        ThrowIfInvalid(EgressEntryBuilder.Validate(options), Name);
        var entry = EgressEntryBuilder.Build(options);
        ThrowIfInvalid(entry);
        WriteObject(entry);
    }
}
