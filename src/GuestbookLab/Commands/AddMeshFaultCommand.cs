using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Injects a fault (an abort, a delay, or both) into a route of a VirtualService from the pipeline.</summary>
/// <remarks>
/// Sets http[].fault on the last route (or -RouteIndex). An abort answers the given HTTP status without calling the
/// service (Envoy flag FI, body 'fault filter abort'); a delay holds requests for the given time (flag DI).
/// -Percent applies to both, 100 by default.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name guestbook-service -Hosts guestbook-service |
///     Add-MeshRoute -Destination guestbook-service |
///     Add-MeshFault -Abort 503</code>
/// <para>The codelab's fault: guestbook-service answers 503 to every request.</para>
/// </example>
/// <example>
/// <code>New-MeshVirtualService -Name message-service -Hosts message-service |
///     Add-MeshRoute -Destination message-service |
///     Add-MeshFault -Delay 5s</code>
/// <para>The codelab's delay: 5 seconds added to every call to message-service. [TimeSpan]::FromSeconds(5) works too.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshFault")]
[OutputType(typeof(VirtualService), typeof(LabResource))]
public sealed class AddMeshFaultCommand : ModifyRouteCmdlet
{
    /// <summary>The HTTP status to answer with, 200 to 600.</summary>
    [Parameter]
    public int? Abort { get; set; }

    /// <summary>The delay to add: an Istio duration ('5s', '500ms') or a [TimeSpan].</summary>
    [Parameter]
    [MeshDurationTransformation]
    public MeshDuration? Delay { get; set; }

    /// <summary>The share of requests the fault applies to, 0 to 100.</summary>
    [Parameter]
    public double Percent { get; set; } = 100;

    private FaultOptions Options => new() { Abort = Abort, Delay = Delay, Percent = Percent };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(FaultBuilder.Validate(Options).Issues);

    protected override void ModifyRoute(HttpRoute route) => FaultBuilder.Apply(route, Options);
}
