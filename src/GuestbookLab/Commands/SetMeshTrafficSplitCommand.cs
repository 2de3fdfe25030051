using System.Collections;
using System.Linq;
using System.Management.Automation;
using GuestbookLab.Mesh.Building;
using GuestbookLab.Model;

namespace GuestbookLab.Commands;

/// <summary>Splits a service's traffic between its versions by weight.</summary>
/// <remarks>
/// Emits two objects: the DestinationRule with one subset per key of -Weight, then the VirtualService whose route
/// sends each subset its share. Weights are whole percentages that sum to 100. A subset with weight 0 is kept in the
/// DestinationRule but left out of the route (Istio drops zero-weight destinations anyway), so
/// -Weight @{ v1 = 100; v2 = 0 } is the codelab's "all traffic to v1".
///
/// Subset labels default to version=N.0 for a subset named vN (v1 is version '1.0'), as the codelab labels its
/// deployments; give -SubsetLabel for any other naming. The route matches -UriPrefix ('/' by default; give an empty
/// string for no match).
/// </remarks>
/// <example>
/// <code>Set-MeshTrafficSplit -Service ui -Weight ([ordered]@{ v1 = 20; v2 = 80 }) -Name guestbook-ui -Hosts '*' -Gateway guestbook-ui-gateway | ConvertTo-LabYaml</code>
/// <para>The codelab's 20/80 split between ui v1 and v2, behind the ingress gateway.</para>
/// </example>
/// <example>
/// <code>Set-MeshTrafficSplit -Service reviews -Weight @{ stable = 90; canary = 10 } -SubsetLabel @{ stable = @{ track = 'stable' }; canary = @{ track = 'canary' } }</code>
/// <para>A canary with custom subset names and labels; the VirtualService is named and hosted after the service.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshTrafficSplit")]
[OutputType(typeof(DestinationRule), typeof(VirtualService))]
public sealed class SetMeshTrafficSplitCommand : LabCmdlet
{
    /// <summary>The service whose traffic is split (the route's destination host and the DestinationRule's host).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Service { get; set; } = null!;

    /// <summary>Subset name to weight, e.g. @{ v1 = 20; v2 = 80 }; the weights sum to 100.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public IDictionary Weight { get; set; } = null!;

    /// <summary>Subset name to pod labels, e.g. @{ v1 = @{ version = '1.0' } }; by default vN gets version=N.0.</summary>
    [Parameter]
    [Alias("SubsetLabels")]
    public IDictionary? SubsetLabel { get; set; }

    /// <summary>The VirtualService's name; by default the service name. The DestinationRule is always named after the service.</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>The VirtualService's hosts; by default the service.</summary>
    [Parameter]
    // Plural on purpose: the singular, Host, is reserved in PowerShell ($Host, the session's host object).
    public string[]? Hosts { get; set; }

    /// <summary>The gateways the VirtualService is bound to.</summary>
    [Parameter]
    [Alias("Gateways")]
    public string[]? Gateway { get; set; }

    /// <summary>The route's path prefix match; '/' by default, '' for no match.</summary>
    [Parameter]
    [AllowEmptyString]
    public string UriPrefix { get; set; } = "/";

    /// <summary>The namespace of both objects; omitted from the manifests when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var options = new TrafficSplitOptions
        {
            Service = Service,
            Weights = Binding.RawPairs(Weight),
            SubsetLabels = SubsetLabel is null ? null : Binding.RawPairs(SubsetLabel)
                .ToDictionary(e => e.Key, e => e.Value is IDictionary labels ? (object?)Binding.Labels(labels) : e.Value, Binding.KeyComparer),
            Name = Name,
            Hosts = Hosts,
            Gateways = Gateway,
            UriPrefix = UriPrefix,
            Namespace = Namespace,
        };
        ThrowIfInvalid(TrafficSplitBuilder.Validate(options), Weight);
        var (rule, vs) = TrafficSplitBuilder.Build(options);
        ThrowIfInvalid(rule);
        ThrowIfInvalid(vs);
        WriteObject(rule);
        WriteObject(vs);
    }
}
