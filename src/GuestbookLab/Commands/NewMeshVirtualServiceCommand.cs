using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Creates an Istio VirtualService for hosts, optionally bound to gateways.</summary>
/// <remarks>
/// Emits a networking.istio.io/v1beta1 VirtualService with no routes yet: pipe it to Add-MeshRoute, then to
/// Add-MeshFault, Set-MeshRetryPolicy or Set-MeshMirror. Without -Gateway the VirtualService applies to the
/// sidecars of the mesh, where the host '*' is not allowed.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway | Add-MeshRoute -Destination ui -UriPrefix / | ConvertTo-LabYaml</code>
/// <para>The codelab's ingress route: every request through guestbook-ui-gateway goes to the ui service.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MeshVirtualService")]
[OutputType(typeof(VirtualService))]
public sealed class NewMeshVirtualServiceCommand : LabCmdlet
{
    /// <summary>The VirtualService's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = null!;

    /// <summary>The hosts the routes apply to: service names (message-service), domains, or '*' with gateways.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    // Plural on purpose: the singular, Host, is reserved in PowerShell ($Host, the session's host object).
    public string[] Hosts { get; set; } = null!;

    /// <summary>The gateways ('name' or 'namespace/name') the routes apply to; 'mesh' means the sidecars.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Gateways")]
    public string[]? Gateway { get; set; }

    /// <summary>The namespace; omitted from the manifest when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var options = new VirtualServiceOptions { Name = Name, Hosts = Hosts, Gateways = Gateway, Namespace = Namespace };
        ThrowIfInvalid(VirtualServiceBuilder.Validate(options), Name);
        var vs = VirtualServiceBuilder.Build(options);
        ThrowIfInvalid(vs, ErrorIds.MissingRoutes);
        WriteObject(vs);
    }
}
