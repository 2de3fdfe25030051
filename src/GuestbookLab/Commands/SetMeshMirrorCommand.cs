using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Mirrors (shadows) a route's traffic to another destination.</summary>
/// <remarks>
/// Sets http[].mirror and mirrorPercentage on the last route (or -RouteIndex). Mirrored copies are fire-and-forget:
/// their answers are discarded, and Envoy appends '-shadow' to their Host header.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name message-service -Hosts message-service |
///     Add-MeshRoute -Destination message-service -Subset v1 -Weight 100 -UriPrefix / |
///     Set-MeshMirror -Destination message-service -Subset v2</code>
/// <para>The codelab's mirror: answers come from v1, and a copy of every request goes to v2.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshMirror")]
[OutputType(typeof(VirtualService), typeof(LabResource))]
public sealed class SetMeshMirrorCommand : ModifyRouteCmdlet
{
    /// <summary>The host that receives the copies.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Destination { get; set; } = null!;

    /// <summary>The subset of the mirror host.</summary>
    [Parameter]
    public string? Subset { get; set; }

    /// <summary>The port of the mirror host, when it has several.</summary>
    [Parameter]
    public int? Port { get; set; }

    /// <summary>The share of requests to mirror, 0 to 100.</summary>
    [Parameter]
    public double Percent { get; set; } = 100;

    private MirrorOptions Options => new() { Destination = Destination, Subset = Subset, Port = Port, Percent = Percent };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(MirrorBuilder.Validate(Options).Issues);

    protected override void ModifyRoute(HttpRoute route) => MirrorBuilder.Apply(route, Options);
}
