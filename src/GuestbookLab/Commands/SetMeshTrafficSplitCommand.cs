using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Validation;
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
/// deployments; give -SubsetLabels for any other naming. The route matches -UriPrefix ('/' by default; give an empty
/// string for no match).
/// </remarks>
/// <example>
/// <code>Set-MeshTrafficSplit -Service ui -Weight ([ordered]@{ v1 = 20; v2 = 80 }) -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway | ConvertTo-LabYaml</code>
/// <para>The codelab's 20/80 split between ui v1 and v2, behind the ingress gateway.</para>
/// </example>
/// <example>
/// <code>Set-MeshTrafficSplit -Service reviews -Weight @{ stable = 90; canary = 10 } -SubsetLabels @{ stable = @{ track = 'stable' }; canary = @{ track = 'canary' } }</code>
/// <para>A canary with custom subset names and labels; the VirtualService is named and hosted after the service.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MeshTrafficSplit")]
[OutputType(typeof(DestinationRule), typeof(VirtualService))]
public sealed partial class SetMeshTrafficSplitCommand : LabCmdlet
{
    /// <summary>The service whose traffic is split (the route's destination host and the DestinationRule's host).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Service { get; set; } = null!;

    /// <summary>Subset name to weight, e.g. @{ v1 = 20; v2 = 80 }; the weights sum to 100.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public IDictionary Weight { get; set; } = null!;

    /// <summary>Subset name to pod labels, e.g. @{ v1 = @{ version = '1.0' } }; by default vN gets version=N.0.</summary>
    [Parameter]
    public IDictionary? SubsetLabels { get; set; }

    /// <summary>The VirtualService's name; by default the service name. The DestinationRule is always named after the service.</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>The VirtualService's hosts; by default the service.</summary>
    [Parameter]
    public string[]? Hosts { get; set; }

    /// <summary>The gateways the VirtualService is bound to.</summary>
    [Parameter]
    public string[]? Gateways { get; set; }

    /// <summary>The route's path prefix match; '/' by default, '' for no match.</summary>
    [Parameter]
    [AllowEmptyString]
    public string UriPrefix { get; set; } = "/";

    /// <summary>The namespace of both objects; omitted from the manifests when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Namespace { get; set; }

    protected override void ProcessRecord()
    {
        var check = new ValidationResult();
        Rules.ResourceName(check, "-Service", Service);
        if (Name is not null)
        {
            Rules.ResourceName(check, "-Name", Name);
        }

        var weights = new List<(string Subset, int Weight)>();
        foreach (var (subset, value) in Entries(Weight))
        {
            Rules.Dns1123Label(check, $"-Weight[{subset}]", subset, ErrorIds.InvalidSubset, "subset name", "validateSubset");
            var raw = Unwrap(value);
            if (raw is not (int or long or short or byte) || Convert.ToInt64(raw, CultureInfo.InvariantCulture) is < 0 or > 100)
            {
                check.Error(ErrorIds.InvalidWeight, $"-Weight[{subset}]", raw, $"{ValidationResult.Show(raw)} is not a valid weight: use a whole percentage from 0 to 100", "validateWeight");
                continue;
            }

            weights.Add((subset, Convert.ToInt32(raw, CultureInfo.InvariantCulture)));
        }

        ThrowIfInvalid(check, Weight);
        var total = weights.Sum(w => w.Weight);
        if (weights.Count == 0 || total != 100)
        {
            var given = string.Join(", ", weights.Select(w => $"{w.Subset}={w.Weight}"));
            ThrowInvalid(ErrorIds.WeightsMustSumTo100, "-Weight", given,
                $"{given} sum to {total}: give whole percentages that sum to 100", "Set-MeshTrafficSplit");
        }

        var rule = new DestinationRule { Name = Service, Namespace = Namespace };
        rule.Spec.Host = Service;
        rule.Spec.Subsets = weights.Select(w => new Subset { Name = w.Subset, Labels = LabelsFor(w.Subset) }).ToList();

        var vs = new VirtualService { Name = Name ?? Service, Namespace = Namespace };
        vs.Spec.Hosts = [.. Hosts ?? [Service]];
        vs.Spec.Gateways = Gateways is null ? null : [.. Gateways];
        vs.Spec.Http =
        [
            new HttpRoute
            {
                Match = UriPrefix.Length == 0 ? null : [new HttpMatchRequest { Uri = new StringMatch { Prefix = UriPrefix } }],
                Route = weights.Where(w => w.Weight > 0)
                    .Select(w => new HttpRouteDestination { Destination = new Destination { Host = Service, Subset = w.Subset }, Weight = w.Weight })
                    .ToList(),
            },
        ];

        ThrowIfInvalid(rule);
        ThrowIfInvalid(vs);
        WriteObject(rule);
        WriteObject(vs);
    }

    private Dictionary<string, string> LabelsFor(string subset)
    {
        if (SubsetLabels is not null)
        {
            var given = SubsetLabels.Contains(subset) ? SubsetLabels[subset] : null;
            if (Unwrap(given) is IDictionary labels)
            {
                var map = ToStringMap(labels)!;
                var check = new ValidationResult();
                Rules.Labels(check, $"-SubsetLabels[{subset}]", map);
                ThrowIfInvalid(check, labels);
                return map;
            }

            ThrowInvalid(ErrorIds.MissingSubsetLabels, $"-SubsetLabels[{subset}]", given, $"-SubsetLabels has no labels (a hashtable) for the subset '{subset}'");
        }

        var version = VersionName().Match(subset);
        if (!version.Success)
        {
            ThrowInvalid(ErrorIds.MissingSubsetLabels, "-SubsetLabels", subset,
                $"the subset '{subset}' is not named vN, so its labels cannot be derived: give -SubsetLabels @{{ {subset} = @{{ version = '...' }} }}");
        }

        return new Dictionary<string, string>(StringComparer.Ordinal) { ["version"] = $"{version.Groups[1].Value}.0" };
    }

    [GeneratedRegex("^v([0-9]+)$")]
    private static partial Regex VersionName();
}
