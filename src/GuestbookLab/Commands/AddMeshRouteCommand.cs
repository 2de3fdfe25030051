using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
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
/// <code>New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
///     Add-MeshRoute -Destination ui -Subset v2 -UriPrefix / -HeaderRegex @{ 'user-agent' = '.*Chrome.*' } |
///     Add-MeshRoute -Destination ui -Subset v1 -UriPrefix / |
///     ConvertTo-LabYaml</code>
/// <para>The codelab's browser routing: Chrome users reach ui v2, everyone else ui v1.</para>
/// </example>
/// <example>
/// <code>New-MeshVirtualService -Name guestbook-ui -Hosts '*' -Gateways guestbook-ui-gateway |
///     Add-MeshRoute -Destination ui -Subset v1 -Weight 20 -UriPrefix / |
///     Add-MeshRoute -Destination ui -Subset v2 -Weight 80 -UriPrefix /</code>
/// <para>A 20/80 split: the second call has the same match and a weight, so it joins the first route.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "MeshRoute")]
[OutputType(typeof(VirtualService), typeof(LabResource))]
public sealed class AddMeshRouteCommand : ModifyResourceCmdlet<VirtualService>
{
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

    protected override void ValidateParameters(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Rules.Destination(result, "-Destination", Destination, "-Subset", Subset, "-Port", Port);
        Rules.Weight(result, "-Weight", Weight);

        var uriParameters = new[] { ("-UriPrefix", UriPrefix), ("-UriExact", UriExact), ("-UriRegex", UriRegex) }.Where(p => p.Item2 is not null).ToList();
        if (uriParameters.Count > 1)
        {
            result.Error(ErrorIds.InvalidMatch, string.Join(", ", uriParameters.Select(p => p.Item1)), null, "give only one of -UriPrefix, -UriExact and -UriRegex", "StringMatch");
        }

        if (UriRegex is not null)
        {
            Rules.Regex(result, "-UriRegex", UriRegex);
        }

        foreach (var (key, value) in HeaderRegex is null ? [] : Entries(HeaderRegex))
        {
            Rules.Regex(result, $"-HeaderRegex[{key}]", ToText(value));
        }

        foreach (var (key, value) in HeaderPrefix is null ? [] : Entries(HeaderPrefix))
        {
            if (ToText(value).Length == 0)
            {
                result.Error(ErrorIds.InvalidMatch, $"-HeaderPrefix[{key}]", string.Empty, "a header prefix match cannot be empty", "validateHTTPRouteMatchRequest");
            }
        }
    }

    protected override void Modify(VirtualService resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var http = resource.Spec.Http ??= [];
        var match = BuildMatch();
        var destination = new HttpRouteDestination
        {
            Destination = new Destination
            {
                Host = Destination,
                Subset = Subset,
                Port = Port is null ? null : new PortSelector { Number = Port },
            },
            Weight = Weight,
        };

        var last = http.LastOrDefault();
        if (Weight is not null && last is { Route: not null, Redirect: null, DirectResponse: null } && SameMatch(last.Match, match))
        {
            last.Route.Add(destination);
            return;
        }

        http.Add(new HttpRoute
        {
            Name = RouteName,
            Match = match is null ? null : [match],
            Route = [destination],
        });
    }

    private HttpMatchRequest? BuildMatch()
    {
        var match = new HttpMatchRequest();
        if (UriPrefix is not null || UriExact is not null || UriRegex is not null)
        {
            match.Uri = new StringMatch { Prefix = UriPrefix, Exact = UriExact, Regex = UriRegex };
        }

        if (Method is not null)
        {
            match.Method = new StringMatch { Exact = Method };
        }

        var headers = new Dictionary<string, StringMatch>(StringComparer.Ordinal);
        AddHeaders(headers, HeaderExact, (m, v) => m.Exact = v);
        AddHeaders(headers, HeaderPrefix, (m, v) => m.Prefix = v);
        AddHeaders(headers, HeaderRegex, (m, v) => m.Regex = v);
        if (headers.Count > 0)
        {
            match.Headers = headers;
        }

        return match.Uri is null && match.Method is null && match.Headers is null ? null : match;
    }

    private static void AddHeaders(Dictionary<string, StringMatch> headers, IDictionary? table, Action<StringMatch, string> set)
    {
        if (table is null)
        {
            return;
        }

        foreach (var (key, value) in Entries(table))
        {
            // Header names are case-insensitive in HTTP; Istio matches them in lower case.
            var name = key.ToLowerInvariant();
            if (!headers.TryGetValue(name, out var match))
            {
                headers[name] = match = new StringMatch();
            }

            set(match, ToText(value));
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
