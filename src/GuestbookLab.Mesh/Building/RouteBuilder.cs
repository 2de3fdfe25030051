using System;
using System.Collections.Generic;
using System.Linq;
using GuestbookLab.Mesh.Validation;
using GuestbookLab.Model;

namespace GuestbookLab.Mesh.Building;

/// <summary>An HTTP route (or a weighted destination) to add to a VirtualService: Add-MeshRoute's input.</summary>
public sealed record RouteOptions
{
    public required string Destination { get; init; }

    public string? Subset { get; init; }

    public int? Weight { get; init; }

    public int? Port { get; init; }

    public string? UriPrefix { get; init; }

    public string? UriExact { get; init; }

    public string? UriRegex { get; init; }

    /// <summary>Header name to exact value, in the user's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeaderExact { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> HeaderPrefix { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> HeaderRegex { get; init; } = [];

    public string? Method { get; init; }

    public string? RouteName { get; init; }
}

/// <summary>
/// Builds HTTP routes. The rule for weights: a route with a weight whose match equals that of the VirtualService's
/// last route joins that route as one more destination, so consecutive weighted routes build a split; every other
/// route is appended.
/// </summary>
public static class RouteBuilder
{
    /// <summary>Every field is checked as the parameter of its name.</summary>
    public static ParameterMap Parameters { get; } = new();

    public static ValidationResult Validate(RouteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidationResult(Parameters);
        Rules.Destination(result, nameof(options.Destination), options.Destination, nameof(options.Subset), options.Subset, nameof(options.Port), options.Port);
        Rules.Weight(result, nameof(options.Weight), options.Weight);

        var uri = new[] { (nameof(options.UriPrefix), options.UriPrefix), (nameof(options.UriExact), options.UriExact), (nameof(options.UriRegex), options.UriRegex) };
        var given = uri.Where(p => p.Item2 is not null).Select(p => p.Item1).ToList();
        if (given.Count > 1)
        {
            result.Error(ErrorIds.InvalidMatch, string.Join(", ", given), null,
                $"give only one of {Parameters.Of(nameof(options.UriPrefix))}, {Parameters.Of(nameof(options.UriExact))} and {Parameters.Of(nameof(options.UriRegex))}", "StringMatch");
        }

        if (options.UriRegex is not null)
        {
            Rules.Regex(result, nameof(options.UriRegex), options.UriRegex);
        }

        foreach (var (key, value) in options.HeaderRegex)
        {
            Rules.Regex(result, $"{nameof(options.HeaderRegex)}[{key}]", value);
        }

        foreach (var (key, value) in options.HeaderPrefix.Where(h => h.Value.Length == 0))
        {
            result.Error(ErrorIds.InvalidMatch, $"{nameof(options.HeaderPrefix)}[{key}]", value, "a header prefix match cannot be empty", "validateHTTPRouteMatchRequest");
        }

        return result;
    }

    /// <summary>Adds the route to <paramref name="resource"/> (or its destination to the last route, by the rule for weights).</summary>
    public static void Apply(VirtualService resource, RouteOptions options)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        var http = resource.Spec.Http ??= [];
        var match = Match(options);
        var destination = new HttpRouteDestination
        {
            Destination = new Destination
            {
                Host = options.Destination,
                Subset = options.Subset,
                Port = options.Port is null ? null : new PortSelector { Number = options.Port },
            },
            Weight = options.Weight,
        };

        var last = http.LastOrDefault();
        if (options.Weight is not null && last is { Route: not null, Redirect: null, DirectResponse: null } && SameMatch(last.Match, match))
        {
            last.Route.Add(destination);
            return;
        }

        http.Add(new HttpRoute
        {
            Name = options.RouteName,
            Match = match is null ? null : [match],
            Route = [destination],
        });
    }

    /// <summary>The one match block the conditions AND into (uri, method, headers in lower case), or null for none.</summary>
    public static HttpMatchRequest? Match(RouteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var match = new HttpMatchRequest();
        if (options.UriPrefix is not null || options.UriExact is not null || options.UriRegex is not null)
        {
            match.Uri = new StringMatch { Prefix = options.UriPrefix, Exact = options.UriExact, Regex = options.UriRegex };
        }

        if (options.Method is not null)
        {
            match.Method = new StringMatch { Exact = options.Method };
        }

        var headers = new Dictionary<string, StringMatch>(StringComparer.Ordinal);
        AddHeaders(headers, options.HeaderExact, (m, v) => m.Exact = v);
        AddHeaders(headers, options.HeaderPrefix, (m, v) => m.Prefix = v);
        AddHeaders(headers, options.HeaderRegex, (m, v) => m.Regex = v);
        if (headers.Count > 0)
        {
            match.Headers = headers;
        }

        return match.Uri is null && match.Method is null && match.Headers is null ? null : match;
    }

    private static void AddHeaders(Dictionary<string, StringMatch> headers, IReadOnlyList<KeyValuePair<string, string>> given, Action<StringMatch, string> set)
    {
        foreach (var (key, value) in given)
        {
            // Header names are case-insensitive in HTTP; Istio matches them in lower case.
            var name = key.ToLowerInvariant();
            if (!headers.TryGetValue(name, out var match))
            {
                headers[name] = match = new StringMatch();
            }

            set(match, value);
        }
    }

    private static bool SameMatch(List<HttpMatchRequest>? existing, HttpMatchRequest? match)
    {
        if (match is null)
        {
            return existing is null || existing.Count == 0;
        }

        return existing is { Count: 1 } && ApiObjectMapper.CanonicalKey(existing[0]) == ApiObjectMapper.CanonicalKey(match);
    }
}

/// <summary>Picks the HTTP route of a VirtualService that a route cmdlet changes: by index, or the last one.</summary>
public static class RouteSelector
{
    /// <summary>The route; null, with the reason in <paramref name="result"/>, when there is no such route.</summary>
    public static HttpRoute? Select(VirtualService resource, int? index, out ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(resource);
        result = new ValidationResult(new ParameterMap(("InputObject", "InputObject"), ("RouteIndex", "-RouteIndex")));
        var http = resource.Spec.Http;
        if (http is null || http.Count == 0)
        {
            result.Error(ErrorIds.NoRouteToModify, "InputObject", resource.DisplayName,
                $"{resource.DisplayName} has no HTTP route to change: add one first with Add-MeshRoute", "GuestbookLab");
            return null;
        }

        var i = index ?? http.Count - 1;
        if (i < 0 || i >= http.Count)
        {
            result.Error(ErrorIds.NoRouteToModify, "RouteIndex", i,
                $"{i} is not a route of {resource.DisplayName}, which has {http.Count} HTTP route(s): use an index from 0 to {http.Count - 1}", "GuestbookLab");
            return null;
        }

        return http[i];
    }
}
