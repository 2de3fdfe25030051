using System.Collections;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Adds an HTTP route (or a weighted destination) to a VirtualService from the pipeline.</summary>
/// <remarks>
/// Match conditions given in one call are ANDed into one match block (uri, headers, method); Istio takes the first
/// route whose match fits, in the order the routes were added.
///
/// The rule for weights: a call with -Weight whose match conditions equal those of the VirtualService's last route
/// adds its destination to that route, so consecutive calls build a weighted split. Every other call appends a new
/// route. Objects of other kinds in the pipeline pass through unchanged.
/// </remarks>
/// <example>
/// <code>New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway |
///     Add-MeshRoute -Destination ui -Subset v2 -UriPrefix / -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } |
///     Add-MeshRoute -Destination ui -Subset v1 -UriPrefix / |
///     ConvertTo-LabYaml</code>
/// <para>The codelab's browser routing: Chrome users reach ui v2, everyone else ui v1.</para>
/// </example>
/// <example>
/// <code>New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway |
///     Add-MeshRoute -Destination ui -Subset v1 -Weight 20 -UriPrefix / |
///     Add-MeshRoute -Destination ui -Subset v2 -Weight 80 -UriPrefix /</code>
/// <para>A 20/80 split: the second call has the same match and a weight, so it joins the first route.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshRoute")]
[OutputType(typeof(VirtualService), typeof(LabResource))]
public sealed class AddMeshRouteCommand : ModifyResourceCmdlet<VirtualService>
{
    private RouteOptions? options;

    /// <summary>The destination host: a service name (ui, message-service) or a ServiceEntry host.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Destination { get; set; } = null!;

    /// <summary>The DestinationRule subset of the destination (v1, v2...).</summary>
    [Parameter]
    public string? Subset { get; set; }

    /// <summary>The destination's share of the route's traffic; see the rule for weights in the description.</summary>
    [Parameter]
    public int? Weight { get; set; }

    /// <summary>The destination service port, when the service has several.</summary>
    [Parameter]
    public int? Port { get; set; }

    /// <summary>Match requests whose path starts with this prefix.</summary>
    [Parameter]
    public string? UriPrefix { get; set; }

    /// <summary>Match requests whose path (without query) is exactly this.</summary>
    [Parameter]
    public string? UriExact { get; set; }

    /// <summary>Match requests whose whole path (without query) matches this RE2 regex.</summary>
    [Parameter]
    public string? UriRegex { get; set; }

    /// <summary>Headers that must equal the given values, e.g. @{ 'end-user' = 'jason' }.</summary>
    [Parameter]
    public IDictionary? HeaderExact { get; set; }

    /// <summary>Headers that must start with the given values.</summary>
    [Parameter]
    public IDictionary? HeaderPrefix { get; set; }

    /// <summary>Headers whose whole value must match the given RE2 regexes, e.g. @{ 'user-agent' = '.*Chrome.*' }.</summary>
    [Parameter]
    public IDictionary? HeaderRegex { get; set; }

    /// <summary>Match requests with this HTTP method (exact).</summary>
    [Parameter]
    public string? Method { get; set; }

    /// <summary>A name for the route, shown in Envoy's statistics and access logs.</summary>
    [Parameter]
    public string? RouteName { get; set; }

    private RouteOptions Options => options ??= new()
    {
        Destination = Destination, Subset = Subset, Weight = Weight, Port = Port,
        UriPrefix = UriPrefix, UriExact = UriExact, UriRegex = UriRegex,
        HeaderExact = Binding.Pairs(HeaderExact), HeaderPrefix = Binding.Pairs(HeaderPrefix), HeaderRegex = Binding.Pairs(HeaderRegex),
        Method = Method, RouteName = RouteName,
    };

    protected override void ValidateParameters(ValidationResult result) => result?.AddRange(RouteBuilder.Validate(Options).Issues);

    protected override void Modify(VirtualService resource) => RouteBuilder.Apply(resource, Options);
}
