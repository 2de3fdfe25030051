using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>A weighted split of a service's traffic between its subsets: Set-MeshTrafficSplit's input.</summary>
public sealed record TrafficSplitOptions
{
    public required string Service { get; init; }

    /// <summary>Subset name to weight, in the user's order; a weight is whatever was given (checked to be a whole percentage).</summary>
    public required IReadOnlyList<KeyValuePair<string, object?>> Weights { get; init; }

    /// <summary>Subset name to its labels (an <see cref="IReadOnlyDictionary{TKey, TValue}"/> of strings, or whatever else was given); null: vN gets version=N.0.</summary>
    public IReadOnlyDictionary<string, object?>? SubsetLabels { get; init; }

    /// <summary>The VirtualService's name; null: the service's.</summary>
    public string? Name { get; init; }

    /// <summary>The VirtualService's hosts; null: the service.</summary>
    public IReadOnlyList<string>? Hosts { get; init; }

    public IReadOnlyList<string>? Gateways { get; init; }

    /// <summary>The route's path prefix match; empty for no match.</summary>
    public string UriPrefix { get; init; } = "/";

    public string? Namespace { get; init; }
}

/// <summary>
/// Builds a traffic split: the DestinationRule with one subset per weight, and the VirtualService whose one route
/// sends each subset with a weight above 0 its share.
/// </summary>
public static partial class TrafficSplitBuilder
{
    public static ParameterMap Parameters { get; } = new(("Weights", "-Weight"), ("SubsetLabels", "-SubsetLabel"), ("Gateways", "-Gateway"));

    /// <summary>Names, weights (whole percentages summing to 100), then each subset's labels; stops at the first stage with errors.</summary>
    public static ValidationResult Validate(TrafficSplitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.ResourceName(result, nameof(options.Service), options.Service);
        if (options.Name is not null)
        {
            Rules.ResourceName(result, nameof(options.Name), options.Name);
        }

        foreach (var (subset, raw) in options.Weights)
        {
            Rules.Dns1123Label(result, $"{nameof(options.Weights)}[{subset}]", subset, ErrorIds.InvalidSubset, "subset name", "validateSubset");
            if (WeightOf(raw) is null)
            {
                result.Error(ErrorIds.InvalidWeight, $"{nameof(options.Weights)}[{subset}]", raw, $"{ValidationResult.Show(raw)} is not a valid weight: use a whole percentage from 0 to 100", "validateWeight");
            }
        }

        if (result.HasErrors)
        {
            return result;
        }

        var weights = Weights(options);
        var total = weights.Sum(w => w.Weight);
        if (weights.Count == 0 || total != 100)
        {
            var given = string.Join(", ", weights.Select(w => $"{w.Subset}={w.Weight}"));
            result.Error(ErrorIds.WeightsMustSumTo100, nameof(options.Weights), given, $"{given} sum to {total}: give whole percentages that sum to 100", "Set-MeshTrafficSplit");
            return result;
        }

        foreach (var (subset, _) in weights)
        {
            if (!Labels(result, options, subset, out _))
            {
                break;
            }
        }

        return result;
    }

    /// <summary>The DestinationRule, then the VirtualService.</summary>
    public static (DestinationRule Rule, VirtualService VirtualService) Build(TrafficSplitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = Validate(options);
        if (check.HasErrors)
        {
            throw new ArgumentException(check.Errors.First().ToString(), nameof(options));
        }

        var weights = Weights(options);
        var rule = new DestinationRule { Name = options.Service, Namespace = options.Namespace };
        rule.Spec.Host = options.Service;
        rule.Spec.Subsets = weights.Select(w =>
        {
            Labels(new ValidationResult(), options, w.Subset, out var labels);
            return new Subset { Name = w.Subset, Labels = labels };
        }).ToList();

        var vs = new VirtualService { Name = options.Name ?? options.Service, Namespace = options.Namespace };
        vs.Spec.Hosts = [.. options.Hosts ?? [options.Service]];
        vs.Spec.Gateways = options.Gateways is null ? null : [.. options.Gateways];
        vs.Spec.Http =
        [
            new HttpRoute
            {
                Match = options.UriPrefix.Length == 0 ? null : [new HttpMatchRequest { Uri = new StringMatch { Prefix = options.UriPrefix } }],
                Route = weights.Where(w => w.Weight > 0)
                    .Select(w => new HttpRouteDestination { Destination = new Destination { Host = options.Service, Subset = w.Subset }, Weight = w.Weight })
                    .ToList(),
            },
        ];
        return (rule, vs);
    }

    private static List<(string Subset, int Weight)> Weights(TrafficSplitOptions options) =>
        options.Weights.Where(w => WeightOf(w.Value) is not null).Select(w => (w.Key, WeightOf(w.Value)!.Value)).ToList();

    private static int? WeightOf(object? raw) =>
        raw is int or long or short or byte && Convert.ToInt64(raw, CultureInfo.InvariantCulture) is >= 0 and <= 100
            ? Convert.ToInt32(raw, CultureInfo.InvariantCulture)
            : null;

    // The subset's labels: given, or derived from a vN name.
    private static bool Labels(ValidationResult result, TrafficSplitOptions options, string subset, out Dictionary<string, string> labels)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var field = $"{nameof(options.SubsetLabels)}[{subset}]";
        if (options.SubsetLabels is { } all)
        {
            var given = all.TryGetValue(subset, out var value) ? value : null;
            if (given is IReadOnlyDictionary<string, string> map)
            {
                labels = new Dictionary<string, string>(map, StringComparer.Ordinal);
                return Rules.Labels(result, field, labels);
            }

            result.Error(ErrorIds.MissingSubsetLabels, field, given, $"{Parameters.Of(nameof(options.SubsetLabels))} has no labels (a hashtable) for the subset '{subset}'", "GuestbookLab");
            return false;
        }

        var version = VersionName().Match(subset);
        if (!version.Success)
        {
            result.Error(ErrorIds.MissingSubsetLabels, nameof(options.SubsetLabels), subset,
                $"the subset '{subset}' is not named vN, so its labels cannot be derived: give {Parameters.Of(nameof(options.SubsetLabels))} @{{ {subset} = @{{ version = '...' }} }}", "GuestbookLab");
            return false;
        }

        labels["version"] = $"{version.Groups[1].Value}.0";
        return true;
    }

    [GeneratedRegex("^v([0-9]+)$")]
    private static partial Regex VersionName();
}
